"""Never lose a file, never start over by accident, say what happened (issue 13, first part)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from conftest import run_minyi
from rich.console import Console

from ingest.options import IngestOptions, WatchOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.watcher import Watcher
from ingest.workers import Workers
from minyi import samples
from minyi.service import print_status


def office(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    samples.make_docx(inbox / "1.docx", samples.SAMPLES[0].paragraphs())
    return tmp_path


@pytest.mark.parametrize("args,named", [
    (("--data", "inbox/data"), "数据目录"),
    (("--outbox", "inbox/outbox"), "发件箱"),
    (("--inbox", "data/archive", "--data", "data"), "收件箱"),
    (("--inbox", "inbox", "--outbox", "inbox"), "发件箱"),
])  # fmt: skip
def test_the_watcher_refuses_a_layout_where_it_would_take_its_own_files(
    tmp_path: Path, args: tuple[str, ...], named: str
) -> None:
    folder = office(tmp_path)
    assert run_minyi("process", "inbox", "--data", "inbox/data", cwd=folder).returncode == 0
    kept = sorted(p.name for p in (folder / "inbox" / "data" / "archive").rglob("*.docx"))
    (folder / "data" / "archive").mkdir(parents=True)
    result = run_minyi("watch", *args, cwd=folder)
    assert result.returncode == 5, result.stdout + result.stderr
    assert named in result.stderr and "收件箱" in result.stderr
    assert sorted(p.name for p in (folder / "inbox" / "data" / "archive").rglob("*.docx")) == kept
    assert (folder / "inbox" / "1.docx").exists()  # nothing was taken


@pytest.mark.parametrize("damage", ["empty", "missing"])
def test_a_lost_registry_beside_kept_originals_is_refused(tmp_path: Path, damage: str) -> None:
    folder = office(tmp_path)
    assert run_minyi("process", "inbox", cwd=folder).returncode == 0
    registry = folder / "data" / "registry.sqlite3"
    for extra in folder.glob("data/registry.sqlite3-*"):
        extra.unlink()
    if damage == "empty":
        registry.write_bytes(b"")
    else:
        registry.unlink()
    result = run_minyi("process", "inbox", cwd=folder)
    assert result.returncode == 7, result.stdout + result.stderr
    assert "不会新建登记库" in result.stderr and "备份恢复" in result.stderr
    assert not registry.exists() or registry.stat().st_size == 0  # left as found
    assert run_minyi("watch", cwd=folder).returncode == 7


def test_a_new_registry_is_announced_and_minyi_toml_is_found_from_below(tmp_path: Path) -> None:
    folder = office(tmp_path)
    first = run_minyi("process", "inbox", cwd=folder)
    assert first.returncode == 0
    assert "正在新建" in first.stderr and str(folder / "data" / "registry.sqlite3") in first.stderr
    again = run_minyi("process", "inbox", cwd=folder)
    assert "正在新建" not in again.stderr
    # From a sub-folder, the office's minyi.toml (found upwards) names the data folder.
    (folder / "minyi.toml").write_text('data_dir = "data"\n', encoding="utf-8")
    month = folder / "收文" / "11月"
    samples.make_docx(month / "2.docx", samples.SAMPLES[1].paragraphs())
    below = run_minyi("process", ".", cwd=month)
    assert below.returncode == 0 and "正在新建" not in below.stderr
    assert not (month / "data").exists()
    receipts = run_minyi("report", cwd=month).stdout.splitlines()
    assert len(receipts) == 3 and '"file":"2.docx"' in receipts[2]  # one registry for all


def test_status_says_the_watcher_crashed_when_and_why(tmp_path: Path) -> None:
    inbox, db = tmp_path / "inbox", tmp_path / "data" / "r.sqlite3"
    inbox.mkdir()
    Registry.open(db).close()
    failure: list[BaseException] = []

    def serve() -> None:
        pipeline = Pipeline(Registry.open(db), tmp_path / "data", IngestOptions(), Workers(1))
        watcher = Watcher(pipeline, inbox, tmp_path / "outbox", WatchOptions(mode="polling"))

        def broken() -> None:
            raise OSError(28, "No space left on device")

        watcher._rescan = broken  # type: ignore[method-assign]
        try:
            watcher.run(threading.Event())
        except OSError as exc:
            failure.append(exc)
        finally:
            watcher.registry.close()

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join(timeout=60)
    assert failure, "the watcher should have stopped with the error"
    out = io.StringIO()
    with Registry.open(db) as registry:
        print_status(registry, Console(file=out, width=200))
    shown = out.getvalue()
    assert "异常退出" in shown and "No space left on device" in shown and "正常停止" not in shown


def odd_inbox(folder: Path) -> Path:
    """An inbox with a pipe, a socket, a device (as root), a GBK-named file and a normal one."""
    import os
    import socket
    import stat

    inbox = folder / "inbox"
    inbox.mkdir(parents=True)
    os.mkfifo(inbox / "0-管道")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(inbox / "1-套接字"))
    server.close()
    if os.geteuid() == 0:
        os.mknod(inbox / "2-设备", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # like /dev/zero
    gbk = os.fsdecode("3-关于供水的建议.docx".encode("gbk"))
    samples.make_docx(inbox / gbk, samples.SAMPLES[0].paragraphs())
    samples.make_docx(inbox / "4-正常.docx", samples.SAMPLES[1].paragraphs())
    return inbox


def test_pipes_devices_sockets_and_non_unicode_names_in_a_batch(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    odd_inbox(tmp_path)
    result = subprocess.run([sys.executable, "-m", "minyi", "process", "inbox", "--report", "r.jsonl"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = {(ln := json.loads(x))["file"]: ln for x in (tmp_path / "r.jsonl").open()}
    for name in ("0-管道", "1-套接字"):
        assert lines[name]["disposition"] == "ignored" and "不是普通文件" in lines[name]["note"]
    assert lines["3-关于供水的建议.docx"]["disposition"] == "registered"  # read as GBK
    assert lines["4-正常.docx"]["disposition"] == "registered"  # the batch went on
    quarantine = tmp_path / "data" / "quarantine"
    assert not quarantine.exists() or not any(quarantine.iterdir())  # nothing copied


def test_the_watcher_skips_pipes_and_takes_non_unicode_names(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    inbox = odd_inbox(tmp_path)
    env = {**os.environ, "MINYI_SETTLE_SECONDS": "0.4", "MINYI_SETTLE_CLOSED_SECONDS": "0.2",
           "MINYI_RESCAN_SECONDS": "1", "MINYI_POLL_SECONDS": "0.3"}  # fmt: skip
    watcher = subprocess.Popen([sys.executable, "-m", "minyi", "watch"], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        slips = tmp_path / "outbox" / "回执"
        while time.monotonic() < deadline and len(list(slips.glob("*.json"))) < 2:
            time.sleep(0.2)
        time.sleep(2)  # two more rescans: nothing is taken twice, nothing hangs
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, _ = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, out
    names = sorted(p.name for p in slips.glob("*.json"))
    assert len(names) == 2 and any("关于供水的建议" in n for n in names), names
    left = sorted(os.fsencode(p.name) for p in inbox.iterdir())
    assert left[:2] == ["0-管道".encode(), "1-套接字".encode()]  # never opened, left alone
    assert not any(n.startswith(b"3-") or n.startswith(b"4-") for n in left)  # both taken


def test_an_attachment_cut_short_is_written_again_whole(tmp_path: Path) -> None:
    import hashlib

    folder = office(tmp_path)
    (folder / "minyi.toml").write_text('issue_unit = "政协某某县委员会办公室"\n', encoding="utf-8")
    assert run_minyi("process", "inbox", cwd=folder).returncode == 0
    document = folder / "批示件.pdf"
    document.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 400 + b"\n%%EOF\n")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    kept = folder / "data" / "attachments" / digest[:2] / f"{digest}.pdf"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(document.read_bytes()[:4096])  # what a kill -9 mid-copy left behind
    result = run_minyi("track", "add", "2026-0001", "--kind", "批示", "--level", "县",
                       "--leader", "县长", "--document", str(document),
                       cwd=folder)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == digest
    assert not [p for p in kept.parent.iterdir() if p != kept]  # no temporary file left


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 4 MB tmpfs to fill up (needs root; CI runs as root): six 430 KB originals and the
    registry fit in it, not beside a 2.6 MB filler."""
    import os
    import subprocess

    from conftest import UNDER_CI

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True
        ).returncode
        == 0
    )
    if not mounted:
        if UNDER_CI:
            pytest.fail("mounting a small tmpfs is needed under CI to test a full disk")
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _noise(n: int, size: int = 400_000) -> bytes:
    import random

    return random.Random(n).randbytes(size)


def test_a_full_disk_stops_the_batch_in_chinese_and_loses_nothing(tmp_path: Path,
                                                                  small_disk: Path) -> None:  # fmt: skip
    import json
    import zipfile

    inbox = tmp_path / "inbox"
    for n in range(6):  # ~400 KB each of incompressible bytes
        path = samples.make_docx(inbox / f"{n:02d}.docx", [f"关于第{n}件事的建议", "正文。" * 20])
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("word/media/noise.bin", _noise(n))  # a large part, not compressible
    filler = small_disk / "其他程序的文件.bin"
    filler.write_bytes(_noise(99, 2_600_000))  # the disk is shared, and nearly full
    data = small_disk / "data"
    result = run_minyi("process", "inbox", "--data", str(data), "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 7, result.stdout + result.stderr
    assert "磁盘" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert len(list(inbox.iterdir())) == 6  # the batch never moves anything
    lines = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert 0 < len(lines) < 6 and all(line["disposition"] == "registered" for line in lines)
    assert not (data / "quarantine").exists()  # no file was rejected for the disk's sake
    # Space freed: the rest is taken in, and what was registered is not registered again.
    filler.unlink()
    again = run_minyi("process", "inbox", "--data", str(data), "--report", "r2.jsonl", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    second = [
        json.loads(x) for x in (tmp_path / "r2.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert sum(line["disposition"] == "registered" for line in second) == 6 - len(lines)


def test_a_full_disk_under_the_watcher_is_waited_out(tmp_path: Path, small_disk: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    import zipfile

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    filler = small_disk / "其他程序的文件.bin"
    env = {**os.environ, "MINYI_SETTLE_SECONDS": "0.3", "MINYI_SETTLE_CLOSED_SECONDS": "0.2",
           "MINYI_RESCAN_SECONDS": "1", "MINYI_POLL_SECONDS": "0.3"}  # fmt: skip
    watcher = subprocess.Popen([sys.executable, "-m", "minyi", "watch", "--data", str(small_disk / "data")],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    slips = tmp_path / "outbox" / "回执"
    try:
        time.sleep(3)  # up, with its registry on the small disk
        with filler.open("wb") as fh:  # then the disk fills up, to the last byte
            try:
                while True:
                    fh.write(_noise(99, 64_000))
                    fh.flush()
            except OSError:
                pass
        for n in range(3):
            stage = samples.make_docx(
                tmp_path / f"s{n}.docx", [f"关于第{n}件事的建议", "正文。" * 20]
            )
            with zipfile.ZipFile(stage, "a", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr("word/media/noise.bin", _noise(n))
            stage.rename(inbox / f"{n}.docx")
        time.sleep(5)
        assert sorted(p.name for p in inbox.iterdir()) == ["0.docx", "1.docx", "2.docx"]
        assert not list(slips.glob("*.json")) if slips.exists() else True  # no false receipt
        assert watcher.poll() is None, watcher.communicate()[0]  # it must wait, not crash
        filler.unlink()  # space again: the retries take them in
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and any(inbox.iterdir()):
            time.sleep(0.5)
    finally:
        watcher.send_signal(signal.SIGTERM)
        out, _ = watcher.communicate(timeout=60)
    assert not any(inbox.iterdir()), out
    assert len(list(slips.glob("*.json"))) == 3
    assert all("拒收" not in p.read_text(encoding="utf-8") for p in slips.glob("*.txt"))


def test_unreachable_folders_huge_texts_and_sparse_files_are_said_and_bounded(
    tmp_path: Path,
) -> None:
    import json
    import os
    import time

    inbox = tmp_path / "inbox"
    samples.make_docx(inbox / "1.docx", samples.SAMPLES[0].paragraphs())
    # A folder nested deeper than PATH_MAX (4,096 bytes) cannot be listed by its path.
    fd = os.open(inbox, os.O_RDONLY)
    for _ in range(20):
        os.mkdir("深" * 80, dir_fd=fd)
        inner = os.open("深" * 80, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    (inbox / "长文.txt").write_text("关于某事的建议。" * 150_000, encoding="utf-8")  # 1.2 M chars
    sparse = inbox / "稀疏.bin"
    with sparse.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(300 * 1024 * 1024)  # 300 MB, nearly all hole
    started = time.monotonic()
    result = run_minyi("process", "inbox", "--report", "r.jsonl", cwd=tmp_path,
                       env={"MINYI_MAX_FILE_MB": "50"})  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert time.monotonic() - started < 60
    lines = {json.loads(x)["file"]: json.loads(x) for x in (tmp_path / "r.jsonl").open()}
    deep = [line for name, line in lines.items() if name.startswith("深")]
    assert deep and deep[0]["status"] == "rejected" and "无法读取此文件夹" in deep[0]["error"]
    assert "文字内容过长" in lines["长文.txt"]["error"]
    assert "文件过大" in lines["稀疏.bin"]["error"]
    kept = tmp_path / "data" / lines["稀疏.bin"]["stored_as"]
    assert kept.stat().st_size == 300 * 1024 * 1024  # kept whole…
    assert kept.stat().st_blocks * 512 < 10 * 1024 * 1024  # …without writing the hole
    assert lines["1.docx"]["disposition"] == "registered"


def test_a_file_that_never_finishes_reading_is_given_up(tmp_path: Path) -> None:
    """Batch and watcher: a reading past file_timeout is rejected, the rest are read."""
    import json
    import time

    from flaky_reader import hangs

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "0-卡住.txt").write_text("关于卡住的建议\n正文。", encoding="utf-8")
    for n in range(1, 4):
        (inbox / f"{n}.txt").write_text(f"关于第{n}件事的建议\n正文。", encoding="utf-8")
    options = IngestOptions(file_timeout=2)
    started = time.monotonic()
    receipts = {}
    with (
        Registry.open(tmp_path / "d" / "r.sqlite3") as registry,
        Workers(2, reader=hangs) as workers,
    ):
        Pipeline(registry, tmp_path / "d", options, workers).process(
            inbox, on_receipt=lambda r, rec: receipts.__setitem__(r.file, r)
        )
    assert time.monotonic() - started < 30
    assert receipts["0-卡住.txt"].disposition.value == "rejected"
    assert "读取超时" in (receipts["0-卡住.txt"].error or "")
    assert all(receipts[f"{n}.txt"].disposition.value == "registered" for n in range(1, 4))
    # The watcher gives it up the same way, without waiting for it.
    from test_watcher_inproc import watch_in_thread

    watched = tmp_path / "w"
    watched.mkdir()
    thread, stop = watch_in_thread(watched, hangs, options)
    try:
        for name in ("0-卡住.txt", "1.txt", "2.txt"):
            (watched / "inbox" / name).write_bytes((inbox / name).read_bytes())
        slips = watched / "outbox" / "回执"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(slips.glob("*.json"))) < 3:
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(timeout=60)
    found = {
        (d := json.loads(p.read_text(encoding="utf-8")))["file"]: d for p in slips.glob("*.json")
    }
    assert (
        found["0-卡住.txt"]["status"] == "rejected" and "读取超时" in found["0-卡住.txt"]["error"]
    )
    assert found["1.txt"]["status"] == found["2.txt"]["status"] == "ok"


def test_a_word_part_too_large_to_parse_is_refused_before_parsing(tmp_path: Path) -> None:
    """A parsed XML part takes about six times its size in memory: one past the limit is
    refused without being parsed (a .docx of 100 MB could otherwise need gigabytes)."""
    import time
    import zipfile

    from common.errors import ExtractionError
    from ingest.reader import read_bytes
    from ingest.record import Format

    path = samples.make_docx(tmp_path / "大.docx", ["关于某事的建议", "正文。"])
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    filler = b"<w:p><w:r><w:t>" + "正文".encode() * 50 + b"</w:t></w:r></w:p>"
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"</w:body>", filler * 6_000 + b"</w:body>"
    )  # about 2 MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    options = IngestOptions(max_xml_part_bytes=1024 * 1024)
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="过大"):
        read_bytes(path.read_bytes(), "0" * 64, path.name, Format.DOCX, options)
    assert time.monotonic() - started < 2
    assert read_bytes(path.read_bytes(), "0" * 64, path.name, Format.DOCX, IngestOptions()).text


def test_a_stop_does_not_wait_for_a_reading_that_never_ends(tmp_path: Path) -> None:
    """The watcher asked to stop waits for files being read only so long: a reader that
    hangs is left, its file stays in the inbox for the next start, the stop completes."""
    import time

    from flaky_reader import hangs
    from test_watcher_inproc import watch_in_thread

    from ingest.options import WatchOptions

    thread, stop = watch_in_thread(tmp_path, hangs, IngestOptions(file_timeout=600),
                                   WatchOptions(mode="polling", settle=0.1, settle_closed=0.1,
                                                rescan=0.3, poll=0.1, stop_grace=2))  # fmt: skip
    import multiprocessing

    stuck = tmp_path / "inbox" / "0-卡住.txt"
    stuck.write_text("关于卡住的建议\n正文。", encoding="utf-8")
    time.sleep(2)  # taken, and being read
    readers = multiprocessing.active_children()
    assert readers  # the reader that hangs is one of them
    started = time.monotonic()
    stop.set()
    thread.join(timeout=60)
    assert not thread.is_alive() and time.monotonic() - started < 20
    assert stuck.exists()  # never registered: taken again at the next start
    assert not any(process.is_alive() for process in readers)  # none left running


def test_readers_that_ended_are_not_taken_for_hung_ones(caplog) -> None:
    """A reader's exit status can be collected by another thread first (the executor's own
    manager joins its processes while close() does). The readers ended on time: no
    「未结束」 warning and no kill sent to a pid that may already be someone else's."""
    import contextlib
    import logging
    import os
    import threading
    import time

    from ingest.workers import Workers

    workers = Workers(2)
    workers.warm()
    assert workers._pool is not None
    pids = list(workers._pool._processes)  # type: ignore[attr-defined]
    assert len(pids) == 2

    def reap(pid: int) -> None:
        with contextlib.suppress(ChildProcessError):  # (unless the executor was first)
            os.waitpid(pid, 0)

    # Another thread takes each reader's exit status as soon as it ends.
    reapers = [threading.Thread(target=reap, args=(pid,), daemon=True) for pid in pids]
    for reaper in reapers:
        reaper.start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ingest.workers"):
        workers.close(grace=10)
    assert "未结束" not in caplog.text
    assert time.monotonic() - started < 5
    for reaper in reapers:
        reaper.join(5)
        assert not reaper.is_alive()
