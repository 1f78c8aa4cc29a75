"""A PDF page's text lines in reading order, from the characters' boxes.

PDFium returns text in content-stream order. Word processors often write a
line's quotation marks or punctuation in a font of their own, later in the
stream, so ``“甲乙”的`` came out as ``甲乙 的…“ ”``; they also leave a gap
(and PDFium a space) between Chinese and digits (``2019 年``). Here each line is
rebuilt from its characters' loose boxes (the font's advance, not the ink):

* PDFium's own line breaks are kept (they follow the stream, so columns stay
  apart); within a line the characters are ordered by x; a later run on the same
  baseline that falls inside an earlier line's span (the quotation marks) joins it;
* between Latin letters and digits a space stands where PDFium has one before
  the character (its word breaks are good); a glyph drawn twice on itself (bold
  simulated by overprinting) is one character; between Chinese characters where the gap is wider than
  the line's usual spacing by a quarter em; never between Chinese and Latin
  letters or digits, as Chinese typesetting has none there;
* a line reaching (within two em) the right edge of the text block runs on,
  unless it ends a sentence short of the edge; one starting further right than
  the page's left edge is indented (a new paragraph).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.extractors.pdf_hidden import Field
from ingest.layout import Line

_SKIP = " \r\n\t\u00a0\u3000\ufffe"
_SPACE_EM = 0.25  # a gap this much wider than usual is a space (justified Chinese spreads)
# A line ending within this of the right edge runs on: left-aligned Chinese breaks where
# the next character does not fit, or one earlier when a mark may not start a line.
_FULL_EM = 2.0
_CLOSED_EM = 0.5  # ... unless it ends a sentence further in than this
_SENTENCE_END = tuple("。！？!?；;：:」』”")
_INDENT_EM = 1.5  # a line starting this far in is indented


@dataclass
class _Run:
    """Characters of one visual line: (left, right, char, a space stood before it in
    PDFium's text, its index there, its vertical middle), and the line's band."""

    chars: list[tuple[float, float, str, bool, int, float]] = field(default_factory=list)
    bottom: float = 0.0
    top: float = 0.0
    stream: list[str] = field(default_factory=list)  # as PDFium gave them, spaces included
    tallest: float = 0.0  # the tallest character's height
    turned: bool = False  # a character is set at an angle

    @property
    def horizontal(self) -> bool:
        """Its characters stand upright side by side on one band (not stacked or turned:
        vertical or rotated text keeps PDFium's order)."""
        return not self.turned and self.top - self.bottom <= 1.8 * max(self.tallest, 1.0)

    @property
    def left(self) -> float:
        return min(c[0] for c in self.chars)

    @property
    def right(self) -> float:
        return max(c[1] for c in self.chars)

    @property
    def em(self) -> float:
        return max(self.top - self.bottom, 1.0)

    def same_line(self, other: _Run) -> bool:
        """Other is on this line's baseline and within its span (filling its gaps)."""
        middle = (other.bottom + other.top) / 2
        return (
            abs(middle - (self.bottom + self.top) / 2) <= 0.25 * self.em
            and other.left >= self.left - 0.5 * self.em
            and other.right <= self.right + 0.5 * self.em
        )


def ordered_lines(textpage: pdfium.PdfTextPage, raw: str, width: float,
                  fields: Sequence[Field] = (), rotation: int = 0) -> list[Line] | None:  # fmt: skip
    """The page's lines by the boxes of their characters; None when PDFium gives no
    boxes to go by (the caller then keeps the stream order). ``width``: the page's.

    The text's right edge is the furthest any line reaches, or as far from the
    page's right side as the text starts from its left (margins are about equal),
    whichever is further: on a page of two short lines neither runs on. ``fields``
    (filled-in form values, free-text boxes) join the line they stand on, after its
    label, or make lines of their own where they stand."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count < 0 or count != len(raw) or rotation % 360:
        return None  # (a page shown turned: its boxes run another way than its reading)
    runs: list[_Run] = []
    current = _Run()
    rect = pdfium_c.FS_RECTF()
    spaced = False
    for index, ch in enumerate(raw):
        if ch in "\r\n":
            if ch == "\n" and current.chars:
                runs.append(current)
                current = _Run()
                spaced = False
            continue
        if ch in _SKIP:
            # A space (the document's own, or where PDFium saw a word gap) is noted on
            # the next character: it decides between Latin letters and digits.
            if ch == " " and current.chars:
                spaced = True
                current.stream.append(" ")
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, rect):
            return None
        if not current.chars:
            current.bottom, current.top = rect.bottom, rect.top
        else:
            current.bottom = min(current.bottom, rect.bottom)
            current.top = max(current.top, rect.top)
        current.chars.append((rect.left, rect.right, ch, spaced, index,
                              (rect.bottom + rect.top) / 2))  # fmt: skip
        spaced = False
        current.stream.append(ch)
        current.tallest = max(current.tallest, rect.top - rect.bottom)
        angle = pdfium_c.FPDFText_GetCharAngle(textpage, index)
        if angle > 0 and min(angle, 2 * math.pi - angle) > 0.02:
            current.turned = True
    if current.chars:
        runs.append(current)
    blocks = _column_blocks(runs)
    if len(blocks) > 1 and not fields:  # (filled-in forms are placed on the page as one)
        out: list[Line] = []
        for block in blocks:
            out += _output(_merged(block), 0.0)
        return out
    lines = _merged(runs)
    for placed in fields:
        _place(lines, placed)
    return _output(lines, width)


def _merged(runs: list[_Run]) -> list[_Run]:
    """Runs on one line joined (punctuation written later in the stream, a table's cells)."""
    lines: list[_Run] = []
    for run in runs:
        home = next((line for line in reversed(lines[-3:])
                     if line.horizontal and run.horizontal and line.same_line(run)), None)  # fmt: skip
        if home is not None:
            first = run.chars[0]
            home.chars += [(*first[:3], True, *first[4:]), *run.chars[1:]]
            home.stream += [" ", *run.stream]
        else:
            lines.append(run)
    return lines


def _column_blocks(runs: list[_Run]) -> list[list[_Run]]:
    """The runs in reading order, as blocks: a page set in columns is read down the left
    column, then down the right one (``ingest.ocr.page.columns`` decides, on the runs cut
    at wide gaps: PDFium joins the two columns' lines that share a baseline)."""
    from ingest.ocr import OcrLine
    from ingest.ocr.page import columns

    if not runs or not all(run.horizontal for run in runs):
        return [runs]
    cut = [_cut_at_gaps(run) for run in runs]
    pieces = [piece for run_pieces in cut for piece in run_pieces]
    if len(pieces) == len(runs):
        return [runs]  # no line has a gap wide enough for a gutter
    if sum(len(run_pieces) > 2 for run_pieces in cut) > 0.1 * len(runs):
        return [runs]  # rows of three cells or more: a table, read row by row
    by_box = [OcrLine("".join(p.stream), p.left, -p.top, p.right, -p.bottom, 1.0) for p in pieces]
    owner = {id(box): piece for box, piece in zip(by_box, pieces, strict=True)}
    blocks = columns(by_box)
    if len(blocks) <= 1:
        return [runs]
    # Columns of prose, not a table's label and value cells: each column's lines run most
    # of its width.
    span = max(b.x1 for b in by_box) - min(b.x0 for b in by_box)
    for block in (b for b in blocks if len(b) >= 3):
        if statistics.median(b.x1 - b.x0 for b in block) < 0.3 * span:
            return [runs]
    return [[owner[id(box)] for box in block] for block in blocks]


def _cut_at_gaps(run: _Run) -> list[_Run]:
    """A run cut where its characters leave a gap of 1.2 ems or more (a column's gutter)."""
    gap = 1.2 * run.em
    cuts = [i for i in range(1, len(run.chars))
            if run.chars[i][0] - run.chars[i - 1][1] >= gap]  # fmt: skip
    if not cuts:
        return [run]
    pieces = []
    for start, end in itertools.pairwise([0, *cuts, len(run.chars)]):
        chars = run.chars[start:end]
        stream = []
        for n, char in enumerate(chars):
            if n and char[3]:
                stream.append(" ")
            stream.append(char[2])
        pieces.append(_Run([(*chars[0][:3], False, *chars[0][4:]), *chars[1:]], run.bottom,
                           run.top, stream, run.tallest, run.turned))  # fmt: skip
    return pieces


def _output(lines: list[_Run], width: float) -> list[Line]:
    """The lines as text, each marked full or short and indented or not (``width``: the
    page's, for the right edge; 0 for a column, whose right edge is its longest line's)."""
    if not lines:
        return []
    notes = _margin_notes(lines)
    noted = {id(line) for line in notes}
    flat = [line for line in lines if line.horizontal and id(line) not in noted] or lines
    left = min(line.left for line in flat)
    right = max(max(line.right for line in flat), width - left)
    out = []
    if notes:  # a note beside the text is read after it, not inside a sentence
        lines = [line for line in lines if id(line) not in noted] + notes
    cells = _table_rows(lines)
    for line in lines:
        if not line.horizontal:  # stacked characters: as PDFium reads them
            out.append(Line(" ".join("".join(line.stream).split()), full=False))
            continue
        if id(line) in cells:  # a table's row: a line of its own, its cells apart
            if out:
                out[-1] = Line(out[-1].text, full=False)
            out.append(Line("\t".join(_text(cell) for cell in cells[id(line)]), full=False))
            continue
        text = _text(line)
        short = right - line.right
        full = short <= _FULL_EM * line.em and not (
            text.endswith(_SENTENCE_END) and short > _CLOSED_EM * line.em
        )
        indent = "\u3000\u3000" if line.left - left >= _INDENT_EM * line.em else ""
        out.append(Line(indent + text, full=full and id(line) not in noted))
    if notes and len(out) > len(notes):
        ends = len(out) - len(notes) - 1
        out[ends] = Line(out[ends].text, full=False)
    return out


_TABLE_ROWS = 3  # consecutive lines of three cells or more that make a table


def _table_rows(lines: list[_Run]) -> dict[int, list[_Run]]:
    """The lines that are a table's rows, by id, with their cells: runs of at least three
    consecutive lines each cut into three pieces or more at wide gaps. A table's rows reach
    the right margin as prose lines do, so they would run on into one paragraph, and a
    cell's digits would join the Chinese before them with no space (``_text``). A lone line
    with wide gaps (a signature line: name, unit, telephone) is not a table."""
    cut = [_cut_at_gaps(_Run(_in_order(line), line.bottom, line.top, line.stream, line.tallest,
                             line.turned)) if line.horizontal and _may_be_row(line) else [line]
           for line in lines]  # fmt: skip
    rows: dict[int, list[_Run]] = {}
    run: list[int] = []
    for i, pieces in enumerate([*cut, []]):
        if len(pieces) >= 3:
            run.append(i)
            continue
        if len(run) >= _TABLE_ROWS and _gutter_through([cut[j] for j in run]):
            rows.update((id(lines[j]), cut[j]) for j in run)
        run = []
    return rows


def _may_be_row(line: _Run) -> bool:
    """Whether the line can hold three cells, tested in one pass before it is put in order
    and cut (every line of every page comes here): two gaps of 1.2 em or more, or a
    character going back along the line (then the reading order decides)."""
    em = line.em
    gap, wide = 1.2 * em, 0
    for a, b in itertools.pairwise(line.chars):
        if b[0] < a[0] - em:
            return True
        if b[0] - a[1] >= gap:
            wide += 1
            if wide == 2:
                return True
    return False


def _gutter_through(rows: list[list[_Run]]) -> bool:
    """Whether a column gap runs down the rows: a band at least an em wide lies in a gap
    between cells in at least four in five of them. A table's columns leave one (each row's
    gap there is 1.2 em or more); the word gaps of a narrow justified column (three or four
    words spread across each line) wander, and meet, if at all, by a sliver. A sweep over
    the gaps' ends: time bounded by the number of gaps, however small the type."""
    events: list[tuple[float, int]] = []
    for row in rows:
        merged: list[list[float]] = []
        for a, b in sorted((a.right, b.left) for a, b in itertools.pairwise(row)):
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            events += [(a, 1), (b, -1)]
    need = max(_TABLE_ROWS, math.ceil(0.8 * len(rows)))
    em = statistics.median(piece.em for row in rows for piece in row)
    open_gaps, since = 0, 0.0
    for x, step in sorted(events):  # at one place, a gap's end before another's start
        if open_gaps >= need > open_gaps + step and x - since >= em:
            return True  # the shared gap is an em wide or more: a column's, not by chance
        open_gaps += step
        if step > 0 and open_gaps == need:
            since = x
    return False


def _margin_notes(lines: list[_Run]) -> list[_Run]:
    """Lines standing wholly in the margin beside the text, clear of where most lines
    start and end (a note typed beside a paragraph): few, or none."""
    flat = [line for line in lines if line.horizontal]
    if len(flat) < 3:
        return []
    # Where the text's lines start (most at the margin) and end (many end short).
    starts = statistics.median(line.left for line in flat)
    ends = statistics.quantiles([line.right for line in flat], n=4)[2]
    em = statistics.median(line.em for line in flat)
    notes = [line for line in flat if line.right < starts - em or line.left > ends + em]
    return notes if len(notes) <= len(flat) // 4 else []


def _place(lines: list[_Run], field: Field) -> None:
    """A field's text on the line whose band holds its middle (after the label there),
    else as a line of its own, above the first line that lies below it."""
    middle = (field.bottom + field.top) / 2
    # Its characters from the box's left edge, about as wide as the box is high (a field's
    # text size), so that a short value ends its line short.
    step = min((field.right - field.left) / max(1, len(field.text)), field.top - field.bottom)
    words = field.text.split()
    if not words:
        return
    chars, at = [], field.left
    for word in words:
        for i, ch in enumerate(word):
            chars.append((at, at + step, ch, i == 0, -1, middle))  # a word each
            at += step
        at += step / 2
    for line in lines:
        if line.bottom <= middle <= line.top:
            if "".join(field.text.split()) not in "".join(c[2] for c in line.chars):
                line.chars += chars  # (a value also printed on the page is not doubled)
                line.stream += list(field.text)
            return
    run = _Run(chars, field.bottom, field.top, list(field.text), field.top - field.bottom)
    below = next((i for i, line in enumerate(lines) if line.top < middle), len(lines))
    lines.insert(below, run)


def _in_order(line: _Run) -> list[tuple[float, float, str, bool, int, float]]:
    """The line's characters in reading order. PDFium's order stands unless a character
    goes back along the line (written later in the stream, as quotation marks often are):
    then the boxes decide, if all the characters stand on one baseline. Boxes are not
    precise enough to reorder what is merely close, or characters of two lines that
    PDFium ran together."""
    chars = line.chars
    middle = statistics.median(c[5] for c in chars)
    if any(b[0] < a[0] - 1.0 * line.em for a, b in itertools.pairwise(chars)) and all(
        abs(c[5] - middle) <= 0.3 * line.em for c in chars
    ):
        return sorted(chars, key=lambda c: (c[0], c[1]))
    return chars


def _text(line: _Run) -> str:
    chars = _in_order(line)
    # A glyph drawn twice on itself (simulated bold, a shadow) is one character; a
    # ligature's letters (ff) share a box but stand next to each other in the stream.
    glyphs: list[tuple[float, float, str, bool, int, float]] = []
    for char in chars:
        if glyphs and char[2] == glyphs[-1][2] and abs(char[4] - glyphs[-1][4]) > 2:
            last = glyphs[-1]
            if abs(char[0] - last[0]) < 0.35 * max(last[1] - last[0], 0.05 * line.em):
                continue  # (a double letter stands a whole width further on)
        glyphs.append(char)
    if not glyphs:
        return ""
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(glyphs)]
    usual = statistics.median(gaps) if gaps else 0.0
    out = [glyphs[0][2]]
    for gap, (before, after) in zip(gaps, itertools.pairwise(glyphs), strict=True):
        if _latin(before[2]) and _latin(after[2]):  # as PDFium reads Latin text, or a gap
            space = after[3] or gap - usual > 0.5 * line.em
        else:  # Chinese: by the gap (PDFium also puts spaces beside quotation marks)
            space = gap - usual > _SPACE_EM * line.em and not _mixed(before[2], after[2])
        if space:
            out.append(" ")
        out.append(after[2])
    return "".join(out)


def _mixed(a: str, b: str) -> bool:
    """Chinese on one side, a Latin letter or digit on the other: no space between."""
    return (_wide(a) and _latin(b)) or (_wide(b) and _latin(a))


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isprintable() and not ch.isspace()


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80
