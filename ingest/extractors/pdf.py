"""PDF submissions with a text layer, read with PDFium (pypdfium2).

PDFium's text extraction is the fast path (an order of magnitude faster than
pdfminer-based readers on plain text). Each page is checked for usable text: a
page with (almost) no text but an image on it is a scan and is marked as
needing OCR, as is a page whose text layer decodes to garbage (fonts without a
Unicode map). Blank pages are kept as empty pages. Pictures on pages that have
text, annotations and form fields are handed on for screening (``pdf_hidden``);
filled-in form values and free-text boxes are also the page's text, where they stand.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from common.errors import ExtractionError
from ingest.extractors import Extraction, Picture
from ingest.extractors.pdf_hidden import (
    page_annotations,
    page_fields,
    page_pictures,
    xfa_template,
    xfa_values,
)
from ingest.extractors.pdf_order import ordered_lines
from ingest.layout import Line, is_page_mark, join_lines, page_lines
from ingest.ocr.page import read_page
from ingest.options import IngestOptions
from ingest.record import Hidden, Page, PageSource
from ingest.textnorm import normalise

if TYPE_CHECKING:
    from ingest.tools import Tools

_GARBAGE_SHARE = 0.3


class _NoXfaNotice(logging.Filter):
    """pypdfium2 logs, in English, that its PDFium cannot render XFA and how to rebuild it:
    not for a clerk. minyi reads an XFA form's data itself (``xfa_values``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without XFA support" not in record.getMessage()


logging.getLogger("pypdfium2._helpers.document").addFilter(_NoXfaNotice())


def extract(data: bytes, options: IngestOptions, tools: Tools | None = None) -> Extraction:
    """Per-page text; pages without usable text are read by OCR when ``tools`` are given."""
    # PDFium silently rebuilds a damaged cross-reference table, so a truncated
    # file would open and yield part of its text. A whole PDF ends with %%EOF.
    if b"%%EOF" not in data[-2048:]:
        raise ExtractionError(
            "PDF 文件不完整（缺少文件结束标记），可能下载或复制未完成；请重新获取原件"
        )
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(_load_error(str(exc))) from exc
    try:
        count = len(document)
        if count == 0:
            raise ExtractionError("PDF 中没有页面")
        if count > options.max_pages:
            raise ExtractionError(f"PDF 共 {count} 页，超过上限 {options.max_pages} 页")
        _init_forms(document)
        if document.get_formtype() == pdfium_c.FORMTYPE_XFA_FULL and (xfa := xfa_values(document)):
            # A dynamic XFA form: its page is a placeholder, the values are the text.
            return _xfa_extraction(document, xfa, count)
        pages: list[Page] = []
        all_lines: list[Line] = []
        pictures: list[Picture] = []
        hidden: list[Hidden] = []
        for index in range(count):
            page, lines = _read_page(document, index, options)
            if page.needs_ocr and tools is not None:
                page, lines = _ocr_page(document, index, options, tools)
            pages.append(page)
            all_lines.extend(lines)
            room = 0 if page.source is PageSource.OCR else 4 * options.max_pictures - len(pictures)
            more_pictures, more_hidden = _beside_text(document, index, room)
            pictures += more_pictures
            hidden += more_hidden
    except pdfium.PdfiumError as exc:
        raise ExtractionError(f"PDF 已损坏，无法读取页面内容（{exc}）") from exc
    finally:
        document.close()
    body = tuple(normalise(p) for p in join_lines(all_lines))
    return Extraction(pages=tuple(pages), body=tuple(p for p in body if p),
                      pictures=tuple(pictures), hidden=tuple(hidden))  # fmt: skip


def _xfa_extraction(document: pdfium.PdfDocument, values: list[str],
                    count: int) -> Extraction:  # fmt: skip
    """A dynamic XFA form: its pages are placeholders ("Please wait..."), the values the
    submitter filled in are the text; the template's printed words are screened."""
    body = tuple(p for p in (normalise(v) for v in values) if p)
    pages = [Page(1, "\n".join(body), PageSource.TEXT_LAYER)]
    pages += [Page(n, "", PageSource.NONE) for n in range(2, count + 1)]
    return Extraction(pages=tuple(pages), body=body, hidden=tuple(xfa_template(document)))


def _init_forms(document: pdfium.PdfDocument) -> None:
    """PDFium's form environment, so that form field values can be read (none: no forms)."""
    with contextlib.suppress(pdfium.PdfiumError):
        document.init_forms()


def _beside_text(document: pdfium.PdfDocument, index: int,
                 room: int) -> tuple[list[Picture], list[Hidden]]:  # fmt: skip
    """A page's pictures (up to ``room``) and annotations, for screening only."""
    page = document[index]
    try:
        pictures = page_pictures(page, index + 1)[: max(0, room)] if room > 0 else []
        return pictures, page_annotations(document, page, index + 1)
    finally:
        page.close()


def _read_page(
    document: pdfium.PdfDocument, index: int, options: IngestOptions
) -> tuple[Page, list[Line]]:
    page = document[index]
    try:
        textpage = page.get_textpage()
        fields = page_fields(document, page)  # filled-in form values, free-text boxes
        try:
            raw = textpage.get_text_range()
            ordered = ordered_lines(textpage, raw, page.get_width(), fields, page.get_rotation())
        finally:
            textpage.close()
        meaningful = [ch for ch in raw + "".join(f.text for f in fields) if not ch.isspace()]
        garbage = sum(1 for ch in meaningful if _is_garbage(ch))
        if meaningful and garbage / len(meaningful) > _GARBAGE_SHARE:
            return Page(index + 1, "", PageSource.NONE, needs_ocr=True), []
        if meaningful and _byte_swapped(meaningful):
            return Page(index + 1, "", PageSource.NONE, needs_ocr=True), []
        if len(meaningful) < options.min_page_chars and _has_image(page):
            return Page(index + 1, "", PageSource.NONE, needs_ocr=True), []
    finally:
        page.close()
    if ordered is None:
        lines = page_lines(raw) + [Line(f.text, full=False) for f in fields]
    else:
        while ordered and is_page_mark(ordered[-1].text.strip()):
            ordered.pop()  # the page number, at the foot (or the head) of the page
        while ordered and is_page_mark(ordered[0].text.strip()):
            ordered.pop(0)
        lines = ordered
    text = normalise("\n".join(join_lines(lines)))
    source = PageSource.TEXT_LAYER if text else PageSource.NONE
    return Page(index + 1, text, source), lines


def _ocr_page(document: pdfium.PdfDocument, index: int, options: IngestOptions,
              tools: Tools) -> tuple[Page, list[Line]]:  # fmt: skip
    engine = tools.ocr()
    page = document[index]
    try:
        bitmap = page.render(scale=options.ocr_dpi / 72)
        image = bitmap.to_pil().convert("RGB")
        bitmap.close()
    finally:
        page.close()
    reading = read_page(engine, image)
    text = normalise(reading.text)
    return Page(index + 1, text, PageSource.OCR, confidence=reading.confidence), reading.lines


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3))


def _byte_swapped(chars: list[str]) -> bool:
    """A text layer whose two-byte codes were read the wrong way round: "Mult…" comes out
    as 䴀甀氀琀, every character U+xx00 with an ASCII letter for its high byte. Real text
    has few such characters (一 is U+4E00), never most of them."""
    swapped = sum(1 for ch in chars if ord(ch) & 0xFF == 0 and 0x20 <= ord(ch) >> 8 < 0x7F)
    return swapped > 0.5 * len(chars)


def _is_garbage(ch: str) -> bool:
    cp = ord(ch)
    return cp == 0xFFFD or 0xE000 <= cp <= 0xF8FF or cp < 0x20


def _load_error(detail: str) -> str:
    if "password" in detail.lower():
        return "PDF 设置了打开密码（已加密），无法读取；请联系提交人去除密码后重新提交"
    if "format" in detail.lower() or "file" in detail.lower():
        return "PDF 已损坏或不完整，无法打开"
    return f"PDF 无法打开（{detail}）"
