"""Where files are read: in this process, or in a pool of worker processes.

Reading is CPU-bound (parsing, later OCR), so batches use one process per core.
Worker processes also isolate the batch from a parser that crashes outright on
a hostile file: when the pool breaks, each file that was in flight is read
again alone in a fresh process, so only the file that really crashes it is
rejected, and the pool is rebuilt for the rest. A file whose reading runs past
``options.file_timeout`` is given up the same way: the readers are killed, the
file is rejected (its bytes kept in quarantine) and the others are read again.

Files LibreOffice converts (.doc, .wps, .rtf, .odt) go to a reader of their own, so
one soffice serves a batch's legacy files instead of one starting in every reader
(2–3 CPU-seconds each); when that lane has ``_OFFICE_QUEUE`` files waiting, more go
to the other readers, so a folder of nothing but .doc files still uses every core.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.process
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as wait_for
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_for_ends
from pathlib import Path

from ingest.options import IngestOptions
from ingest.reader import FileResult, quarantine_unread, read_file
from ingest.tools import close_all

log = logging.getLogger(__name__)

Reader = Callable[[Path, str, IngestOptions, Path], FileResult]
_CRASHED = "读取该文件时解析程序异常退出，文件可能已损坏或是恶意构造的"
_OFFICE_QUEUE = 4  # files in the LibreOffice lane (read or waiting) before others take more


@dataclass
class Job:
    args: tuple[Path, str, IngestOptions, Path]
    future: Future[FileResult] | None = None
    done: FileResult | None = None
    running_since: float | None = None  # when a reader was first seen to have it
    timed_out: bool = False
    office: bool = False  # read in the LibreOffice lane

    @property
    def limit(self) -> float:
        return self.args[2].file_timeout

    def overdue(self, now: float) -> bool:
        """Whether its reading has run past the limit (counted from when it began)."""
        if self.future is None or self.future.done():
            return False
        if self.running_since is None:
            if self.future.running():
                self.running_since = now
            return False
        return now - self.running_since > self.limit


def _timed_out(job: Job) -> FileResult:
    path, rel, _, data_root = job.args
    reason = f"读取超时（超过 {job.limit:.0f} 秒），文件可能过大、损坏或是恶意构造的"
    return quarantine_unread(path, rel, data_root, reason)


class Workers:
    """Reads files with ``read_file``, inline (processes=1) or in worker processes."""

    def __init__(self, processes: int = 0, reader: Reader = read_file) -> None:
        self.processes = processes or os.cpu_count() or 1
        self.reader = reader  # a module-level function, so worker processes can import it
        self._pool: ProcessPoolExecutor | None = None
        self._office: ProcessPoolExecutor | None = None  # the LibreOffice lane, on first use
        self._office_jobs: list[Job] = []

    @property
    def capacity(self) -> int:
        return self.processes

    def submit(self, path: Path, rel: str, options: IngestOptions, data_root: Path,
               office: bool = False) -> Job:  # fmt: skip
        """Hand a file to a reader; ``office``: LibreOffice will convert it (by its name),
        so the LibreOffice lane takes it while that has room."""
        job = Job((path, rel, options, data_root))
        if self.processes == 1:
            job.done = self.reader(*job.args)
            return job
        self._office_jobs = [j for j in self._office_jobs if j.future and not j.future.done()]
        job.office = office and len(self._office_jobs) < _OFFICE_QUEUE
        job.future = self._executor(job.office).submit(self.reader, *job.args)
        if job.office:
            self._office_jobs.append(job)
        return job

    def warm(self) -> None:
        """Start the worker processes now, with the common readers imported.

        A long-running service calls this at start: otherwise the first files
        dropped wait for the pool to spawn and import (about a second here).
        """
        if self.processes > 1:
            pool = self._executor()
            for future in [pool.submit(_warm_up) for _ in range(self.processes)]:
                future.result()

    def result(self, job: Job, label: str) -> FileResult:
        if job.done is not None:
            return job.done
        assert job.future is not None
        while not job.future.done() and not job.timed_out:
            wait_for([job.future], timeout=1.0)
            if job.overdue(time.monotonic()):
                self.expire(job)
        if job.timed_out:
            return _timed_out(job)
        try:
            return job.future.result()
        except (BrokenProcessPool, CancelledError):
            log.warning("worker pool broke while reading %s; retrying it alone", label)
            self._discard_pool(job.office)
            return self._isolated(job)

    def expire(self, job: Job) -> None:
        """Give a reading up: kill the readers (whatever the file does to them, it stops),
        so the files they had are read again, and this one is rejected."""
        log.warning("「%s」读取超过 %.0f 秒，已放弃；读取进程已重启", job.args[1], job.limit)
        job.timed_out = True
        pool = self._office if job.office else self._pool
        if pool is not None:
            _kill_readers(pool)
            self._discard_pool(job.office)

    def _isolated(self, job: Job) -> FileResult:
        alone = process_pool(1)
        try:
            return alone.submit(self.reader, *job.args).result(timeout=job.limit)
        except BrokenProcessPool:
            path, rel, _, data_root = job.args
            return quarantine_unread(path, rel, data_root, _CRASHED)
        except FutureTimeout:
            _kill_readers(alone)
            return _timed_out(job)
        finally:
            alone.shutdown(wait=False, cancel_futures=True)

    def _executor(self, office: bool = False) -> ProcessPoolExecutor:
        if office:
            if self._office is None:
                self._office = process_pool(1)
            return self._office
        if self._pool is None:
            self._pool = process_pool(self.processes)
        return self._pool

    def _discard_pool(self, office: bool = False) -> None:
        pool = self._office if office else self._pool
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            if office:
                self._office = None
            else:
                self._pool = None

    def close(self, grace: float = 10.0) -> None:
        """Stop the readers: each finishes what it is reading and stops its engines; one
        still busy after ``grace`` seconds (a reading that never ends) is killed."""
        processes: list[multiprocessing.process.BaseProcess] = []
        for pool in (self._pool, self._office):
            if pool is not None:
                processes += list((getattr(pool, "_processes", None) or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._office = None
        alive = _still_running(processes, grace)
        if alive:
            log.warning("读取进程 %.0f 秒内未结束（文件读取未完成），已强制停止", grace)
            for process in alive:  # (the executor has let go of them by now)
                process.kill()
                process.join(5)
        close_all()  # and so does this process, which read files itself when inline

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _still_running(processes: list[multiprocessing.process.BaseProcess],
                   grace: float) -> list[multiprocessing.process.BaseProcess]:  # fmt: skip
    """The processes that have not ended within ``grace`` seconds.

    Judged by each one's sentinel (closed when it ends), not by is_alive(): the executor's
    own thread joins these processes too, and a status it collected first makes is_alive()
    say True for a process long gone (and a kill would go to a pid that may be reused)."""
    pending = {}
    for process in processes:
        with contextlib.suppress(ValueError):  # (a process object already closed)
            pending[process.sentinel] = process
    until = time.monotonic() + grace
    while pending and (left := until - time.monotonic()) > 0:
        for ended in wait_for_ends(list(pending), left):
            pending.pop(ended)  # type: ignore[arg-type]  # (sentinels are ints)
    return list(pending.values())


def _kill_readers(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's worker processes (the executor offers no way to stop a running task)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()


def process_pool(processes: int) -> ProcessPoolExecutor:
    """Worker processes started as the readers are (spawned; Ctrl+C left to the parent;
    killed when the parent dies, however it dies)."""
    return ProcessPoolExecutor(processes, mp_context=_context(), initializer=_init_worker)


def _warm_up() -> int:
    import ingest.extractors.docx
    import ingest.extractors.pdf
    import ingest.extractors.text  # noqa: F401  (imported to be ready, not used here)

    return os.getpid()


def _init_worker() -> None:
    """Ctrl+C reaches the whole process group; only the main process decides what to
    do about it (finish, or stop the pool), so workers print no tracebacks. A worker
    whose parent was killed (kill -9, a power-off of the service) dies with it instead
    of waiting for ever with its OCR models and LibreOffice in memory."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGKILL)


def die_with_parent(sig: int) -> None:
    """Ask Linux to send ``sig`` to this process when its parent ends (PR_SET_PDEATHSIG);
    a parent that ended before the request was made is noticed by the changed ppid."""
    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, sig, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the pool's own shutdown is all there is
    if os.getppid() != parent or parent == 1:
        os.kill(os.getpid(), sig)


def _context() -> multiprocessing.context.BaseContext:
    # "spawn": the parent may run threads (progress display); forking those is unsafe.
    return multiprocessing.get_context("spawn")
