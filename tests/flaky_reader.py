"""Readers for the watcher tests: one fails the way a locked file does, one is slow."""

from __future__ import annotations

import time
from pathlib import Path

from ingest.options import IngestOptions
from ingest.reader import FileResult, quarantine_unread, read_file

FAILURES: dict[str, int] = {}


def locked_twice(path: Path, rel: str, options: IngestOptions, data_root: Path) -> FileResult:
    if "locked" in rel and FAILURES.get(rel, 0) < 2:
        FAILURES[rel] = FAILURES.get(rel, 0) + 1
        return FileResult(
            None, None, None, error="无法读取文件：文件正被其他程序占用", transient=True
        )
    if "broken" in rel:
        return FileResult(
            None, None, None, error="无法读取文件：没有读取或写入权限", transient=True
        )
    return read_file(path, rel, options, data_root)


def slow_scans(path: Path, rel: str, options: IngestOptions, data_root: Path) -> FileResult:
    """Files named 扫描… take two seconds to read, as a page of OCR might; images are
    then turned away (no OCR engine needed for the test)."""
    if "扫描" in rel:
        time.sleep(2.0)
        if path.read_bytes().startswith(b"\x89PNG"):
            return quarantine_unread(path, rel, data_root, "测试：模拟的识别失败")
    return read_file(path, rel, options, data_root)


def hangs(path: Path, rel: str, options: IngestOptions, data_root: Path) -> FileResult:
    """Files named 卡住… never finish reading, as a pathological file might."""
    if "卡住" in rel:
        time.sleep(3600)
    return read_file(path, rel, options, data_root)
