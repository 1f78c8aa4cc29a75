"""The watched inbox: latency from a finished copy to its 回执, and throughput against a batch.

* Latency (event mode, default settle times): a text .docx and a one-page scan
  are copied into the inbox; the time from the end of the copy to the receipt's
  JSON appearing in outbox/回执 is measured, several times, median reported.
* Throughput: 1,000 text documents dropped at once (a folder moved in), time
  until the last receipt; against ``minyi process`` over the same files with a
  fresh data folder. Batch and watch rounds alternate (median ratio reported),
  in the temporary folder's file system and, where there is one, on tmpfs (the
  pure processing cost, without the disk).

On ext4 without a journal (this build machine's disk) the inode allocator passes
over every inode freed in the last one to six minutes one by one, so right after
a mass deletion (the previous run's clean-up) each new file costs time in
proportion to it. The watcher creates three files per submission (kept copy and
the 回执 twins) where the batch creates one, so it slows down more: leave a few
minutes between runs on such a disk, or compare the tmpfs rounds.

Usage: python benchmarks/watch.py [--files 1000] [--repeats 5] [--rounds 3] [--disk-only]
       [--docx] [--no-latency]

``--docx`` drops .docx documents instead of short texts; with more files (say
4,000 texts or 1,500 documents) the batch's start-up weighs less and the
figure shows the steady rates.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minyi import samples


def start(root: Path) -> subprocess.Popen[bytes]:
    (root / "inbox").mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "minyi", "watch", "--inbox", "inbox", "--outbox", "outbox",
         "--data", "data"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (root / "data" / "logs" / "watch.log").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)  # engines and observers up
    return process


def receipts(root: Path) -> int:
    folder = root / "outbox" / "回执"
    return len(list(folder.glob("*.json"))) if folder.exists() else 0


def latency(root: Path, source: Path, repeats: int) -> float:
    times = []
    for i in range(repeats):
        before = receipts(root)
        target = root / "inbox" / f"{i}-{source.name}"
        data = source.read_bytes()
        # Make each copy distinct, so none is answered as a duplicate of the last.
        if source.suffix == ".txt":
            data += f"\n第{i}次。".encode()
        with open(target, "wb") as fh:
            fh.write(data)
        finished = time.perf_counter()
        while receipts(root) == before:
            time.sleep(0.01)
        times.append(time.perf_counter() - finished)
    return statistics.median(times)


def bulk_folder(root: Path, files: int, docx: bool = False) -> Path:
    """The files dropped at once: short texts, or .docx documents (``--docx``)."""
    bulk = root / "bulk"
    bulk.mkdir()
    for n in range(files):
        lines = [f"关于第{n}号事项的建议", f"反映人：信息员{n}",
                 f"正文：建议有关部门抓紧研究解决第{n}号事项。"]  # fmt: skip
        if docx:
            samples.make_docx(bulk / f"{n:04d}.docx", [*lines, "具体情况如下。" * 20])
        else:
            (bulk / f"{n:04d}.txt").write_text("\n".join(lines), encoding="utf-8")
    return bulk


def throughput(work: Path, files: int, rounds: int, docx: bool = False) -> None:
    """Alternate batch and watch rounds on fresh copies of the same files."""
    ratios = []
    for n in range(rounds):
        root = work / f"round{n}"
        root.mkdir()
        bulk = bulk_folder(root, files, docx)
        batch_root = root / "batch"
        batch_root.mkdir()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "minyi", "process", str(bulk), "--data", "data",
                        "--report", "r.jsonl"], cwd=batch_root, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        batch = time.perf_counter() - started
        # ``process`` never modifies the folder: the watcher gets the very same files.
        watch_root = root / "watched"
        watch_root.mkdir()
        watcher = start(watch_root)
        try:
            started = time.perf_counter()
            os.rename(bulk, watch_root / "inbox" / "bulk")
            while receipts(watch_root) < files:
                time.sleep(0.02)
            watched = time.perf_counter() - started
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.wait(timeout=120)
        ratios.append(batch / watched)
        print(f"  round {n + 1}: batch {files / batch:.0f} files/s ({batch:.2f} s incl. start-up), "
              f"watch {files / watched:.0f} files/s ({watched:.2f} s from the drop to the last "
              f"回执); watch/batch {batch / watched:.2f}")  # fmt: skip
    print(f"  watch/batch, median of {rounds} rounds: {statistics.median(ratios):.2f}")


def latencies(root: Path, repeats: int) -> None:
    """Latency from the end of a copy to its receipt: text .docx files, then scans."""
    stage = root / "stage"
    docx_paths = [samples.make_docx(stage / f"submission{i}.docx", [f"关于第{i}件事的建议", "正文。"])
                  for i in range(repeats)]  # fmt: skip
    watcher = start(root)
    try:
        docx_times = [latency(root, path, 1) for path in docx_paths]
        print(f"latency, text .docx: median {statistics.median(docx_times):.2f} s "
              f"(max {max(docx_times):.2f} s) from the end of the copy to the receipt")  # fmt: skip
        scans = []
        # Each worker loads the OCR models with its first image (about 2 s): the
        # first scans include that, the median of the rest is the warm figure.
        for i in range(2 + max(2, repeats // 2)):
            copy = stage / f"scan{i}.png"
            samples.render_page([*samples.page_lines(), f"第{i}份"]).save(copy)
            scans.append(latency(root, copy, 1))
        print(f"latency, one-page scan: median {statistics.median(scans[2:]):.2f} s after "
              f"the first two ({', '.join(f'{t:.2f}' for t in scans)} s in order; a "
              "worker's first image loads the OCR models)")  # fmt: skip
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="batch/watch rounds per place")
    parser.add_argument("--disk-only", action="store_true", help="skip the tmpfs rounds")
    parser.add_argument("--docx", action="store_true", help="drop .docx documents, not texts")
    parser.add_argument("--no-latency", action="store_true", help="throughput only")
    args = parser.parse_args()
    if not args.no_latency:
        with tempfile.TemporaryDirectory() as tmp:
            latencies(Path(tmp), args.repeats)
    places = [("the temporary folder's disk", None)]
    if Path("/dev/shm").is_dir() and not args.disk_only:
        places.append(("tmpfs (/dev/shm): CPU only, no disk", "/dev/shm"))
    for label, base in places:
        kind = ".docx documents" if args.docx else "text files"
        print(f"throughput, {args.files} {kind}, {label}:")
        with tempfile.TemporaryDirectory(dir=base) as work:
            throughput(Path(work), args.files, args.rounds, args.docx)


if __name__ == "__main__":
    main()
