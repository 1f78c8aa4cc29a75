"""What a PDF page holds besides its text layer: pictures, annotations and form fields.

Read for screening (see ``ingest.pictures``): a stamp or a pasted 红头 image on a
page that otherwise has text, a comment or a filled-in form field. What the author
put on the page as text — a filled-in text field's value, a free-text box — is
also part of the page's text (``page_fields``: placed where it stands); comments
(sticky notes, popups) are not. Pages read by OCR as a whole are not looked at again. Form field values are read
through PDFium's form environment where the document has forms (a field's value
often sits on its parent, which the annotation itself does not show).
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.extractors import Picture
from ingest.record import Hidden

MAX_XFA_BYTES = 16 << 20  # a form's data beyond this is not read
MAX_XFA_VALUES = 5000
MIN_POINTS = 36  # half an inch: smaller images are icons, bullets, rules
MAX_ANNOTATIONS = 500
_KEYS = (b"Contents", b"V", b"TU")


def page_pictures(page: pdfium.PdfPage, number: int) -> list[Picture]:
    """The page's images of a readable size, rendered as they show (masks applied)."""
    found = []
    for index, obj in enumerate(
        page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)
    ):
        left, bottom, right, top = obj.get_bounds()
        if right - left < MIN_POINTS or top - bottom < MIN_POINTS:
            continue
        try:
            bitmap = obj.get_bitmap(render=True)
            image = bitmap.to_pil()
        except pdfium.PdfiumError:
            continue
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        found.append(Picture(f"第{number}页的图片{index + 1}", out.getvalue()))
    return found


def page_annotations(document: pdfium.PdfDocument, page: pdfium.PdfPage,
                     number: int) -> list[Hidden]:  # fmt: skip
    """Comments, free text and form field values of one page."""
    form = document.formenv.raw if document.formenv is not None else None
    found = []
    for annot in _annotations(page):
        texts = [_string(annot, key) for key in _KEYS]
        if form is not None:
            texts.append(_field_value(form, annot))
        text = "\n".join(dict.fromkeys(t.strip() for t in texts if t.strip()))
        if text:
            found.append(Hidden(f"第{number}页的批注或表单域", text))
    return found


@dataclass(frozen=True)
class Field:
    """Text the author put on the page outside its text layer, and where (PDF points)."""

    text: str
    left: float
    bottom: float
    right: float
    top: float


def page_fields(document: pdfium.PdfDocument, page: pdfium.PdfPage) -> list[Field]:
    """Filled-in text, combo and list fields and free-text boxes of one page."""
    form = document.formenv.raw if document.formenv is not None else None
    found = []
    rect = pdfium_c.FS_RECTF()
    for annot in _annotations(page):
        kind = pdfium_c.FPDFAnnot_GetSubtype(annot)
        text = ""
        if kind == pdfium_c.FPDF_ANNOT_FREETEXT:
            text = _string(annot, b"Contents")
        elif (
            kind == pdfium_c.FPDF_ANNOT_WIDGET
            and form is not None
            and pdfium_c.FPDFAnnot_GetFormFieldType(form, annot) in _TEXT_FIELDS
        ):
            text = _field_value(form, annot)
        if text.strip() and pdfium_c.FPDFAnnot_GetRect(annot, rect):
            found.append(Field(" ".join(text.split()), min(rect.left, rect.right),
                               min(rect.bottom, rect.top), max(rect.left, rect.right),
                               max(rect.bottom, rect.top)))  # fmt: skip
    return found


def xfa_values(document: pdfium.PdfDocument) -> list[str]:
    """The filled-in values of a dynamic XFA form, "label：value" in document order.

    Such a form (Adobe LiveCycle) has one placeholder page ("Please wait...") for viewers
    without XFA; what the submitter typed is in the "datasets" packet's data, one element
    per field. The XML is parsed as a Word part is: a DTD makes the file suspect."""
    from lxml import etree

    from ingest.safezip import parse_xml

    content = _xfa_packet(document, "datasets")
    if not content.strip():
        return []
    root = parse_xml(content, "XFA datasets")
    data = next((e for e in root.iter() if isinstance(e.tag, str)
                 and etree.QName(e).localname == "data"), root)  # fmt: skip
    found: list[str] = []
    for element in data.iter():
        if not isinstance(element.tag, str) or any(isinstance(c.tag, str) for c in element):
            continue
        value = " ".join((element.text or "").split())
        if value:
            label = etree.QName(element).localname.replace("_", " ").strip()
            found.append(f"{label}：{value}" if label else value)
            if len(found) >= MAX_XFA_VALUES:
                break
    return found


def xfa_template(document: pdfium.PdfDocument) -> list[Hidden]:
    """The printed words of a dynamic XFA form's template (captions, static text: where a
    密级 mark on such a form stands), for screening."""
    from ingest.safezip import parse_xml

    content = _xfa_packet(document, "template")
    if not content.strip():
        return []
    root = parse_xml(content, "XFA template")
    words = " ".join(" ".join(root.itertext()).split())
    return [Hidden("XFA 表单模板", words)] if words else []


def _xfa_packet(document: pdfium.PdfDocument, wanted: str) -> bytes:
    """One XFA packet's bytes (empty if absent or larger than MAX_XFA_BYTES)."""
    raw = document.raw
    for index in range(max(0, pdfium_c.FPDF_GetXFAPacketCount(raw))):
        size = pdfium_c.FPDF_GetXFAPacketName(raw, index, None, 0)
        name = ctypes.create_string_buffer(max(1, size))
        pdfium_c.FPDF_GetXFAPacketName(raw, index, name, size)
        if name.value.decode("latin-1") != wanted:
            continue
        length = ctypes.c_ulong()
        if not pdfium_c.FPDF_GetXFAPacketContent(raw, index, None, 0, ctypes.byref(length)):
            return b""
        if length.value > MAX_XFA_BYTES:
            return b""
        buffer = ctypes.create_string_buffer(max(1, length.value))
        pdfium_c.FPDF_GetXFAPacketContent(raw, index, buffer, length.value, ctypes.byref(length))
        return buffer.raw[: length.value]
    return b""


def _annotations(page: pdfium.PdfPage) -> Iterator[pdfium_c.FPDF_ANNOTATION]:
    """The page's annotations (at most MAX_ANNOTATIONS), each closed once looked at."""
    count = min(pdfium_c.FPDFPage_GetAnnotCount(page.raw), MAX_ANNOTATIONS)
    for index in range(count):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, index)
        if not annot:
            continue
        try:
            yield annot
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)


_TEXT_FIELDS = (
    pdfium_c.FPDF_FORMFIELD_TEXTFIELD,
    pdfium_c.FPDF_FORMFIELD_COMBOBOX,
    pdfium_c.FPDF_FORMFIELD_LISTBOX,
)


def _string(annot: pdfium_c.FPDF_ANNOTATION, key: bytes) -> str:
    size = pdfium_c.FPDFAnnot_GetStringValue(annot, key, None, 0)
    return _utf16(size, lambda buf, n: pdfium_c.FPDFAnnot_GetStringValue(annot, key, buf, n))


def _field_value(form: pdfium_c.FPDF_FORMHANDLE, annot: pdfium_c.FPDF_ANNOTATION) -> str:
    size = pdfium_c.FPDFAnnot_GetFormFieldValue(form, annot, None, 0)
    return _utf16(size, lambda buf, n: pdfium_c.FPDFAnnot_GetFormFieldValue(form, annot, buf, n))


def _utf16(size: int, fill: object) -> str:
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    fill(ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size)  # type: ignore[operator]
    return buffer.raw[: size - 2].decode("utf-16-le", "replace")
