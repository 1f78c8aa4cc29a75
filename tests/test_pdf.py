"""The PDF extractor: per-page text in reading order, paragraphs rebuilt from wrapped lines."""

from __future__ import annotations

from pathlib import Path

from ingest.extractors import pdf
from ingest.options import IngestOptions
from ingest.record import PageSource

LONG = (
    "当前我县农村六十岁以上老年人口占比持续上升，留守老人数量较多，养老服务设施覆盖不足，"
    "专业护理人员短缺，运营资金主要依靠村集体投入，难以长期维持。部分互助养老点建成后"
    "因缺少运营经费而闲置，群众对此反映强烈，希望有关部门高度重视。"
)


def test_pages_and_paragraphs(make_pdf) -> None:
    path = make_pdf(
        "a.pdf",
        [["关于加强农村养老服务的建议", "反映人：张三", LONG], ["一、几点建议", "建议加大投入。"]],
    )
    result = pdf.extract(path.read_bytes(), IngestOptions())
    assert [p.number for p in result.pages] == [1, 2]
    assert all(p.source is PageSource.TEXT_LAYER and not p.needs_ocr for p in result.pages)
    # The long paragraph was wrapped over three lines on the page and comes back whole.
    assert result.pages[0].text.split("\n") == ["关于加强农村养老服务的建议", "反映人：张三", LONG]
    assert result.pages[1].text == "一、几点建议\n建议加大投入。"
    assert result.body == (
        "关于加强农村养老服务的建议",
        "反映人：张三",
        LONG,
        "一、几点建议",
        "建议加大投入。",
    )
    assert result.text.count(LONG) == 1


def test_paragraph_continues_across_pages(make_pdf) -> None:
    page_one = ["标题", "\u3000\u3000" + LONG[:26], LONG[26:54]]  # ends on a full line
    page_two = [LONG[54:82], LONG[82:110], LONG[110:], "\u3000\u3000新的一段。"]
    assert len(LONG[82:110]) == 28 and 0 < len(LONG[110:]) < 20
    path = make_pdf("b.pdf", [page_one, page_two], wrap=False)
    result = pdf.extract(path.read_bytes(), IngestOptions())
    assert result.body == ("标题", LONG, "新的一段。")
    assert result.pages[0].text == "标题\n" + LONG[:54]


def test_blank_page_is_kept_empty(make_pdf) -> None:
    path = make_pdf("c.pdf", [["第一页内容。"], [], ["第三页内容。"]])
    result = pdf.extract(path.read_bytes(), IngestOptions())
    assert [(p.number, p.text, p.needs_ocr) for p in result.pages] == [
        (1, "第一页内容。", False), (2, "", False), (3, "第三页内容。", False)
    ]  # fmt: skip


def test_page_numbers_dropped(make_pdf) -> None:
    path = make_pdf("d.pdf", [["正文。", "— 1 —"], ["续文。", "- 2 -"]])
    result = pdf.extract(path.read_bytes(), IngestOptions())
    assert result.text == "正文。\n续文。"


def _stream_out_of_order(path: Path) -> Path:
    """A PDF whose quotation marks are written after the line, in a font of their own,
    as word processors do: the content stream and the page disagree."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    font = _pdf_font(pdfmetrics, UnicodeCIDFont)
    size, x, y = 16.0, 80.0, 700.0
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(font, size)
    pieces = ["涉及", "“", "甲乙", "”", "的纠纷有", "2019", "起，", "3.5", "万人次受影响。"]
    placed = []
    for piece in pieces:
        placed.append((x, piece))
        gap = size * 0.25 if piece[0].isdigit() or piece[-1].isdigit() else 0.0
        x += pdfmetrics.stringWidth(piece, font, size) + gap
    for px, piece in placed:  # the text first, in the stream
        if piece not in "“”":
            pdf.drawString(px, y, piece)
    for px, piece in placed:  # then the quotation marks
        if piece in "“”":
            pdf.drawString(px, y, piece)
    pdf.showPage()
    pdf.save()
    return path


def test_characters_are_read_in_the_order_they_stand_on_the_page(tmp_path: Path) -> None:
    data = _stream_out_of_order(tmp_path / "quotes.pdf").read_bytes()
    result = pdf.extract(data, IngestOptions())
    assert result.body == ("涉及“甲乙”的纠纷有2019起，3.5万人次受影响。",)


def test_office_pdf_paragraphs_come_back_as_written(tmp_path: Path) -> None:
    """A Word file printed to PDF by LibreOffice: left-aligned (ragged) lines, quotes in
    their own font, digits set off by a gap: the paragraphs read back exactly."""
    import subprocess

    from conftest import need_tool

    from minyi import samples

    soffice = need_tool("soffice")
    paragraphs = [
        "关于规范城区“僵尸车”清理的建议",
        "县政协委员 钱立新",
        "近年来，我县城区“僵尸车”问题日益突出。据统计，2019年以来全县共排查长期占道车辆3.5万"
        "人次，涉及“甲乙”的纠纷逐年增加，群众反映强烈，亟需建立长效机制加以解决。" * 2,
        "一、存在的问题",
        "部门职责不清，清理工作推诿扯皮，2023年12月至今仍有1200余辆车未处置。" * 3,
    ]
    source = samples.make_docx(tmp_path / "a.docx", paragraphs)
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"  # its own instance
    subprocess.run([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)  # fmt: skip
    result = pdf.extract((tmp_path / "a.pdf").read_bytes(), IngestOptions())
    assert list(result.body) == paragraphs
    # The same characters in the same order as poppler reads them (which keeps the
    # line breaks and the spaces before digits that Chinese typesetting has not).
    poppler = subprocess.run([need_tool("pdftotext"), str(tmp_path / "a.pdf"), "-"],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
    assert "".join("".join(result.body).split()) == "".join(poppler.split())


def test_lone_numbers_stay_only_the_page_number_goes(tmp_path: Path) -> None:
    """Lines of 1–4 digits are text (a year, an amount in a table); the page number is
    known by where it stands: the page's last (or first) line."""
    from minyi import samples

    lines = ["关于加强农村供水保障的建议", "各年度投入（万元）：", "2019", "3500", "2020", "4200",
             "以上数据来自县财政局。", "- 1 -"]  # fmt: skip
    data = samples.make_pdf(tmp_path / "n.pdf", [lines], wrap=False).read_bytes()
    text = pdf.extract(data, IngestOptions()).pages[0].text.split("\n")
    assert "2019" in text and "3500" in text and "4200" in text
    assert "- 1 -" not in text and "1" not in text


def test_a_byte_swapped_text_layer_is_garbage_not_chinese(tmp_path: Path) -> None:
    """Every character U+xx00 (“Mult…” read as 䴀甀氀琀…): the page is read by OCR instead."""
    from minyi import samples

    swapped = "".join(chr(ord(c) << 8) for c in "Multiple pages of text that")
    data = samples.make_pdf(tmp_path / "s.pdf", [[swapped, swapped]], wrap=False).read_bytes()
    page = pdf.extract(data, IngestOptions()).pages[0]
    assert page.needs_ocr and page.text == ""
    # Real Chinese with its share of U+xx00 characters (一, 一) stays text.
    plain = samples.make_pdf(tmp_path / "p.pdf", [["一一一一关于一项工作的建议"]], wrap=False)
    assert pdf.extract(plain.read_bytes(), IngestOptions()).pages[0].text.endswith("建议")


def test_filled_form_values_are_text_where_they_stand(tmp_path: Path) -> None:
    """A filled-in form: each value is read on its label's line, not lost."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    path = tmp_path / "form.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setFont(_pdf_font(pdfmetrics, UnicodeCIDFont), 14)
    sheet.drawString(80, 760, "社情民意信息登记表")
    for y, label, name, value in ((720, "反映人：", "name", "Zhang San"),
                                  (680, "主要内容：", "body", "Street lights broken")):  # fmt: skip
        sheet.drawString(80, y, label)
        sheet.acroForm.textfield(name=name, value=value, x=170, y=y - 6, width=300, height=20,
                                 fontName="Helvetica")  # fmt: skip
    sheet.showPage()
    sheet.save()
    text = pdf.extract(path.read_bytes(), IngestOptions()).pages[0].text
    assert text.split("\n") == [
        "社情民意信息登记表",
        "反映人：Zhang San",
        "主要内容：Street lights broken",
    ]


def test_a_page_whose_text_is_only_in_free_text_boxes_is_read(tmp_path: Path) -> None:
    """Typed onto a blank page with a PDF editor's text tool: text, not an empty page."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    for top, words in (
        (760, "关于路灯维修的建议"),
        (720, "城关镇路灯损坏已有三个月，夜间出行不便。"),
    ):
        annot = pdfium_c.FPDFPage_CreateAnnot(page.raw, pdfium_c.FPDF_ANNOT_FREETEXT)
        pdfium_c.FPDFAnnot_SetRect(annot, pdfium_c.FS_RECTF(80, top, 520, top - 24))
        value = (words + "\0").encode("utf-16-le")
        buffer = ctypes.create_string_buffer(value, len(value))
        pdfium_c.FPDFAnnot_SetStringValue(
            annot, b"Contents", ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR))
        )
        pdfium_c.FPDFPage_CloseAnnot(annot)
    page.close()
    document.save(str(tmp_path / "typed.pdf"))
    document.close()
    result = pdf.extract((tmp_path / "typed.pdf").read_bytes(), IngestOptions())
    assert result.body == ("关于路灯维修的建议", "城关镇路灯损坏已有三个月，夜间出行不便。")


def _xfa_pdf(datasets: str, page_text: str = "Please wait...") -> bytes:
    """A dynamic (full) XFA form as Adobe LiveCycle writes it: the one PDF page is a
    placeholder and the filled-in values live in the XFA "datasets" packet."""
    content = f"BT /F1 12 Tf 72 720 Td ({page_text}) Tj ET".encode()
    data = datasets.encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /NeedsRendering true"
        b" /AcroForm << /Fields [] /XFA [(datasets) 6 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % at for at in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)  # fmt: skip
    return bytes(out)


def test_a_dynamic_xfa_form_is_read_from_its_data(tmp_path: Path, caplog) -> None:
    """The page only says "Please wait..." (a viewer without XFA shows nothing else): the
    values the submitter typed are in the form's data, in document order. pypdfium2's
    English advice to rebuild PDFium with XFA is not passed on to the clerk."""
    datasets = (
        '<xfa:datasets xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"><xfa:data>'
        "<form1><标题>关于城关镇路灯维修的建议</标题><反映人>张三</反映人>"
        "<正文>城关镇路灯损坏已有三个月，夜间出行不便。</正文><备注/></form1>"
        "</xfa:data></xfa:datasets>"
    )
    result = pdf.extract(_xfa_pdf(datasets), IngestOptions())
    assert result.body == (
        "标题：关于城关镇路灯维修的建议",
        "反映人：张三",
        "正文：城关镇路灯损坏已有三个月，夜间出行不便。",
    )
    assert "Please wait" not in result.pages[0].text
    assert "XFA" not in caplog.text


def test_xfa_data_with_entities_is_refused(tmp_path: Path) -> None:
    """Hostile XML in the form's data: refused as a Word part with a DTD is, nothing
    expanded or fetched."""
    import pytest

    from common.errors import ExtractionError

    bomb = (
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c SYSTEM "file:///etc/passwd">]>'
        '<xfa:datasets xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/"><xfa:data>'
        "<form1><正文>城关镇路灯损坏&b;&c;</正文></form1></xfa:data></xfa:datasets>"
    )
    with pytest.raises(ExtractionError, match="DTD"):
        pdf.extract(_xfa_pdf(bomb), IngestOptions())


def test_a_latin_value_after_its_label_keeps_a_space(tmp_path: Path) -> None:
    """ "Name" then the field's "my_name": two words, not "Namemy_name"."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "form.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setFont("Helvetica", 12)
    sheet.drawString(80, 720, "Name")
    sheet.acroForm.textfield(name="name", value="Zhang San", x=112, y=714, width=200,
                             height=20, fontName="Helvetica")  # fmt: skip
    sheet.showPage()
    sheet.save()
    text = pdf.extract(path.read_bytes(), IngestOptions()).pages[0].text
    assert text == "Name Zhang San"


def test_a_margin_note_in_a_text_pdf_does_not_land_mid_sentence(tmp_path: Path) -> None:
    """A note typed in the margin beside a line of a justified paragraph: the paragraph
    reads on; the note follows as a paragraph of its own."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    lines = ["县城东部的白沙河两岸近年来建起了十几个居民小区，常住人口已超过",
             "三万人。沿河道路却一直没有路灯，夜间行人和电动自行车只能摸黑通",
             "行，去年冬天就发生了三起摔伤事故，居民多次向社区反映，社区表示",
             "道路属于水利部门管理，问题一拖再拖。"]  # fmt: skip
    path = tmp_path / "note.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    font = _pdf_font(pdfmetrics, UnicodeCIDFont)
    for row, line in enumerate(lines):
        sheet.setFont(font, 14)
        sheet.drawString(100, 700 - row * 24, line)
    sheet.setFont(font, 8)
    sheet.drawString(20, 652, "已核实")  # beside the third line
    sheet.showPage()
    sheet.save()
    body = pdf.extract(path.read_bytes(), IngestOptions()).body
    assert body == ("".join(lines), "已核实")


def test_a_two_column_text_pdf_is_read_column_by_column(tmp_path: Path) -> None:
    """Columns set side by side on shared baselines (PDFium joins each pair into one line):
    the left column is read down, then the right one; the heading over both stays first."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    left = ["　　近年来，全县农村养老服务设施不足的问题日益突出，", "部分已建成的互助养老点因缺少运营经费而闲置，",
            "需要加大投入力度，逐步完善。", "　　建议将农村互助养老点建设纳入项目库。"]  # fmt: skip
    right = ["　　城区停车泊位紧张，老旧小区占道停车现象普遍，", "早晚高峰学校周边道路拥堵严重，群众意见较大，",
             "需要科学规划公共停车场建设。", "　　建议推进智慧停车系统建设。"]  # fmt: skip
    path = tmp_path / "two.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    font = _pdf_font(pdfmetrics, UnicodeCIDFont)
    sheet.setFont(font, 16)
    sheet.drawString(180, 780, "两栏排版的信息汇编")
    sheet.setFont(font, 10)
    for row, (a, b) in enumerate(zip(left, right, strict=True)):
        sheet.drawString(50, 740 - row * 16, a)  # stream order: across, line by line
        sheet.drawString(330, 740 - row * 16, b)  # a gutter of two characters
    sheet.showPage()
    sheet.save()
    body = pdf.extract(path.read_bytes(), IngestOptions()).body
    text = "".join("".join(body).split())
    assert body[0] == "两栏排版的信息汇编"
    assert text.index("逐步完善") < text.index("城区停车泊位") < text.index("公共停车场建设")
    assert "".join(left[:3]).strip("\u3000") in "".join(body)


def test_a_table_between_paragraphs_keeps_its_rows(tmp_path: Path) -> None:
    """A small table in a submission's text: its rows reach the right margin, so they ran on
    into one paragraph with each other and with the sentence before them, and an issue
    printed them as prose. Its rows are lines of their own, cells tab-separated as a Word
    table's are (an issue sets them as a table); the prose around it is untouched."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    path = tmp_path / "table.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setFont(_pdf_font(pdfmetrics, UnicodeCIDFont), 12)
    before = "近年来，我县持续加大农村养老服务投入，各乡镇资金安排情况如下表所示，请予关注："
    after = "从上表看，各乡镇投入差距较大，建议统筹安排资金，优先补齐薄弱村的服务短板。"
    rows = [("乡镇", "项目", "金额（万元）", "受益户数")] + [
        (town, project, f"{n * 12.5:.1f}", str(n * 130))
        for n, (town, project) in enumerate([("城关镇", "村卫生室改造"), ("河西乡", "养老服务站建设"),
                                             ("柳树湾村", "饮水管网更新")], 1)]  # fmt: skip
    sheet.drawString(72, 760, before[:38])
    sheet.drawString(72, 742, before[38:])
    for row, cells in enumerate(rows):
        for x, cell in zip((72, 200, 380, 480), cells, strict=True):
            sheet.drawString(x, 710 - row * 20, cell)
    sheet.drawString(72, 610, after[:38])
    sheet.drawString(72, 592, after[38:])
    sheet.showPage()
    sheet.save()
    body = pdf.extract(path.read_bytes(), IngestOptions()).body
    assert body[0] == before, body
    assert list(body[1 : 1 + len(rows)]) == ["\t".join(cells) for cells in rows], body
    assert body[1 + len(rows)] == after, body


def test_words_spread_across_lines_are_not_a_table(tmp_path: Path) -> None:
    """Lines of three or four words spread wide (a narrow justified column, a spaced-out
    signature block) have wide gaps too, but no column runs down them: they stay text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    path = tmp_path / "spread.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setFont(_pdf_font(pdfmetrics, UnicodeCIDFont), 12)
    # Each line has wide gaps (over 1.2 em), but no place across is a gap on all three.
    lines = [[(72, "县政协社会法制"), (176, "委员会办公"), (256, "室主任")],
             [(72, "联系人"), (130, "张建华同志"), (212, "李明"), (260, "王芳")],
             [(72, "电话号码零三七一"), (186, "办公室传真号"), (280, "同号")]]  # fmt: skip
    for row, words in enumerate(lines):
        for x, word in words:
            sheet.drawString(x, 740 - row * 18, word)
    sheet.showPage()
    sheet.save()
    text = pdf.extract(path.read_bytes(), IngestOptions()).pages[0].text
    assert "\t" not in text, text
    assert "".join(text.split()) == "".join(w for words in lines for _, w in words)


def test_a_table_with_wide_gaps_is_still_read_row_by_row(tmp_path: Path) -> None:
    """A ledger's cells stand far apart too, but rows of several cells are a table, read row
    by row, its cells tab-separated."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from minyi.samples import _pdf_font

    path = tmp_path / "ledger.pdf"
    sheet = canvas.Canvas(str(path), pagesize=A4)
    sheet.setFont(_pdf_font(pdfmetrics, UnicodeCIDFont), 10)
    rows = [(f"2026-03-{n:02d}", f"第{n}号", f"支付第{n}批农村养老服务补贴资金", f"{n * 1000}")
            for n in range(1, 8)]  # fmt: skip
    for row, cells in enumerate(rows):
        for x, cell in zip((50, 140, 200, 480), cells, strict=True):
            sheet.drawString(x, 740 - row * 16, cell)
    sheet.showPage()
    sheet.save()
    text = pdf.extract(path.read_bytes(), IngestOptions()).pages[0].text
    assert text.splitlines() == ["\t".join(cells) for cells in rows]  # a row a line, cells apart
