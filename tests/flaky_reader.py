"""A reader whose first reads of a file fail the way a locked file does."""

from __future__ import annotations

from pathlib import Path

from ingest.options import IngestOptions
from ingest.reader import FileResult, read_file

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
