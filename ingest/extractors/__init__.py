"""The extractor seam: one module per format, listed in one explicit mapping.

An extractor turns a file's bytes into an :class:`Extraction` (pages and body
paragraphs) or raises :class:`common.errors.ExtractionError` with the reason in
Chinese. Formats without an extractor get a clear rejection message instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from common.errors import ExtractionError, UnsupportedFormatError
from ingest.options import IngestOptions
from ingest.record import Format, Hidden, Page
from office import OfficeError

if TYPE_CHECKING:
    from ingest.tools import Tools


# Picture formats OCR can read; vector drawings (EMF, WMF) carry their text as text.
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class Picture:
    """A picture inside a document: where it is (as a clerk would say) and its bytes."""

    where: str
    data: bytes


@dataclass(frozen=True)
class Extraction:
    """What an extractor read.

    ``pages`` hold the full text, page by page, in storage form (see textnorm).
    ``body`` lists the paragraphs of the main text only, without headers,
    footers or notes: recognition of title and 反映人 looks there; ``furniture``
    names what the extractor knows is not main text (a Word document's headers
    and footers), which stays in ``pages`` for screening. ``pictures``
    (read by OCR for screening) and ``hidden`` (annotations, form fields) are
    screened but are not the submission's text (see ``ingest.pictures``).
    """

    pages: tuple[Page, ...]
    body: tuple[str, ...]
    pictures: tuple[Picture, ...] = field(default=(), repr=False)
    hidden: tuple[Hidden, ...] = ()
    furniture: tuple[tuple[str, str], ...] = ()  # (where, text): headers, footers, notes

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages if p.text)


class Extractor(Protocol):
    def __call__(self, data: bytes, options: IngestOptions, tools: Tools) -> Extraction: ...


def _docx(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    from ingest.extractors import docx

    return docx.extract(data, options)


def _pdf(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    from ingest.extractors import pdf

    return pdf.extract(data, options, tools)


def _text(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    from ingest.extractors import text

    return text.extract(data, options)


def _html(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    from ingest.extractors import html

    return html.extract_html(data, options)


def _mht(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    from ingest.extractors import html

    return html.extract_mht(data, options)


def _scan(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
    from ingest.extractors import scan

    return scan.extract(data, options, tools)


def _converted(suffix: str) -> Extractor:
    """Formats LibreOffice converts to .docx, which the .docx extractor then reads."""

    def extract(data: bytes, options: IngestOptions, tools: Tools) -> Extraction:
        from ingest.extractors import docx

        try:
            converted = tools.office().to_docx(data, suffix)
        except OfficeError as exc:
            raise ExtractionError(exc.message) from None
        return docx.extract(converted, options)

    return extract


EXTRACTORS: dict[Format, Extractor] = {
    Format.DOCX: _docx,
    Format.PDF: _pdf,
    Format.TEXT: _text,
    Format.HTML: _html,
    Format.MHT: _mht,
    Format.DOC: _converted(".doc"),  # Word 97-2003 and Kingsoft WPS alike
    Format.RTF: _converted(".rtf"),
    Format.ODT: _converted(".odt"),
    Format.JPEG: _scan,
    Format.PNG: _scan,
    Format.TIFF: _scan,
    Format.BMP: _scan,
    Format.WEBP: _scan,
    Format.GIF: _scan,
    Format.HEIC: _scan,
}

_UNSUPPORTED: dict[Format, str] = {
    Format.ENCRYPTED_OFFICE: "文件设置了打开密码（已加密），无法读取；请联系提交人去除密码后重新提交",
    Format.ZIP: "这是压缩包或无法识别的 ZIP 文件，不是 Word 文档；请解压后提交其中的文档",
    Format.OLE: "这是 Office 复合文档，但不是 Word 文稿（可能是 Excel、PowerPoint）；请提交 Word 或 PDF",
    Format.UNKNOWN: "无法识别的文件格式（不是 Word、PDF 或文本文件），可能已损坏",
}


def extractor_for(fmt: Format) -> Extractor:
    """The extractor for ``fmt``, or an error saying why the format is not read."""
    if fmt in EXTRACTORS:
        return EXTRACTORS[fmt]
    raise UnsupportedFormatError(_UNSUPPORTED.get(fmt, _UNSUPPORTED[Format.UNKNOWN]))
