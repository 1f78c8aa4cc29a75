"""The issue as a GB/T 9704-2012 .docx: 版头, 要目, 编者按, items and 版记 on a 22 × 28 grid.

Every paragraph has an exact line pitch of one grid line (the 刊名 two), so the
page holds 22 lines in Word, WPS and LibreOffice alike, and 三号 text condensed
by 0.25 pt fills 28 characters a line. Styles carry the typography (both font
names on each, Latin in Times New Roman); the body only names styles. The
masthead rule is a line shape placed on the page, so it takes no grid line;
the 版记 is a table of exact-height rows, padded down to the foot of the last
page by empty grid lines.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from lxml import etree

from formatter import layout as L
from formatter import wordxml as X
from formatter.compose import Block, BlockKind, blocks
from formatter.context import Copy, Row, colophon, masthead, submitter_text
from formatter.issue import Issue, Item, SubmitterPlace
from formatter.template import Template

CHAR = 320  # one 三号 character in twips (indents are counted in characters)
KEEP_WITH_NEXT = {"文章标题", "要目标题", "一级标题", "二级标题", "三级标题", "四级标题"}
SMALL_CHAR = 280  # one 四号 character


@dataclass(frozen=True)
class Built:
    data: bytes
    lines: int  # grid lines used, padding and 版记 included
    padding: int  # empty grid lines put before the 版记


class DocumentBuilder:
    """Builds one issue's .docx; ``padding`` overrides the predicted 版记 padding."""

    def __init__(self, template: Template, issue: Issue, copy: Copy) -> None:
        self.t = template
        self.issue = issue
        self.copy = copy
        self.doc = Document()
        self.lines = 0
        self._kept = 0  # lines of the keep-with-next paragraphs just added
        self._setup_page()
        self._styles()

    # -- page and styles --------------------------------------------------------------------
    def _setup_page(self) -> None:
        section = blank_page(self.doc)
        section.header_distance, section.footer_distance = Mm(15), Mm(L.FOOTER_MM)
        X.child(section._sectPr, "w:docGrid", type="lines", linePitch=L.LINE_TWIPS)
        self.doc.settings.odd_and_even_pages_header_footer = True
        for footer, align, indent in ((section.footer, "right", "right"),
                                      (section.even_page_footer, "left", "left")):  # fmt: skip
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            X.paragraph_props(p._p.get_or_add_pPr(), line=round(L.SMALL_PT * 20), align=align,
                              left=SMALL_CHAR if indent == "left" else 0,
                              right=SMALL_CHAR if indent == "right" else 0)  # fmt: skip
            rpr = X.element("w:rPr")
            f = self.t.fonts
            X.run_props(rpr, east_asian=f.page_number, latin=f.page_number, size_pt=L.SMALL_PT)
            X.page_number_field(p._p, rpr)

    def _styles(self) -> None:
        f, red = self.t.fonts, self.t.red
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        X.run_props(rpr, east_asian=f.body, latin=f.latin, size_pt=L.BODY_PT)
        body = L.LINE_TWIPS
        self._style("Normal", f.body, L.BODY_PT, condense=True, first_line=2 * CHAR, line=body)
        self._style("刊名", f.title, self.t.journal_size, color=red, align="center",
                    line=2 * L.LINE_TWIPS, snap=False)  # fmt: skip
        self._style("期号", f.body, L.BODY_PT, align="center", line=body)
        self._style("版头", f.body, L.BODY_PT, tabs=(("right", X.mm(L.BLOCK_W_MM)),), line=body)
        self._style("文章标题", f.title, L.TITLE_PT, align="center", outline=0, keep_next=True,
                    snap=False, line=body)  # fmt: skip
        self._style("反映人", f.heading2, L.BODY_PT, condense=True, align="center", line=body)
        self._style("要目标题", f.heading1, L.BODY_PT, align="center", keep_next=True, line=body)
        self._style("要目", f.heading2, L.BODY_PT, condense=True, first_line=2 * CHAR, line=body)
        self._style("编者按", f.heading2, L.BODY_PT, condense=True, first_line=2 * CHAR, line=body)
        for level, face in enumerate((f.heading1, f.heading2, f.body, f.body), start=1):
            name = ("一级标题", "二级标题", "三级标题", "四级标题")[level - 1]
            self._style(name, face, L.BODY_PT, condense=True, first_line=2 * CHAR,
                        outline=level, keep_next=True, line=body)  # fmt: skip
            self._char_style(f"{name}字", face)
        self._style("表格", f.body, L.BODY_PT, condense=True, align="center", line=body)
        self._style("版记", f.body, L.SMALL_PT, line=L.LINE_TWIPS, left=SMALL_CHAR,
                    right=SMALL_CHAR)  # fmt: skip
        self._font_table()
        self._ids = {s.name: s.style_id for s in self.doc.styles if s.name}

    def _style(self, name: str, face: str, size: float, *, line: int, condense: bool = False,
               color: str | None = None, **ppr: object) -> None:  # fmt: skip
        styles = self.doc.styles
        style = (
            styles[name] if name == "Normal" else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        )
        if name != "Normal":
            style.base_style = styles["Normal"]
            style.quick_style = True
        X.paragraph_props(style.element.get_or_add_pPr(), line=line, **ppr)  # type: ignore[arg-type]
        X.run_props(style.element.get_or_add_rPr(), east_asian=face, latin=self.t.fonts.latin,
                    size_pt=size, color=color or self.t.black,
                    condense=L.CONDENSE_TWIPS if condense else 0)  # fmt: skip

    def _char_style(self, name: str, face: str) -> None:
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
        rpr = style.element.get_or_add_rPr()
        X.run_props(rpr, east_asian=face, latin=self.t.fonts.latin, size_pt=L.BODY_PT,
                    condense=L.CONDENSE_TWIPS)  # fmt: skip

    def _font_table(self) -> None:
        """Each standard font with the alternative Word/WPS use when it is not installed."""
        part = self.doc.part.part_related_by(RT.FONT_TABLE)
        root = etree.fromstring(part.blob)
        for name, alternative in self.t.fonts.fallbacks().items():
            font = X.element("w:font", name=name)
            font.append(X.element("w:altName", val=alternative))
            font.append(X.element("w:charset", val="86"))  # GB2312
            font.append(X.element("w:family", val="auto"))
            root.append(font)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    # -- content ----------------------------------------------------------------------------
    def para(self, style: str, text: str = "", lines: int | None = None) -> Paragraph:
        p = self.doc.add_paragraph(text)
        p._p.style = self._ids[style]  # by id: python-docx looks names up one by one
        self._advance(lines if lines is not None else self._predict(style, text),
                      style in KEEP_WITH_NEXT)  # fmt: skip
        return p

    def _advance(self, lines: int, keep_next: bool = False) -> None:
        """Count grid lines, as the layout will: headings kept with the next paragraph
        that end a page move to the next one, leaving their lines empty."""
        if not keep_next and self._kept and self.lines % L.LINES_PER_PAGE == 0:
            self.lines += self._kept
        self._kept = self._kept + lines if keep_next else 0
        self.lines += lines

    def _predict(self, style: str, text: str) -> int:
        indent = 2 * L.BODY_PT if style in ("Normal", "要目", "编者按") or "级标题" in style else 0
        return L.line_count(text, L.BODY_PT, first_indent_pt=indent)

    def build(self, padding: int | None = None) -> Built:
        self.masthead()
        if len(self.issue.items) > 1:
            self.contents()
        if self.issue.foreword:
            self.foreword()
        for i, item in enumerate(self.issue.items):
            if i:
                self.para("Normal", lines=1)
            self.item(item)
        rows = colophon(self.issue, self.t)
        height = sum(row.lines for row in rows)
        used = self.lines % L.LINES_PER_PAGE
        free = (L.LINES_PER_PAGE - used) % L.LINES_PER_PAGE
        predicted = free - height if free >= height else free + L.LINES_PER_PAGE - height
        pad = predicted if padding is None else padding
        for _ in range(pad):
            self.para("Normal", lines=1)
        self.colophon(rows)
        self._properties()
        out = io.BytesIO()
        self.doc.save(out)
        return Built(out.getvalue(), self.lines, pad)

    def _properties(self) -> None:
        """The file's properties are the issue's and the office's, not the template's
        (python-docx's: author "python-docx", dated 2013, a Mac Word thumbnail)."""
        issue = self.issue
        props = self.doc.core_properties
        props.title = f"{issue.journal}{issue.year}年{issue.label}"
        props.subject = issue.journal
        props.author = props.last_modified_by = issue.unit or issue.journal
        props.comments = props.keywords = props.category = ""
        props.revision = 1
        when = _moment(issue.updated_at) or _moment(issue.created_at)
        if when is None and issue.issued is not None:
            when = dt.datetime.combine(issue.issued, dt.time(9), tzinfo=dt.UTC)
        when = when or dt.datetime.now(dt.UTC).replace(microsecond=0)
        props.created = _moment(issue.created_at) or when
        props.modified = props.last_printed = when
        package = self.doc.part.package
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                package.rels.pop(rid)
        app = next(p for p in package.iter_parts() if str(p.partname) == "/docProps/app.xml")
        app._blob = _APP_XML

    def masthead(self) -> None:
        head, t = masthead(self.issue, self.t), self.t
        # GB/T 9704 7.2.1/7.2.2: 份号 on the first line at the top left, the 密级 (with its
        # period) on the second; without a 份号 the mark takes the first line.
        if head.copy_number:
            self.para("版头", head.copy_number, lines=1)
        if head.mark:
            self.para("版头", lines=1).add_run(head.mark).style = "一级标题字"
        self.para("刊名", head.journal, lines=2)
        self.para("期号", head.number, lines=1)
        p = self.para("版头", f"{head.unit}\t{head.date}", lines=1)
        # The rule is placed on the page 4 mm under the unit line's characters; 2.6 mm is
        # where their bottom sits above the line's lower edge (measured in the PDF).
        rule_y = L.TOP_MM + self.lines * L.LINE_TWIPS / X.TWIPS_PER_MM + t.rule_gap_mm - 2.6
        p._p.append(X.line_shape(L.LEFT_MM, rule_y, L.BLOCK_W_MM, t.rule_pt, t.red, "版头分隔线"))
        self.para("Normal", lines=1)

    def contents(self) -> None:
        self.para("要目标题", self.t.say("contents_heading"))
        for n, item in enumerate(self.issue.items, start=1):
            self.para("要目", self.t.say("contents_entry", n=n, title=item.title))
        self.para("Normal", lines=1)

    def foreword(self) -> None:
        label = self.t.say("foreword_label")
        p = self.para("编者按", label + self.issue.foreword)
        p.runs[0].text = self.issue.foreword
        lead = p.runs[0]._r
        run = p.add_run(label)
        run.style = "一级标题字"
        lead.addprevious(run._r)
        self.para("Normal", lines=1)

    def item(self, item: Item) -> None:
        lines = L.title_lines(item.title)
        title = self.para("文章标题", lines=len(lines))
        for i, line in enumerate(lines):
            run = title.add_run(line)
            if i < len(lines) - 1:
                run.add_break()
        line = submitter_text(item, self.copy, self.t)
        if line and self.copy.submitter is SubmitterPlace.TITLE:
            self.para("反映人", line)
        for block in blocks(item.body):
            self.block(block)
        if line and self.copy.submitter is SubmitterPlace.END:
            p = self.para("Normal", line)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def block(self, block: Block) -> None:
        if block.kind is BlockKind.TABLE:
            self.table(block.rows)
            return
        if block.kind is BlockKind.PARAGRAPH:
            self.para("Normal", block.text)
            return
        name = {BlockKind.HEADING1: "一级标题", BlockKind.HEADING2: "二级标题",
                BlockKind.HEADING3: "三级标题", BlockKind.HEADING4: "四级标题"}[block.kind]  # fmt: skip
        if block.lead >= len(block.text):
            self.para(name, block.text)
            return
        p = self.para("Normal", block.text)  # a run-in heading: only its lead in the face
        p.runs[0].text = block.text[block.lead :]
        lead = p.add_run(block.text[: block.lead])
        lead.style = f"{name}字"
        p.runs[0]._r.addprevious(lead._r)

    def table(self, rows: tuple[tuple[str, ...], ...]) -> None:
        columns = len(rows[0])
        table = self.doc.add_table(rows=len(rows), cols=columns)
        table.style = self.doc.styles["Table Grid"]
        width_pt = L.block_width_pt() / columns - 2
        for r, row in enumerate(rows):
            height = max(L.line_count(c, width_pt=width_pt) for c in row)
            self._advance(height)
            X.child(table.rows[r]._tr.get_or_add_trPr(), "w:trHeight",
                    val=height * L.LINE_TWIPS, hRule="atLeast")  # fmt: skip
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.paragraphs[0].text = text
                cell.paragraphs[0].style = self.doc.styles["表格"]
        X.table_props(table._tbl.tblPr, margins=("top", "bottom"))

    # -- 版记 ----------------------------------------------------------------------------------
    def colophon(self, rows: list[Row]) -> None:
        table = self.doc.add_table(rows=len(rows), cols=1)
        black = self.t.black
        sizes = {"thick": 8, "thin": 6}  # eighths of a point: 0.35 mm and 0.25 mm
        for i, row in enumerate(rows):
            self._advance(row.lines)
            edges: dict[str, tuple[int, str]] = {}
            if row.rule_above:
                edges["top"] = (sizes[row.rule_above], black)
            if i == len(rows) - 1:
                edges["bottom"] = (sizes["thick"], black)
            # LibreOffice adds a row's borders to its exact height: take them off, so the
            # block keeps to the grid and its last rule ends on the last line.
            borders = sum(size for size, _ in edges.values()) * 20 // 8
            tr = table.rows[i]._tr
            X.child(tr.get_or_add_trPr(), "w:cantSplit")
            X.child(tr.get_or_add_trPr(), "w:trHeight", val=row.lines * L.LINE_TWIPS - borders,
                    hRule="exact")  # fmt: skip
            X.cell_borders(table.cell(i, 0)._tc.get_or_add_tcPr(), **edges)
            p = table.cell(i, 0).paragraphs[0]
            p.style = self.doc.styles["版记"]
            p.text = f"{row.left}\t{row.right}" if row.right else row.left
            tabs = (("right", X.mm(L.BLOCK_W_MM) - SMALL_CHAR),)  # from the margin, as Word does
            hang = (
                2 * SMALL_CHAR if row.left[1:2] == "：" else 0
            )  # 报：… wraps under its first name
            X.paragraph_props(p._p.get_or_add_pPr(), line=L.LINE_TWIPS, align="left",
                              left=SMALL_CHAR + hang, right=SMALL_CHAR, first_line=-hang,
                              tabs=tabs)  # fmt: skip
        X.table_props(table._tbl.tblPr, width=X.mm(L.BLOCK_W_MM),
                      margins=("top", "left", "bottom", "right"))  # fmt: skip
        # Word ends a document with a paragraph; half a point high, it still fits the page.
        ppr = self.doc.add_paragraph()._p.get_or_add_pPr()
        X.paragraph_props(ppr, line=10, align="left", snap=False)
        mark = X.element("w:rPr")
        X.run_props(mark, east_asian=self.t.fonts.body, latin=self.t.fonts.latin, size_pt=0.5)
        ppr.append(mark)


_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    b"<Application>minyi</Application><DocSecurity>0</DocSecurity></Properties>"
)


def _moment(stamp: str) -> dt.datetime | None:
    """An ISO time stamp as a UTC datetime (document properties are kept in UTC)."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def blank_page(document: Any) -> Any:
    """An empty document set to the GB/T 9704 page (A4, 37/35/28/26 mm); its section."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(L.PAGE_W_MM), Mm(L.PAGE_H_MM)
    section.top_margin, section.bottom_margin = Mm(L.TOP_MM), Mm(L.BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(L.LEFT_MM), Mm(L.RIGHT_MM)
    body = document.element.body
    for p in body.findall(qn("w:p")):  # the template's empty first paragraph
        body.remove(p)
    return section


def render_docx(template: Template, issue: Issue, copy: Copy, padding: int | None = None) -> Built:
    """The issue as .docx bytes."""
    return DocumentBuilder(template, issue, copy).build(padding)
