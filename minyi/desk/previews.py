"""Pictures of a kept original's pages for the desk: PDF pages and images as PNG, cached.

Rendered once per (content hash, page) into ``<data>/cache/previews/`` and read
from there afterwards. The kept original is read with the same limits intake
applies (pixels, pages); a page that cannot be drawn gives ``None`` and the
page says so instead of failing. Word files have no page pictures here: the desk
shows their recognised structure beside the text.
"""

from __future__ import annotations

import io
import itertools
import os
import threading
from pathlib import Path

from ingest.archive import Archive
from ingest.options import IngestOptions
from ingest.record import Format, Record

WIDTH = 1000  # pixels across: a page readable beside the text on a 1366×768 screen
_lock = threading.Lock()


def pictured(record: Record) -> bool:
    return record.format is Format.PDF or record.format.is_image


def page_count(record: Record) -> int:
    return max(1, record.page_count) if pictured(record) else 0


def preview(data_root: Path, record: Record, page: int, options: IngestOptions) -> bytes | None:
    """The PNG of ``page`` (1-based) of the kept original, or None where none can be drawn."""
    if not pictured(record) or not record.stored_as or page < 1:
        return None
    cache = data_root / "cache" / "previews" / f"{record.sha256}-{page}.png"
    try:
        return cache.read_bytes()
    except OSError:
        pass
    source = Archive(data_root).path(record.stored_as)
    try:
        png = (
            _pdf_page(source, page)
            if record.format is Format.PDF
            else _image(source, page, options)
        )
    except Exception:  # a broken original: the page says so, the desk goes on
        return None
    if png is None:
        return None
    with _lock:  # two requests for one page write one file
        cache.parent.mkdir(parents=True, exist_ok=True)
        temp = cache.with_name(f".{cache.name}.{os.getpid()}.{threading.get_ident()}")
        temp.write_bytes(png)
        os.replace(temp, cache)
    return png


def _pdf_page(path: Path, page: int) -> bytes | None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        if page > len(document):
            return None
        sheet = document[page - 1]
        width = sheet.get_width() or 595.0
        bitmap = sheet.render(scale=min(3.0, WIDTH / width))
        image = bitmap.to_pil()
        sheet.close()
    finally:
        document.close()
    return _png(image)


def _image(path: Path, page: int, options: IngestOptions) -> bytes | None:
    """The page as intake reads it (``scan.frames``: the pixel limit, EXIF turned upright,
    transparency on white, an animation's first frame), scaled to the desk's width."""
    from ingest.extractors.scan import frames

    shown = next(itertools.islice(frames(path.read_bytes(), options), page - 1, None), None)
    if shown is None:
        return None
    shown.thumbnail((WIDTH, WIDTH * 2))
    return _png(shown)


def _png(image: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)  # type: ignore[attr-defined]
    return out.getvalue()


__all__ = ["page_count", "pictured", "preview"]
