"""What the desk takes in and hands out as files: uploads, the workbook and the 通报.

An upload goes through the same intake as the watched inbox: the bytes are
streamed to a private folder under ``<data>/uploads/`` (never more than the size
limit: the stream is cut there), then ``Pipeline.process`` reads, screens and
registers it in a worker process, exactly as ``minyi process`` would, and its
report line (through the gate) is the 回执 the page shows. The staging copy is
removed afterwards; the kept original is in the archive (or, if refused, in
quarantine with its reason), so nothing is lost.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

from followup.stats import Period
from ingest.pipeline import Pipeline
from ingest.receipt import Receipt
from ingest.record import Record
from ingest.registry import Registry
from ingest.report import report_line
from ingest.screening.gate import Checkpoint, Gate
from ingest.workers import Workers
from minyi import tracking
from minyi.settings import Settings

_NAME_LIMIT = 120


def safe_name(given: str) -> str:
    """An uploaded file's name as it may stand in a folder: its last part only, no control
    or invisible characters, no leading dots, not too long; 上传文件 when nothing is left."""
    name = given.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > _NAME_LIMIT:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: _NAME_LIMIT - len(suffix) - 1] + dot + suffix) if dot and len(suffix) < 10 \
            else name[:_NAME_LIMIT]  # fmt: skip
    return name or "上传文件"


async def receive(settings: Settings, gate: Gate, stream: AsyncIterator[bytes], name: str,
                  limit: int, actor: str) -> dict[str, Any]:  # fmt: skip
    """Stream one upload to disk (cut at ``limit``), take it in, and return its report line."""
    root = settings.data_dir / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=secrets.token_hex(4), dir=root))
    try:
        target = folder / safe_name(name)
        size = 0
        with target.open("wb") as out:
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"文件超过 {limit // (1024 * 1024)} MB 的上限，未接收")
                out.write(chunk)
        if size == 0:
            raise HTTPException(400, f"「{target.name}」是空文件，未接收")
        return await asyncio.to_thread(_take_in, settings, gate, folder, actor)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _take_in(settings: Settings, gate: Gate, folder: Path, actor: str) -> dict[str, Any]:
    lines: list[dict[str, Any]] = []

    def received(receipt: Receipt, record: Record | None) -> None:
        lines.append(report_line(receipt, record, gate))

    with Registry.open(settings.registry_path) as registry, Workers(1) as workers:
        pipeline = Pipeline(registry, settings.data_dir, settings.ingest_options(), workers)
        pipeline.process(folder, on_receipt=received)
        if not lines:
            raise HTTPException(400, "上传的文件没有被处理（可能是临时文件或隐藏文件）")
        line = lines[0]
        with registry.batch():
            registry.audit("desk.upload", actor, tracking.now(), line.get("id"),
                           detail={"file": line.get("file"), "status": line.get("status")})  # fmt: skip
    return line


def stats_file(registry: Registry, settings: Settings, gate: Gate, year: int, kind: str) -> bytes:
    """The year's workbook or 通报, written through the gate, as bytes to download."""
    figures = tracking.statistics(registry, settings, Period.year(year))
    checkpoint = Checkpoint(gate)
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / ("统计.xlsx" if kind.endswith(".xlsx") else "通报.docx")
        if kind.endswith(".xlsx"):
            from followup.workbook import write_workbook

            register = tracking.register_rows(registry_path=settings.registry_path,
                                              period=figures.period)  # fmt: skip
            write_workbook(figures, path, checkpoint, register)
        else:
            from formatter.bulletin import write_bulletin

            write_bulletin(tracking.bulletin_figures(figures), path, settings.issue_unit,
                           checkpoint)  # fmt: skip
        return path.read_bytes()


__all__ = ["receive", "safe_name", "stats_file"]
