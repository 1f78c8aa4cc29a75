"""Personal-data validators: valid numbers hit, invalid ones and look-alikes never do."""

from __future__ import annotations

import pytest

from ingest.record import Finding, Format, Record, mask_value
from ingest.screening.pii import find_pii, luhn, valid_id15, valid_id18, valid_uscc

ID_OK = "11010519491231002X"  # the example in GB 11643
ID_OK2 = "110101199003074514"
USCC_OK = "91350100M000100Y43"
CARD_OK = "4111111111111111"  # the standard Luhn test number


def cats(text: str) -> list[tuple[str, str]]:
    return [(f.category, f.text) for f in find_pii(text)]


@pytest.mark.parametrize("number,ok", [
    (ID_OK, True), (ID_OK2, True), (ID_OK.lower(), True),
    ("11010519491231002Y", False),  # wrong check character
    ("110105194912310021", False),
    ("990105194912310023", False),  # no such region
    ("110105194902300028", False),  # 30 February
    ("110105290001010020", False),  # born in the future
])  # fmt: skip
def test_id18(number: str, ok: bool) -> None:
    assert valid_id18(number) is ok


def test_id15_and_uscc_and_luhn() -> None:
    assert valid_id15("110105491231002") and not valid_id15("110105491331002")
    assert valid_uscc(USCC_OK) and not valid_uscc("91350100M000100Y44")
    assert luhn(CARD_OK) and not luhn("4111111111111112")


def test_ids_in_text_with_offsets() -> None:
    text = f"反映人身份证号：{ID_OK}，联系人身份证{ID_OK2}。"
    found = find_pii(text)
    assert [(f.category, text[f.start:f.end]) for f in found] == [  # type: ignore[misc]
        ("pii.id_card", ID_OK), ("pii.id_card", ID_OK2)
    ]  # fmt: skip


def test_no_hit_inside_longer_runs_or_on_bad_checks() -> None:
    assert cats(f"订单号9{ID_OK2}7") == []
    assert cats("编号110105194912310021") == []
    assert cats("流水号213812345678901") == []  # a mobile number's digits inside a longer run
    assert cats("统一代码91350100M000100Y44") == []


def test_mobile_numbers() -> None:
    assert cats("电话13812345678") == [("pii.mobile", "13812345678")]
    assert cats("手机：+86 139-1234-5678。") == [("pii.mobile", "+86 139-1234-5678")]
    assert cats("手机１３８１２３４５６７８") == [("pii.mobile", "１３８１２３４５６７８")]
    assert cats("座机12345678901") == []  # 12… is not a mobile prefix


def test_dates_and_amounts_are_not_phone_numbers() -> None:
    assert cats("2026年3月5日，投入资金20260305元，时间2026-03-05 13:45:00。") == []
    assert cats("20260305135959") == []


def test_bank_card_needs_luhn_and_context() -> None:
    assert cats(f"工资卡卡号：{CARD_OK[:4]} {CARD_OK[4:8]} {CARD_OK[8:12]} {CARD_OK[12:]}") == [
        ("pii.bank_card", "4111 1111 1111 1111")
    ]
    assert cats(f"项目编号{CARD_OK}") == []  # no card word nearby
    assert cats("银行卡号4111111111111112") == []  # fails Luhn


def test_uscc() -> None:
    assert cats(f"统一社会信用代码：{USCC_OK}") == [("pii.uscc", USCC_OK)]


def test_masking() -> None:
    assert mask_value("pii.id_card", ID_OK2) == "1101**********4514"
    assert mask_value("pii.mobile", "13812345678") == "138****5678"
    assert mask_value("pii.mobile", "+86 139-1234-5678") == "+86 139-****-5678"
    text = f"身份证{ID_OK2}，手机13812345678。"
    record = Record(sha256="", original_name="", format=Format.TEXT, pages=(), text=text,
                    findings=(*find_pii(text), Finding("check", "check.length")))  # fmt: skip
    assert record.masked_text() == "身份证1101**********4514，手机138****5678。"
    assert record.text == text  # the registry keeps the original
