"""The kept originals: a content-addressed archive and a quarantine.

Every received file's exact bytes are kept in the data folder. Accepted files
go to ``archive/ab/<sha256><suffix>``; rejected ones to
``quarantine/<sha256><suffix>`` with ``<sha256>.reason.txt`` beside them, one
line per rejection. Writes are atomic (temporary file, fsync, rename), so a
crash never leaves a half-written copy under a final name; the same bytes are
stored once however often they arrive.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ingest.record import Format


class Archive:
    """Where original bytes are kept, under ``root`` (the data folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def keep(self, data: bytes, sha256: str, fmt: Format) -> str:
        """Keep accepted bytes; returns the path relative to the data folder."""
        rel = f"archive/{sha256[:2]}/{sha256}{fmt.suffix}"
        self._write(self.root / rel, data)
        return rel

    def quarantine(
        self,
        sha256: str,
        fmt: Format,
        reason: str,
        data: bytes | None = None,
        source: Path | None = None,
    ) -> str:
        """Keep rejected bytes (given, or copied from ``source``) and log why."""
        rel = f"quarantine/{sha256}{fmt.suffix}"
        target = self.root / rel
        if data is not None:
            self._write(target, data)
        elif source is not None and not target.exists():
            self._copy(source, target)
        reason_file = self.root / "quarantine" / f"{sha256}.reason.txt"
        with open(reason_file, "a", encoding="utf-8") as fh:
            fh.write(reason.rstrip("\n") + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return rel

    def path(self, rel: str) -> Path:
        return self.root / rel

    def _write(self, target: Path, data: bytes) -> None:
        # Named by its hash: a copy already there is kept only if its content still matches.
        if (
            target.exists()
            and target.stat().st_size == len(data)
            and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()
        ):
            return
        atomic_write(target, lambda out: out.write(data))

    def _copy(self, source: Path, target: Path) -> None:
        with open(source, "rb") as src:
            atomic_write(target, lambda out: copy_sparse(src, out))


def copy_sparse(src: BinaryIO, out: BinaryIO) -> None:
    """Copy a file's data and keep its holes: a 2 GB sparse file over the size limit is
    kept (nothing is ever lost) without writing 2 GB of zeros."""
    size = os.fstat(src.fileno()).st_size
    seek_data, seek_hole = getattr(os, "SEEK_DATA", None), getattr(os, "SEEK_HOLE", None)
    if seek_data is None or seek_hole is None:
        shutil.copyfileobj(src, out, 1 << 20)
        return
    position = 0
    while position < size:
        try:
            start = os.lseek(src.fileno(), position, seek_data)
        except OSError:  # ENXIO: only a hole is left
            break
        end = os.lseek(src.fileno(), start, seek_hole)
        src.seek(start)
        out.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = src.read(min(remaining, 1 << 20))
            if not chunk:
                break
            out.write(chunk)
            remaining -= len(chunk)
        position = end
    out.truncate(size)


_TEMP_NAMES = itertools.count()


def atomic_write(target: Path, fill: Callable[[BinaryIO], object], durable: bool = True) -> None:
    """Create ``target`` whole or not at all (temporary file, rename); fsynced if ``durable``.

    The temporary name is hidden, unique to this process and call (no random names:
    the watcher writes thousands of 回执 a minute), and does not end in the target's
    suffix, so a reader globbing ``*.json`` never sees one half-written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.with_name(f".tmp-{os.getpid()}-{next(_TEMP_NAMES)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:  # left by a crashed process that had the same pid
            continue
    try:
        with os.fdopen(fd, "wb") as out:
            fill(out)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
