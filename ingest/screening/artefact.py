"""The text of an artefact about to leave, as the gate screens it.

Reads what minyi itself wrote — a folder of outputs, a zip and each of its
members, .docx (every XML part: body, headers, footers, properties), PDF (page
text and metadata), HTML, .xlsx (every cell; a formula is a problem in itself),
JSON and plain text — into pieces of text named by where they are. Images are
minyi's own drawings (the 通报's chart) and carry no submitted text; they are
listed with no text. Problems that are not about text (a formula cell, a zip
member name with a folder or ``..`` in it) are reported beside the text.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ingest.safezip import parse_xml

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf"}
_UNSAFE_MEMBER = re.compile(r"[\\/\x00-\x1f\x7f]|^\.\.?$|^\s|\s$")
FORMULA = "format.formula"
MEMBER_NAME = "format.member_name"


@dataclass(frozen=True)
class ArtefactText:
    """One readable piece of an artefact."""

    where: str
    text: str
    problems: tuple[tuple[str, str], ...] = field(default=())


def read_artefact(path: Path) -> list[ArtefactText]:
    """Every piece of text in ``path`` (a file, or every file under a folder)."""
    if path.is_dir():
        return [part for p in sorted(path.rglob("*")) if p.is_file() for part in read_artefact(p)]
    return list(read_bytes(path.name, path.read_bytes()))


def read_bytes(name: str, data: bytes, where: str | None = None) -> Iterator[ArtefactText]:
    where = where or name
    suffix = Path(name).suffix.lower()
    if suffix == ".zip":
        yield from _zip(data, where)
    elif suffix in (".docx", ".docm", ".dotx"):
        yield from _docx(data, where)
    elif suffix == ".pdf":
        yield from _pdf(data, where)
    elif suffix in (".html", ".htm", ".xhtml"):
        yield ArtefactText(where, html_text(data))
    elif suffix in (".xlsx", ".xlsm"):
        yield _xlsx(data, where)
    elif suffix in (".json", ".jsonl"):
        yield ArtefactText(where, _json_text(data.decode("utf-8", "replace")))
    elif suffix in _IMAGES:
        yield ArtefactText(where, "")
    else:
        yield ArtefactText(where, data.decode("utf-8", "replace"))


def _zip(data: bytes, where: str) -> Iterator[ArtefactText]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            inner = f"{where} › {info.filename}"
            if _UNSAFE_MEMBER.search(info.filename) or ".." in info.filename:
                yield ArtefactText(inner, "", ((MEMBER_NAME, info.filename),))
            if not info.is_dir():
                yield from read_bytes(info.filename, archive.read(info), inner)


def _docx(data: bytes, where: str) -> Iterator[ArtefactText]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                root = parse_xml(archive.read(name), name)
                yield ArtefactText(f"{where} › {name}", _ooxml_text(root))


def _ooxml_text(root: etree._Element) -> str:
    """Paragraph by paragraph for WordprocessingML; every text node otherwise."""
    paragraphs = list(root.iter(f"{_W}p"))
    if not paragraphs:
        return "\n".join(t.strip() for t in root.itertext() if t.strip())
    lines = []
    for para in paragraphs:
        pieces = []
        for node in para.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}instrText"):
            pieces.append("\t" if node.tag == f"{_W}tab" else "\n" if node.tag == f"{_W}br"
                          else node.text or "")  # fmt: skip
        lines.append("".join(pieces))
    return "\n".join(lines)


def _pdf(data: bytes, where: str) -> Iterator[ArtefactText]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        meta = document.get_metadata_dict()
        yield ArtefactText(f"{where} › 文档属性", "\n".join(str(v) for v in meta.values() if v))
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            yield ArtefactText(f"{where} › 第{index + 1}页", text)
            textpage.close()
            page.close()
    finally:
        document.close()


def html_text(data: bytes) -> str:
    """The text a browser shows, read as the HTML extractor reads a submission."""
    from ingest.extractors.html import page_text

    return page_text(data.decode("utf-8", "replace"))


def _xlsx(data: bytes, where: str) -> ArtefactText:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    lines, problems = [], []
    for sheet in book.worksheets:
        lines.append(sheet.title)
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                if cell.data_type == "f":
                    problems.append((FORMULA, f"{sheet.title}!{cell.coordinate} {cell.value}"))
                values.append("" if cell.value is None else str(cell.value))
            lines.append("\t".join(values))
    return ArtefactText(where, "\n".join(lines), tuple(problems))


def _json_text(text: str) -> str:
    """Every string of a JSON document or of each line of a JSON-lines file."""
    strings: list[str] = []
    try:
        _strings(json.loads(text), strings)
    except ValueError:
        for line in text.splitlines():
            try:
                _strings(json.loads(line), strings)
            except ValueError:
                strings.append(line)
    return "\n".join(strings)


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)
