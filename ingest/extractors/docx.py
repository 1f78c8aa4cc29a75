"""Word .docx submissions, read from the OOXML parts directly.

python-docx sees body paragraphs and tables but misses text boxes (where 密级
marks and document numbers often sit), notes, and text inside tracked changes.
This reader walks the XML itself, in reading order:

* headers first (a 密级 mark or 内部资料 line usually lives there), then the body,
  then footnotes and endnotes, then footers;
* tables row by row: a row of one-line cells becomes one tab-separated line;
* text boxes are read where they are anchored, before the anchoring paragraph;
* tracked changes as if accepted: insertions kept, deletions dropped, a deleted
  paragraph mark joins two paragraphs;
* field codes are skipped, field results kept; of an ``mc:AlternateContent`` only
  the first choice is read, so a text box is not read twice;
* automatic list numbering is written out as Word shows it (``一、`` ``（二）``
  ``3.``), see ``numbering``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from lxml import etree

from common.errors import ExtractionError
from ingest.extractors import PICTURE_SUFFIXES, Extraction, Picture
from ingest.extractors.numbering import Numbering
from ingest.options import IngestOptions
from ingest.record import Page
from ingest.safezip import SafeZip
from ingest.textnorm import normalise, paragraphs

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = R + "/officeDocument"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, TBL, TR, TC, SDT, SDT_CONTENT = map(_w, ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
T, TAB, BR, CR, SYM = map(_w, ("t", "tab", "br", "cr", "sym"))
NO_BREAK_HYPHEN, TXBX = _w("noBreakHyphen"), _w("txbxContent")
PPR, RPR = _w("pPr"), _w("rPr")
ALT_CONTENT, CHOICE, FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"
# Elements whose content is never read: deletions, field codes, properties.
_SKIP = frozenset(
    map(
        _w,
        (
            "del",
            "moveFrom",
            "delText",
            "instrText",
            "delInstrText",
            "pPr",
            "rPr",
            "sectPr",
            "tblPr",
            "tblGrid",
            "trPr",
            "tcPr",
            "sdtPr",
            "sdtEndPr",
            "footnoteReference",
            "endnoteReference",
            "commentReference",
            "annotationRef",
            "footnoteRef",
            "endnoteRef",
            "separator",
            "continuationSeparator",
            "bookmarkStart",
            "bookmarkEnd",
        ),
    )
)
_PAGE_NUMBER = re.compile(
    r"^[-—–－\s]*(第\s*)?\d+\s*(页)?(\s*/\s*\d+|\s*共\s*\d+\s*页)?[-—–－\s]*$"
)


def extract(data: bytes, options: IngestOptions) -> Extraction:
    package = SafeZip.open(data, options)
    try:
        main = _main_part(package)
        document = package.xml(main)
        rels = _relationships(package, main)
        body_el = document.find(_w("body"))
        if body_el is None:
            raise ExtractionError("文件不是有效的 Word 文档（缺少正文部分）")
        numbering = Numbering.parse(
            _part(package, rels, "numbering"), _part(package, rels, "styles")
        )
        body = _clean(_blocks(body_el, numbering))
        headers = _clean(_part_blocks(package, rels, _section_refs(document, "headerReference")))
        footers = _clean(_part_blocks(package, rels, _section_refs(document, "footerReference")))
        notes = _clean(_notes(package, rels, "footnotes", "footnote"))
        notes += _clean(_notes(package, rels, "endnotes", "endnote"))
        pictures = _pictures(package, main, rels)
    finally:
        package.close()
    headers = [h for h in headers if not _PAGE_NUMBER.match(h)]
    footers = [f for f in footers if not _PAGE_NUMBER.match(f)]
    text = "\n".join(headers + body + notes + footers)
    furniture = tuple([("页眉", h) for h in headers] + [("页脚", f) for f in footers])
    return Extraction(pages=(Page(number=1, text=text),), body=tuple(body), pictures=pictures,
                      furniture=furniture)  # fmt: skip


_PLACES = {"header": "页眉", "footer": "页脚"}


def _pictures(package: SafeZip, main: str,
              rels: dict[str, tuple[str, str]]) -> tuple[Picture, ...]:  # fmt: skip
    """The pictures of the body, the headers and the footers (text boxes included)."""
    parts = [(main, "正文")] + [(name, _PLACES[kind]) for kind, name in rels.values()
                                if kind in _PLACES and name in package.names]  # fmt: skip
    seen: set[str] = set()
    found = []
    for part, place in parts:
        for kind, target in _relationships(package, part).values():
            if (kind == "image" and target in package.names and target not in seen
                    and target.lower().endswith(PICTURE_SUFFIXES)):  # fmt: skip
                seen.add(target)
                where = f"{place}中的图片 {posixpath.basename(target)}"
                found.append(Picture(where, package.read(target)))
    return tuple(found)


def _part(package: SafeZip, rels: dict[str, tuple[str, str]], kind: str) -> etree._Element | None:
    """The document's part of this relationship type (numbering, styles), if it has one."""
    for rel_type, name in rels.values():
        if rel_type == kind and name in package.names:
            return package.xml(name)
    return None


def _clean(blocks: Iterator[str] | list[str]) -> list[str]:
    """Normalise and drop empties, keeping each distinct header/footer line once."""
    out: list[str] = []
    for block in blocks:
        out.extend(paragraphs(normalise(block)))
    return out


def _main_part(package: SafeZip) -> str:
    if "_rels/.rels" in package.names:
        for rel in package.xml("_rels/.rels").iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("Type") == OFFICE_DOCUMENT:
                target = (rel.get("Target") or "").lstrip("/")
                if target in package.names:
                    return target
    return "word/document.xml"


def _relationships(package: SafeZip, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type suffix, part name) for ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in package.names:
        return {}
    out = {}
    for rel in package.xml(rels_name).iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id") or ""] = (
            (rel.get("Type") or "").rsplit("/", 1)[-1],
            posixpath.normpath(path),
        )
    return out


def _section_refs(document: etree._Element, tag: str) -> list[str]:
    ids = [el.get(f"{{{R}}}id") or "" for el in document.iter(_w(tag))]
    return list(dict.fromkeys(ids))


def _part_blocks(
    package: SafeZip, rels: dict[str, tuple[str, str]], ids: list[str]
) -> Iterator[str]:
    seen: set[str] = set()
    for rid in ids:
        if rid not in rels or rels[rid][1] in seen or rels[rid][1] not in package.names:
            continue
        seen.add(rels[rid][1])
        yield from _blocks(package.xml(rels[rid][1]))


def _notes(
    package: SafeZip, rels: dict[str, tuple[str, str]], kind: str, tag: str
) -> Iterator[str]:
    for rel_type, part in rels.values():
        if rel_type == kind and part in package.names:
            for note in package.xml(part).iter(_w(tag)):
                if note.get(_w("type")) in (None, "normal"):
                    yield from _blocks(note)


def _blocks(container: etree._Element, numbering: Numbering | None = None) -> Iterator[str]:
    """Paragraph texts of a block container, in reading order, with list labels."""
    carry = ""  # text of a paragraph whose mark was deleted: it joins the next one
    for child in container:
        tag = child.tag
        if tag == P:
            text, boxes = _paragraph(child)
            if numbering is not None:
                text = numbering.label(child) + text
            for box in boxes:
                yield from _blocks(box, numbering)
            if _mark_deleted(child):
                carry += text
                continue
            yield carry + text
            carry = ""
        elif tag == TBL:
            yield from _table(child, numbering)
        elif tag == ALT_CONTENT:
            yield from _blocks(_chosen(child), numbering)
        elif tag in _SKIP or not isinstance(tag, str):
            continue
        else:  # sdt, sdtContent, customXml, ins, moveTo, smartTag at block level
            yield from _blocks(child, numbering)
    if carry:
        yield carry


def _table(table: etree._Element, numbering: Numbering | None = None) -> Iterator[str]:
    for row in table.iter(TR):
        if row.getparent() is not None and _nearest_table(row) is not table:
            continue  # rows of nested tables are read through their cell
        cells = [list(_blocks(tc, numbering)) for tc in row if tc.tag == TC]
        cells += [list(_blocks(tc, numbering)) for sdt in row if sdt.tag == SDT
                  for tc in sdt.iter(TC)]  # fmt: skip
        if all(len(c) <= 1 for c in cells):
            line = "\t".join(c[0].strip() for c in cells if c and c[0].strip())
            if line:
                yield line
        else:
            for cell in cells:
                yield from cell


def _nearest_table(el: etree._Element) -> etree._Element | None:
    parent = el.getparent()
    while parent is not None and parent.tag != TBL:
        parent = parent.getparent()
    return parent


def _paragraph(p: etree._Element) -> tuple[str, list[etree._Element]]:
    out: list[str] = []
    boxes: list[etree._Element] = []
    _inline(p, out, boxes)
    return "".join(out), boxes


def _inline(el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
    for child in el:
        tag = child.tag
        if tag == T:
            out.append(child.text or "")
        elif tag == TAB:
            out.append("\t")
        elif tag in (BR, CR):
            out.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            out.append("-")
        elif tag == SYM:
            out.append(_symbol(child))
        elif tag == TXBX:
            boxes.append(child)
        elif tag == ALT_CONTENT:
            _inline(_chosen(child), out, boxes)
        elif tag in _SKIP or not isinstance(tag, str):
            continue
        else:
            _inline(child, out, boxes)


def _chosen(alternate: etree._Element) -> etree._Element:
    for tag in (CHOICE, FALLBACK):
        found = alternate.find(tag)
        if found is not None:
            return found
    return etree.Element("empty")


def _mark_deleted(p: etree._Element) -> bool:
    rpr = p.find(f"{PPR}/{RPR}")
    return rpr is not None and rpr.find(_w("del")) is not None


def _symbol(sym: etree._Element) -> str:
    code = sym.get(_w("char")) or ""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    # Symbol fonts map into F000-F0FF; the low byte is the Latin-1 position.
    if 0xF000 <= value <= 0xF0FF:
        value -= 0xF000
    return chr(value) if value >= 0x20 and chr(value).isprintable() else ""
