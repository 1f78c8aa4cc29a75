"""The watcher in this process, where its readers can be made to fail: retries and backoff."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flaky_reader import locked_twice, slow_scans
from rich.console import Console

from ingest.completion import Completion
from ingest.options import IngestOptions, WatchOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.watch_events import choose_mode, filesystem_type
from ingest.watcher import Stage, Watcher
from ingest.workers import Workers
from minyi.service import print_status


def run_for(make: Callable[[], Watcher], condition, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Run a watcher (built in its own thread: SQLite connections stay in theirs) until done."""
    stop = threading.Event()

    def serve() -> None:
        watcher = make()
        try:
            watcher.run(stop)
        finally:
            watcher.registry.close()

    thread = threading.Thread(target=serve)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not condition():
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert condition()


def test_transient_failures_are_retried_then_reported(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    (inbox / "locked.txt").write_text("关于某事的建议\n正文内容。", encoding="utf-8")
    (inbox / "broken.txt").write_text("关于另一事的建议\n正文内容。", encoding="utf-8")
    options = WatchOptions(mode="polling", settle=0.1, settle_closed=0.1, rescan=0.5, poll=0.2,
                           retries=3, backoff=0.2)  # fmt: skip
    db = tmp_path / "data" / "r.sqlite3"

    def make() -> Watcher:
        pipeline = Pipeline(Registry.open(db), tmp_path / "data", IngestOptions(),
                            Workers(1, reader=locked_twice))  # fmt: skip
        return Watcher(pipeline, inbox, outbox, options)

    Registry.open(db).close()
    with Registry.open(db) as registry:

        def settled() -> bool:
            return not (inbox / "locked.txt").exists() and bool(registry.journal_rows("failed"))

        run_for(make, settled)
        failed = registry.journal_rows("failed")
        assert [(r["path"], r["attempts"]) for r in failed] == [("broken.txt", 3)]
        assert "权限" in failed[0]["error"]
    slips = sorted(p.name for p in (outbox / "回执").iterdir())
    assert any("locked" in s and s.endswith(".txt") and "失败" not in s for s in slips)
    failure = next((outbox / "回执").glob("*失败-broken.txt")).read_text(encoding="utf-8")
    assert "已重试 3 次" in failure and "仍在收件箱" in failure
    assert (inbox / "broken.txt").exists()  # never lost: it waits in the inbox


def test_mode_choice() -> None:
    assert choose_mode(Path("/"), "polling") == "polling"
    assert choose_mode(Path("/"), "events") == "events"
    assert filesystem_type(Path("/")) != ""
    assert choose_mode(Path("/"), "auto") in ("events", "polling")


def test_a_broken_pool_finishes_the_file_in_the_watcher(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Finishing runs in the worker processes; if their pool broke, the watcher does it."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    import ingest.completion as completion_module

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = tmp_path / "data" / "r.sqlite3"
    with Registry.open(db) as registry:
        pipeline = Pipeline(registry, tmp_path / "data", IngestOptions(), Workers(1))
        watcher = Watcher(pipeline, inbox, tmp_path / "outbox", WatchOptions(mode="polling"))
        registry.journal_set("a.txt", "committed", "2026-01-01T00:00:00")
        done: list[tuple[object, ...]] = []
        monkeypatch.setattr(completion_module, "finish",
                            lambda *args: done.append(args) or [(20, "")])  # fmt: skip
        broken: Future[list[tuple[int, str]]] = Future()
        broken.set_exception(BrokenProcessPool("worker died"))
        watcher.completer.pending.append(Completion(["a.txt"], broken, ("x", "a.txt")))
        watcher._close_rows(wait=True)
        assert done == [("x", "a.txt")]  # finished here, with the same arguments
        assert registry.journal("a.txt") is None  # and its journal row closed
        watcher.completer.shutdown()


def test_a_file_being_finished_is_not_taken_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Between its commit and the removal of its original, a late event or a rescan
    that sees the file again must not register it a second time."""
    import ingest.completion as completion_module

    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    path = inbox / "a.txt"
    path.write_text("关于某事的建议\n反映人：张三\n正文内容。", encoding="utf-8")
    gate = threading.Event()
    real_finish = completion_module.finish
    monkeypatch.setattr(completion_module, "finish",
                        lambda *args: gate.wait() and real_finish(*args))  # fmt: skip
    with Registry.open(tmp_path / "data" / "r.sqlite3") as registry:
        pipeline = Pipeline(registry, tmp_path / "data", IngestOptions(), Workers(1))
        pipeline.start()
        watcher = Watcher(pipeline, inbox, outbox, WatchOptions(mode="polling"))
        try:
            watcher._take(path)
            watcher._collect(block=0)  # committed; its completion waits at the gate
            assert registry.journal("a.txt")["stage"] == "committed"  # type: ignore[index]
            watcher._consider(path)  # a rescan sees it
            watcher._consider(path, closed=True, changed=True)  # and a late event
            assert watcher.in_stage(Stage.SETTLING) == []
            watcher._take(path)  # should it be made ready all the same
            assert watcher.in_stage(Stage.READING) == [] and len(watcher.completer.pending) == 1
            assert watcher.in_stage(Stage.COMMITTED) == ["a.txt"]  # one record, one stage
        finally:
            gate.set()
            watcher._close_rows(wait=True)
            watcher.completer.shutdown()
        assert not path.exists() and registry.journal("a.txt") is None
    assert len(list((outbox / "回执").glob("*.json"))) == 1


def watch_in_thread(tmp_path: Path, reader: object, ingest: IngestOptions | None = None,
                    watch: WatchOptions | None = None,
                    ) -> tuple[threading.Thread, threading.Event]:  # fmt: skip
    """A polling watcher with fast settle times in a thread, started and warm."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    options = watch or WatchOptions(mode="polling", settle=0.1, settle_closed=0.1, rescan=0.3,
                                    poll=0.1)  # fmt: skip
    ready, stop = threading.Event(), threading.Event()

    def serve() -> None:
        pipeline = Pipeline(Registry.open(tmp_path / "data" / "r.sqlite3"), tmp_path / "data",
                            ingest or IngestOptions(), Workers(2, reader=reader))  # type: ignore[arg-type]  # fmt: skip
        watcher = Watcher(pipeline, inbox, outbox, options)
        pipeline.workers.warm()
        ready.set()
        try:
            watcher.run(stop)
        finally:
            pipeline.workers.close()
            watcher.registry.close()

    thread = threading.Thread(target=serve)
    thread.start()
    assert ready.wait(60)
    time.sleep(1.0)  # the watcher's own start (its completing process) is not timed
    return thread, stop


def answered(tmp_path: Path) -> list[str]:
    """Files with a 回执, in the order the receipts were numbered."""
    import json

    folder = tmp_path / "outbox" / "回执"
    found = sorted(folder.glob("*.json")) if folder.exists() else []
    return [json.loads(p.read_text(encoding="utf-8"))["file"] for p in found]


def test_a_quick_file_is_answered_while_slow_ones_are_still_read(tmp_path: Path) -> None:
    """Receipts are written beside the readers, not queued behind files still to be read."""
    thread, stop = watch_in_thread(tmp_path, slow_scans)
    inbox = tmp_path / "inbox"
    try:
        # Taken in name order: the quick file first, then three slow ones.
        for n in range(3):
            (inbox / f"扫描{n}.txt").write_text(f"关于第{n}件事的建议\n正文。", encoding="utf-8")
        (inbox / "0-文字.txt").write_text("关于另一件事的建议\n正文。", encoding="utf-8")
        dropped = time.monotonic()
        while "0-文字.txt" not in answered(tmp_path) and time.monotonic() - dropped < 30:
            time.sleep(0.05)
        waited = time.monotonic() - dropped
    finally:
        stop.set()
        thread.join(timeout=60)
    # Read in 0.1 s; its completion waited for a reader to fall free (2 s) when receipts
    # were written by the readers themselves.
    assert waited < 1.5
    assert sorted(answered(tmp_path)) == ["0-文字.txt", "扫描0.txt", "扫描1.txt", "扫描2.txt"]


def test_images_do_not_hold_up_a_text_file(tmp_path: Path) -> None:
    """No more images go to the pool than it has readers: a text file dropped with them
    (and named after them) is read as soon as one reader falls free."""
    from PIL import Image

    thread, stop = watch_in_thread(tmp_path, slow_scans)
    inbox = tmp_path / "inbox"
    try:
        for n in range(4):
            Image.new("L", (20 + n, 20), 255).save(inbox / f"扫描{n}.png")
        (inbox / "文字.txt").write_text("关于另一件事的建议\n正文。", encoding="utf-8")
        deadline = time.monotonic() + 60
        while len(answered(tmp_path)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=60)
    order = answered(tmp_path)
    # Two images read at once (2 s each); the text file next, before the other two.
    assert sorted(order) == sorted(["文字.txt", *(f"扫描{n}.png" for n in range(4))])
    assert order.index("文字.txt") <= 2


def test_a_waiting_image_that_changes_settles_again(tmp_path: Path) -> None:
    from PIL import Image

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    changed, removed = inbox / "changed.png", inbox / "removed.png"
    for path in (changed, removed):
        Image.new("L", (20, 20), 255).save(path)
    with Registry.open(tmp_path / "data" / "r.sqlite3") as registry:
        pipeline = Pipeline(registry, tmp_path / "data", IngestOptions(), Workers(1))
        watcher = Watcher(pipeline, inbox, tmp_path / "outbox", WatchOptions(mode="polling"))
        watcher.hand.images_reading = 1  # the only reader is busy with an image
        watcher._take(changed)
        watcher._take(removed)
        assert watcher.in_stage(Stage.QUEUED) == ["changed.png", "removed.png"]
        assert watcher.in_stage(Stage.READING) == []
        watcher._consider(changed)  # a rescan meanwhile: it is waiting already
        assert watcher.in_stage(Stage.SETTLING) == []
        watcher._beat("2026-11-26T09:00:00+08:00")
        console = Console(record=True, width=200)
        print_status(registry, console)
        status = console.export_text()
        # Both images are in hand (waiting for a reader), not merely pending.
        assert re.search(r"│\s*0\s*│\s*2\s*│", status), status
        assert "处理中" in status and "运行中" in status
        Image.new("L", (30, 30), 0).save(changed)  # rewritten while it waited
        removed.unlink()
        watcher.hand.images_reading = 0
        watcher._take_queued()
        assert watcher.in_stage(Stage.QUEUED, Stage.READING) == []
        # The changed one settles again; the removed one is gone from the table.
        assert watcher.in_stage(Stage.SETTLING) == ["changed.png"] and len(watcher.hand) == 1
        watcher.completer.shutdown()


PESTER = """
import dataclasses, os, queue, random, signal, threading, time
from ingest.watcher import Watcher
done = {f.name: f for f in dataclasses.fields(Watcher)}["_done"].default_factory()
signal.signal(signal.SIGUSR1, lambda s, f: None)
def pester():
    while True:
        time.sleep(random.uniform(0.0005, 0.003))
        os.kill(os.getpid(), signal.SIGUSR1)
threading.Thread(target=pester, daemon=True).start()
start = time.monotonic()
while time.monotonic() - start < 3:
    try:
        done.get(timeout=0.002)
    except queue.Empty:
        pass
print("returned")
"""


def test_the_read_queue_returns_while_signals_arrive() -> None:
    """SIGTERM did not stop the watcher: CPython 3.11's SimpleQueue.get(timeout) can wait
    for ever when a signal lands near the end of its timeout. The watcher waits on its
    read queue in every turn, so that queue must return under a stream of signals."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", PESTER], capture_output=True, text=True,
                            timeout=30)  # fmt: skip
    assert result.stdout.strip() == "returned", result.stderr
