"""Plain-text submissions: every encoding an office produces, and no silent mojibake."""

from __future__ import annotations

import codecs

import pytest

from common.errors import ExtractionError
from ingest.detect import detect
from ingest.extractors import text as text_extractor
from ingest.options import IngestOptions
from ingest.record import Format

SIMPLIFIED = (
    "关于加强农村养老服务的建议\n反映人：张三（县政协委员）\n"
    "当前我县农村老年人口占比持续上升，养老服务供给不足，主要表现在三个方面。"
    "一是设施少，二是人员缺，三是资金不足。建议县政府加大投入，完善服务网络。"
)
TRADITIONAL = (
    "關於加強農村養老服務的建議\n當前我縣農村老年人口占比持續上升，養老服務供給不足，"
    "主要表現在三個方面。一是設施少，二是人員缺，三是資金不足。建議縣政府加大投入。"
)


@pytest.mark.parametrize(
    "encoded",
    [
        SIMPLIFIED.encode("utf-8"),
        codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"),
        SIMPLIFIED.encode("gbk"),
        SIMPLIFIED.encode("gb18030"),
        SIMPLIFIED.encode("utf-16"),  # with BOM, as Notepad writes "Unicode"
        SIMPLIFIED.encode("utf-16-le"),
        SIMPLIFIED.encode("utf-16-be"),
        SIMPLIFIED.replace("\n", "\r\n").encode("gbk"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-bom", "utf16le", "utf16be", "gbk-crlf"],
)
def test_encodings_decode_exactly(encoded: bytes) -> None:
    assert detect(encoded) is Format.TEXT
    result = text_extractor.extract(encoded, IngestOptions())
    assert result.text == SIMPLIFIED
    assert result.body[0] == "关于加强农村养老服务的建议"


def test_gb18030_four_byte_name_character() -> None:
    # 𠮷 (U+20BB7) is outside GBK; GB18030 encodes it in four bytes.
    text = SIMPLIFIED + "\n反映人：𠮷祥"
    assert text_extractor.extract(text.encode("gb18030"), IngestOptions()).text == text


def test_big5() -> None:
    assert text_extractor.extract(TRADITIONAL.encode("big5"), IngestOptions()).text == TRADITIONAL


def test_undecidable_bytes_are_rejected_not_garbled() -> None:
    # Shift-JIS Japanese: valid in no encoding we read as plausible Chinese.
    data = ("これは日本語の文章です。" * 10).encode("shift_jis")
    with pytest.raises(ExtractionError, match="编码"):
        text_extractor.extract(data, IngestOptions())


def test_normalisation() -> None:
    raw = "标题\r\n\r\n\r\n\u3000\u3000第一段\u200b内容。  \r第二段ｅ\u0301。\x07\n"
    result = text_extractor.extract(raw.encode("utf-8"), IngestOptions())
    assert result.text == "标题\n第一段内容。\n第二段ｅ\u0301。".replace("ｅ\u0301", "ｅ\u0301")
    assert "\r" not in result.text and "\u200b" not in result.text and "\x07" not in result.text


def test_nfc() -> None:
    result = text_extractor.extract("Jose\u0301 的建议".encode(), IngestOptions())
    assert result.text == "Jos\u00e9 的建议"


def test_whitespace_only_is_rejected() -> None:
    with pytest.raises(ExtractionError, match="没有文字"):
        text_extractor.extract("\u3000 \r\n\t".encode(), IngestOptions())
