"""The watched inbox: every file taken exactly once, kept, registered, answered with a 回执.

Each file goes through stages recorded in the registry's journal:
``committed`` (its receipt is in the registry: the row is written in the same
transaction) → removed from the inbox once its kept copy is verified, the 回执
written, and the journal row dropped; ``retry`` and ``failed`` for transient
failures. A
watcher killed at any moment resumes from the journal: committed files are
finished, everything else still in the inbox is simply taken again — the
registry's duplicate check makes a repeated registration impossible, and no
original leaves the inbox before its kept copy is verified. Transient failures
(locked, permissions, disk full) are retried with backoff; content failures
are quarantined at once.

Files are read by the worker pool and committed as they finish, so a slow OCR
job does not hold up the text files behind it; images wait outside the pool
while as many as it has readers are being read, so a text file dropped with a
hundred photos waits for one page at most. Completion (original removed, 回执
written) runs in a process of its own beside the readers.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import (
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common.errors import DiskFullError
from ingest.detect import detect
from ingest.options import IngestOptions, WatchOptions
from ingest.pipeline import Pipeline, Slot
from ingest.reader import FileResult, sha256_file
from ingest.receipt import Receipt
from ingest.record import Record, printable
from ingest.screening.gate import Gate
from ingest.settle import SettleTracker
from ingest.slip import write_failure, write_slip
from ingest.walk import Entry, display, ignore_reason, not_regular, open_regular, scan
from ingest.workers import Job, process_pool

log = logging.getLogger(__name__)

NETWORK_FS = frozenset(
    {"cifs", "smb3", "smbfs", "nfs", "nfs4", "fuse.sshfs", "9p", "vboxsf", "davfs"}
)
_BEAT = 5.0


@dataclass
class _InFlight:
    slot: Slot
    job: Job


@dataclass
class Watcher:
    """Watches ``inbox`` until ``stop`` is set; see the module docstring."""

    pipeline: Pipeline
    inbox: Path
    outbox: Path
    options: WatchOptions = field(default_factory=WatchOptions)
    clock: Callable[[], float] = time.monotonic
    mode: str = "events"
    _events: queue.Queue[tuple[str, str, bool]] = field(default_factory=queue.Queue, init=False)
    _done: queue.SimpleQueue[str] = field(default_factory=queue.SimpleQueue, init=False)  # reads
    _closed: list[str] = field(default_factory=list, init=False)  # completed, row not dropped
    _flying: dict[str, _InFlight] = field(default_factory=dict, init=False)
    # Completions handed on: (the files' paths, their future, the arguments to redo them).
    _finished: list[tuple[list[str], Future[list[tuple[int, str]]], tuple[Any, ...]]] = field(
        default_factory=list, init=False
    )
    _held: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)  # retry/failed
    # Committed, original not yet removed: a late event or a rescan must not take it again.
    _finishing: set[str] = field(default_factory=set, init=False)
    # Images wait here for a reader: their OCR takes seconds, and no more of them are
    # handed to the pool than it has readers, so a text file dropped with a hundred
    # scans waits for one page at most, not for all of them. Values: (size, mtime_ns).
    _queued: dict[Path, tuple[int, int]] = field(default_factory=dict, init=False)
    _reading_images: set[str] = field(default_factory=set, init=False)
    _paths: dict[str, Path] = field(default_factory=dict, init=False)  # names not in Unicode
    _full_pauses: int = field(default=0, init=False)  # waits for a full disk so far
    _said: set[str] = field(default_factory=set, init=False)  # unreadable folders logged

    def __post_init__(self) -> None:
        self.inbox = self.inbox.resolve()
        self.tracker = SettleTracker(self.options.settle, self.options.settle_closed, self.clock,
                                     self.options.give_up)  # fmt: skip
        self.source = str(self.inbox)
        self.registry = self.pipeline.registry
        self._writer = ThreadPoolExecutor(4, thread_name_prefix="receipt")
        self._finisher: ProcessPoolExecutor | None = None

    # -- the loop ---------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        self.pipeline.start()
        self.pipeline.workers.warm()
        self._finishing_pool().submit(os.getpid).result()  # started now, not with the first file
        self.mode = choose_mode(self.inbox, self.options.mode)
        observer = self._observe()
        # File times are trusted only on the local disk (see ingest.settle).
        self.tracker.wall = time.time if self.mode == "events" else None
        started = _now()
        log.info("开始监视 %s（%s）", self.inbox, self.mode)
        self._recover()
        last_scan = last_beat = -1e9
        crash: str | None = None
        try:
            while not stop.is_set():
                now = self.clock()
                try:
                    if now - last_beat >= _BEAT:
                        self._beat(started)
                        last_beat = now
                    if now - last_scan >= self.options.rescan:
                        self._rescan()
                        last_scan = now
                    self._drain_events()
                    self._retry_due()
                    for path in self.tracker.ready():
                        self._take(path)
                    self._take_queued()
                    self._close_rows()
                    self._collect(block=0.1)  # drops the closed rows in its own commit
                    self._drop_closed()  # or alone, when nothing was committed
                except DiskFullError as exc:
                    last_scan = self._wait_for_space(exc, stop)  # then look at everything again
        except BaseException as exc:
            crash = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            observer.stop()
            # Graceful stop: files being read are finished and committed; the rest
            # stay in the inbox for the next start.
            with _unless_disk_full():
                while self._flying:
                    self._collect(block=1.0)
                self._close_rows(wait=True)
            self._writer.shutdown(wait=True)
            if self._finisher is not None:
                self._finisher.shutdown(wait=True)
            observer.join(timeout=5)
            with _unless_disk_full():
                self._beat(started, stopped=True, error=crash)
            log.info("已停止" if crash is None else f"异常退出：{crash}")

    def _wait_for_space(self, exc: DiskFullError, stop: threading.Event) -> float:
        """A full disk passes: say so, wait (longer each time, at most a minute), go on.

        What was being committed was rolled back whole; its file is still in the inbox
        and is taken again by the rescan that follows. Returns the time of the last scan
        to record (long ago: rescan now)."""
        self._full_pauses += 1
        pause = min(60.0, 2.0 * 2 ** min(self._full_pauses - 1, 5))
        log.error("%s；%.0f 秒后重试，收件箱中的文件不受影响", exc.message, pause)
        stop.wait(pause)
        return -1e9

    def _beat(self, started: str, stopped: bool = False, error: str | None = None) -> None:
        """The heartbeat ``minyi status`` reads, with the number of files in hand."""
        busy = 0 if stopped else len(self._flying) + len(self._queued) + len(self._finishing)
        mode = ("crashed" if error else "stopped") if stopped else self.mode
        self.registry.beat("watch", os.getpid(), mode, self.source, started, _now(), busy, error)

    def _observe(self):  # type: ignore[no-untyped-def]
        from watchdog import events as events_mod
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        events = self._events

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
        if self.mode == "events":
            try:
                observer = Observer()
                observer.schedule(handler, str(self.inbox), recursive=True, event_filter=wanted)
                observer.start()
                return observer
            except OSError as exc:  # e.g. the inotify watch limit: poll instead
                log.warning("收不到文件事件（%s），改用轮询方式", exc)
                self.mode = "polling"
        observer = PollingObserver(timeout=self.options.poll)
        observer.schedule(handler, str(self.inbox), recursive=True, event_filter=wanted)
        observer.start()
        return observer

    def _drain_events(self) -> None:
        while True:
            try:
                kind, target, folder = self._events.get_nowait()
            except queue.Empty:
                return
            path = Path(target)
            if kind == "deleted":
                self.tracker.forget(path)
            elif folder:
                # A folder created or moved in: take its files. A folder merely
                # "modified" (a file added or removed in it) needs nothing here.
                if kind in ("created", "moved") and path != self.inbox:
                    for entry in self._entries(path):  # moved in: its files are whole
                        self._consider(entry.path, arrived=kind == "moved")
            elif kind in ("closed", "moved"):  # written and closed, or renamed in whole
                if self._wanted(path):
                    self.tracker.closed(path)
            elif kind == "created":
                # A folder's files arrive twice: with the folder, and one by one after it.
                if path not in self.tracker and self._wanted(path):
                    self.tracker.observe(path)
            elif kind == "modified" and self._wanted(path):
                self.tracker.observe(path)

    def _rescan(self) -> None:
        for entry in self._entries(self.inbox):
            self._consider(entry.path)

    def _entries(self, folder: Path) -> list[Entry]:
        exclude = (self.pipeline.data_root, self.outbox)
        if folder == self.inbox:
            entries = scan(self.inbox, exclude)
            for entry in entries:
                if entry.error and entry.rel not in self._said:
                    self._said.add(entry.rel)
                    log.error("「%s」%s", printable(entry.rel), entry.error)
            return [e for e in entries if e.ignore_reason is None and e.error is None]
        return [
            Entry(p, self._rel(p)) for p in sorted(folder.rglob("*"))
            if p.is_file() and self._wanted(p)
        ]  # fmt: skip

    def _wanted(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return False
        return (
            ignore_reason(path.name) is None
            and not any(p.startswith(".") for p in rel.parts)
            and not_regular(path) is None
        )

    def _consider(self, path: Path, arrived: bool = False) -> None:
        rel = self._rel(path)
        if rel in self._flying or rel in self._finishing or path in self._queued:
            return
        row = self._held.get(rel)
        if row and row["stage"] == "retry" and row["next_try"] > time.time():
            return
        if row and row["stage"] == "failed":
            return  # reported; tried again when the file changes or the watcher restarts
        if arrived:
            self.tracker.closed(path)
        else:
            self.tracker.observe(path)

    # -- taking, reading and committing ----------------------------------------

    def _take(self, path: Path) -> None:
        rel = self._rel(path)
        if rel in self._flying or rel in self._finishing or path in self._queued:
            return
        image = _is_image(path)
        if image is None:
            return  # gone
        if image and len(self._reading_images) >= self.pipeline.workers.capacity:
            try:
                st = path.stat()
            except OSError:
                return  # gone meanwhile
            self._queued[path] = (st.st_size, st.st_mtime_ns)
            return
        # No journal row is needed before the commit: a file still in the inbox after a
        # crash is simply taken again. A failed file that changed starts over.
        row = self._held.pop(rel, None)
        if row is not None and row["stage"] == "failed":
            self.registry.journal_drop(rel)
        slot = Slot(Entry(path, rel), journal=rel)
        if self.pipeline.known(slot):  # seen before: no need to parse it
            self._commit(slot)
        else:
            job = self.pipeline.read(slot)
            self._flying[rel] = _InFlight(slot, job)
            if image:
                self._reading_images.add(rel)
            if job.future is None:  # read inline: done already
                self._done.put(rel)
            else:
                job.future.add_done_callback(functools.partial(self._read_done, rel))

    def _read_done(self, rel: str, _: Future[FileResult]) -> None:
        self._done.put(rel)  # in the pool's thread: only the queue is touched

    def _take_queued(self) -> None:
        """Hand waiting images on as readers fall free; one changed meanwhile settles again."""
        while self._queued and len(self._reading_images) < self.pipeline.workers.capacity:
            path, seen = next(iter(self._queued.items()))
            del self._queued[path]
            try:
                st = path.stat()
            except OSError:
                continue  # removed while it waited
            if (st.st_size, st.st_mtime_ns) == seen:
                self._take(path)
            else:
                self.tracker.observe(path)

    def _collect(self, block: float) -> None:
        """Commit whatever the workers have finished, in the order they finish."""
        if not self._flying:
            time.sleep(block)
            return
        # Reads announce themselves on a queue as they end: waiting on all the futures
        # in flight instead cost a pass over every one of them (thousands after a
        # folder is dropped) at each turn.
        try:
            done = [self._done.get(timeout=block)]
        except queue.Empty:
            return
        while True:
            try:
                done.append(self._done.get_nowait())
            except queue.Empty:
                break
        # All of them leave the flight table first: should a commit below fail (a full
        # disk), none is left "in flight" for ever; each is still in the inbox and is
        # taken again by the next scan.
        flights = [(rel, self._flying.pop(rel)) for rel in done]
        self._reading_images.difference_update(done)
        finished: list[Slot] = []
        for rel, flight in flights:
            result = self.pipeline.workers.result(flight.job, rel)
            if result.transient:
                self._transient(rel, result.error or "")
                continue
            flight.slot.result = result
            finished.append(flight.slot)
        if not finished:
            return
        # Everything finished by now is committed in one transaction: one disk sync
        # for many files. Their completion starts only after that commit.
        with self.registry.batch():
            committed = [(slot.entry.rel, *self.pipeline.commit(slot, self.source))
                         for slot in finished]  # fmt: skip
            if self._closed:  # completed files' rows go with it: one disk sync, not two
                self.registry.journal_drop(*self._closed)
        self._closed = []
        self._complete(committed)

    def _commit(self, slot: Slot) -> None:
        self._complete([(slot.entry.rel, *self.pipeline.commit(slot, self.source))])

    def _complete(self, committed: list[tuple[str, Receipt, Record | None]]) -> None:
        """After the commit: hand the files' completion on; drop their journal rows when done.

        Verifying and removing the originals and writing the 回执 are done in a process
        of their own (see ``_finishing_pool``), a commit group as one task.
        """
        # One log record per commit group: a record per file (the rotating handler looks
        # at the file each time) cost the loop 8 % of its time.
        lines = [
            f"「{printable(rel)}」→ 回执 {r.seq}（{r.disposition.value}）"
            for rel, r, _ in committed
        ]
        if len(lines) > 1:
            lines.insert(0, f"本批 {len(lines)} 个文件：")
        log.info("%s", "\n  ".join(lines))
        # The completing process is given the real names (not the displayed ones).
        real = [(self._real(rel).relative_to(self.inbox).as_posix(), r, rec)
                for rel, r, rec in committed]  # fmt: skip
        args = (self.inbox, self.pipeline.data_root, self.outbox, real, self.pipeline.options)
        future = self._finishing_pool().submit(finish, *args)
        rels = [rel for rel, _, _ in committed]
        self._finishing.update(rels)  # displayed names, as everywhere in this process
        self._finished.append((rels, future, args))

    def _finishing_pool(self) -> Executor:
        """Where committed files are completed: one process beside the readers.

        Not this process: there the work competed with the commit loop for the
        interpreter lock and halved the rate. Not the readers' pool either: a receipt
        waited there behind every file still to be read (a text file's 回执 behind a
        hundred scans' OCR), and two readers writing 回执 at once contended for the
        folder's lock. Inline reading (one process) completes in threads.
        """
        if self.pipeline.workers.processes == 1:
            return self._writer
        if self._finisher is None:
            self._finisher = process_pool(1)
        return self._finisher

    def _close_rows(self, wait: bool = False) -> None:
        """Note the files whose receipts are written; their journal rows are dropped with
        the next commit (or at once when ``wait``). A crash before that only repeats
        the idempotent completion."""
        done: list[str] = []
        pending = []
        for rels, future, args in self._finished:
            if not (wait or future.done()):
                pending.append((rels, future, args))
                continue
            try:
                notes = future.result()
            except (BrokenProcessPool, CancelledError):  # the pool broke: finish them here
                if self._finisher is not None:
                    self._finisher.shutdown(wait=False)  # a new one for what follows
                    self._finisher = None
                notes = finish(*args)
            for level, note in notes:
                if note:
                    log.log(level, "%s", note)
            done += rels
        self._finished = pending
        self._finishing.difference_update(done)
        # (result() above re-raises if a receipt could not be written.)
        self._closed += done
        if wait:
            self._drop_closed()

    def _gate(self) -> Gate:
        return Gate.for_options(self.pipeline.options)

    def _drop_closed(self) -> None:
        if self._closed:
            self.registry.journal_drop(*self._closed)
            self._closed = []

    def _transient(self, rel: str, error: str) -> None:
        row = self.registry.journal(rel) or {"attempts": 0}
        attempts = int(row["attempts"]) + 1
        if attempts >= self.options.retries:
            self.registry.journal_set(rel, "failed", _now(), attempts=attempts, error=error)
            write_failure(self.outbox, rel, error, attempts, _now(), self._gate())
            log.error("「%s」多次处理失败（%s），留在收件箱中", printable(rel), error)
            return
        delay = min(600.0, self.options.backoff * 2 ** (attempts - 1))
        self.registry.journal_set(rel, "retry", _now(), attempts=attempts, error=error,
                                  next_try=time.time() + delay)  # fmt: skip
        log.warning("「%s」：%s；%.0f 秒后重试", printable(rel), error, delay)

    def _retry_due(self) -> None:
        # The only journal rows that exist before a commit are retries and failures;
        # read them once per turn rather than once per file seen.
        self._held = {row["path"]: row for row in self.registry.journal_rows("retry", "failed")}
        for row in self._held.values():
            if row["stage"] != "retry":
                continue
            if row["next_try"] <= time.time() and row["path"] not in self._flying:
                path = self._real(row["path"])
                if path.exists():
                    self.tracker.observe(path)
                else:
                    self.registry.journal_drop(row["path"])

    def _recover(self) -> None:
        """Finish what a previous run committed but did not complete."""
        rows = self.registry.journal_rows("committed")
        if rows:
            self._complete([(row["path"], *self.registry.receipt(row["receipt"])) for row in rows])
        self._close_rows(wait=True)
        for row in self.registry.journal_rows("failed"):
            if not self._real(row["path"]).exists():
                self.registry.journal_drop(row["path"])  # handed back and gone meanwhile
            elif row["stage"] == "failed":
                self.registry.journal_set(row["path"], "retry", _now(), next_try=0)

    def _rel(self, path: Path) -> str:
        raw = path.relative_to(self.inbox).as_posix()
        rel = display(raw)
        if rel != raw:  # a name that is not valid Unicode: remember the real one
            self._paths[rel] = path
        return rel

    def _real(self, rel: str) -> Path:
        """The file a (displayed) relative path stands for."""
        return self._paths.get(rel) or self.inbox / rel


@contextlib.contextmanager
def _unless_disk_full() -> Iterator[None]:
    """On the way out a full disk is logged, not raised: the stop must complete."""
    try:
        yield
    except DiskFullError as exc:
        log.error("%s", exc.message)


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


def finish(inbox: Path, data_root: Path, outbox: Path,
           committed: list[tuple[str, Receipt, Record | None]],
           options: IngestOptions) -> list[tuple[int, str]]:  # fmt: skip
    """Complete committed files: see :func:`finish_one`; what to log, file by file."""
    gate = Gate.for_options(options)
    return [finish_one(inbox, data_root, outbox, *item, gate) for item in committed]


def finish_one(inbox: Path, data_root: Path, outbox: Path, rel: str, receipt: Receipt,
               record: Record | None, gate: Gate) -> tuple[int, str]:  # fmt: skip
    """Take the original out of the inbox once its kept copy is verified; write the 回执.

    Runs in the completing process: returns what the watcher should log (a level and a
    message, "" when all went as it should), since that process has no log file.
    """
    path = inbox / rel
    kept = data_root / receipt.stored_as if receipt.stored_as else None
    level, note = logging.INFO, ""
    if path.exists():
        if kept is None or not kept.exists() or _sha(kept) != receipt.sha256:
            level, note = (
                logging.ERROR,
                f"「{printable(rel)}」的原件副本缺失或不一致，原件留在收件箱中",
            )
        elif _sha(path) != receipt.sha256:
            # Replaced by a new version meanwhile: a new arrival, found by the next scan.
            note = f"「{printable(display(rel))}」处理期间被改动，将作为新文件重新处理"
        else:
            path.unlink()
            _remove_empty_parents(path.parent, inbox)
    write_slip(outbox, receipt, record, gate)
    return level, note


def _is_image(path: Path) -> bool | None:
    """Whether the file's bytes are an image (read by OCR); None when it is gone.

    A file that cannot be opened goes to a reader, whose failure is retried and reported.
    """
    try:
        with open_regular(path) as fh:
            head = fh.read(64)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    return detect(head).is_image


def _sha(path: Path) -> str:
    return sha256_file(path)[0]


def _remove_empty_parents(folder: Path, inbox: Path) -> None:
    """A folder moved in is emptied file by file; remove it when nothing is left."""
    while folder != inbox and folder.is_relative_to(inbox):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
