"""Small WordprocessingML builders python-docx has no API for.

Fonts with both their East-Asian and Latin names, condensed spacing, exact
line pitch, borders, the page grid, odd/even page-number footers and a
floating line shape for the masthead rule. Units: twips (1/20 pt) unless a
name says otherwise; EMU for DrawingML.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4


def mm(value: float) -> int:
    """Millimetres in twips."""
    return round(value * TWIPS_PER_MM)


def element(tag: str, **attrs: str | int) -> etree._Element:
    el = OxmlElement(tag)
    for name, value in attrs.items():
        el.set(qn(f"w:{name}"), str(value))
    return el


def child(parent: etree._Element, tag: str, **attrs: str | int) -> etree._Element:
    """The parent's ``tag`` child (made, or replaced, with these attributes)."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    el = element(tag, **attrs)
    parent.append(el)
    return el


def run_props(rpr: etree._Element, *, east_asian: str, latin: str, size_pt: float,
              bold: bool = False, color: str | None = None, condense: int = 0) -> None:  # fmt: skip
    """Font names for both scripts, size, colour and spacing on a ``w:rPr``.

    Elements are written in the schema's order (Word refuses a misordered rPr).
    """
    for el in list(rpr):
        rpr.remove(el)
    rpr.append(element("w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asian, cs=latin,
                       hint="eastAsia"))  # fmt: skip
    if bold:
        rpr.append(element("w:b"))
        rpr.append(element("w:bCs"))
    if color:
        rpr.append(element("w:color", val=color))
    if condense:
        rpr.append(element("w:spacing", val=condense))
    half_points = round(size_pt * 2)
    rpr.append(element("w:sz", val=half_points))
    rpr.append(element("w:szCs", val=half_points))
    # Simplified Chinese, so LibreOffice takes the SC face of a CJK font collection.
    rpr.append(element("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"))


def paragraph_props(ppr: etree._Element, *, line: int, align: str = "both",
                    first_line: int = 0, left: int = 0, right: int = 0,
                    outline: int | None = None, tabs: tuple[tuple[str, int], ...] = (),
                    keep_next: bool = False, snap: bool = True) -> None:  # fmt: skip
    """Exact line pitch, alignment, indents, no widow control and no CJK/Latin gaps."""
    keep = [el for el in ppr if el.tag in (qn("w:pStyle"),)]
    for el in list(ppr):
        ppr.remove(el)
    for el in keep:
        ppr.append(el)
    if keep_next:
        ppr.append(element("w:keepNext"))
    ppr.append(element("w:widowControl", val=0))
    if tabs:
        holder = element("w:tabs")
        for kind, pos in tabs:
            holder.append(element("w:tab", val=kind, pos=pos))
        ppr.append(holder)
    ppr.append(element("w:autoSpaceDE", val=0))
    ppr.append(element("w:autoSpaceDN", val=0))
    if not snap:  # text larger than the grid keeps one line (LibreOffice would take two)
        ppr.append(element("w:snapToGrid", val=0))
    ppr.append(element("w:spacing", before=0, after=0, line=line, lineRule="exact"))
    if first_line < 0:
        ppr.append(element("w:ind", left=left, right=right, hanging=-first_line))
    else:
        ppr.append(element("w:ind", left=left, right=right, firstLine=first_line))
    ppr.append(element("w:jc", val=align))
    if outline is not None:
        ppr.append(element("w:outlineLvl", val=outline))


def table_props(tblpr: etree._Element, *, width: int | None = None,
                margins: tuple[str, ...] = ()) -> None:  # fmt: skip
    """Width and zero cell margins on a ``w:tblPr``, its children kept in schema order."""
    if width is not None:
        child(tblpr, "w:tblW", w=width, type="dxa")
    if margins:
        holder = child(tblpr, "w:tblCellMar")
        for edge in margins:
            holder.append(element(f"w:{edge}", w=0, type="dxa"))
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
             "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
             "tblLayout", "tblCellMar", "tblLook"]  # fmt: skip
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    children = sorted(tblpr, key=lambda el: rank.get(el.tag, len(order)))
    for el in children:
        tblpr.append(el)  # re-appending moves each element into the sorted order


def cell_borders(tcpr: etree._Element, **edges: tuple[int, str]) -> None:
    """Borders on a table cell: edge name → (width in eighths of a point, colour)."""
    borders = child(tcpr, "w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        if edge in edges:
            size, color = edges[edge]
            borders.append(element(f"w:{edge}", val="single", sz=size, space=0, color=color))
        else:
            borders.append(element(f"w:{edge}", val="nil"))


def page_number_field(paragraph: etree._Element, rpr: etree._Element) -> None:
    """“— N —” with N a PAGE field."""

    def run(*children: etree._Element) -> None:
        r = element("w:r")
        r.append(_copy(rpr))
        for c in children:
            r.append(c)
        paragraph.append(r)

    def text(tag: str, value: str) -> etree._Element:
        el = element(tag)
        el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        el.text = value
        return el

    run(text("w:t", "— "))
    run(element("w:fldChar", fldCharType="begin"))
    run(text("w:instrText", " PAGE "))
    run(element("w:fldChar", fldCharType="separate"))
    run(text("w:t", "1"))
    run(element("w:fldChar", fldCharType="end"))
    run(text("w:t", " —"))


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


_LINE_SHAPE = """
<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
     xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
     xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"
     xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
 <w:drawing>
  <wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{z}"
             behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">
   <wp:simplePos x="0" y="0"/>
   <wp:positionH relativeFrom="page"><wp:posOffset>{x}</wp:posOffset></wp:positionH>
   <wp:positionV relativeFrom="page"><wp:posOffset>{y}</wp:posOffset></wp:positionV>
   <wp:extent cx="{cx}" cy="0"/>
   <wp:effectExtent l="0" t="0" r="0" b="0"/>
   <wp:wrapNone/>
   <wp:docPr id="{z}" name="{name}"/>
   <wp:cNvGraphicFramePr/>
   <a:graphic>
    <a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
     <wps:wsp>
      <wps:cNvCnPr/>
      <wps:spPr>
       <a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="0"/></a:xfrm>
       <a:prstGeom prst="line"><a:avLst/></a:prstGeom>
       <a:ln w="{w}"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln>
      </wps:spPr>
      <wps:bodyPr/>
     </wps:wsp>
    </a:graphicData>
   </a:graphic>
  </wp:anchor>
 </w:drawing>
</w:r>
"""


def line_shape(x_mm: float, y_mm: float, length_mm: float, width_pt: float, color: str,
               name: str, z: int = 1) -> etree._Element:  # fmt: skip
    """A horizontal line at a fixed place on the page (a run to put in a paragraph)."""
    xml = _LINE_SHAPE.format(
        x=round(x_mm * EMU_PER_MM), y=round(y_mm * EMU_PER_MM), cx=round(length_mm * EMU_PER_MM),
        w=round(width_pt * 12700), color=color, name=name, z=z,
    )  # fmt: skip
    return etree.fromstring(xml.strip())
