"""The watcher's one table: every file in hand, by relative path, and its stage.

A file enters when it is first seen and leaves when its completion is recorded
(or it is gone). Its ``Stage`` is also the registry journal's vocabulary for the
stages that outlive a run (committed, retry, failed). The table keeps three
small indexes of its own so that a turn of the watcher's loop costs nothing per
file in hand: the settling files, queued images in the order they began to wait,
and how many images are with readers. They change only through ``put`` and ``pop``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ingest.pipeline import Slot
from ingest.settle import Look


class Stage(StrEnum):
    """Where a file in hand stands; the last three are also the journal's stages."""

    SETTLING = "settling"  # seen; taken once unchanged for the settle time and whole
    QUEUED = "queued"  # an image waiting for a reader to fall free
    READING = "reading"  # with a reader
    COMMITTED = "committed"  # registered; its original is being removed, its 回执 written
    RETRY = "retry"  # failed for a passing reason (locked, permissions): tried again later
    FAILED = "failed"  # retried too often: reported, left in the inbox


BUSY = (Stage.QUEUED, Stage.READING, Stage.COMMITTED)  # never taken again in these


@dataclass
class InHand:
    """One file in hand: its stage, and what that stage needs."""

    path: Path
    stage: Stage
    image: bool = False
    look: Look | None = None  # SETTLING: how it looked, since when
    slot: Slot | None = None  # READING: what the pipeline reads and commits
    seen: tuple[int, int] = (0, 0)  # QUEUED: size and mtime when it began to wait
    next_try: float = 0.0  # RETRY: wall-clock time of the next attempt


class Table:
    """Relative path → ``InHand``, with its indexes."""

    def __init__(self) -> None:
        self._rows: dict[str, InHand] = {}
        self._settling: set[str] = set()
        self._waiting: deque[str] = deque()
        self.images_reading = 0

    def get(self, rel: str) -> InHand | None:
        return self._rows.get(rel)

    def put(self, rel: str, hand: InHand) -> None:
        """Record where a file stands (replacing where it stood)."""
        self.pop(rel)
        self._rows[rel] = hand
        if hand.stage is Stage.SETTLING:
            self._settling.add(rel)
        elif hand.stage is Stage.QUEUED:
            self._waiting.append(rel)
        elif hand.stage is Stage.READING:
            self.images_reading += hand.image

    def pop(self, rel: str) -> InHand | None:
        hand = self._rows.pop(rel, None)
        if hand is not None:
            if hand.stage is Stage.SETTLING:
                self._settling.discard(rel)
            elif hand.stage is Stage.READING:
                self.images_reading -= hand.image
            # (a queued file's place in _waiting is skipped when it comes up)
        return hand

    def in_stage(self, *stages: Stage) -> list[str]:
        """The files at these stages, in the order they came to them."""
        if stages == (Stage.SETTLING,):
            return sorted(self._settling)
        return [rel for rel, hand in self._rows.items() if hand.stage in stages]

    def settling(self) -> Iterator[tuple[str, InHand]]:
        """The settling files in name order (a snapshot: the table may change meanwhile)."""
        return iter([(rel, self._rows[rel]) for rel in sorted(self._settling)])

    def next_waiting(self) -> InHand | None:
        """The image that has waited longest, taken out of the table; None if none waits."""
        while self._waiting:
            rel = self._waiting.popleft()
            hand = self._rows.get(rel)
            if hand is not None and hand.stage is Stage.QUEUED:
                return self.pop(rel)
        return None

    def reading(self) -> list[Slot]:
        return [h.slot for h in self._rows.values() if h.stage is Stage.READING and h.slot]

    def __len__(self) -> int:
        return len(self._rows)
