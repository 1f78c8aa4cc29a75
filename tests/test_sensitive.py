"""密级 marks, lexicons, topics and whitelist; evasions; offsets back into the original text."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ingest.record import Format, Record
from ingest.screening.fold import fold, fold_compact, fold_digits, fold_words
from ingest.screening.lexicon import Lexicons
from ingest.screening.sensitive import find_sensitive


def found(text: str, lexicons: Lexicons | None = None) -> list[tuple[str, str]]:
    record = Record(sha256="", original_name="", format=Format.TEXT, pages=(), text=text)
    hits = find_sensitive(record, (lexicons or Lexicons()).matcher())
    for hit in hits:  # offsets point at the original text
        assert text[hit.start : hit.end] == hit.text  # type: ignore[misc]
    return [(h.category, h.text) for h in hits]


def test_fold_maps_offsets_back() -> None:
    text = "機 密★１年，ＡＢＣ秘*密"
    folded = fold(text)
    assert folded.text == "机密★1年,abc秘密"
    start = folded.text.index("秘密")
    assert text[slice(*folded.span(start, start + 2))] == "秘*密"


def test_long_texts_fold_exactly_as_short_ones() -> None:
    """A long text is mapped through an array, a short one by ``str.translate``: every code
    point (lone surrogates and the last plane too) folds the same either way."""
    import random

    every = "".join(map(chr, range(0x110000)))
    chunks = [every[i : i + 4096] for i in range(0, len(every), 4096)]
    rng = random.Random(7)
    chunks += ["".join(rng.choices(every, k=3000)) for _ in range(20)]
    chunks.append(
        "機 密★１年，ＡＢＣ秘*密 身份证 １１０１０１－１９９００３０７－００１１\u200b" * 20
    )
    for fold_ in (fold, fold_compact, fold_digits, fold_words):
        for chunk in chunks:
            long = fold_(chunk)
            short = [fold_(chunk[i : i + 200]) for i in range(0, len(chunk), 200)]
            assert long.text == "".join(s.text for s in short)
    text = chunks[-1]
    folded = fold(text)
    start = folded.text.index("秘密")
    assert text[slice(*folded.span(start, start + 2))] == "秘*密"


@pytest.mark.parametrize("text,hit", [
    ("秘密★1年\n关于某事的建议", "秘密★1年"),
    ("绝密★长期", "绝密★长期"),
    ("机密★10年", "机密★10年"),
    ("秘*密★6个月", "秘*密★6个月"),  # symbol slipped in
    ("机 密\n关于某事的建议", "机 密"),  # a mark alone on its line
    ("機密\n正文。", "機密"),  # traditional
    ("密级：秘密", "秘密"),
    ("（内部资料）关于某事的建议", "内部资料"),
    ("内部资料", "内部资料"),
])  # fmt: skip
def test_secret_marks(text: str, hit: str) -> None:
    assert ("secret.marking", hit) in found(text)


def test_mark_pair_on_one_line() -> None:
    assert found("内部资料，注意保密\n正文。") == [
        ("secret.marking", "内部资料"), ("secret.marking", "注意保密")
    ]  # fmt: skip


@pytest.mark.parametrize("text", [
    "这已不是什么秘密。",
    "这已不是什么秘密",  # even alone on a line: the whitelist
    "要保守国家秘密，加强保密教育。",
    "一些单位把内部资料随意丢弃，存在泄密隐患。",
    "秘密通道的说法缺乏依据。",
])  # fmt: skip
def test_prose_is_not_a_mark(text: str) -> None:
    assert [c for c, _ in found(text) if c == "secret.marking"] == []


def test_topics_longest_match() -> None:
    assert found("当事人多次越级上访，并已提起诉讼。") == [
        ("topic.petition", "越级上访"), ("topic.litigation", "起诉")
    ]  # fmt: skip


def test_office_lexicon_categories_and_reload(tmp_path: Path) -> None:
    lexicon = tmp_path / "本地词库.txt"
    lexicon.write_text("# 注释\n化工园区\n拆迁补偿\ttopic.land\n", encoding="utf-8")
    lexicons = Lexicons((lexicon,))
    assert found("化工 园区的拆迁补偿问题", lexicons) == [
        ("lexicon.本地词库", "化工 园区"), ("topic.land", "拆迁补偿")
    ]  # fmt: skip
    lexicon.write_text("垃圾焚烧\n", encoding="utf-8")
    stamp = time.time() + 5
    os.utime(lexicon, (stamp, stamp))  # a later mtime, as an edit a moment later has
    assert found("化工园区与垃圾焚烧", lexicons) == [("lexicon.本地词库", "垃圾焚烧")]


def test_office_whitelist(tmp_path: Path) -> None:
    lexicon = tmp_path / "words.txt"
    lexicon.write_text("养殖场\n", encoding="utf-8")
    white = tmp_path / "white.txt"
    white.write_text("生态养殖场\n", encoding="utf-8")
    assert found("生态养殖场和养殖场", Lexicons((lexicon,), (white,))) == [
        ("lexicon.words", "养殖场")
    ]


def test_case_and_width_evasion(tmp_path: Path) -> None:
    lexicon = tmp_path / "terms.txt"
    lexicon.write_text("PX项目\n", encoding="utf-8")
    assert found("关于ｐｘ 项目的建议", Lexicons((lexicon,))) == [("lexicon.terms", "ｐｘ 项目")]


def test_unreadable_lexicon_is_a_config_error(tmp_path: Path) -> None:
    from common.errors import ConfigError

    bad = tmp_path / "gbk.txt"
    bad.write_bytes("词语".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        Lexicons((bad,)).matcher()
    with pytest.raises(ConfigError, match="无法读取"):
        Lexicons((tmp_path / "missing.txt",)).matcher()


def test_pii_is_reported_too() -> None:
    assert ("pii.mobile", "13812345678") in found("联系电话13812345678")
