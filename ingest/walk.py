"""Which files in a folder are taken in, and which are passed over as noise.

Files are listed recursively and sorted by their path relative to the folder,
so two runs over the same folder see the same order. Office lock files,
partial downloads, hidden files and system files are listed as ignored, with
the reason, rather than rejected: they are not submissions. Hidden folders and
symbolic links to folders are not entered.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download", ".filepart", ".swp")
_SYSTEM_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"})


@dataclass(frozen=True)
class Entry:
    """A file found in the folder, and why it is ignored (None: take it in)."""

    path: Path
    rel: str
    ignore_reason: str | None = None


def ignore_reason(name: str) -> str | None:
    """Why a file of this name is not a submission, or None if it may be one."""
    lower = name.lower()
    if name.startswith("~$") or name.startswith(".~lock."):
        return "Office/WPS 打开文档时生成的临时锁文件"
    if lower.endswith(_PARTIAL_SUFFIXES):
        return "未下载或复制完成的临时文件"
    if lower in _SYSTEM_NAMES:
        return "系统自动生成的文件"
    if name.startswith("."):
        return "隐藏文件"
    return None


def scan(folder: Path, exclude: Iterable[Path] = ()) -> list[Entry]:
    """Every file under ``folder``, sorted by relative path.

    Paths in ``exclude`` (minyi's own data folder or report, should they lie
    inside the folder) are left out entirely: they are not submissions.
    """
    skip = {p.resolve() for p in exclude}
    entries: list[Entry] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        dirnames[:] = [
            d for d in dirnames if not d.startswith(".") and (base / d).resolve() not in skip
        ]
        for name in filenames:
            path = base / name
            if path.resolve() in skip:
                continue
            rel = path.relative_to(folder).as_posix()
            reason = ignore_reason(name)
            if reason is None and path.is_symlink():
                reason = "符号链接（快捷方式），不读取其指向的文件"
            entries.append(Entry(path, rel, reason))
    entries.sort(key=lambda e: e.rel)
    return entries
