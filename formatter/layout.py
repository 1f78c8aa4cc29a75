"""The GB/T 9704-2012 page and grid, and how many grid lines a paragraph takes.

The .docx sets an exact line pitch, so every line of body text, heading, title
and 版记 sits on the 22-line grid; counting lines is then a matter of line
breaking, which ``line_count`` predicts the way Word and LibreOffice break
Chinese text: one cell a character, Latin words kept whole, closing
punctuation allowed to hang past the margin rather than start a line. The
prediction places the 版记 at the foot of the last page; the PDF step measures
the result and corrects it where the prediction was off.
"""

from __future__ import annotations

import unicodedata

PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37.0, 35.0, 28.0, 26.0
BLOCK_W_MM, BLOCK_H_MM = 156.0, 225.0
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_TWIPS = 579  # 28.95 pt: 22 lines fit 225 mm (637.8 pt)
FOOTER_MM = 24.5  # page number line from the bottom edge: its dash 7 mm below the block
CONDENSE_TWIPS = -5  # -0.25 pt: 28 三号 characters fit 156 mm
BODY_PT = 16.0  # 三号
TITLE_PT = 22.0  # 二号
SMALL_PT = 14.0  # 四号: page numbers and 版记

# Characters that may not start a line (they hang at the end of the previous
# one) and that may not end one (they move down with the next character).
NO_START = set("，。、；：？！）》」』】〕〉…—”’％‰·,.;:?!)]}%")
NO_END = set("（《「『【〔〈“‘([{")

# Times New Roman (and its metric twin Liberation Serif) advance widths in em:
# by class for letters and digits, by character for the common signs.
_LATIN_EM = {"digit": 0.5, "upper": 0.68, "lower": 0.46, "space": 0.25, "other": 0.4}
_SIGN_EM = {"%": 0.833, ".": 0.25, ",": 0.25, ":": 0.278, ";": 0.278, "-": 0.333, "/": 0.278,
            "(": 0.333, ")": 0.333, "+": 0.564, "=": 0.564, "~": 0.541, "&": 0.778, "@": 0.921,
            "#": 0.5, "*": 0.5, "_": 0.5, "'": 0.18, '"': 0.408}  # fmt: skip


def char_width(ch: str, size_pt: float = BODY_PT, condensed: bool = True) -> float:
    """A character's advance in points (condensed text: 0.25 pt less each)."""
    step = CONDENSE_TWIPS / 20 if condensed else 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F", "A") and ord(ch) > 0x2000:
        return size_pt + step
    if ch in _SIGN_EM:
        return size_pt * _SIGN_EM[ch] + step
    if ch.isdigit():
        kind = "digit"
    elif ch.isupper():
        kind = "upper"
    elif ch.islower():
        kind = "lower"
    elif ch.isspace():
        kind = "space"
    else:
        kind = "other"
    return size_pt * _LATIN_EM[kind] + step


def block_width_pt() -> float:
    return BLOCK_W_MM / 25.4 * 72


def line_count(text: str, size_pt: float = BODY_PT, first_indent_pt: float = 0.0,
               width_pt: float | None = None, condensed: bool = True) -> int:  # fmt: skip
    """Lines a paragraph takes on the grid (at least one)."""
    width = (width_pt if width_pt is not None else block_width_pt()) + 0.01
    lines, used = 1, first_indent_pt
    for unit in _units(text):
        advance = sum(char_width(ch, size_pt, condensed) for ch in unit)
        if used + advance > width and used > 0 and unit[0] not in NO_START:
            lines += 1
            used = 0.0
        used += advance
    return lines


def _latin(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def _units(text: str) -> list[str]:
    """Unbreakable pieces, as LibreOffice's line breaking sees them.

    A Latin word or number with its signs (``PM2.5``, ``64%``) is one piece, and
    closing punctuation right after it joins it: it cannot hang past the margin
    there (measured: ``……仅为64%。`` moves down whole). Closing punctuation after
    a Chinese character is a piece of its own and hangs. An opening bracket
    stays with what follows it.
    """
    units: list[str] = []
    for ch in text:
        last = units[-1] if units else ""
        if (
            (last and _latin(ch) and _latin(last[-1]))
            or (last and last[-1] in NO_END)
            or (
                last
                and ch in NO_START
                and (_latin(last[-1]) or (last[-1] in NO_START and len(last) > 1))
            )
        ):
            units[-1] += ch
        else:
            units.append(ch)
    return units


TITLE_CHARS = 20  # 二号 characters on a line of the text block
# Where a title may break: after these, a line ends on a whole word (…的 / 建议).
_TITLE_BREAK_AFTER = set("的和与及、，；：）》”对于中")


def title_lines(title: str, width: int = TITLE_CHARS) -> list[str]:
    """A long title broken into balanced lines at word ends, none wider than ``width``.

    GB/T 9704 asks for titles broken with words kept whole, in a pleasing shape:
    each break goes after a particle or punctuation mark nearest an even share
    of what remains; if no such place fits, one more line is tried, and only
    then the plain even cut.
    """
    if len(title) <= width:
        return [title]
    words = word_ends(title)
    fewest = -(-len(title) // width)
    for particle in (True, False):  # after a particle or mark first; then any word end
        for count in (fewest, fewest + 1):
            low = max(1, len(title) - width * (count - 1))
            high = min(width, len(title) - 1)
            share = len(title) / count
            places = [i for i in range(max(low, round(share / 2)), high + 1)
                      if i in words and title[i] not in NO_START
                      and (title[i - 1] in _TITLE_BREAK_AFTER or not particle)]  # fmt: skip
            if places:
                cut = min(places, key=lambda i: abs(i - share))
                return [title[:cut], *title_lines(title[cut:], width)]
    cut = -(-len(title) // fewest)
    return [title[:cut], *title_lines(title[cut:], width)]


def word_ends(text: str) -> set[int]:
    """Offsets in ``text`` where a word ends (jieba's segmentation; every offset if
    jieba is missing): a title is never broken inside a word (城乡|供水, not 供|水)."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - a declared dependency
        return set(range(len(text) + 1))
    jieba.setLogLevel(60)
    ends, at = set(), 0
    for word in jieba.lcut(text, HMM=False):
        at += len(word)
        ends.add(at)
    return ends
