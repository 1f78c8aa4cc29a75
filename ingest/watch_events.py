"""How the watcher hears of files: inotify events on a local disk, polling on a share.

Network file systems (SMB/NFS) deliver no file events, so the watcher polls there;
only the events the settle logic uses are asked of inotify (our own reads raise six
events a file otherwise).
"""

from __future__ import annotations

import logging
import os
import queue
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NETWORK_FS = frozenset(
    {"cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p", "vboxsf", "davfs"}
)


def choose_mode(inbox: Path, wanted: str) -> str:
    """ "events" or "polling": polling where file events do not arrive (network shares)."""
    if wanted in ("events", "polling"):
        return wanted
    return "polling" if filesystem_type(inbox) in NETWORK_FS else "events"


def filesystem_type(path: Path) -> str:
    """The file-system type of the mount holding ``path`` (Linux), or ""."""
    best, kind = "", ""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if (
            len(parts) >= 3
            and (target == parts[1] or target.startswith(parts[1].rstrip("/") + "/"))
            and len(parts[1]) > len(best)
        ):
            best, kind = parts[1], parts[2]
    return kind


def observe(inbox: Path, mode: str, poll: float,
            events: queue.Queue[tuple[str, str, bool]]) -> tuple[Any, str]:  # fmt: skip
    """A started watchdog observer putting (kind, path, is folder) on ``events``, and the
    mode it runs in ("polling" when inotify refuses, e.g. at its watch limit)."""
    from watchdog import events as events_mod
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):  # type: ignore[no-untyped-def]
            kind = event.event_type
            target = getattr(event, "dest_path", "") or event.src_path
            events.put((kind, os.fsdecode(target), event.is_directory))

    handler = Handler()
    # Only what the settle logic uses: opens and no-write closes (our own reading of
    # every file), folder "modified" and file "modified" (every written chunk; the
    # settle logic looks again before it takes a file) are not even asked of inotify.
    wanted = [
        events_mod.FileCreatedEvent, events_mod.DirCreatedEvent, events_mod.FileClosedEvent,
        events_mod.FileMovedEvent, events_mod.DirMovedEvent, events_mod.FileDeletedEvent,
        events_mod.DirDeletedEvent,
    ]  # fmt: skip
    if mode == "events":
        try:
            observer = Observer()
            observer.schedule(handler, str(inbox), recursive=True, event_filter=wanted)
            observer.start()
            return observer, mode
        except OSError as exc:  # e.g. the inotify watch limit: poll instead
            log.warning("收不到文件事件（%s），改用轮询方式", exc)
    observer = PollingObserver(timeout=poll)
    observer.schedule(handler, str(inbox), recursive=True, event_filter=wanted)
    observer.start()
    return observer, "polling"
