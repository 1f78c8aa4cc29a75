"""The settle logic with an injected clock: no sleeping."""

from __future__ import annotations

from pathlib import Path

from ingest.settle import SettleTracker, is_complete
from minyi import samples


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_unchanged_for_the_settle_time(tmp_path: Path) -> None:
    clock = Clock()
    tracker = SettleTracker(settle=2.0, settle_closed=0.5, clock=clock)
    path = tmp_path / "a.txt"
    path.write_text("第一部分", encoding="utf-8")
    tracker.observe(path)
    clock.now += 1.9
    assert tracker.ready() == []
    with open(path, "a", encoding="utf-8") as fh:  # still being written: the wait starts again
        fh.write("第二部分")
    tracker.observe(path)
    clock.now += 1.9
    assert tracker.ready() == []
    clock.now += 0.2
    assert tracker.ready() == [path]
    assert tracker.ready() == []  # taken once


def test_closed_by_the_writer_settles_sooner(tmp_path: Path) -> None:
    clock = Clock()
    tracker = SettleTracker(settle=2.0, settle_closed=0.5, clock=clock)
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    tracker.closed(path)
    clock.now += 0.6
    assert tracker.ready() == [path]


def test_removed_before_it_settles(tmp_path: Path) -> None:
    clock = Clock()
    tracker = SettleTracker(settle=1.0, settle_closed=0.5, clock=clock)
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    tracker.observe(path)
    path.unlink()
    clock.now += 5
    assert tracker.ready() == []
    assert len(tracker) == 0


def test_incomplete_containers_wait_then_give_up(tmp_path: Path) -> None:
    clock = Clock()
    tracker = SettleTracker(settle=1.0, settle_closed=0.5, clock=clock, give_up=30)
    whole = samples.make_docx(tmp_path / "whole.docx", ["正文"])
    half = tmp_path / "half.docx"
    half.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    pdf = samples.make_pdf(tmp_path / "whole.pdf", [["正文"]])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[:-200])
    assert is_complete(whole) and is_complete(pdf)
    assert not is_complete(half) and not is_complete(cut)
    for path in (whole, half, cut):
        tracker.observe(path)
    clock.now += 1.5
    assert tracker.ready() == [whole]
    clock.now += 30
    assert tracker.ready() == [cut, half]  # unchanged for long: taken, and the reader rejects them


def test_a_file_already_quiet_by_its_mtime_needs_only_a_second_look(tmp_path: Path) -> None:
    import os

    clock, wall = Clock(), Clock()
    wall.now = 1_800_000_000.0
    tracker = SettleTracker(settle=2.0, settle_closed=0.5, clock=clock, wall=wall)
    old, fresh, future = tmp_path / "old.txt", tmp_path / "fresh.txt", tmp_path / "future.txt"
    for path, age in ((old, 10.0), (fresh, 0.5), (future, -60.0)):
        path.write_text("内容", encoding="utf-8")
        os.utime(path, (wall.now - age, wall.now - age))
        tracker.observe(path)
    clock.now += 0.25
    assert tracker.ready() == [old]  # moved in long after it was written
    clock.now += 2.0
    assert tracker.ready() == [fresh, future]  # the others wait the full settle time


def test_a_quiet_file_that_changes_waits_the_full_settle_time(tmp_path: Path) -> None:
    import os

    clock, wall = Clock(), Clock()
    wall.now = 1_800_000_000.0
    tracker = SettleTracker(settle=2.0, settle_closed=0.5, clock=clock, wall=wall)
    path = tmp_path / "a.txt"
    path.write_text("第一部分", encoding="utf-8")
    os.utime(path, (wall.now - 10, wall.now - 10))
    tracker.observe(path)
    with open(path, "a", encoding="utf-8") as fh:  # a writer came back to it
        fh.write("第二部分")
    os.utime(path, (wall.now, wall.now))
    clock.now += 0.25
    assert tracker.ready() == []
    clock.now += 2.0
    assert tracker.ready() == [path]


def test_network_shares_do_not_trust_file_times(tmp_path: Path) -> None:
    import os

    clock = Clock()
    tracker = SettleTracker(settle=2.0, settle_closed=0.5, clock=clock)  # no wall clock
    path = tmp_path / "a.txt"
    path.write_text("内容", encoding="utf-8")
    os.utime(path, (1_000_000_000, 1_000_000_000))  # very old by a server's clock
    tracker.observe(path)
    clock.now += 0.25
    assert tracker.ready() == []
    clock.now += 2.0
    assert tracker.ready() == [path]
