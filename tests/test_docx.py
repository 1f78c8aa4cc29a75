"""The .docx extractor on documents built in code, including the parts python-docx misses."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import W_NS, add_docx_part, docx_with_body

from ingest.extractors import docx
from ingest.options import IngestOptions

OPTIONS = IngestOptions()


def read(path: Path) -> tuple[str, tuple[str, ...]]:
    result = docx.extract(path.read_bytes(), OPTIONS)
    return result.text, result.body


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_paragraphs_and_table_in_reading_order(make_docx) -> None:
    path = make_docx("a.docx", ["关于加强农村养老服务的建议", "第一段正文。"],
                     table=[["反映人", "张三"], ["单位", "县人民医院"]])  # fmt: skip
    text, body = read(path)
    assert text.split("\n") == [
        "关于加强农村养老服务的建议",
        "第一段正文。",
        "反映人\t张三",
        "单位\t县人民医院",
    ]
    assert body[0] == "关于加强农村养老服务的建议"


def test_headers_first_footers_last_page_numbers_dropped(make_docx) -> None:
    path = make_docx("b.docx", ["正文内容。"], header="内部资料 注意保密", footer="— 1 —")
    text, body = read(path)
    assert text.split("\n") == ["内部资料 注意保密", "正文内容。"]
    assert body == ("正文内容。",)


def test_text_box_read_once_before_its_anchor(tmp_path: Path) -> None:
    box = "<w:txbxContent><w:p><w:r><w:t>秘密★1年</w:t></w:r></w:p></w:txbxContent>"
    body_xml = (
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        f"<a:graphic><a:graphicData><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></a:graphicData>"
        "</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>"
        f"<v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
        f"{run('正文第一段。')}</w:p>"
    )
    text, _ = read(docx_with_body(tmp_path / "box.docx", body_xml))
    assert text.count("秘密★1年") == 1
    assert text.split("\n")[:2] == ["秘密★1年", "正文第一段。"]


def test_vml_text_box(tmp_path: Path) -> None:
    body_xml = (
        "<w:p><w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p>"
        f"{run('县政协办公室〔2026〕12号')}</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    text, _ = read(docx_with_body(tmp_path / "vml.docx", body_xml))
    assert text == "县政协办公室〔2026〕12号"


def test_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    body_xml = (
        f'<w:p>{run("建议")}<w:ins w:id="1" w:author="编辑">{run("尽快")}</w:ins>'
        '<w:del w:id="2" w:author="编辑"><w:r><w:delText>逐步</w:delText></w:r></w:del>'
        f"{run('完善设施。')}</w:p>"
        '<w:del w:id="3" w:author="编辑"><w:p><w:r><w:delText>整段删除</w:delText></w:r></w:p></w:del>'
        '<w:p><w:pPr><w:rPr><w:del w:id="4" w:author="编辑"/></w:rPr></w:pPr>'
        f"{run('前半句')}</w:p><w:p>{run('后半句。')}</w:p>"
        f'<w:p><w:moveFrom w:id="5" w:author="编辑">{run("移走")}</w:moveFrom>'
        f'<w:moveTo w:id="6" w:author="编辑">{run("移来")}</w:moveTo></w:p>'
    )
    text, _ = read(docx_with_body(tmp_path / "tracked.docx", body_xml))
    assert text.split("\n") == ["建议尽快完善设施。", "前半句后半句。", "移来"]


def test_field_codes_skipped_results_kept(tmp_path: Path) -> None:
    body_xml = (
        f'<w:p>{run("共")}<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> NUMPAGES </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'{run("3")}<w:r><w:fldChar w:fldCharType="end"/></w:r>{run("页")}</w:p>'
        f"<w:p><w:hyperlink>{run('链接文字')}</w:hyperlink><w:r><w:tab/></w:r>{run('后')}</w:p>"
    )
    text, _ = read(docx_with_body(tmp_path / "fields.docx", body_xml))
    assert text.split("\n") == ["共3页", "链接文字\t后"]


def test_footnotes_and_endnotes(make_docx) -> None:
    path = make_docx("notes.docx", ["正文。"], footer="第 2 页")
    notes = (
        f'<w:footnotes xmlns:w="{W_NS}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
        '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r>'
        "<w:t>数据来源：县统计局</w:t></w:r></w:p></w:footnote></w:footnotes>"
    )
    add_docx_part(path, "word/footnotes.xml", notes, "footnotes",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml")  # fmt: skip
    endnotes = notes.replace("footnote", "endnote").replace("数据来源：县统计局", "尾注内容")
    add_docx_part(path, "word/endnotes.xml", endnotes, "endnotes",
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml")  # fmt: skip
    text, body = read(path)
    assert text.split("\n") == ["正文。", "数据来源：县统计局", "尾注内容"]
    assert body == ("正文。",)


def test_nested_table_and_multiline_cells(tmp_path: Path) -> None:
    inner = f"<w:tbl><w:tr><w:tc>{'<w:p>' + run('内表') + '</w:p>'}</w:tc></w:tr></w:tbl>"
    body_xml = (
        "<w:tbl><w:tr>"
        f"<w:tc><w:p>{run('情况说明')}</w:p></w:tc>"
        f"<w:tc><w:p>{run('第一段。')}</w:p><w:p>{run('第二段。')}</w:p>{inner}<w:p/></w:tc>"
        "</w:tr></w:tbl>"
    )
    text, _ = read(docx_with_body(tmp_path / "nested.docx", body_xml))
    assert text.split("\n") == ["情况说明", "第一段。", "第二段。", "内表"]


@pytest.mark.parametrize("sym,expected", [("F0B7", "·"), ("2605", "★")])
def test_symbols(tmp_path: Path, sym: str, expected: str) -> None:
    body_xml = f'<w:p><w:r><w:sym w:font="Symbol" w:char="{sym}"/></w:r>{run("标记")}</w:p>'
    text, _ = read(docx_with_body(tmp_path / "sym.docx", body_xml))
    assert text == expected + "标记"


NUMBERING = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
 <w:abstractNum w:abstractNumId="7">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
 </w:abstractNum>
 <w:abstractNum w:abstractNumId="8">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
 </w:abstractNum>
 <w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>
 <w:num w:numId="4"><w:abstractNumId w:val="8"/></w:num>
</w:numbering>"""


def test_automatic_list_numbering_is_written_out(tmp_path: Path) -> None:
    from conftest import docx_with_body, rewrite_zip

    def para(text: str, level: int | None = None, num: int = 3) -> str:
        numbered = (f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/>'
                    "</w:numPr></w:pPr>") if level is not None else ""  # fmt: skip
        return f"<w:p>{numbered}<w:r><w:t>{text}</w:t></w:r></w:p>"

    body = "".join([
        para("关于加强农村养老服务的建议"), para("存在的问题", 0), para("设施不足", 1),
        para("人员短缺", 1), para("护理员", 2), para("护工", 2), para("几点建议", 0),
        para("加大投入", 1), para("要点", 0, num=4), *(para(f"第{n}条", 0) for n in range(3, 12)),
    ])  # fmt: skip
    path = docx_with_body(tmp_path / "numbered.docx", body)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["word/numbering.xml"] = NUMBERING.encode()
    rewrite_zip(path, parts)
    extraction = docx.extract(path.read_bytes(), IngestOptions())
    assert list(extraction.body[:9]) == [
        "关于加强农村养老服务的建议", "一、存在的问题", "（一）设施不足", "（二）人员短缺",
        "1.护理员", "2.护工", "二、几点建议", "（一）加大投入", "要点",  # a bullet adds nothing
    ]  # fmt: skip
    assert extraction.body[-2:] == ("十、第10条", "十一、第11条")


def test_strict_ooxml_is_read_like_transitional(tmp_path: Path) -> None:
    """Strict OOXML (Word's "Strict Open XML Document") names its namespaces under
    purl.oclc.org: the same document reads the same, not 「缺少正文部分」."""
    import io

    from minyi import samples

    paragraphs = ["关于加强农村养老服务的建议", "反映人：张三", "正文内容。"]
    source = zipfile.ZipFile(samples.make_docx(tmp_path / "t.docx", paragraphs))
    strict = io.BytesIO()
    with zipfile.ZipFile(strict, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            for usual, renamed in (
                (b"schemas.openxmlformats.org/wordprocessingml/2006/main",
                 b"purl.oclc.org/ooxml/wordprocessingml/main"),
                (b"schemas.openxmlformats.org/officeDocument/2006/relationships",
                 b"purl.oclc.org/ooxml/officeDocument/relationships"),
            ):  # fmt: skip
                data = data.replace(usual, renamed)
            archive.writestr(info, data)
    data = strict.getvalue()
    main = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"purl.oclc.org/ooxml/wordprocessingml/main" in main
    assert docx.extract(data, IngestOptions()).body == tuple(paragraphs)
