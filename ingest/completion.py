"""Completing a committed file: its original leaves the inbox, its 回执 is written.

Runs in the watcher's completing process (one beside the readers), a commit group
as one task; a ``Completion`` is that task as the watcher follows it. The original
is removed only once its kept copy is verified by hash; a file changed meanwhile
is left to be taken again as a new arrival.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
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


@dataclass
class Completion:
    """Files committed together and completed by one task in the completing process."""

    rels: list[str]
    future: Future[list[tuple[int, str]]]
    args: tuple[Any, ...]  # to do it again here, should that process break


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
