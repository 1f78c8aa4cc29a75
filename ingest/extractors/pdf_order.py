"""A PDF page's text lines in reading order, from the characters' boxes.

PDFium returns text in content-stream order. Word processors often write a
line's quotation marks or punctuation in a font of their own, later in the
stream, so ``“甲乙”的`` came out as ``甲乙 的…“ ”``; they also leave a gap
(and PDFium a space) between Chinese and digits (``2019 年``). Here each line is
rebuilt from its characters' loose boxes (the font's advance, not the ink):

* PDFium's own line breaks are kept (they follow the stream, so columns stay
  apart); within a line the characters are ordered by x; a later run on the same
  baseline that falls inside an earlier line's span (the quotation marks) joins it;
* a space is written where the gap between two characters is wider than the
  line's usual spacing by a quarter em — never between Chinese and Latin letters
  or digits, as Chinese typesetting has none there;
* a line reaching (within two em) the right edge of the text block runs on,
  unless it ends a sentence short of the edge; one starting further right than
  the page's left edge is indented (a new paragraph).
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.layout import Line

_SKIP = " \r\n\t\u00a0\u3000\ufffe"
_SPACE_EM = 0.25  # a gap this much wider than usual is a space
# A line ending within this of the right edge runs on: left-aligned Chinese breaks where
# the next character does not fit, or one earlier when a mark may not start a line.
_FULL_EM = 2.0
_CLOSED_EM = 0.5  # ... unless it ends a sentence further in than this
_SENTENCE_END = tuple("。！？!?；;：:」』”")
_INDENT_EM = 1.5  # a line starting this far in is indented


@dataclass
class _Run:
    """Characters of one visual line: (left, right, char), and the line's band."""

    chars: list[tuple[float, float, str]] = field(default_factory=list)
    bottom: float = 0.0
    top: float = 0.0

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
            self.bottom <= middle <= self.top
            and other.left >= self.left - 0.5 * self.em
            and other.right <= self.right + 0.5 * self.em
        )


def ordered_lines(textpage: pdfium.PdfTextPage, raw: str, width: float) -> list[Line] | None:
    """The page's lines by the boxes of their characters; None when PDFium gives no
    boxes to go by (the caller then keeps the stream order). ``width``: the page's.

    The text's right edge is the furthest any line reaches, or as far from the
    page's right side as the text starts from its left (margins are about equal),
    whichever is further: on a page of two short lines neither runs on."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0 or count != len(raw):
        return None
    runs: list[_Run] = []
    current = _Run()
    rect = pdfium_c.FS_RECTF()
    for index, ch in enumerate(raw):
        if ch in "\r\n":
            if ch == "\n" and current.chars:
                runs.append(current)
                current = _Run()
            continue
        if ch in _SKIP:
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, index, rect):
            return None
        if not current.chars:
            current.bottom, current.top = rect.bottom, rect.top
        else:
            current.bottom = min(current.bottom, rect.bottom)
            current.top = max(current.top, rect.top)
        current.chars.append((rect.left, rect.right, ch))
    if current.chars:
        runs.append(current)
    lines: list[_Run] = []
    for run in runs:
        home = next((line for line in reversed(lines[-3:]) if line.same_line(run)), None)
        if home is not None:
            home.chars += run.chars  # punctuation written later in the stream
        else:
            lines.append(run)
    if not lines:
        return []
    left = min(line.left for line in lines)
    right = max(max(line.right for line in lines), width - left)
    out = []
    for line in lines:
        text = _text(line)
        short = right - line.right
        full = short <= _FULL_EM * line.em and not (
            text.endswith(_SENTENCE_END) and short > _CLOSED_EM * line.em
        )
        indent = "\u3000\u3000" if line.left - left >= _INDENT_EM * line.em else ""
        out.append(Line(indent + text, full=full))
    return out


def _text(line: _Run) -> str:
    chars = sorted(line.chars, key=lambda c: (c[0], c[1]))
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(chars)]
    usual = statistics.median(gaps) if gaps else 0.0
    out = [chars[0][2]]
    for gap, (before, after) in zip(gaps, itertools.pairwise(chars), strict=True):
        if gap - usual > _SPACE_EM * line.em and not _mixed(before[2], after[2]):
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
