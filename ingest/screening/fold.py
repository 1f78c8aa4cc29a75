"""Folding text for matching, with a map back to the original offsets.

Every check that looks for something in a text (密级 marks, lexicon terms,
personal data, duplicates) reads it through this module, so a disguise that
fools one fools none. Folding maps characters one to one with one
``str.translate`` table, then drops the characters that show nothing; the
positions of dropped characters are kept, so an offset in the folded text maps
back to the original with a binary search.

What is **mapped** (one character to one):
  * NFKC wherever it gives a single character: full-width letters, digits and
    punctuation (ＡＢＣ１２３), Kangxi and CJK compatibility ideographs
    (⼀ → 一, 兀 → 兀), circled and super/subscript digits (① → 1);
  * upper → lower case; traditional → simplified (OpenCC's character table);
  * star-like glyphs (☆ ✩ ✭ ⭐ ✱ ✶ ⋆ 🌟 …, see ``STARS``) → ★.
What is **dropped** by ``fold`` (and ``fold_compact``):
  * everything that shows nothing: Unicode categories Cf (LRM/RLM, zero-width
    space/joiners, word joiner, invisible operators U+2061–U+2064, the Mongolian
    vowel separator U+180E, BOM, soft hyphen, the whole tag block U+E0000–U+E007F),
    Mn and Me (combining marks: low line U+0332, grapheme joiner U+034F,
    variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF), and control
    characters other than line breaks;
  * every space separator (Zs, Zl, Zp: U+0020, U+00A0, U+2000–U+200A, U+3000…)
    and the letters and symbols that print blank (``BLANKS``: Hangul fillers
    U+115F, U+1160, U+3164, U+FFA0, the Braille blank U+2800);
  * the symbols people slip between characters so filters miss a word
    (``NOISE``: * · . - _ ~ | / # and the like), and a ★ between the two
    characters of 绝密/机密/秘密 (机★密).
Sentence punctuation and line breaks are kept: they are real boundaries, and a
term must not match across them.

``fold_words`` is the fold search reads (``ingest.search``): mapped as above,
invisible characters dropped, spaces kept as spaces and punctuation kept.

``fold_digits`` is the lighter fold personal-data patterns read: it drops only
what shows nothing, keeps spaces (as " ") and dashes (as "-") because they
separate numbers, keeps tabs (they part table cells), and maps full-width digits
to ASCII.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Symbols people use to split a word so filters miss it (spaces are dropped by category).
NOISE = "*＊·•・.．-－_＿~～`'\"|｜\\/^#@$%&+=<>×●○◆◇■□▲△▼▽※\t"
# Letters and symbols that print as nothing although their category says otherwise.
BLANKS = "\u115f\u1160\u3164\uffa0\u2800"
# Glyphs a 密级 mark's star is written with; all fold to ★.
STARS = "☆✩✪✫✬✭✮✯✰⭐⭑⭒✦✧✶✷✸✹✺✻✼✽✡⋆✱✲✳✴✵❂❃❇❈❉❊❋🌟🟊🟉🟋🟌🟍🟎🟏🟐🟑🟒🟓🟔"
INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
SPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_LINE_BREAKS = "\n\r"
_DROP = "\x00"  # what a dropped character is translated to before it is removed
# The planes that hold every character with a category or NFKC mapping that matters here.
_RANGES = (range(0x80, 0x30000), range(0xE0000, 0xE1000))


def _shows_nothing(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (
        category in INVISIBLE_CATEGORIES
        or ch in BLANKS
        or 0xE0000 <= ord(ch) <= 0xE007F  # the whole tag block, unassigned ones too
        or (category == "Cc" and ch not in _LINE_BREAKS)
    )


def _code_points() -> Iterator[int]:
    yield from range(0x80)
    for block in _RANGES:
        yield from block


@functools.cache
def _unseen() -> tuple[frozenset[int], frozenset[int]]:
    """(code points that show nothing, space separators): one pass over the planes, shared
    by both tables (each process builds them once, at its first fold)."""
    nothing, spaces = set(), set()
    for cp in _code_points():
        ch = chr(cp)
        if _shows_nothing(ch):
            nothing.add(cp)
        elif unicodedata.category(ch) in SPACE_CATEGORIES:
            spaces.add(cp)
    return frozenset(nothing), frozenset(spaces)


@functools.cache
def _character_map() -> dict[int, str]:
    """One character → one character: NFKC, case, traditional → simplified, stars."""
    simplified = _traditional_to_simplified()
    table: dict[int, str] = {}
    for cp in _code_points():
        ch = chr(cp)
        # Only a character with a decomposition can change under NFKC.
        nfkc = unicodedata.normalize("NFKC", ch) if unicodedata.decomposition(ch) else ch
        target = nfkc if len(nfkc) == 1 else ch
        target = target.lower() if target.isascii() else target
        target = simplified.get(ord(target), target)
        if target != ch:
            table[cp] = target
    for ch in STARS:
        table[ord(ch)] = "★"
    return table


# Characters most texts are made of. ``str.translate`` looks each character up in its table,
# and a character missing there costs a raised and caught LookupError: mapping these to
# themselves doubles folding's speed on Chinese text.
_COMMON = (range(0x80), range(0x3000, 0xA000), range(0xFF00, 0xFFF0))


def _with_identity(table: dict[int, str]) -> dict[int, str]:
    for cp in (cp for r in _COMMON for cp in r):
        table.setdefault(cp, chr(cp))
    return table


@functools.cache
def _table() -> dict[int, str]:
    table = dict(_character_map())
    nothing, spaces = _unseen()
    for cp in nothing | spaces:
        table[cp] = _DROP
    for ch in NOISE:
        table[ord(ch)] = _DROP
    return _with_identity(table)


@functools.cache
def _words_table() -> dict[int, str]:
    table = dict(_character_map())
    nothing, spaces = _unseen()
    table.update(dict.fromkeys(nothing, _DROP))
    table.update(dict.fromkeys(spaces, " "))
    return _with_identity(table)


@functools.cache
def _digits_table() -> dict[int, str]:
    nothing, spaces = _unseen()
    table = dict.fromkeys(nothing - {ord("\t")}, _DROP)  # a tab parts table cells: it stays
    table.update(dict.fromkeys(spaces, " "))
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII → ASCII
        table[cp] = chr(cp - 0xFEE0)
    for ch in DASHES:
        table[ord(ch)] = "-"
    return _with_identity(table)


_TABLES = {"fold": _table, "words": _words_table, "digits": _digits_table}


def _traditional_to_simplified() -> dict[int, str]:
    """One-to-one character table from OpenCC's TSCharacters dictionary."""
    import opencc  # opencc-python-reimplemented ships the dictionaries as text

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1:
            target = parts[1].split(" ")[0]
            if len(target) == 1 and target != parts[0]:
                table[ord(parts[0])] = target
    return table


@dataclass(frozen=True)
class Folded:
    """Folded text and the way back to the original offsets."""

    text: str
    _shifts: tuple[int, ...]  # for the k-th dropped character: its position minus k

    def original(self, index: int) -> int:
        """Offset in the original text of folded offset ``index`` (a start or an end)."""
        return index + bisect.bisect_right(self._shifts, index)

    def original_end(self, end: int) -> int:
        """Offset just past the original character of folded end offset ``end``."""
        return self.original(end - 1) + 1 if end > 0 else 0

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.original(start), self.original_end(end)


_DROPPED = re.compile(_DROP)
_STAR_INSIDE_MARK = re.compile(r"(?<=[绝机秘])[\x00★]*★[\x00★]*(?=密)")


def _folded(mapped: str) -> Folded:
    if _DROP not in mapped:
        return Folded(mapped, ())
    positions = [m.start() for m in _DROPPED.finditer(mapped)]
    shifts = tuple(pos - k for k, pos in enumerate(positions))
    return Folded(mapped.replace(_DROP, ""), shifts)


# Texts at least this long are mapped through an array (numpy) rather than ``str.translate``:
# 4.5 times as fast on 430 characters of Chinese text, 12 times on 4,300; much shorter ones
# (titles, names, lexicon terms) do not repay the array's set-up.
_LONG = 256
_PLANES = 0x110000


@functools.cache
def _array(name: str) -> Any:
    """The table ``name`` as an array over every code point (4.4 MB, built on first use)."""
    import numpy as np

    table = _TABLES[name]()
    array = np.arange(_PLANES, dtype=np.uint32)
    keys = np.fromiter(table.keys(), dtype=np.uint32, count=len(table))
    array[keys] = np.fromiter((ord(v) for v in table.values()), dtype=np.uint32, count=len(table))
    return array


def _map(text: str, name: str) -> str:
    """``text`` with each character replaced as the table ``name`` says (dropped ones by
    ``_DROP``): ``str.translate``, or the same through an array for a long text."""
    if len(text) < _LONG:
        return text.translate(_TABLES[name]())
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return _array(name)[codes].tobytes().decode("utf-32-le", "surrogatepass")


def fold(text: str) -> Folded:
    """Fold ``text`` for matching (see the module docstring)."""
    mapped = _map(text, "fold")
    if "★" in mapped:
        mapped = _STAR_INSIDE_MARK.sub(lambda m: _DROP * len(m.group()), mapped)
    return _folded(mapped)


_NOT_WORD = re.compile(r"[\W_]")


def fold_compact(text: str) -> Folded:
    """Folded text reduced to ideographs, letters and digits: the form compared for duplicates.

    Punctuation, spaces and symbols are dropped too (with their offsets kept), so
    re-punctuated or re-spaced copies compare equal.
    """
    return _folded(_NOT_WORD.sub(_DROP, _map(text, "fold")))


def fold_digits(text: str) -> Folded:
    """Text as personal-data patterns read it (see the module docstring)."""
    return _folded(_map(text, "digits"))


def fold_words(text: str) -> Folded:
    """Text as search reads it: mapped as ``fold`` maps it (traditional → simplified,
    full-width → half-width, lower case), invisible characters dropped, but spaces and
    punctuation kept (as one space each for spaces): they part words and sentences."""
    return _folded(_map(text, "words"))


def fold_term(term: str) -> str:
    """A lexicon term folded exactly as texts are."""
    return fold(term).text


def visible(text: str) -> str:
    """``text`` without the characters that show nothing (for marks and names typed by clerks)."""
    return "".join(ch for ch in text if not _shows_nothing(ch) or ch == "\t")
