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
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.walk import open_regular

Clock = Callable[[], float]
QUIET_LOOK = 0.2  # seconds between two looks at a file already quiet by its own mtime


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    stable_since: float
    closed: bool = False
    quiet: bool = False  # unchanged for the settle time already, by its mtime


class SettleTracker:
    """Tracks candidate files until they are ready to be taken."""

    def __init__(self, settle: float, settle_closed: float, clock: Clock,
                 give_up: float = 120, wall: Clock | None = None) -> None:  # fmt: skip
        self.settle = settle
        self.settle_closed = settle_closed
        self.give_up = give_up  # an unchanged but incomplete file is taken after this long
        self.clock = clock
        self.wall = wall  # the clock file times are compared with; None: do not trust them
        self._seen: dict[Path, _Seen] = {}

    def observe(self, path: Path) -> None:
        """Note a file's current size and time; a change restarts its settle time."""
        try:
            st = os.stat(path)
        except OSError:
            self._seen.pop(path, None)  # gone before it settled: nothing to do
            return
        now = self.clock()
        seen = self._seen.get(path)
        if seen is None or (seen.size, seen.mtime_ns) != (st.st_size, st.st_mtime_ns):
            age = self.wall() - st.st_mtime_ns / 1e9 if self.wall is not None else -1.0
            self._seen[path] = _Seen(st.st_size, st.st_mtime_ns, now, quiet=age >= self.settle)

    def closed(self, path: Path) -> None:
        """The writer closed the file (an inotify close-write event)."""
        self.observe(path)
        if path in self._seen:
            self._seen[path].closed = True

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def ready(self) -> list[Path]:
        """Files unchanged for their settle time and complete; they are no longer tracked."""
        now = self.clock()
        found = []
        for path, seen in list(self._seen.items()):
            wait = self.settle_closed if seen.closed else self.settle
            if seen.quiet:
                wait = min(wait, QUIET_LOOK)
            if now - seen.stable_since < wait:
                continue
            self.observe(path)  # one last look: still the same?
            current = self._seen.get(path)
            if current is None or current.stable_since != seen.stable_since:
                continue
            # Incomplete and unchanged: a writer pausing between bursts, or a truncated
            # file that will never complete (taken after give_up, then rejected).
            if is_complete(path) or now - seen.stable_since >= self.give_up:
                found.append(path)
                del self._seen[path]
        return sorted(found)

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, path: object) -> bool:
        return path in self._seen


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
