"""The settle rule with an injected clock (no sleeping), alone and in the watcher's table."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.in_hand import Stage
from ingest.options import IngestOptions, WatchOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.settle import Look, Settle, is_complete
from ingest.watcher import Watcher
from ingest.workers import Workers
from minyi import samples


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Files:
    """Looks kept by path, as the watcher keeps them in its table."""

    def __init__(self, settle: Settle) -> None:
        self.settle = settle
        self.looks: dict[Path, Look] = {}

    def see(self, path: Path, closed: bool = False) -> None:
        look = self.settle.look(path, self.looks.get(path), closed)
        if look is None:
            self.looks.pop(path, None)
        else:
            self.looks[path] = look

    def ready(self) -> list[Path]:
        found = []
        for path, look in sorted(self.looks.items()):
            take, now = self.settle.ready(path, look)
            if now is None:
                del self.looks[path]
            elif take:
                found.append(path)
                del self.looks[path]
            else:
                self.looks[path] = now
        return found


def test_unchanged_for_the_settle_time(tmp_path: Path) -> None:
    clock = Clock()
    files = Files(Settle(settle=2.0, settle_closed=0.5, clock=clock))
    path = tmp_path / "a.txt"
    path.write_text("第一部分", encoding="utf-8")
    files.see(path)
    first = files.looks[path]
    clock.now += 1.0
    files.see(path)
    assert files.looks[path] is first  # unchanged: its settle time runs on
    clock.now += 0.9
    assert files.ready() == []
    with open(path, "a", encoding="utf-8") as fh:  # still being written: the wait starts again
        fh.write("第二部分")
    files.see(path)
    assert files.looks[path].since == clock.now
    clock.now += 1.9
    assert files.ready() == []
    clock.now += 0.2
    assert files.ready() == [path]
    assert files.ready() == []  # taken once


def test_closed_by_the_writer_settles_sooner(tmp_path: Path) -> None:
    clock = Clock()
    files = Files(Settle(settle=2.0, settle_closed=0.5, clock=clock))
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    files.see(path)
    clock.now += 0.1
    files.see(path, closed=True)  # the close event comes for a file already seen
    assert files.looks[path].since == 1000.0 and files.looks[path].closed
    clock.now += 0.5
    assert files.ready() == [path]


def test_removed_before_it_settles(tmp_path: Path) -> None:
    clock = Clock()
    files = Files(Settle(settle=1.0, settle_closed=0.5, clock=clock))
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    files.see(path)
    path.unlink()
    clock.now += 5
    assert files.ready() == []
    assert files.looks == {}


def test_incomplete_containers_wait_then_give_up(tmp_path: Path) -> None:
    clock = Clock()
    files = Files(Settle(settle=1.0, settle_closed=0.5, clock=clock, give_up=30))
    whole = samples.make_docx(tmp_path / "whole.docx", ["正文"])
    half = tmp_path / "half.docx"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    pdf = samples.make_pdf(tmp_path / "whole.pdf", [["正文"]])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[:-200])
    assert is_complete(whole) and is_complete(pdf)
    assert not is_complete(half) and not is_complete(cut)
    for path in (whole, half, cut):
        files.see(path)
    clock.now += 1.5
    assert files.ready() == [whole]
    clock.now += 30
    assert files.ready() == [cut, half]  # unchanged for long: taken, and the reader rejects them


def test_a_file_already_quiet_by_its_mtime_needs_only_a_second_look(tmp_path: Path) -> None:
    clock, wall = Clock(), Clock()
    wall.now = 1_800_000_000.0
    files = Files(Settle(settle=2.0, settle_closed=0.5, clock=clock, wall=wall))
    old, fresh, future = tmp_path / "old.txt", tmp_path / "fresh.txt", tmp_path / "future.txt"
    for path, age in ((old, 10.0), (fresh, 0.5), (future, -60.0)):
        path.write_text("内容", encoding="utf-8")
        os.utime(path, (wall.now - age, wall.now - age))
        files.see(path)
    clock.now += 0.25
    assert files.ready() == [old]  # moved in long after it was written
    clock.now += 2.0
    assert files.ready() == [fresh, future]  # the others wait the full settle time


def test_a_quiet_file_that_changes_waits_the_full_settle_time(tmp_path: Path) -> None:
    clock, wall = Clock(), Clock()
    wall.now = 1_800_000_000.0
    files = Files(Settle(settle=2.0, settle_closed=0.5, clock=clock, wall=wall))
    path = tmp_path / "a.txt"
    path.write_text("第一部分", encoding="utf-8")
    os.utime(path, (wall.now - 10, wall.now - 10))
    files.see(path)
    with open(path, "a", encoding="utf-8") as fh:  # a writer came back to it
        fh.write("第二部分")
    os.utime(path, (wall.now, wall.now))
    clock.now += 0.25
    assert files.ready() == []
    clock.now += 2.0
    assert files.ready() == [path]


def test_network_shares_do_not_trust_file_times(tmp_path: Path) -> None:
    clock = Clock()
    files = Files(Settle(settle=2.0, settle_closed=0.5, clock=clock))  # no wall clock
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    os.utime(path, (1_000_000_000, 1_000_000_000))  # very old by a server's clock
    files.see(path)
    clock.now += 0.25
    assert files.ready() == []
    clock.now += 2.0
    assert files.ready() == [path]


def test_settling_is_a_stage_of_the_watchers_one_table(tmp_path: Path) -> None:
    """From the first sight of a file to its completion, it has one row in one table:
    settling, then reading, then committed; a failed file that changes settles again."""
    clock = Clock()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / "a.txt"
    path.write_text("关于某事的建议\n反映人：张三\n正文内容。", encoding="utf-8")
    options = WatchOptions(mode="polling", settle=2.0, settle_closed=0.5)
    with Registry.open(tmp_path / "data" / "r.sqlite3") as registry:
        pipeline = Pipeline(registry, tmp_path / "data", IngestOptions(), Workers(1))
        pipeline.start()
        watcher = Watcher(pipeline, inbox, tmp_path / "outbox", options, clock=clock)
        try:
            watcher._rescan()
            assert watcher.in_stage(Stage.SETTLING) == ["a.txt"] and len(watcher.hand) == 1
            clock.now += 1.0
            watcher._take_settled()
            assert watcher.in_stage(Stage.SETTLING) == ["a.txt"]  # not yet
            clock.now += 1.1
            watcher._take_settled()
            assert watcher.in_stage(Stage.SETTLING) == [] and len(watcher.hand) == 1
            assert watcher.in_stage(Stage.READING, Stage.COMMITTED) == ["a.txt"]
            watcher._collect(block=5)
            watcher._close_rows(wait=True)
            assert len(watcher.hand) == 0 and not path.exists()

            failed = inbox / "b.txt"
            failed.write_text("另一条建议\n正文内容。", encoding="utf-8")
            watcher._transient("b.txt", "文件被占用")  # as often as allowed: reported
            for _ in range(options.retries - 1):
                watcher._transient("b.txt", "文件被占用")
            assert watcher.in_stage(Stage.FAILED) == ["b.txt"]
            watcher._rescan()  # unchanged: a scan leaves it be
            assert watcher.in_stage(Stage.FAILED) == ["b.txt"]
            watcher._consider(failed, closed=True, changed=True)  # an event: it changed
            assert watcher.in_stage(Stage.SETTLING) == ["b.txt"] and len(watcher.hand) == 1
            assert registry.journal("b.txt") is None  # and starts over
        finally:
            watcher.completer.shutdown()
