"""Web pages and Word's single-file web pages (.html, .mht) read as documents, not as tags."""

from __future__ import annotations

import base64
import codecs
import quopri
from pathlib import Path

import pytest

from ingest.detect import detect
from ingest.extractors import extractor_for
from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.record import Format, Status

TITLE = "关于加强农村供水管护的建议"
BODY = "近年来，我县农村集中供水工程覆盖面不断扩大，但部分山区村组仍存在管网老化问题。"


def word_page(charset: str, mark: str = "") -> str:
    """An HTML page as Word's "save as web page" writes it (much shortened)."""
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word">\n<head>\n'
        f'<meta http-equiv=Content-Type content="text/html; charset={charset}">\n'
        "<title>文档</title>\n<!--[if gte mso 9]><xml><o:DocumentProperties>"
        "<o:Author>某人</o:Author></o:DocumentProperties></xml><![endif]-->\n"
        "<style>\n<!-- p.MsoNormal {margin:0cm; font-family:仿宋_GB2312;} -->\n</style>\n"
        "</head>\n<body lang=ZH-CN>\n<div class=WordSection1>\n"
        f"<p class=MsoNormal>{mark}</p>\n"
        f"<p class=MsoNormal align=center><b><span>{TITLE}</span></b></p>\n"
        "<p class=MsoNormal>反映人：张三（县政协委员）</p>\n"
        f"<p class=MsoNormal><span>{BODY[:20]}</span><span>{BODY[20:]}</span></p>\n"
        "<script>document.write('绝密')</script>\n</div>\n</body>\n</html>\n"
    )


def mht(page: str, charset: str, encoding: str) -> bytes:
    raw = page.encode(charset)
    payload = base64.encodebytes(raw) if encoding == "base64" else quopri.encodestring(raw)
    return (
        b"MIME-Version: 1.0\r\nX-Document-Type: Document\r\n"
        b'Content-Type: multipart/related; boundary="----=_NextPart_01DA"\r\n\r\n'
        b"This document is a Single File Web Page.\r\n\r\n------=_NextPart_01DA\r\n"
        b"Content-Location: file:///C:/D1/doc.htm\r\n"
        + f"Content-Transfer-Encoding: {encoding}\r\n".encode()
        + f'Content-Type: text/html; charset="{charset}"\r\n\r\n'.encode()
        + payload
        + b"\r\n------=_NextPart_01DA\r\nContent-Location: file:///C:/D1/doc_files/image001.png\r\n"
        b"Content-Transfer-Encoding: base64\r\nContent-Type: image/png\r\n\r\niVBORw0KGgo=\r\n"
        b"------=_NextPart_01DA--\r\n"
    )


def read(data: bytes) -> str:
    return extractor_for(detect(data))(data, IngestOptions(), None).text  # type: ignore[arg-type]


@pytest.mark.parametrize("charset", ["gb2312", "gbk", "utf-8"])
def test_word_web_page_in_each_charset(charset: str) -> None:
    data = word_page(charset).encode(charset)
    assert detect(data) is Format.HTML
    text = read(data)
    assert text.splitlines()[:2] == [TITLE, "反映人：张三（县政协委员）"] or TITLE in text
    assert BODY in text  # spans inside a paragraph join; paragraphs stay apart
    assert "<" not in text and "MsoNormal" not in text and "绝密" not in text and "某人" not in text


def test_html_with_a_bom_or_in_utf16() -> None:
    assert BODY in read(codecs.BOM_UTF8 + word_page("utf-8").encode("utf-8"))
    page = word_page("unicode").replace("charset=unicode", "charset=utf-16")
    utf16 = page.encode("utf-16")
    assert detect(utf16) is Format.HTML and BODY in read(utf16)


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
@pytest.mark.parametrize("charset", ["gb2312", "utf-8"])
def test_mht_parts_are_decoded(encoding: str, charset: str) -> None:
    data = mht(word_page(charset), charset, encoding)
    assert detect(data) is Format.MHT
    text = read(data)
    assert TITLE in text and BODY in text
    assert "iVBOR" not in text and "Content-Type" not in text and "=E5" not in text


def test_a_mark_inside_an_mht_renamed_doc_is_quarantined(
    tmp_path: Path, pipeline: Pipeline
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "网页另存.doc").write_bytes(mht(word_page("gb2312", "机密★1年"), "gb2312", "base64"))
    (inbox / "页面.htm").write_bytes(word_page("gbk", "秘&#8203;密★长期").encode("gbk"))
    (inbox / "普通.mht").write_bytes(mht(word_page("utf-8"), "utf-8", "quoted-printable"))
    records = {}
    pipeline.process(inbox, on_receipt=lambda r, rec: records.__setitem__(r.file, rec))
    assert records["网页另存.doc"].format is Format.MHT
    assert records["网页另存.doc"].status is Status.QUARANTINED
    assert records["页面.htm"].status is Status.QUARANTINED  # an entity for a zero-width space
    assert records["普通.mht"].status is not Status.QUARANTINED
    assert records["普通.mht"].title == TITLE
    kept = sorted(p.suffix for p in (tmp_path / "data" / "archive").rglob("*.*"))
    assert kept == [".html", ".mht", ".mht"]
