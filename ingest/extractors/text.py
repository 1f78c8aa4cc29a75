"""Plain-text submissions: detect the encoding, refuse to guess when unsure.

Chinese offices produce UTF-8 (with or without BOM), GBK/GB18030 (Windows
Notepad's "ANSI") and UTF-16 ("Unicode"). Big5 turns up from Hong Kong and
Taiwan contacts. A decoding is accepted only when the result reads as text; a
file that no candidate decodes plausibly is rejected rather than stored as
mojibake.
"""

from __future__ import annotations

import codecs

from common.errors import ExtractionError
from ingest.extractors import Extraction
from ingest.options import IngestOptions
from ingest.record import Page
from ingest.textnorm import normalise, paragraphs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in order after UTF-8; the first plausible decoding wins. GB18030 is a
# superset of GBK and GB2312, so it reads all three.
_CANDIDATES = ("gb18030", "big5", "utf-16-le", "utf-16-be")


def extract(data: bytes, options: IngestOptions) -> Extraction:
    text = normalise(decode(data))
    if not text:
        raise ExtractionError("文件中没有文字内容")
    return Extraction(pages=(Page(number=1, text=text),), body=tuple(paragraphs(text)))


def decode(data: bytes) -> str:
    """Decode ``data`` as text, or raise ExtractionError when the encoding is unclear."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ExtractionError(f"文本带有 {codec} 标记，但内容不是有效的该编码") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Other encodings' Chinese text practically never validates as UTF-8, so
        # valid UTF-8 is UTF-8 unless it is full of control characters (binary).
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
        if controls <= len(text) * 0.05:
            return text
    scored = [
        (plausibility(t) + common_share(t), t)
        for t in (_try(data, c) for c in _CANDIDATES)
        if t is not None and plausibility(t) >= 0.98 and common_share(t) >= 0.2
    ]
    if scored:
        return max(scored, key=lambda pair: pair[0])[1]
    raise ExtractionError(
        "无法确定文本文件的编码（不是 UTF-8、GBK/GB18030、UTF-16 或 Big5 的有效文字），"
        "为避免乱码已拒收；请另存为 UTF-8 或 .docx 后重新提交"
    )


def _try(data: bytes, codec: str) -> str | None:
    if codec.startswith("utf-16") and len(data) % 2:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def plausibility(text: str) -> float:
    """Share of characters that belong in a Chinese submission.

    Counts ASCII printables, whitespace, common CJK ideographs, CJK and
    full-width punctuation and general punctuation. Mojibake from a wrong
    decoding lands in rare blocks (CJK Extension B via GB18030 four-byte codes,
    Hangul, private use, controls), which lowers the share.
    """
    if not text:
        return 0.0
    good = sum(1 for ch in text if _is_common(ch))
    return good / len(text)


def common_share(text: str) -> float:
    """Share of the ideographs in ``text`` that are among the most frequent ones.

    Real Chinese prose is about two thirds made of a few hundred characters;
    text decoded with the wrong double-byte table is a random draw from twenty
    thousand, so it scores near zero. Texts with few ideographs score 1.
    """
    han = [ch for ch in text if 0x4E00 <= ord(ch) <= 0x9FFF]
    if len(han) < 20:
        return 1.0
    return sum(1 for ch in han if ch in _FREQUENT) / len(han)


def _is_common(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x20 <= cp < 0x7F
        or ch in "\r\n\t"
        or 0x4E00 <= cp <= 0x9FFF  # CJK Unified Ideographs
        or 0x3000 <= cp <= 0x303F  # CJK symbols and punctuation
        or 0xFF00 <= cp <= 0xFFEF  # full-width forms
        or 0x2000 <= cp <= 0x206F  # general punctuation (…, —, “ ”)
        or 0x00A0 <= cp <= 0x024F  # Latin-1 and Latin Extended (×, ·, °, é)
        or 0x0300 <= cp <= 0x036F  # combining accents
        or 0x2100 <= cp <= 0x22FF  # letterlike, numbers (Ⅲ), arrows, maths
        or 0x2460 <= cp <= 0x24FF  # ①
        or 0x2500 <= cp <= 0x25FF  # box drawing, ■ ○ ★
        or 0x2600 <= cp <= 0x26FF  # ☆
        or 0x3400 <= cp <= 0x4DBF  # CJK Extension A (rare name characters)
        or ch == "\ufeff"
    )


# The most frequent characters of modern Chinese prose, simplified and traditional.
_FREQUENT = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
    "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
    "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知"
    "较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府研县委协议服务村镇乡"
    "街道群众企业单位领导部门问题建议情况措施加强完善推进落实保障相关工作发展服务资金项目教育医疗"
    "卫生养老交通环境安全管理政策制度标准群体人员基层社区市省全年元万亿以上目前存在较为严重亟待"
    "這為個國來們時發會對說經進過動學現實體點從業開還應當後麼問關與長場員義見無樣間將種機區農級"
    "議務處題縣協當並們這裡產術專東車門難醫療衛環境請層設標準資項頭萬億條計與總線區廣書記紀"
)
