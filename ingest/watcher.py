"""The watched inbox: every file taken exactly once, kept, registered, answered with a 回执.

Where each file stands is in one table, ``Watcher.hand`` (``ingest.in_hand``),
from the moment it is first seen until its completion is recorded: settling
(``ingest.settle``'s rule), queued, reading, committed, retry, failed. The last
three are the registry journal's stages, in the same words: a commit writes the
``committed`` row in its own transaction; the original leaves the inbox once its
kept copy is verified, the 回执 is written, and the row is dropped. A watcher
killed at any moment resumes from the journal: committed files are finished,
everything else still in the inbox is simply taken again (the registry's duplicate
check makes a repeated registration impossible). Passing failures (locked,
permissions, disk full) are retried with backoff; content failures are
quarantined at once.

Files are read by the worker pool and committed as they finish, so a slow OCR
job does not hold up the text files behind it; images wait outside the pool
while as many as it has readers are being read, so a text file dropped with a
hundred photos waits for one page at most. Completion (original removed, 回执
written) runs in a process of its own beside the readers (``ingest.completion``).
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
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from common.errors import DiskFullError
from ingest.completion import Completer
from ingest.detect import is_image_file
from ingest.in_hand import BUSY, InHand, Stage, Table
from ingest.options import WatchOptions
from ingest.pipeline import Pipeline, Slot
from ingest.reader import FileResult
from ingest.receipt import Receipt
from ingest.record import Record, printable
from ingest.screening.gate import Gate
from ingest.settle import Settle
from ingest.slip import write_failure
from ingest.walk import Entry, display, scan, wanted
from ingest.watch_events import choose_mode, observe

log = logging.getLogger(__name__)

_BEAT = 5.0


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
    # Reads announce their end here. A queue.Queue, not a SimpleQueue: CPython 3.11's
    # SimpleQueue.get(timeout) can wait for ever when a signal (SIGTERM) interrupts it
    # near the end of its timeout (the recomputed timeout goes negative: "no limit").
    _done: queue.Queue[str] = field(default_factory=queue.Queue, init=False)
    # Every file in hand, by its (displayed) relative path: the one record of where it is.
    hand: Table = field(default_factory=Table, init=False)
    _closed: list[str] = field(default_factory=list, init=False)  # completed, row not dropped
    _paths: dict[str, Path] = field(default_factory=dict, init=False)  # names not in Unicode
    _full_pauses: int = field(default=0, init=False)  # waits for a full disk so far
    _said: set[str] = field(default_factory=set, init=False)  # unreadable folders logged

    def __post_init__(self) -> None:
        self.inbox = self.inbox.resolve()
        self.settle = Settle(self.options.settle, self.options.settle_closed, self.clock,
                             self.options.give_up)  # fmt: skip
        self.source = str(self.inbox)
        self.registry = self.pipeline.registry
        self.completer = Completer(self.inbox, self.pipeline.data_root, self.outbox,
                                   self.pipeline.options, self.pipeline.inline)  # fmt: skip

    # -- the loop ---------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        self.pipeline.start()
        self.pipeline.warm()
        self.completer.start()
        self.mode = choose_mode(self.inbox, self.options.mode)
        observer = self._observe()
        # File times are trusted only on the local disk (see ingest.settle).
        self.settle.wall = time.time if self.mode == "events" else None
        started = _now()
        log.info("开始监视 %s（%s）", self.inbox, self.mode)
        self._recover()
        last_scan = last_beat = last_retry = -1e9
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
                    if now - last_retry >= 1.0:
                        self._retry_due()
                        self.pipeline.give_up_overdue(self.hand.reading())
                        last_retry = now
                    self._take_settled()
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
            # Graceful stop: files being read are finished and committed (for at most
            # stop_grace seconds); the rest stay in the inbox for the next start.
            with _unless_disk_full():
                until = time.monotonic() + self.options.stop_grace
                while self.in_stage(Stage.READING) and time.monotonic() < until:
                    self._collect(block=min(1.0, max(0.0, until - time.monotonic())))
                left = self.in_stage(Stage.READING)
                if left:  # never committed: still in the inbox, read again at the next start
                    log.warning("停止时仍有 %d 个文件未读完，留在收件箱中，下次启动时重新处理",
                                len(left))  # fmt: skip
                self._close_rows(wait=True)
            self.completer.shutdown()
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

    def in_stage(self, *stages: Stage) -> list[str]:
        """The files in hand at these stages (in the order they came to them)."""
        return self.hand.in_stage(*stages)

    def _beat(self, started: str, stopped: bool = False, error: str | None = None) -> None:
        """The heartbeat ``minyi status`` reads, with the number of files in hand."""
        busy = 0 if stopped else len(self.in_stage(*BUSY))
        mode = ("crashed" if error else "stopped") if stopped else self.mode
        self.registry.beat("watch", os.getpid(), mode, self.source, started, _now(), busy, error)

    def _observe(self):  # type: ignore[no-untyped-def]
        observer, self.mode = observe(self.inbox, self.mode, self.options.poll, self._events)
        return observer

    def _drain_events(self) -> None:
        while True:
            try:
                kind, target, folder = self._events.get_nowait()
            except queue.Empty:
                return
            path = Path(target)
            if kind == "deleted":
                self._forget(path)
            elif folder:
                # A folder created or moved in: take its files. A folder merely
                # "modified" (a file added or removed in it) needs nothing here.
                if kind in ("created", "moved") and path != self.inbox:
                    for entry in self._entries(path):  # moved in: its files are whole
                        self._consider(entry.path, closed=kind == "moved")
            elif wanted(self.inbox, path):
                # Written and closed or renamed in whole; or written to (a folder's files
                # arrive twice: with the folder, and one by one after it). An event says
                # the file changed: one that failed or waits for a retry settles again.
                self._consider(path, closed=kind in ("closed", "moved"), changed=True)

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
            if p.is_file() and wanted(self.inbox, p)
        ]  # fmt: skip

    def _consider(self, path: Path, closed: bool = False, changed: bool = False) -> None:
        """A file seen (by a scan, or an event when ``changed``): it settles, or settles on."""
        rel = self._rel(path)
        hand = self.hand.get(rel)
        if hand is not None and hand.stage is not Stage.SETTLING:
            if hand.stage in BUSY:
                return
            if not changed and (hand.stage is Stage.FAILED or hand.next_try > time.time()):
                return  # reported, or its retry is not due: tried again when it changes
            if hand.stage is Stage.FAILED:
                self.registry.journal_drop(rel)  # a failed file that changed starts over
            hand = None
        look = self.settle.look(path, hand.look if hand else None, closed)
        if look is None:
            self.hand.pop(rel)  # gone before it settled
        elif hand is None or look is not hand.look:
            self.hand.put(rel, InHand(path, Stage.SETTLING, look=look))

    def _forget(self, path: Path) -> None:
        rel = self._rel(path)
        hand = self.hand.get(rel)
        if hand is not None and hand.stage is Stage.SETTLING:
            self.hand.pop(rel)

    def _take_settled(self) -> None:
        """Take the files whose settle time is over, in name order."""
        ready = []
        for rel, hand in self.hand.settling():
            assert hand.look is not None
            take, look = self.settle.ready(hand.path, hand.look)
            if look is None:
                self.hand.pop(rel)
            elif take:
                ready.append(hand.path)
            elif look is not hand.look:
                hand.look = look
        for path in ready:
            self._take(path)

    # -- taking, reading and committing ----------------------------------------

    def _take(self, path: Path) -> None:
        rel = self._rel(path)
        held = self.hand.get(rel)
        if held is not None and held.stage in BUSY:
            return
        image = is_image_file(path)
        if image is None:
            self.hand.pop(rel)
            return  # gone
        if image and self.hand.images_reading >= self.pipeline.capacity:
            try:
                st = path.stat()
            except OSError:
                self.hand.pop(rel)
                return  # gone meanwhile
            self.hand.put(rel, InHand(path, Stage.QUEUED, image=True,
                                  seen=(st.st_size, st.st_mtime_ns)))  # fmt: skip
            return
        # No journal row is needed before the commit: a file still in the inbox after a
        # crash is simply taken again.
        self.hand.pop(rel)
        slot = Slot(Entry(path, rel), journal=rel)
        if self.pipeline.known(slot):  # seen before: no need to parse it
            self._complete([(rel, *self.pipeline.commit(slot, self.source))])
            return
        job = self.pipeline.read(slot)
        self.hand.put(rel, InHand(path, Stage.READING, image=image, slot=slot))
        if job.future is None:  # read inline: done already
            self._done.put(rel)
        else:
            job.future.add_done_callback(functools.partial(self._read_done, rel))

    def _read_done(self, rel: str, _: Future[FileResult]) -> None:
        self._done.put(rel)  # in the pool's thread: only the queue is touched

    def _take_queued(self) -> None:
        """Hand waiting images on as readers fall free; one changed meanwhile settles again."""
        while self.hand.images_reading < self.pipeline.capacity:
            hand = self.hand.next_waiting()
            if hand is None:
                return
            try:
                st = hand.path.stat()
            except OSError:
                continue  # removed while it waited
            if (st.st_size, st.st_mtime_ns) == hand.seen:
                self._take(hand.path)
            else:
                self._consider(hand.path)

    def _collect(self, block: float) -> None:
        """Commit whatever the workers have finished, in the order they finish."""
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
        # All of them leave the table first: should a commit below fail (a full disk),
        # none is left "reading" for ever; each is still in the inbox and is taken again
        # by the next scan.
        read = [(rel, self.hand.pop(rel)) for rel in done]
        finished: list[Slot] = []
        for rel, hand in read:
            assert hand is not None and hand.slot is not None
            result = self.pipeline.collect(hand.slot)
            if result.transient:
                self._transient(rel, result.error or "")
                continue
            finished.append(hand.slot)
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

    def _complete(self, committed: list[tuple[str, Receipt, Record | None]]) -> None:
        """After the commit: verifying and removing the originals and writing the 回执 are
        handed to the completer (``ingest.completion``), a commit group as one task."""
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
        rels = [rel for rel, _, _ in committed]
        self.completer.submit(rels, real)
        for rel in rels:  # a late event or a rescan must not take them again meanwhile
            self.hand.put(rel, InHand(self._real(rel), Stage.COMMITTED))

    def _close_rows(self, wait: bool = False) -> None:
        """Note the files whose receipts are written; their journal rows are dropped with
        the next commit (or at once when ``wait``). A crash before that only repeats
        the idempotent completion."""
        done = self.completer.done(wait)
        for rel in done:
            hand = self.hand.get(rel)
            if hand is not None and hand.stage is Stage.COMMITTED:
                self.hand.pop(rel)
        self._closed += done
        if wait:
            self._drop_closed()

    def _drop_closed(self) -> None:
        if self._closed:
            self.registry.journal_drop(*self._closed)
            self._closed = []

    def _transient(self, rel: str, error: str) -> None:
        row = self.registry.journal(rel) or {"attempts": 0}
        attempts = int(row["attempts"]) + 1
        path = self._real(rel)
        if attempts >= self.options.retries:
            self.registry.journal_set(rel, Stage.FAILED, _now(), attempts=attempts, error=error)
            self.hand.put(rel, InHand(path, Stage.FAILED))
            write_failure(self.outbox, rel, error, attempts, _now(),
                          Gate.for_options(self.pipeline.options))  # fmt: skip
            log.error("「%s」多次处理失败（%s），留在收件箱中", printable(rel), error)
            return
        delay = min(600.0, self.options.backoff * 2 ** (attempts - 1))
        next_try = time.time() + delay
        self.registry.journal_set(rel, Stage.RETRY, _now(), attempts=attempts, error=error,
                                  next_try=next_try)  # fmt: skip
        self.hand.put(rel, InHand(path, Stage.RETRY, next_try=next_try))
        log.warning("「%s」：%s；%.0f 秒后重试", printable(rel), error, delay)

    def _retry_due(self) -> None:
        """Retries whose time has come settle again (once a second: a pass over the table)."""
        now = time.time()
        for rel in self.in_stage(Stage.RETRY):
            hand = self.hand.get(rel)
            if hand is None or hand.next_try > now:
                continue
            if hand.path.exists():
                self._consider(hand.path)
            else:  # handed back and gone meanwhile
                self.hand.pop(rel)
                self.registry.journal_drop(rel)

    def _recover(self) -> None:
        """Finish what a previous run committed but did not complete; take up its retries
        (failures too: a restart tries them once more)."""
        rows = self.registry.journal_rows(Stage.COMMITTED)
        if rows:
            self._complete([(row["path"], *self.registry.receipt(row["receipt"])) for row in rows])
        self._close_rows(wait=True)
        for row in self.registry.journal_rows(Stage.RETRY, Stage.FAILED):
            rel, path = row["path"], self._real(row["path"])
            if not path.exists():
                self.registry.journal_drop(rel)  # handed back and gone meanwhile
                continue
            if row["stage"] == Stage.FAILED:
                self.registry.journal_set(rel, Stage.RETRY, _now(), next_try=0)
            next_try = 0.0 if row["stage"] == Stage.FAILED else float(row["next_try"])
            self.hand.put(rel, InHand(path, Stage.RETRY, next_try=next_try))

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


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
