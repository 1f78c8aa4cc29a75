"""The record type that flows through every stage, and its small value types.

Stages never mutate a record; they return a new copy (``dataclasses.replace``).
``formatter`` may import this module and nothing else of ``ingest``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    """What a file is, decided from its bytes (never from its name)."""

    DOCX = "docx"
    PDF = "pdf"
    TEXT = "text"
    DOC = "doc"  # OLE2 with a WordDocument stream: Word 97-2003 or Kingsoft WPS
    RTF = "rtf"
    ODT = "odt"
    HTML = "html"  # a web page: OA exports, Word's "web page" (often renamed .doc)
    MHT = "mht"  # a MIME single-file web page (Word's .mht/.mhtml)
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    BMP = "bmp"
    WEBP = "webp"
    GIF = "gif"
    HEIC = "heic"  # HEIF photos (iPhones), read with pillow-heif
    ENCRYPTED_OFFICE = "encrypted-office"  # OLE2 with EncryptedPackage
    ZIP = "zip"  # a zip that is not a known document
    OLE = "ole"  # another OLE2 compound file (.xls, .ppt, ...)
    UNKNOWN = "unknown"

    @property
    def is_image(self) -> bool:
        return self in (Format.JPEG, Format.PNG, Format.TIFF, Format.BMP, Format.WEBP, Format.GIF,
                        Format.HEIC)  # fmt: skip

    @property
    def suffix(self) -> str:
        """File-name suffix used for the kept copy of the original bytes."""
        return _SUFFIXES.get(self, ".bin")


_SUFFIXES = {
    Format.DOCX: ".docx",
    Format.PDF: ".pdf",
    Format.TEXT: ".txt",
    Format.DOC: ".doc",
    Format.RTF: ".rtf",
    Format.ODT: ".odt",
    Format.HTML: ".html",
    Format.MHT: ".mht",
    Format.JPEG: ".jpg",
    Format.PNG: ".png",
    Format.TIFF: ".tif",
    Format.BMP: ".bmp",
    Format.WEBP: ".webp",
    Format.GIF: ".gif",
    Format.HEIC: ".heic",
    Format.ZIP: ".zip",
}


class PageSource(StrEnum):
    """Where a page's text came from."""

    TEXT_LAYER = "text"  # the document's own text
    OCR = "ocr"
    NONE = "none"  # blank page, or a scan still waiting for OCR


class Status(StrEnum):
    """Where a submission stands in the office's workflow."""

    ACCEPTED = "accepted"
    FLAGGED = "flagged"  # accepted, with findings for the editor
    QUARANTINED = "quarantined"  # may not be composed until released

    @property
    def label(self) -> str:
        """As clerks read it (the review decision has labels of its own: 待审核 is one)."""
        return {"accepted": "已接收", "flagged": "有提示", "quarantined": "已隔离"}[self.value]


@dataclass(frozen=True)
class Page:
    """One page (or, for formats without pages, the whole document)."""

    number: int
    text: str
    source: PageSource = PageSource.TEXT_LAYER
    needs_ocr: bool = False
    confidence: float | None = None


@dataclass(frozen=True)
class Submitter:
    """The 反映人 as recognised from the text; fields are None when not stated."""

    raw: str
    name: str | None = None
    identity: str | None = None
    unit: str | None = None
    post: str | None = None
    phone: str | None = None
    cosigners: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "identity": self.identity,
            "unit": self.unit,
            "post": self.post,
            "phone": self.phone,
            "cosigners": list(self.cosigners),
            "raw": self.raw,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Submitter:
        return cls(
            raw=data["raw"],
            name=data.get("name"),
            identity=data.get("identity"),
            unit=data.get("unit"),
            post=data.get("post"),
            phone=data.get("phone"),
            cosigners=tuple(data.get("cosigners") or ()),
        )


@dataclass(frozen=True)
class Part:
    """One piece of a submission as recognised: its text, what it is, where it stood.

    ``kind``: ``title``, ``byline``, ``body`` (a paragraph) or ``heading1``–``heading4``
    (a body heading by its numbering, ``common.headings``), or furniture — ``header``, ``footer``,
    ``page_number``, ``masthead`` (the bulletin's name, issue number), ``mark`` (密级,
    内部资料), ``date``, ``imprint`` (编印, 抄送, the issuing office), ``contact`` (联系人,
    联系电话 lines: never printed as text) and ``chrome``
    (a phone screenshot's status bar, chat header, input bar). ``confidence`` is
    how sure the recogniser is (1.0: by a label or the document's own parts).
    """

    text: str
    kind: str
    where: str
    confidence: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "where": self.where,
                "confidence": round(self.confidence, 2)}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Part:
        return cls(str(data["text"]), str(data["kind"]), str(data.get("where", "")),
                   float(data.get("confidence", 1.0)))  # fmt: skip


@dataclass(frozen=True)
class Structure:
    """A submission's parts: title, byline(s), body paragraphs, and furniture.

    Furniture (headers, footers, page numbers, mastheads, screen chrome) stays in
    the record's text for screening but is never printed as body text.
    """

    title: Part | None = None
    bylines: tuple[Part, ...] = ()
    body: tuple[Part, ...] = ()
    furniture: tuple[Part, ...] = ()
    byline: str = ""  # the 反映人 as printed: labels, brackets and contact details removed

    @property
    def body_text(self) -> str:
        return "\n".join(part.text for part in self.body)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title.as_dict() if self.title else None,
            "bylines": [p.as_dict() for p in self.bylines],
            "body": [p.as_dict() for p in self.body],
            "furniture": [p.as_dict() for p in self.furniture],
            "byline": self.byline,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Structure:
        title = data.get("title")
        return cls(
            title=Part.from_dict(title) if title else None,
            bylines=tuple(Part.from_dict(p) for p in data.get("bylines") or ()),
            body=tuple(Part.from_dict(p) for p in data.get("body") or ()),
            furniture=tuple(Part.from_dict(p) for p in data.get("furniture") or ()),
            byline=str(data.get("byline") or ""),
        )


@dataclass(frozen=True)
class Finding:
    """Something a screening step noticed: data for the clerk, never an exception.

    ``kind`` is the family (``sensitive``, ``check``, ``ocr``); ``category`` the
    report value (e.g. ``secret.marking``); ``start``/``end`` are offsets into the
    record's text when the finding points at a passage.
    """

    kind: str
    category: str
    text: str = ""
    start: int | None = None
    end: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "category": self.category,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            kind=data["kind"],
            category=data["category"],
            text=data.get("text", ""),
            start=data.get("start"),
            end=data.get("end"),
            detail=dict(data.get("detail") or {}),
        )


@dataclass(frozen=True)
class Hidden:
    """Text in a file that is not part of its body: a picture's OCR, a PDF annotation or
    form field. Read for screening only; never printed, never stored (only what screening
    finds in it, with ``where``)."""

    where: str
    text: str


@dataclass(frozen=True)
class Record:
    """One submission: what was received, what was read from it, what was found."""

    sha256: str
    original_name: str
    format: Format
    pages: tuple[Page, ...]
    text: str
    title: str | None = None
    submitter: Submitter | None = None
    findings: tuple[Finding, ...] = ()
    status: Status = Status.ACCEPTED
    errors: tuple[str, ...] = ()
    id: str | None = None
    received_at: str | None = None
    stored_as: str | None = None
    hidden: tuple[Hidden, ...] = ()  # at intake only: the registry does not keep it
    structure: Structure | None = None  # title, bylines, body and furniture as recognised

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def ocr(self) -> bool:
        return any(p.source is PageSource.OCR for p in self.pages)

    def masked(self, text: str) -> str:
        """Any text taken from this record (a body paragraph) with its personal data masked.

        The findings' spans are in ``self.text``; the same values are masked wherever
        they stand in ``text``, also where a line break inside them was joined away.
        """
        for finding in self.findings:
            if not finding.category.startswith("pii.") or finding.start is None:
                continue
            value = self.text[finding.start : finding.end]
            for form in dict.fromkeys((value, re.sub(r"\s+", "", value))):
                if form:
                    text = text.replace(form, mask_value(finding.category, form))
        return text

    def masked_text(self) -> str:
        """The text with personal data masked: what any copy for forwarding must show."""
        text = self.text
        spans = sorted(
            (f.start, f.end, f.category)
            for f in self.findings
            if f.category.startswith("pii.") and f.start is not None and f.end is not None
        )
        for start, end, category in reversed(spans):
            text = text[:start] + mask_value(category, text[start:end]) + text[end:]
        return text


def mask_value(category: str, value: str) -> str:
    """A personal identifier as forwarded copies may show it: recognisable, not usable.

    Digits and letters in the middle become "*"; separators stay. Resident IDs,
    cards and codes keep four characters at each end (3201**********1234);
    mobile numbers keep the first three digits and the last four (138****5678).
    """
    positions = [i for i, ch in enumerate(value) if ch.isalnum()]
    head = len(positions) - 8 if category == "pii.mobile" else 4
    head = max(0, min(head, len(positions) - 5))
    hidden = set(positions[head:-4])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|]')


def safe_component(name: str, max_bytes: int = 180, fallback: str = "未命名") -> str:
    """``name`` (a 刊名, a title, a submitted file's name) as one safe file-name component.

    No path separators or characters Windows forbids, no ``..``, no control,
    format or direction characters, no leading dot or space, at most ``max_bytes``
    bytes of UTF-8 (most file systems allow 255).
    """
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    cleaned = re.sub(r"\.{2,}", ".", _UNSAFE_NAME.sub("_", visible)).strip(" ._")
    while len(cleaned.encode("utf-8")) > max_bytes:
        cleaned = cleaned[:-1]
    return cleaned.rstrip(" .") or fallback


def printable(text: str) -> str:
    """``text`` with control, format and direction characters escaped (``\\x1b``, ``\\u202e``),
    for file names shown in a terminal, a log or a reason file."""
    if text.isprintable():
        return text
    return "".join(ch if _shown(ch) else _escape(ch) for ch in text)


def _shown(ch: str) -> bool:
    return ch.isprintable() or unicodedata.category(ch) == "Zs"


def _escape(ch: str) -> str:
    code = ord(ch)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
