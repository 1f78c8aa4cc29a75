"""The watched inbox: latency from a finished copy to its 回执, and throughput against a batch.

* Latency (event mode, default settle times): a text .docx and a one-page scan
  are copied into the inbox; the time from the end of the copy to the receipt's
  JSON appearing in outbox/回执 is measured, several times, median reported.
* Throughput: 1,000 text documents dropped at once (a folder moved in), time
  until the last receipt; against ``minyi process`` over the same files with a
  fresh data folder.

Usage: python benchmarks/watch.py [--files 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        stage = root / "stage"
        docx_paths = [samples.make_docx(stage / f"submission{i}.docx", [f"关于第{i}件事的建议", "正文。"])
                      for i in range(args.repeats)]  # fmt: skip
        scan = stage / "scan.png"
        samples.render_page(samples.page_lines()).save(scan)
        watcher = start(root)
        try:
            docx_times = []
            for path in docx_paths:
                docx_times.append(latency(root, path, 1))
            print(f"latency, text .docx: median {statistics.median(docx_times):.2f} s "
                  f"(max {max(docx_times):.2f} s) from the end of the copy to the receipt")  # fmt: skip
            scans = []
            for i in range(max(2, args.repeats // 2)):
                copy = stage / f"scan{i}.png"
                image = samples.render_page([*samples.page_lines(), f"第{i}份"])
                image.save(copy)
                scans.append(latency(root, copy, 1))
            print(f"latency, one-page scan: median {statistics.median(scans):.2f} s")
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.wait(timeout=120)
        bulk = root / "bulk"
        bulk.mkdir()
        for n in range(args.files):
            (bulk / f"{n:04d}.txt").write_text(
                f"关于第{n}号事项的建议\n反映人：信息员{n}\n正文：建议有关部门抓紧研究解决第{n}号事项。",
                encoding="utf-8",
            )
        batch_root = root / "batch"
        batch_root.mkdir()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "minyi", "process", str(bulk), "--data", "data",
                        "--report", "r.jsonl"], cwd=batch_root, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        batch = time.perf_counter() - started
        watch_root = root / "watched"
        watch_root.mkdir()
        watcher = start(watch_root)
        try:
            started = time.perf_counter()
            os.rename(bulk, watch_root / "inbox" / "bulk")
            while receipts(watch_root) == 0:
                time.sleep(0.01)
            first = time.perf_counter()
            while receipts(watch_root) < args.files:
                time.sleep(0.05)
            watched = time.perf_counter() - started
            steady = time.perf_counter() - first
        finally:
            watcher.send_signal(signal.SIGTERM)
            watcher.wait(timeout=120)
        print(
            f"throughput, {args.files} text files: batch {args.files / batch:.0f} files/s "
            f"({batch:.1f} s incl. start-up), watch {args.files / watched:.0f} files/s "
            f"({watched:.1f} s incl. the settle time); watch/batch {batch / watched:.2f}"
        )
        print(f"  watch after the first receipt: {args.files / steady:.0f} files/s; "
              f"watch/batch {batch / steady:.2f}")  # fmt: skip
        shutil.rmtree(root / "stage", ignore_errors=True)


if __name__ == "__main__":
    main()
