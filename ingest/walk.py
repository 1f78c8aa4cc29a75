"""Which files in a folder are taken in, and which are passed over as noise.

Files are listed recursively and sorted by their path relative to the folder,
so two runs over the same folder see the same order. Office lock files,
partial downloads, hidden files and system files are listed as ignored, with
the reason, rather than rejected: they are not submissions. Hidden folders and
symbolic links to folders are not entered. Anything that is not a regular file
(a named pipe, a device, a socket) is listed as ignored without being opened:
opening a pipe would wait forever, reading a device would never end.

A name that is not valid Unicode (GBK bytes from a Windows share or an old zip)
is shown as ``display`` reads it; ``Entry.path`` keeps the real name.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from common.errors import describe_os_error

_PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".tmp", ".download", ".filepart", ".swp")
_SYSTEM_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"})


@dataclass(frozen=True)
class Entry:
    """A file found in the folder, and why it is ignored (None: take it in); or a folder
    that could not be read (``error``: it gets a 拒收 line of its own)."""

    path: Path
    rel: str
    ignore_reason: str | None = None
    error: str | None = None


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


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not read although it is in the folder (None: a regular file).

    Looked at with ``lstat``, never opened."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None  # gone, or unreadable: reading it will say so
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "符号链接（快捷方式），不读取其指向的文件"
    kind = ("命名管道" if stat.S_ISFIFO(mode) else "套接字" if stat.S_ISSOCK(mode)
            else "设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "特殊文件")  # fmt: skip
    return f"不是普通文件（{kind}），不读取"


class NotRegularFileError(OSError):
    """The path is a pipe, a device or a socket: it is never read."""


def wanted(inbox: Path, path: Path) -> bool:
    """A file under ``inbox`` that is taken: not ignored, not hidden, a regular file."""
    try:
        rel = path.relative_to(inbox)
    except ValueError:
        return False
    return (
        ignore_reason(path.name) is None
        and not any(p.startswith(".") for p in rel.parts)
        and not_regular(path) is None
    )


def open_regular(path: Path, buffered: bool = True) -> BinaryIO:
    """``path`` opened for reading, only if it is a regular file.

    Opened without blocking (a named pipe would otherwise wait for a writer forever)
    and without following a symbolic link, then checked on the open descriptor, so a
    file swapped for a pipe between a look and the open is caught too.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(f"{path} is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=-1 if buffered else 0)
    except BaseException:
        os.close(fd)
        raise


def display(rel: str) -> str:
    """A relative path as receipts, reports and the registry hold it: itself when it is
    valid Unicode; otherwise its bytes read as GB18030 (Windows' Chinese names) where they
    decode, else with the undecodable bytes escaped (``\\xb9``)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(rel)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "backslashreplace")
    return rel


def scan(folder: Path, exclude: Iterable[Path] = ()) -> list[Entry]:
    """Every file under ``folder``, sorted by relative path.

    Paths in ``exclude`` (minyi's own data folder or report, should they lie
    inside the folder) are left out entirely: they are not submissions.
    """
    skip = {p.resolve() for p in exclude}
    entries: list[Entry] = []

    def unreadable(exc: OSError) -> None:
        # A folder that cannot be listed (no permission, a path too long) is said, not skipped.
        where = Path(exc.filename) if exc.filename else folder
        rel = display(where.relative_to(folder).as_posix()) if where != folder else "."
        reason = f"无法读取此文件夹，其中的文件没有处理（{describe_os_error(exc)}）"
        entries.append(Entry(where, rel + "/", error=reason))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=unreadable, followlinks=False):
        base = Path(dirpath)
        dirnames[:] = [
            d for d in dirnames if not d.startswith(".") and (base / d).resolve() not in skip
        ]
        for name in filenames:
            path = base / name
            if path.resolve() in skip:
                continue
            rel = display(path.relative_to(folder).as_posix())
            reason = ignore_reason(name) or not_regular(path)
            entries.append(Entry(path, rel, reason))
    entries.sort(key=lambda e: e.rel)
    return entries
