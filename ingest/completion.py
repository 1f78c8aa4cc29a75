"""Completing a committed file: its original leaves the inbox, its 回执 is written.

Runs in the watcher's completing process (one beside the readers), a commit group
as one task; a ``Completion`` is that task as the watcher follows it, and the
``Completer`` hands the tasks on and says which files are done. The original
is removed only once its kept copy is verified by hash; a file changed meanwhile
is left to be taken again as a new arrival.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import (
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.options import IngestOptions
from ingest.reader import sha256_file
from ingest.receipt import Receipt
from ingest.record import Record, printable
from ingest.screening.gate import Gate
from ingest.slip import write_slip
from ingest.walk import display
from ingest.workers import process_pool

log = logging.getLogger(__name__)


@dataclass
class Completion:
    """Files committed together and completed by one task in the completing process."""

    rels: list[str]
    future: Future[list[tuple[int, str]]]
    args: tuple[Any, ...]  # to do it again here, should that process break


class Completer:
    """Hands committed files' completion to a process of its own and says which are done.

    Not the watcher's process: there the work competed with the commit loop for the
    interpreter lock and halved the rate. Not the readers' pool either: a receipt
    waited there behind every file still to be read (a text file's 回执 behind a
    hundred scans' OCR), and two readers writing 回执 at once contended for the
    folder's lock. Inline reading (one process) completes in threads.
    """

    def __init__(self, inbox: Path, data_root: Path, outbox: Path, options: IngestOptions,
                 inline: bool) -> None:  # fmt: skip
        self.args = (inbox, data_root, outbox)
        self.options = options
        self.inline = inline
        self.pending: list[Completion] = []
        self._writer = ThreadPoolExecutor(4, thread_name_prefix="receipt")
        self._finisher: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the completing process now, not with the first file."""
        self._pool().submit(os.getpid).result()

    def submit(self, rels: list[str], committed: list[tuple[str, Receipt, Record | None]]) -> None:
        """Complete ``committed`` (real relative paths); ``rels`` are the names followed."""
        args = (*self.args, committed, self.options)
        self.pending.append(Completion(rels, self._pool().submit(finish, *args), args))

    def done(self, wait: bool = False) -> list[str]:
        """The files completed since the last call (all of them when ``wait``), their
        notes logged. Re-raises if a receipt could not be written."""
        done: list[str] = []
        pending = []
        for completion in self.pending:
            if not (wait or completion.future.done()):
                pending.append(completion)
                continue
            try:
                notes = completion.future.result()
            except (BrokenProcessPool, CancelledError):  # the pool broke: finish them here
                if self._finisher is not None:
                    self._finisher.shutdown(wait=False)  # a new one for what follows
                    self._finisher = None
                notes = finish(*completion.args)
            for level, note in notes:
                if note:
                    log.log(level, "%s", note)
            done += completion.rels
        self.pending = pending
        return done

    def shutdown(self) -> None:
        self._writer.shutdown(wait=True)
        if self._finisher is not None:
            self._finisher.shutdown(wait=True)

    def _pool(self) -> Executor:
        if self.inline:
            return self._writer
        if self._finisher is None:
            self._finisher = process_pool(1)
        return self._finisher


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
                f"「{printable(display(rel))}」的原件副本缺失或不一致，原件留在收件箱中",
            )
        elif _sha(path) != receipt.sha256:
            # Replaced by a new version meanwhile: a new arrival, found by the next scan.
            note = f"「{printable(display(rel))}」处理期间被改动，将作为新文件重新处理"
        else:
            path.unlink()
            _remove_empty_parents(path.parent, inbox)
    write_slip(outbox, receipt, record, gate)
    return level, note


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
