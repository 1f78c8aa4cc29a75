"""The .docx itself (fonts with both names, sizes, grid, styles) and the pure helpers."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import CHECK, GATE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from issues import PARAGRAPH, issue, item, long_body
from lxml import etree

from common.errors import ConfidentialityError, RenderError
from formatter import layout as L
from formatter.compose import BlockKind, blocks, heading_kind, submitter_line
from formatter.context import Copy, colophon
from formatter.document import render_docx
from formatter.issue import Issue, SubmitterPlace, chinese_date, is_classified
from formatter.render import Renderer, RenderPlan
from formatter.template import Template
from ingest.screening.gate import Allowance, Checkpoint

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def fonts_of(style: docx.styles.style.BaseStyle) -> dict[str, str]:
    rfonts = style.element.rPr.find(qn("w:rFonts"))
    return {k.replace(W, ""): v for k, v in rfonts.attrib.items()}


def test_page_grid_and_footers() -> None:
    document = open_docx(render_docx(Template(), issue(item(1, long_body())), Copy()).data)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert round(section.bottom_margin.mm) == 35 and round(section.right_margin.mm) == 26
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph, side in ((odd, "right"), (even, "left")):
        xml = paragraph._p.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == side
        assert paragraph._p.pPr.find(qn("w:ind")).get(qn(f"w:{side}")) == "280"  # one 四号 char
        rfonts = paragraph.runs[0]._r.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == "宋体"
        assert paragraph.runs[0]._r.rPr.find(qn("w:sz")).get(qn("w:val")) == "28"  # 四号


def test_styles_set_both_font_names_sizes_and_exact_pitch() -> None:
    document = open_docx(render_docx(Template(), issue(item(1, long_body())), Copy()).data)
    expected = {
        "Normal": ("仿宋_GB2312", 16), "文章标题": ("方正小标宋简体", 22),
        "一级标题": ("黑体", 16), "二级标题": ("楷体_GB2312", 16), "三级标题": ("仿宋_GB2312", 16),
        "刊名": ("方正小标宋简体", 36), "版记": ("仿宋_GB2312", 14), "反映人": ("楷体_GB2312", 16),
    }  # fmt: skip
    for name, (east_asian, size) in expected.items():
        style = document.styles[name]
        fonts = fonts_of(style)
        assert fonts["eastAsia"] == east_asian, name
        assert fonts["ascii"] == fonts["hAnsi"] == "Times New Roman", name
        assert style.font.size.pt == size, name
        spacing = style.element.pPr.find(qn("w:spacing"))
        assert spacing.get(qn("w:lineRule")) == "exact", name
        assert int(spacing.get(qn("w:line"))) % 579 == 0, name
        assert style.element.pPr.find(qn("w:widowControl")).get(qn("w:val")) == "0"
        assert style.element.pPr.find(qn("w:autoSpaceDE")).get(qn("w:val")) == "0"
    normal = document.styles["Normal"]
    assert normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"  # 0.25 pt condensed
    assert normal.element.pPr.find(qn("w:ind")).get(qn("w:firstLine")) == "640"  # two characters
    assert document.styles["刊名"].element.rPr.find(qn("w:color")).get(qn("w:val")) == "FF3333"
    table = etree.fromstring(document.part.part_related_by(RT.FONT_TABLE).blob)
    alt = {f.get(qn("w:name")): f.find(qn("w:altName")) for f in table.findall(qn("w:font"))}
    assert alt["仿宋_GB2312"].get(qn("w:val")) == "仿宋"
    assert alt["楷体_GB2312"].get(qn("w:val")) == "楷体"


def test_body_headings_get_their_styles_and_run_in_leads() -> None:
    body = "\n".join(["一、基本情况", "（一）管网老化失修。部分管网建于九十年代，漏损严重。",
                      "1.加大投入", "（1）定期检测", PARAGRAPH])  # fmt: skip
    document = open_docx(render_docx(Template(), issue(item(1, body)), Copy()).data)
    by_text = {p.text: p for p in document.paragraphs}
    assert by_text["一、基本情况"].style.name == "一级标题"
    assert by_text["1.加大投入"].style.name == "三级标题"
    assert by_text["（1）定期检测"].style.name == "四级标题"
    run_in = by_text["（一）管网老化失修。部分管网建于九十年代，漏损严重。"]
    assert run_in.style.name == "Normal"
    assert (
        run_in.runs[0].text == "（一）管网老化失修。" and run_in.runs[0].style.name == "二级标题字"
    )
    masthead = [p.text for p in document.paragraphs[:5]]
    assert "政协某某县委员会办公室\t2026年3月5日" in masthead
    assert "第3期（总第45期）" in masthead


def test_table_in_an_item_becomes_a_word_table() -> None:
    body = "情况如下：\n乡镇\t人口\n城关镇\t32000\n说明文字。"
    document = open_docx(render_docx(Template(), issue(item(1, body)), Copy()).data)
    assert len(document.tables) == 2  # the item's table and the 版记
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells == [["乡镇", "人口"], ["城关镇", "32000"]]


def test_submitter_line_placement_and_contacts() -> None:
    one = issue(item(1, PARAGRAPH, contact="138****5678"))
    texts = {place: [p.text for p in open_docx(render_docx(
        Template(), one, Copy(place, contacts=True)).data).paragraphs] for place in SubmitterPlace}  # fmt: skip
    under = texts[SubmitterPlace.TITLE]
    title_at = under.index("关于加强农村饮水安全保障工作的建议（1）")
    assert (
        under[title_at + 1]
        == "反映人：张建华（县政协委员，县人民医院副院长）　联系电话：138****5678"
    )
    assert (
        "（反映人：张建华（县政协委员，县人民医院副院长））　联系电话：138****5678"
        in texts[SubmitterPlace.END]
    )
    assert not any("张建华" in t for t in texts[SubmitterPlace.NONE])
    plain = [p.text for p in open_docx(render_docx(Template(), one, Copy()).data).paragraphs]
    assert not any("138" in t for t in plain)  # no contacts unless the office prints them


def test_prediction_counts_lines_as_the_grid_does() -> None:
    assert L.line_count("字" * 26, first_indent_pt=32) == 1
    assert L.line_count("字" * 27, first_indent_pt=32) == 2
    assert L.line_count("字" * 28) == 1 and L.line_count("字" * 29) == 2
    assert L.line_count("字" * 28 + "。") == 1  # closing punctuation hangs, it does not wrap
    assert L.line_count("字" * 27 + "（字") == 2  # an opening bracket moves down with its word
    assert L.line_count("a" * 10) == 1
    assert L.title_lines("短标题") == ["短标题"]


def test_compose_helpers() -> None:
    assert heading_kind("一、存在的问题") == (BlockKind.HEADING1, 7)
    assert heading_kind("（二）资金缺口大。目前每年缺口约300万元。")[1] == 9
    assert heading_kind("1.2亿元的投入")[0] is BlockKind.PARAGRAPH
    assert heading_kind("一是加大投入。")[0] is BlockKind.PARAGRAPH
    assert [b.kind for b in blocks("甲\n乙\t丙\n丁\t戊\n己")] == [
        BlockKind.PARAGRAPH, BlockKind.TABLE, BlockKind.PARAGRAPH]  # fmt: skip
    assert submitter_line("反映人：张三（县政协委员） 电话：13812345678") == "张三（县政协委员）"
    assert submitter_line("（信息员：王五）") == "王五"
    assert chinese_date(__import__("datetime").date(2026, 3, 5)) == "2026年3月5日"
    assert is_classified("秘密★1年") and not is_classified("内部资料")


def test_issue_round_trips_through_its_dict() -> None:
    original = issue(item(1, PARAGRAPH), item(2, "正文"))
    assert Issue.from_dict(json.loads(json.dumps(original.as_dict()))) == original


def test_colophon_rows_follow_the_wording_template() -> None:
    rows = colophon(issue(item(1, PARAGRAPH)), Template())
    assert [r.left for r in rows][:3] == ["报：市政协办公室。", "送：县委、县人大常委会、县政府、县政协领导。",
                                          "发：县政协各委室。"]  # fmt: skip
    assert rows[0].rule_above == "thick" and rows[-2].rule_above == "thin"
    assert rows[-2].right == "2026年3月5日印发" and rows[-1].right == "（共印30份）"


def test_templates_are_data_and_sandboxed(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    default = Template()
    text = (default.folder / "issue.toml").read_text(encoding="utf-8")
    (folder / "issue.toml").write_text(text.replace('"本期要目"', '"本期目录"'), encoding="utf-8")
    (folder / "issue.html.j2").write_text("{{ head.journal }}|{{ wording.contents_heading }}",
                                          encoding="utf-8")  # fmt: skip
    office = Template(folder)
    assert office.say("contents_heading") == "本期目录"
    result = Renderer(office, None).render(issue(item(1, PARAGRAPH), item(2, PARAGRAPH)),
                                           tmp_path / "out", RenderPlan(pdf=False), CHECK)  # fmt: skip
    html = next(p for p in result.files if p.suffix == ".html").read_text(encoding="utf-8")
    assert html == "社情民意信息|本期目录"
    (folder / "issue.html.j2").write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(RenderError):  # the sandbox refuses to reach into Python
        Template(folder).preview({})
    (folder / "issue.html.j2").write_text("{{ misspelt }}", encoding="utf-8")
    with pytest.raises(RenderError, match="misspelt"):
        Template(folder).preview({})


def test_output_folder_manifest_and_zip_without_pdf(tmp_path: Path) -> None:
    plan = RenderPlan(upward=Copy(SubmitterPlace.NONE, name="upward"), pdf=False)
    result = Renderer(Template(), None).render(issue(item(1, PARAGRAPH)), tmp_path, plan, CHECK)
    folder = tmp_path / "2026" / "第3期"
    assert result.folder == folder
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["manifest.json", "社情民意信息2026年第3期.docx", "社情民意信息2026年第3期.html",
                     "社情民意信息2026年第3期（报送）.zip"]  # fmt: skip
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    from formatter.package import sha256

    for name, entry in manifest["files"].items():
        assert entry["sha256"] == sha256(folder / name)
    assert manifest["items"][0]["submission_id"] == "2026-0001"
    with zipfile.ZipFile(folder / "社情民意信息2026年第3期（报送）.zip") as archive:
        upward = open_docx(archive.read("社情民意信息2026年第3期（报送）.docx"))
    assert not any("张建华" in p.text for p in upward.paragraphs)  # the upward copy omits 反映人
    local = open_docx((folder / "社情民意信息2026年第3期.docx").read_bytes())
    assert any("张建华" in p.text for p in local.paragraphs)
    assert not list(tmp_path.glob("2026/.*"))  # no staging folders left behind


def test_classified_issue_gets_no_forwarding_package(tmp_path: Path) -> None:
    secret = issue(item(1, PARAGRAPH), mark="秘密★1年", copy_number="000012")
    with pytest.raises(ConfidentialityError, match="秘密★1年"):  # not without the declaration
        Renderer(Template(), None).render(secret, tmp_path, RenderPlan(pdf=False), CHECK)
    assert not list(tmp_path.rglob("*.docx"))  # a refusal leaves nothing behind
    declared = Checkpoint(GATE, Allowance.of([secret.mark], classified=True))
    result = Renderer(Template(), None).render(secret, tmp_path, RenderPlan(pdf=False), declared)
    assert result.package is None
    assert not list(result.folder.glob("*.zip"))
    assert any("密级" in note for note in result.notes)
    paragraphs = open_docx(next(p for p in result.files if p.suffix == ".docx").read_bytes())
    first, second = paragraphs.paragraphs[:2]
    # GB/T 9704 7.2.1/7.2.2: 份号 on the first line top left, 密级 on the second.
    assert (first.text, second.text) == ("000012", "秘密★1年")


PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
             "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
             "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
             "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
             "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
             "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"]  # fmt: skip
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
             "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
             "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
             "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
             "eastAsianLayout", "specVanish", "oMath"]  # fmt: skip
TBLPR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
               "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
               "shd", "tblLayout", "tblCellMar", "tblLook"]  # fmt: skip


def test_properties_are_in_schema_order_so_word_opens_the_file() -> None:
    """Word refuses a document whose property elements are out of the schema's order."""
    body = "一、标题\n（一）小标题。正文。\n甲\t乙\n丙\t丁\n" + PARAGRAPH
    data = render_docx(Template(), issue(item(1, body), mark="秘密★1年", copy_number="001",
                                         foreword="编者按文字。"), Copy()).data  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [archive.read(n) for n in ("word/document.xml", "word/styles.xml",
                                            "word/footer1.xml", "word/footer2.xml")
                 if n in archive.namelist()]  # fmt: skip
    checked = 0
    for part in parts:
        root = etree.fromstring(part)
        for tag, order in (("pPr", PPR_ORDER), ("rPr", RPR_ORDER), ("tblPr", TBLPR_ORDER)):
            for props in root.iter(f"{W}{tag}"):
                names = [el.tag.replace(W, "") for el in props if el.tag.startswith(W)]
                ranks = [order.index(n) for n in names]
                assert ranks == sorted(ranks), (tag, names)
                checked += 1
    assert checked > 50


def test_supplements_have_their_own_folder_and_names(tmp_path: Path) -> None:
    from formatter.issue import Series

    supplement = issue(item(1, PARAGRAPH), series=Series.SUPPLEMENT, number=1, total_number=None)
    result = Renderer(Template(), None).render(supplement, tmp_path, RenderPlan(pdf=False), CHECK)
    assert result.folder == tmp_path / "2026" / "增刊第1期"
    assert (result.folder / "社情民意信息2026年增刊第1期.docx").is_file()
    first = open_docx((result.folder / "社情民意信息2026年增刊第1期.docx").read_bytes())
    assert "增刊第1期" in [p.text for p in first.paragraphs[:5]]


def test_html_preview_shows_the_issue_and_escapes_text(tmp_path: Path) -> None:
    body = "一、基本情况\n存在“<script>alert(1)</script>”字样的投诉。\n甲\t乙\n丙\t丁"
    result = Renderer(Template(), None).render(issue(item(1, body), item(2, PARAGRAPH)),
                                               tmp_path, RenderPlan(pdf=False), CHECK)  # fmt: skip
    html = next(p for p in result.files if p.suffix == ".html").read_text(encoding="utf-8")
    for expected in ("社情民意信息", "第3期（总第45期）", "2026年3月5日", "本期要目",
                     "关于加强农村饮水安全保障工作的建议（1）", "反映人：张建华",
                     "报：市政协办公室。", "2026年3月5日印发", "（共印30份）", "<td>丙</td>",
                     '<span class="heading1">一、基本情况</span>'):  # fmt: skip
        assert expected in html, expected
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_killed_render_leaves_nothing_behind_at_the_next_render(tmp_path: Path) -> None:
    import subprocess
    import sys

    from formatter.package import clean_leftovers

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    year = tmp_path / "2026"
    (year / f".第3期.rendering-{dead}").mkdir(parents=True)  # killed while writing
    (year / f".第3期.old-{dead}").mkdir()  # killed between moving the old folder aside…
    (year / f".第3期.old-{dead}" / "manifest.json").write_text("{}", encoding="utf-8")
    (year / f".第4期.rendering-{os.getpid()}").mkdir()  # a render still running: left alone
    clean_leftovers(year / "第3期")
    assert sorted(p.name for p in year.iterdir()) == [f".第4期.rendering-{os.getpid()}", "第3期"]
    assert (year / "第3期" / "manifest.json").exists()  # …and putting the new one in place
    result = Renderer(Template(), None).render(issue(item(1, PARAGRAPH)), tmp_path,
                                               RenderPlan(pdf=False), CHECK)  # fmt: skip
    assert result.folder == year / "第3期" and not list(year.glob(".第3期.*"))


@pytest.mark.parametrize(
    "title,words",
    [
        (
            "关于加快推进城乡供水一体化和农村饮水安全巩固提升工程建设的建议",
            ["城乡", "供水", "一体化"],
        ),
        ("关于统筹推进县域内城乡义务教育一体化改革发展的建议", ["义务教育", "城乡", "县域"]),
        ("关于规范城区“僵尸车”清理工作切实维护群众出行安全的建议", ["清理", "僵尸车", "维护"]),
    ],
)
def test_a_title_is_never_broken_inside_a_word(title: str, words: list[str]) -> None:
    lines = L.title_lines(title)
    assert len(lines) == 2 and "".join(lines) == title
    for word in words:
        assert any(word in line for line in lines), (word, lines)


def test_the_files_properties_are_the_offices_and_the_issues() -> None:
    """Not python-docx's template: author "python-docx", 2013, a Mac Word thumbnail."""
    built = render_docx(Template(), issue(item(1, PARAGRAPH), unit="政协某某县委员会办公室",
                                          created_at="2026-11-20T10:00:00+08:00",
                                          updated_at="2026-11-21T16:30:00+08:00"), Copy())  # fmt: skip
    document = open_docx(built.data)
    props = document.core_properties
    assert props.author == props.last_modified_by == "政协某某县委员会办公室"
    assert props.title == "社情民意信息2026年第3期" and props.comments == ""
    assert props.created.isoformat() == "2026-11-20T02:00:00+00:00"
    assert props.modified.isoformat() == "2026-11-21T08:30:00+00:00"
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        names = archive.namelist()
        app = archive.read("docProps/app.xml").decode()
    assert not any("thumbnail" in name for name in names)
    assert "<Application>minyi</Application>" in app and "Macintosh" not in app
