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
