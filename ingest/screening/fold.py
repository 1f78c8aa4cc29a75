"""Folding text for matching, with a map back to the original offsets.

Matching must survive the ways a term is disguised or merely varies: full-width
letters and digits (ＡＢＣ１２３), letter case, traditional characters (機密),
and symbols or spaces slipped between characters (秘*密, 机 密). Folding maps
every character one-to-one (width, case, traditional → simplified) with one
``str.translate`` table, then drops "noise" characters; the positions of the
dropped characters are kept, so an offset in the folded text maps back to the
original with a binary search. Sentence punctuation and line breaks are kept:
they are real boundaries, and a term must not match across them.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path

# Characters that carry no meaning between two Chinese characters: spaces and
# the symbols people use to split a word so filters miss it.
NOISE = " \t\u3000\u00a0\u200b\u200c\u200d\u2060\ufeff*＊·•・.．-－_＿~～`'\"|｜\\/^#@$%&+=<>×●○◆◇■□▲△▼▽※"
_DROP = "\x00"  # what noise is translated to before it is removed


@functools.cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xFF01, 0xFF5F):  # full-width ASCII → ASCII
        table[cp] = chr(cp - 0xFEE0)
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    for cp in range(0xFF21, 0xFF3B):  # full-width capitals → lower-case ASCII
        table[cp] = chr(cp - 0xFF21 + ord("a"))
    table.update(_traditional_to_simplified())
    for ch in NOISE:
        table[ord(ch)] = _DROP
    return table


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


def fold(text: str) -> Folded:
    """Fold ``text`` for matching (see the module docstring)."""
    mapped = text.translate(_table())
    if _DROP not in mapped:
        return Folded(mapped, ())
    positions = [m.start() for m in _DROPPED.finditer(mapped)]
    shifts = tuple(pos - k for k, pos in enumerate(positions))
    return Folded(mapped.replace(_DROP, ""), shifts)


_NOT_WORD = re.compile(r"[\W_]")


def fold_compact(text: str) -> Folded:
    """Folded text reduced to ideographs, letters and digits: the form compared for duplicates.

    Punctuation, spaces and symbols are dropped too (with their offsets kept), so
    re-punctuated or re-spaced copies compare equal.
    """
    mapped = _NOT_WORD.sub(_DROP, text.translate(_table()))
    positions = [m.start() for m in _DROPPED.finditer(mapped)]
    shifts = tuple(pos - k for k, pos in enumerate(positions))
    return Folded(mapped.replace(_DROP, ""), shifts)


def fold_term(term: str) -> str:
    """A lexicon term folded exactly as texts are."""
    return fold(term).text
