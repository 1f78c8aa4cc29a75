"""When is a file in the inbox complete? Unchanged for a while, openable, and whole.

Clerks copy files onto shared folders, sometimes slowly, sometimes in bursts.
A file is taken only when its size and modification time have not changed for
the settle time (shorter once a file-system event says the writer closed it),
it can be opened for reading, and its container reads: a .docx/.zip whose
central directory parses, a PDF that ends with its end-of-file marker.

A file whose modification time is already older than the settle time when it
is first seen (a folder moved into the inbox, files there before the watcher
started) has by its own record not changed for that long: a second look a
moment later confirms it. That shortcut needs the file's times and our clock to
agree, so it is used on the local disk only (event mode), never on network
shares, whose server clock may differ. Clocks are injected: tests need not sleep.

This module holds the rule and one file's ``Look``; the watcher keeps each
settling file's look in its table (``Stage.SETTLING``) beside every other stage.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.walk import open_regular

Clock = Callable[[], float]
QUIET_LOOK = 0.2  # seconds between two looks at a file already quiet by its own mtime


@dataclass(frozen=True)
class Look:
    """What a settling file looked like, and since when it has looked so."""

    size: int
    mtime_ns: int
    since: float  # the settle clock's time it was first seen like this
    closed: bool = False  # its writer closed it (an inotify close-write event)
    quiet: bool = False  # unchanged for the settle time already, by its mtime


@dataclass
class Settle:
    """The settle rule: when a file, looked at now and then, may be taken."""

    settle: float
    settle_closed: float
    clock: Clock
    give_up: float = 120  # an unchanged but incomplete file is taken after this long
    wall: Clock | None = None  # the clock file times are compared with; None: do not trust them

    def look(self, path: Path, before: Look | None = None, closed: bool = False) -> Look | None:
        """The file's look now: ``before`` while it is unchanged (its settle time runs on),
        a fresh one when it changed (the settle time starts again), None when it is gone.
        ``closed``: an event says its writer closed it."""
        try:
            st = os.stat(path)
        except OSError:
            return None  # gone before it settled: nothing to do
        if before is not None and (before.size, before.mtime_ns) == (st.st_size, st.st_mtime_ns):
            return replace(before, closed=True) if closed and not before.closed else before
        age = self.wall() - st.st_mtime_ns / 1e9 if self.wall is not None else -1.0
        return Look(st.st_size, st.st_mtime_ns, self.clock(), closed, quiet=age >= self.settle)

    def ready(self, path: Path, look: Look) -> tuple[bool, Look | None]:
        """Whether to take the file now, and its look from here on (None: it is gone).

        Taken once unchanged for its settle time and complete; an incomplete file that
        stays unchanged (a writer pausing between bursts, or a truncated file that will
        never complete) is taken after ``give_up``, and its reader rejects it."""
        now = self.clock()
        wait = self.settle_closed if look.closed else self.settle
        if look.quiet:
            wait = min(wait, QUIET_LOOK)
        if now - look.since < wait:
            return False, look  # no need to look yet
        current = self.look(path, look)  # one last look: still the same?
        if current is not look:
            return False, current
        return is_complete(path) or now - look.since >= self.give_up, look


def is_complete(path: Path) -> bool:
    """The file opens, and a zip's central directory or a PDF's end marker is there."""
    try:
        with open_regular(path) as fh:
            head = fh.read(8)
            if head.startswith(b"PK\x03\x04"):
                fh.seek(0)
                with zipfile.ZipFile(fh) as archive:
                    archive.infolist()
            elif b"%PDF-" in head:
                size = fh.seek(0, os.SEEK_END)
                fh.seek(max(0, size - 2048))
                return b"%%EOF" in fh.read()
    except (OSError, zipfile.BadZipFile):
        return False
    return True
