"""Personal and business identifiers, found by pattern and confirmed by their checks.

A number is reported only when it validates: a resident ID's region, date and
MOD 11-2 check digit (GB 11643); a mobile number's mainland prefix; a bank
card's Luhn digit (and a card word nearby, since many numbers pass Luhn by
chance); a 统一社会信用代码's MOD 31 check (GB 32100).

Numbers are read through ``fold_digits``: characters that show nothing are
skipped, full-width digits are digits, and a number may be written in groups
(``320102 19900307 1239``, ``320102-19900307-1239``, ``138 1234 5678``) or
broken across a line. A number inside a longer run of digits or letters, or
inside a web address, e-mail address or file name (``…/art_2024_13912345678.html``),
is never a hit, and a date is never a phone number. Offsets always refer to
the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ingest.record import Finding
from ingest.screening.fold import fold_digits

# Between two digits of one number: nothing, one or two spaces, a dash with or without
# spaces, or one line break.
_SEP = r"(?:[ ]{1,2}|[ ]?-[ ]?|\n)?"
_START = r"(?<![0-9A-Za-z_+])"
_ID18 = re.compile(_START + rf"(?=(\d(?:{_SEP}\d){{16}}{_SEP}[\dXx]))")
_ID15 = re.compile(_START + rf"(?=(\d(?:{_SEP}\d){{14}}))")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z_+])(?=((?:(?:\+|00)?86[- ]?)?(1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9})))"
)
_CARD = re.compile(_START + rf"(?=(\d(?:{_SEP}\d){{15,18}}))")
_USCC = re.compile(
    r"(?<![0-9A-Za-z_])([0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10})(?![0-9A-Za-z_])"
)
_AFTER_OK = re.compile(r"(?![0-9A-Za-z_])")
# Every identifier above holds six digits in a row (the credit code) or eleven digits close
# together; most texts have neither, and skip the patterns below.
_ANY_NUMBER = re.compile(r"\d{6}|\d(?:[ \-\n]{0,3}\d){10}")
_SIX_DIGITS = re.compile(r"\d\d\d\d\d\d")  # (as \d{6}; 1.5 times its speed in re)
# Web and e-mail addresses and file names: digits inside them are not personal data.
_ADDRESS = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s，。；、“”‘’（）()【】<>\"']+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w./\\-]+\.(?:s?html?|php|aspx?|jsp|pdf|docx?|wps|xlsx?|jpe?g|png|gif|zip|rar|txt)\b",
    re.IGNORECASE,
)
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


def find_pii(text: str, folded_text: str | None = None) -> list[Finding]:
    """Every validated identifier in ``text``, in order, without overlaps.

    ``folded_text`` (``fold(text).text``, when the caller has it) lets most texts skip the
    patterns: ``fold`` drops spaces, dashes and invisible characters, so every identifier
    shows there as six or more digits in a row (a number split by a line break keeps one
    part of six).
    """
    if folded_text is not None and not _SIX_DIGITS.search(folded_text):
        return []
    folded = fold_digits(text)
    digits = folded.text
    if not _ANY_NUMBER.search(digits):
        return []
    addresses = [m.span() for m in _ADDRESS.finditer(digits)] if "." in digits else []
    found: list[Finding] = []
    taken: list[tuple[int, int]] = list(addresses)
    for category, start, end in _candidates(digits):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        first, last = folded.span(start, end)
        found.append(Finding(kind="sensitive", category=category, text=text[first:last],
                             start=first, end=last))  # fmt: skip
    return sorted(found, key=lambda f: f.start or 0)


def _candidates(digits: str) -> Iterator[tuple[str, int, int]]:
    """(category, start, end) in the folded text; the most specific checks come first."""
    for start, number in _numbers(_ID18, digits):
        if valid_id18(number):
            yield "pii.id_card", start, start + len(number)
    for match in _USCC.finditer(digits):
        if valid_uscc(match.group(1)):
            yield "pii.uscc", *match.span(1)
    for start, number in _numbers(_ID15, digits):
        if valid_id15(number):
            yield "pii.id_card", start, start + len(number)
    for match in _MOBILE.finditer(digits):
        if _AFTER_OK.match(digits, match.end(1)):
            yield "pii.mobile", *match.span(1)
    for match in _CARD.finditer(digits):
        yield from _card(digits, match)


def _numbers(pattern: re.Pattern[str], digits: str) -> Iterator[tuple[int, str]]:
    """Candidates that end where the number ends, with their separators kept."""
    for match in pattern.finditer(digits):
        if _AFTER_OK.match(digits, match.end(1)):
            yield match.start(1), match.group(1)


def _plain(number: str) -> str:
    return re.sub(r"[ \-\n]", "", number)


def _card(digits: str, match: re.Match[str]) -> Iterator[tuple[str, int, int]]:
    """The longest 16–19 digit prefix that ends a number, passes Luhn and has a card word."""
    start = match.start(1)
    if not _CARD_CONTEXT.search(digits, max(0, start - 20), start):
        return
    candidate = match.group(1)
    ends = [i + 1 for i, ch in enumerate(candidate) if ch.isdigit()]
    for count in (19, 18, 17, 16):
        if count > len(ends):
            continue
        end = start + ends[count - 1]
        if _AFTER_OK.match(digits, end) and luhn(_plain(digits[start:end])):
            yield "pii.bank_card", start, end
            return


def valid_id18(number: str) -> bool:
    """GB 11643 resident identity number: region, birth date and MOD 11-2 check digit."""
    number = _plain(number)
    if number[:2] not in _PROVINCES or not _valid_date(number[6:14]):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def valid_id15(number: str) -> bool:
    """The 15-digit identity number issued before 1999: region and a 19YY birth date."""
    number = _plain(number)
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
