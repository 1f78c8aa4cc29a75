"""A reader that kills its worker process on request: stands in for a parser crash."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.options import IngestOptions
from ingest.reader import FileResult, read_file


def read_or_crash(path: Path, rel: str, options: IngestOptions, data_root: Path) -> FileResult:
    if "crash" in rel:
        os._exit(3)
    return read_file(path, rel, options, data_root)
