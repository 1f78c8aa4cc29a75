"""Rendered issues measured in their PDFs: page, grid, masthead, page numbers, 版记, fonts."""

from __future__ import annotations

import itertools
import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
from conftest import CHECK, UNDER_CI, need_tool
from issues import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    MM,
    PARAGRAPH,
    footer_text,
    issue,
    item,
    long_body,
    rules,
    text_lines,
)
from pdfminer.pdftypes import resolve1

from formatter import layout as L
from formatter.context import Copy, colophon
from formatter.document import DocumentBuilder
from formatter.pdf import fontconfig_env
from formatter.render import Rendered, Renderer, RenderPlan
from formatter.template import Template

PITCH_MM = L.LINE_TWIPS / 20 / MM


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    from office import LibreOffice

    office = LibreOffice(need_tool("soffice"), timeout=180, env=fontconfig_env())
    yield Renderer(Template(), office)
    office.close()


@pytest.fixture(scope="module")
def long_issue(renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """One 3,000-character item with headings of every level, over several pages."""
    return renderer.render(issue(item(1, long_body(3000))), tmp_path_factory.mktemp("out"),
                           RenderPlan(), CHECK)  # fmt: skip


def pdf_of(result: Rendered) -> Path:
    return next(p for p in result.files if p.suffix == ".pdf")


def test_page_size_margins_and_grid(long_issue: Rendered) -> None:
    with pdfplumber.open(pdf_of(long_issue)) as pdf:
        assert len(pdf.pages) >= 3 and long_issue.pages == len(pdf.pages)
        for page in pdf.pages:
            assert page.width / MM == pytest.approx(210, abs=0.5)
            assert page.height / MM == pytest.approx(297, abs=0.5)
        body = pdf.pages[1]  # a full body page
        lines = text_lines(body)
        assert len(lines) == 22
        tops = [top for top, *_ in lines]
        assert tops[0] == pytest.approx(BLOCK_TOP + 2, abs=2.5)
        pitches = [b - a for a, b in itertools.pairwise(tops)]
        assert all(p == pytest.approx(PITCH_MM, abs=0.15) for p in pitches)
        full = [chars for _, _, text, chars in lines if len(text) == 28]
        assert len(full) >= 15  # most lines of running text hold exactly 28 characters
        assert max(len(text) for _, _, text, _ in lines if text.isascii() is False) <= 28
        for chars in full:
            assert chars[0]["x0"] / MM == pytest.approx(BLOCK_LEFT, abs=0.6)
            assert chars[-1]["x1"] / MM == pytest.approx(BLOCK_RIGHT, abs=1.0)
        assert max(c["x1"] for c in body.chars) / MM <= BLOCK_RIGHT + 5  # only hanging punctuation
        assert min(c["x0"] for c in body.chars) / MM >= BLOCK_LEFT - 0.5


def test_masthead_is_red_with_a_red_rule_under_the_unit_line(long_issue: Rendered) -> None:
    with pdfplumber.open(pdf_of(long_issue)) as pdf:
        first = pdf.pages[0]
        lines = text_lines(first)
        assert lines[0][2] == "内部资料"
        journal = next(chars for _, _, text, chars in lines if text == "社情民意信息")
        assert all(tuple(round(v, 1) for v in c["non_stroking_color"]) == (1.0, 0.2, 0.2)
                   for c in journal)  # fmt: skip
        assert journal[0]["size"] == pytest.approx(36, abs=0.5)
        assert any(text == "第3期（总第45期）" for _, _, text, _ in lines)
        unit = next(line for line in lines if line[2].startswith("政协某某县委员会办公室"))
        assert unit[2].endswith("2026年3月5日")
        assert unit[3][-1]["x1"] / MM == pytest.approx(BLOCK_RIGHT, abs=0.6)  # date flush right
        red = [r for r in rules(first) if r["color"] and r["color"][1] < 0.5]
        assert len(red) == 1
        rule = red[0]
        assert rule["x0"] == pytest.approx(BLOCK_LEFT, abs=0.3)
        assert rule["x1"] == pytest.approx(BLOCK_RIGHT, abs=0.3)
        assert rule["width_mm"] == pytest.approx(1.5 / MM, abs=0.05)
        assert rule["y"] - unit[1] == pytest.approx(4, abs=1)


def test_page_numbers_alternate_sides_seven_mm_under_the_block(long_issue: Rendered) -> None:
    with pdfplumber.open(pdf_of(long_issue)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            chars = footer_text(page)
            assert "".join(c["text"] for c in chars).replace(" ", "") == f"—{number}—"
            assert all(c["size"] == pytest.approx(14, abs=0.3) for c in chars)
            middle = (chars[0]["top"] + chars[0]["bottom"]) / 2 / MM
            assert middle - BLOCK_BOTTOM == pytest.approx(7, abs=1.2)
            if number % 2:  # odd: right, one character in from the edge of the block
                assert chars[-1]["x1"] / MM == pytest.approx(BLOCK_RIGHT - 14 / MM, abs=1)
            else:
                assert chars[0]["x0"] / MM == pytest.approx(BLOCK_LEFT + 14 / MM, abs=1)


def test_colophon_ends_the_last_page_with_its_rules(long_issue: Rendered) -> None:
    with pdfplumber.open(pdf_of(long_issue)) as pdf:
        last = pdf.pages[-1]
        lines = text_lines(last)
        texts = [text for _, _, text, _ in lines]
        assert texts[-6:] == ["报：市政协办公室。", "送：县委、县人大常委会、县政府、县政协领导。",
                              "发：县政协各委室。", "编辑：王芳审核：李强签发：赵明",
                              "政协某某县委员会办公室2026年3月5日印发", "（共印30份）"]  # fmt: skip
        black = [r for r in rules(last) if not r["color"] or max(r["color"]) < 0.2]
        assert len(black) == 3
        top, middle, bottom = black
        assert [round(r["width_mm"], 2) for r in black] == [0.35, 0.26, 0.35]
        assert all(r["x0"] == pytest.approx(BLOCK_LEFT, abs=0.3) for r in black)
        assert all(r["x1"] == pytest.approx(BLOCK_RIGHT, abs=0.3) for r in black)
        assert bottom["y"] == pytest.approx(BLOCK_BOTTOM, abs=1.2)  # at the foot of the page
        printed = next(line for line in lines if line[2].endswith("印发"))
        assert middle["y"] < printed[0] and top["y"] < lines[-6][0]
        assert printed[3][0]["x0"] / MM == pytest.approx(BLOCK_LEFT + 14 / MM, abs=0.5)
        assert printed[3][-1]["x1"] / MM == pytest.approx(BLOCK_RIGHT - 14 / MM, abs=0.8)
        assert all(c["size"] == pytest.approx(14, abs=0.3) for c in printed[3])


def test_fonts_are_embedded_and_each_role_has_its_face(long_issue: Rendered) -> None:
    with pdfplumber.open(pdf_of(long_issue)) as pdf:
        first = pdf.pages[0]
        faces = {}
        for _, _, text, chars in text_lines(first):
            cjk = [c for c in chars if ord(c["text"]) > 0x2E80]
            if cjk:
                faces[text] = cjk[0]["fontname"].split("+")[-1]
        title = next(v for k, v in faces.items() if k.startswith("关于加强农村饮水"))
        body = next(v for k, v in faces.items() if k.startswith("近年来"))
        heading = faces["一、基本情况"]
        submitter = next(v for k, v in faces.items() if k.startswith("反映人"))
        assert len({title, body, heading, submitter}) == 4  # four distinct faces
        assert "Serif" in body and "Bold" in title and "Sans" in heading and "Kai" in submitter
        fonts = resolve1(first.page_obj.resources["Font"])
        assert len(fonts) >= 4
        for font in fonts.values():
            descriptor = _descriptor(resolve1(font))
            assert any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3"))
    described = "；".join(s.describe() for s in long_issue.substitutions)
    assert "仿宋_GB2312" in described and "方正小标宋简体" in described


def _descriptor(font: dict) -> dict:
    if "FontDescriptor" in font:
        return resolve1(font["FontDescriptor"])
    descendant = resolve1(resolve1(font["DescendantFonts"])[0])
    return resolve1(descendant["FontDescriptor"])


def test_several_items_contents_long_title_table_and_rare_name(renderer: Renderer,
                                                               tmp_path: Path) -> None:  # fmt: skip
    long_title = "关于进一步加强和改进全县农村集中供水工程建设管理与运行维护工作的几点建议"
    table = "\n".join(["各乡镇供水情况如下：", "乡镇\t人口\t达标率", "城关镇\t32000\t98%",
                       "石门乡\t8600\t71%", "表中数据为2025年抽样结果。"])  # fmt: skip
    result = renderer.render(issue(
        item(1, PARAGRAPH * 2, title=long_title, submitter="王堃（县政协委员）"),
        item(2, table), item(3, PARAGRAPH),
    ), tmp_path, RenderPlan(), CHECK)  # fmt: skip
    with pdfplumber.open(pdf_of(result)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        lines = [t for page in pdf.pages for _, _, t, _ in text_lines(page)]
        assert "本期要目" in lines
        big = [t for page in pdf.pages for _, _, t, chars in text_lines(page)
               if chars[0]["size"] > 20 and t != "社情民意信息"]  # fmt: skip
        assert big[:2] == L.title_lines(long_title)  # two lines, broken where the docx says
        assert "".join(big[:2]) == long_title and all(len(t) <= 20 for t in big[:2])
        assert "王堃" in text  # outside GB2312, still printed
        assert "城关镇" in text and "98%" in text
        table_page = next(p for p in pdf.pages if "城关镇" in (p.extract_text() or ""))
        assert len(table_page.rects) + len(table_page.lines) >= 4  # the table's cell borders
    assert any("堃" in note for note in result.notes)


def test_colophon_that_does_not_fit_goes_to_the_foot_of_a_new_page(renderer: Renderer,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    template = Template()
    paragraphs = [PARAGRAPH]
    while True:  # content that leaves fewer free lines on its last page than the 版记 needs
        candidate = issue(item(1, "\n".join(paragraphs)))
        builder = DocumentBuilder(template, candidate, Copy())
        built = builder.build()
        rows = sum(r.lines for r in colophon(candidate, template))
        content = built.lines - built.padding - rows
        if 0 < L.LINES_PER_PAGE - content % L.LINES_PER_PAGE < rows and content > 22:
            break
        paragraphs.append("补充说明：" + PARAGRAPH[: 10 + len(paragraphs) % 20])
    result = renderer.render(candidate, tmp_path, RenderPlan(), CHECK)
    with pdfplumber.open(pdf_of(result)) as pdf:
        last = pdf.pages[-1]
        texts = [t for _, _, t, _ in text_lines(last)]
        assert texts[0].startswith("报：")  # the page holds the 版记 alone
        bottom = [r for r in rules(last)][-1]
        assert bottom["y"] == pytest.approx(BLOCK_BOTTOM, abs=1.2)
        previous = text_lines(pdf.pages[-2])
        assert "印发" not in "".join(t for _, _, t, _ in previous)


def test_forwarding_package_holds_the_upward_copy(long_issue: Rendered) -> None:
    assert long_issue.package is not None
    with zipfile.ZipFile(long_issue.package) as archive:
        names = sorted(archive.namelist())
    assert names == ["社情民意信息2026年第3期（报送）.docx", "社情民意信息2026年第3期（报送）.pdf"]


def test_line_prediction_matches_libreoffice_for_mixed_text(renderer: Renderer,
                                                            tmp_path: Path) -> None:  # fmt: skip
    """Without a PDF (--no-pdf) the 版记 padding rests on the prediction alone: it must hold."""
    mixed = [
        "2025年全县GDP增长5.2%，PM2.5平均浓度为32微克/立方米，较上年下降8.6%，空气质量优良天数达到315天。",
        "据统计，全县共有APP注册用户12.6万人，WiFi覆盖率达到93%，5G基站建成468个，投资约3.2亿元。",
        "建议（一）完善“一网通办”平台；（二）推行“最多跑一次”改革，力争2026年底前实现100项事项网上办理。",
    ]
    body = "\n".join(mixed * 6)
    result = renderer.render(issue(item(1, body)), tmp_path, RenderPlan(), CHECK)
    assert not result.corrected


def test_a_wrong_prediction_is_corrected_from_the_measured_pdf(
    renderer: Renderer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = L.line_count
    monkeypatch.setattr(L, "line_count", lambda text, *a, **k: real(text, *a, **k) + 1)
    result = renderer.render(issue(item(1, PARAGRAPH * 3)), tmp_path, RenderPlan(), CHECK)
    assert result.corrected
    with pdfplumber.open(pdf_of(result)) as pdf:
        last = pdf.pages[-1]
        assert rules(last)[-1]["y"] == pytest.approx(BLOCK_BOTTOM, abs=1.2)
        assert text_lines(last)[-1][2] == "（共印30份）"


def test_no_correction_was_needed_for_plain_text(long_issue: Rendered) -> None:
    assert not long_issue.corrected


def test_the_offices_own_fonts_win_over_the_aliases(tmp_path: Path) -> None:
    """A font installed under a standard name is used; the aliases only fill gaps."""
    fc_match = need_tool("fc-match")
    from formatter.pdf import FONTCONFIG

    source = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    if not source.exists():
        if UNDER_CI:
            pytest.fail("fonts-wqy-zenhei is installed by the test set-up")
        pytest.skip("no WenQuanYi Zen Hei to stand in for an office font")
    fonts = tmp_path / "fonts"  # the office's font, installed under the standard name
    fonts.mkdir()
    (fonts / "fangsong.ttc").symlink_to(source)
    office = tmp_path / "office-fonts.conf"
    office.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><include>{FONTCONFIG}</include><dir>{fonts}</dir><cachedir>{tmp_path}/cache</cachedir>
<match target="scan"><test name="file" compare="contains"><string>{fonts}</string></test>
<edit name="family" mode="assign" binding="same"><string>仿宋_GB2312</string></edit></match>
</fontconfig>""", encoding="utf-8")  # fmt: skip
    env = {**os.environ, "FONTCONFIG_FILE": str(office)}
    found = subprocess.run([fc_match, "-f", "%{family}", "仿宋_GB2312"], env=env, text=True,
                           capture_output=True, check=True).stdout  # fmt: skip
    assert found.startswith("仿宋_GB2312")
    shipped = {**env, "FONTCONFIG_FILE": str(FONTCONFIG)}
    found = subprocess.run([fc_match, "-f", "%{family[0]}", "仿宋_GB2312"], env=shipped, text=True,
                           capture_output=True, check=True).stdout  # fmt: skip
    assert found == "Noto Serif CJK SC"


def test_copy_number_then_classification_at_the_top_left(renderer: Renderer,
                                                        tmp_path: Path) -> None:  # fmt: skip
    """GB/T 9704 7.2.1/7.2.2: 份号 on the block's first line, 密级 on the second, both flush
    left; the PDF's properties are the issue's and the office's."""
    from conftest import GATE

    from ingest.screening.gate import Allowance, Checkpoint

    secret = issue(item(1, PARAGRAPH), mark="秘密★1年", copy_number="000012",
                   unit="政协某某县委员会办公室")  # fmt: skip
    declared = Checkpoint(GATE, Allowance.of([secret.mark], classified=True))
    result = renderer.render(secret, tmp_path, RenderPlan(), declared)
    with pdfplumber.open(pdf_of(result)) as pdf:
        first, second = text_lines(pdf.pages[0])[:2]
        metadata = pdf.metadata
    assert first[2] == "000012" and second[2] == "秘密★1年"
    assert second[0] - first[0] == pytest.approx(PITCH_MM, abs=0.6)  # consecutive lines
    for line in (first, second):
        assert line[3][0]["x0"] / MM == pytest.approx(BLOCK_LEFT, abs=0.5)
    assert metadata.get("Author") == "政协某某县委员会办公室"
    assert metadata.get("Title") == "社情民意信息2026年第3期"


def test_long_digit_strings_do_not_spread_their_lines(renderer: Renderer, tmp_path: Path) -> None:
    """A line holding a long number or a web address is set like any other: Chinese
    characters at their pitch (a little looser at most), digits and letters not spaced out."""
    body = ("据统计，截至今年十月底，全县共登记各类市场主体一万余户，其中编号为20261120000012345678"
            "的项目备案后迟迟未能开工建设，群众多次反映，相关网址https://www.example.gov.cn/xxgk/"
            "2026/11/20/art_1234567890.html上的公示信息也未及时更新。") * 2  # fmt: skip
    result = renderer.render(issue(item(1, body)), tmp_path, RenderPlan(), CHECK)
    with pdfplumber.open(pdf_of(result)) as pdf:
        rows = [chars for page in pdf.pages for _, _, text, chars in text_lines(page)
                if any(ch.isdigit() for ch in text) and "据统计" not in text[:3]
                and "期" not in text and "年" not in text[-6:]]  # fmt: skip
    checked = 0
    for chars in rows:
        for a, b in itertools.pairwise(chars):
            gap = b["x0"] - a["x1"]  # space beyond each glyph's own advance
            if a["text"].isascii() and b["text"].isascii():
                assert gap <= a["size"] * 0.05, (a["text"], b["text"], gap)  # not spaced out
            elif not a["text"].isascii() and not b["text"].isascii():
                assert gap <= a["size"] * 0.2, (a["text"], b["text"], gap)
                checked += 1
    assert checked > 20
