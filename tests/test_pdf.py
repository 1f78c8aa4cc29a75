"""The PDF extractor: per-page text in reading order, paragraphs rebuilt from wrapped lines."""

from __future__ import annotations

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
