"""Personal and business identifiers, found by pattern and confirmed by their checks.

A number is reported only when it validates: a resident ID's region, date and
MOD 11-2 check digit (GB 11643); a mobile number's mainland prefix; a bank
card's Luhn digit (and a card word nearby, since many numbers pass Luhn by
chance); a 统一社会信用代码's MOD 31 check (GB 32100). A number inside a longer
run of digits or letters is never a hit, and a date is never a phone number.
Full-width digits are read as digits; offsets always refer to the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ingest.record import Finding

# Full-width digits and letters → ASCII, one to one, so offsets are unchanged.
_WIDTH = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)?86[-\s]?)?(1[3-9]\d(?:[-\s]?\d{4}){2})(?![0-9A-Za-z])"
)
_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{4}(?:[\s-]?\d{4}){2,3}(?:[\s-]?\d{1,3})?)(?![0-9A-Za-z])")
_USCC = re.compile(
    r"(?<![0-9A-Za-z])([0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10})(?![0-9A-Za-z])"
)
# Every identifier above holds six digits in a row or two digit groups with a separator;
# most texts have neither, and skip the five patterns below.
_ANY_NUMBER = re.compile(r"\d{6}|\d{3}[-\s]\d{4}")
_CARD_CONTEXT = re.compile(
    r"银行卡|卡号|账号|帐号|账户|帐户|储蓄卡|信用卡|借记卡|开户行|银行|工资卡|社保卡"
)

# First two digits of mainland (and HK/MO/TW) administrative division codes.
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    ]
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def find_pii(text: str) -> list[Finding]:
    """Every validated identifier in ``text``, in order, without overlaps."""
    if not _ANY_NUMBER.search(text):  # \d also matches full-width digits
        return []
    ascii_text = text.translate(_WIDTH)
    found: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for finding in _candidates(ascii_text, text):
        assert finding.start is not None and finding.end is not None
        if any(finding.start < e and s < finding.end for s, e in taken):
            continue
        taken.append((finding.start, finding.end))
        found.append(finding)
    return sorted(found, key=lambda f: f.start or 0)


def _candidates(ascii_text: str, text: str) -> Iterator[Finding]:
    # Order matters: the most specific checks claim their digits first.
    for match in _ID18.finditer(ascii_text):
        if valid_id18(match.group(1)):
            yield _hit("pii.id_card", match, text)
    for match in _USCC.finditer(ascii_text):
        if valid_uscc(match.group(1)):
            yield _hit("pii.uscc", match, text)
    for match in _ID15.finditer(ascii_text):
        if valid_id15(match.group(1)):
            yield _hit("pii.id_card", match, text)
    for match in _MOBILE.finditer(ascii_text):
        yield _hit("pii.mobile", match, text, group=0)
    for match in _CARD.finditer(ascii_text):
        digits = re.sub(r"\D", "", match.group(1))
        if (
            16 <= len(digits) <= 19
            and luhn(digits)
            and _CARD_CONTEXT.search(ascii_text, max(0, match.start() - 20), match.start())
        ):
            yield _hit("pii.bank_card", match, text)


def _hit(category: str, match: re.Match[str], text: str, group: int = 1) -> Finding:
    start, end = match.span(group)
    return Finding(kind="sensitive", category=category, text=text[start:end], start=start, end=end)


def valid_id18(number: str) -> bool:
    """GB 11643 resident identity number: region, birth date and MOD 11-2 check digit."""
    if number[:2] not in _PROVINCES or not _valid_date(number[6:14]):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def valid_id15(number: str) -> bool:
    """The 15-digit identity number issued before 1999: region and a 19YY birth date."""
    return number[:2] in _PROVINCES and _valid_date("19" + number[6:12])


def _valid_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        value = int(ch)
        if i % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def valid_uscc(code: str) -> bool:
    """GB 32100 统一社会信用代码: 18 characters with a MOD 31 check character."""
    code = code.upper()
    if any(ch not in _USCC_CHARS for ch in code) or code[2:4] == "00":
        return False
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]
