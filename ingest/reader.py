"""Reading one file: bytes → format → text → recognised fields → kept original.

This is the unit of work a worker process does. It never raises: every
failure becomes a :class:`FileResult` with the reason, so one bad file cannot
take a batch down. The original bytes are stored by the same call that read
them, so the kept copy is exactly what was extracted, even if the file in the
inbox changes afterwards.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from common import timing
from common.errors import ExtractionError, MinyiError, describe_os_error
from ingest import recognize
from ingest.archive import Archive
from ingest.detect import detect
from ingest.extractors import Extraction, extractor_for
from ingest.options import IngestOptions
from ingest.pictures import read_pictures
from ingest.record import Format, Hidden, PageSource, Record, printable
from ingest.screening import ScreenContext, screen_content
from ingest.screening.index import IndexEntry, index_entry
from ingest.tools import tools_for
from ingest.walk import NotRegularFileError, open_regular

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileResult:
    """What reading one file produced: a record, or the reason it was rejected."""

    sha256: str | None
    size: int | None
    format: Format | None
    record: Record | None = None
    error: str | None = None
    stored_as: str | None = None
    index: IndexEntry | None = None
    transient: bool = False  # failed for a reason that may pass (locked, permissions, disk)
    disk_full: bool = False  # the data folder's disk is full: nothing more can be kept
    timing: dict[str, float] = field(default_factory=dict)  # phase → seconds (common.timing)


def sha256_file(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open_regular(path) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_file(path: Path, rel: str, options: IngestOptions, data_root: Path) -> FileResult:
    """Read, extract and keep one file; failures are results, not exceptions. The result
    carries the time its phases took (``timing``)."""
    timing.take()  # (anything left over from before is not this file's)
    result = _read_file(path, rel, options, data_root)
    return replace(result, timing=timing.take())


def _read_file(path: Path, rel: str, options: IngestOptions, data_root: Path) -> FileResult:
    archive = Archive(data_root)
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > options.max_file_bytes:
                limit = options.max_file_bytes / 1048576
                reason = f"文件过大（{size / 1048576:.1f} MB，上限 {limit:.0f} MB）"
                return quarantine_unread(path, rel, data_root, reason)
            data = fh.read()
    except NotRegularFileError:
        return FileResult(None, None, None, error="不是普通文件（管道、设备或套接字），不读取")
    except OSError as exc:
        return FileResult(None, None, None, error=f"无法读取文件：{describe_os_error(exc)}",
                          transient=True)  # fmt: skip
    sha = hashlib.sha256(data).hexdigest()
    fmt = detect(data) if data else Format.UNKNOWN
    try:
        with timing.phase("extraction"):
            record = read_bytes(data, sha, rel, fmt, options)
        with timing.phase("screening"):
            record = screen_content(record, ScreenContext.for_options(options))
            index = index_entry(record.text, options)
    except MinyiError as exc:
        reason = exc.message
    except Exception as exc:  # a parser bug on hostile input must not end the batch
        log.exception("internal error while reading %s", rel)
        reason = f"读取时发生内部错误（{type(exc).__name__}），文件可能已损坏"
    else:
        try:
            with timing.phase("keeping"):
                stored = archive.keep(data, sha, fmt)
        except OSError as exc:
            reason = f"无法保存原件到数据目录：{describe_os_error(exc)}"
            return FileResult(sha, len(data), fmt, error=reason, transient=True,
                              disk_full=_is_full(exc))  # fmt: skip
        return FileResult(sha, len(data), fmt, record=replace(record, stored_as=stored),
                          stored_as=stored, index=index)  # fmt: skip
    try:
        stored = archive.quarantine(sha, fmt, reason_line(rel, reason), data=data)
    except OSError as exc:
        # Not rejected for good: the original stays where it is and is tried again.
        return FileResult(
            sha,
            len(data),
            fmt,
            error=f"{reason}；且无法保存到隔离区：{describe_os_error(exc)}",
            transient=True,
            disk_full=_is_full(exc),
        )
    return FileResult(sha, len(data), fmt, error=reason, stored_as=stored)


def _is_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


def quarantine_unread(path: Path, rel: str, data_root: Path, reason: str) -> FileResult:
    """Reject a file without parsing it, keeping a copy of its bytes in quarantine."""
    try:
        sha, size = sha256_file(path)
        stored = Archive(data_root).quarantine(
            sha, Format.UNKNOWN, reason_line(rel, reason), source=path
        )
    except OSError as exc:
        return FileResult(
            None, None, None, error=f"{reason}；且无法保存到隔离区：{describe_os_error(exc)}"
        )
    return FileResult(sha, size, None, error=reason, stored_as=stored)


def read_bytes(data: bytes, sha256: str, rel: str, fmt: Format, options: IngestOptions) -> Record:
    """Extract text and recognise title and 反映人; raises ExtractionError."""
    if not data:
        raise _empty()
    tools = tools_for(options)
    extraction = extractor_for(fmt)(data, options, tools)
    _check_readable(extraction, fmt)
    chars = sum(len(p.text) for p in extraction.pages)
    if chars > options.max_text_chars:
        raise ExtractionError(
            f"文字内容过长（约 {chars / 10000:.0f} 万字，上限 {options.max_text_chars / 10000:.0f} "
            "万字），不像一篇社情民意信息；如确需登记，请拆分后重新提交"
        )
    # The file's own name is screened too: it is printed in receipts and the manifest.
    named = (Hidden("文件名", rel.rsplit("/", 1)[-1]),)
    hidden = named + extraction.hidden + read_pictures(extraction.pictures, options, tools)
    screen = fmt.is_image or any(p.source is PageSource.OCR for p in extraction.pages)
    structure = recognize.analyse(extraction.body, extraction.furniture, screen=screen)
    return Record(
        sha256=sha256,
        original_name=rel,
        format=fmt,
        pages=extraction.pages,
        text=extraction.text,
        title=structure.title.text if structure.title else None,
        submitter=recognize.submitter_of(structure),
        hidden=hidden,
        structure=structure,
    )


_TOO_FEW = 3  # characters: a picture that OCRs to fewer is a photo or an icon, not a text


def _check_readable(extraction: Extraction, fmt: Format) -> None:
    ocr = any(p.source is PageSource.OCR for p in extraction.pages) or fmt.is_image
    found = "".join(ch for ch in extraction.text if ch.isalnum())
    if ocr and 0 < len(found) < _TOO_FEW:
        raise ExtractionError(
            f"经 OCR 识别只认出「{found}」，不像一篇文稿（可能是照片、图标或过于模糊的图片）"
        )
    if extraction.text.strip():
        return
    if ocr:
        raise ExtractionError("经 OCR 识别未发现文字（可能是空白页、照片过于模糊或不是文稿）")
    raise ExtractionError("文件中没有可提取的文字内容")


def _empty() -> ExtractionError:
    return ExtractionError("文件为空（0 字节），可能复制或下载未完成")


def reason_line(rel: str, reason: str) -> str:
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}  文件：{printable(rel)}  原因：{reason}"
