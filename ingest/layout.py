"""Lines to paragraphs: undo the line wrapping of a laid-out page.

A PDF's text layer (and, later, OCR output) comes as visual lines. Chinese
prose has no spaces to tell a wrapped line from a paragraph end, so the
decision rests on the layout: a line that falls well short of the page's full
measure ends its paragraph; an indented line, a heading (一、 （一） 1.) or a
list item starts one. A page number is dropped where it stands as the page's
first or last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INDENT = ("\u3000", "  ", "\t")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、](?!\d)"
    r"|[①-⑳]|第[一二三四五六七八九十\d]+[章节条部分]|[一二三四五六七八九十]是)"
)
_PAGE_MARK = re.compile(
    r"^[-—–－·\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d+|\s*共\s*\d+\s*页)?[-—–－·\s]*$"
)
_DOC_NUMBER = re.compile(
    r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*(?:第\s*)?\d{1,5}\s*号$"
)
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z0-9]")
# A line this much shorter than the page's longest line ends its paragraph.
_SHORT = 0.85


@dataclass(frozen=True)
class Line:
    text: str
    full: bool  # reaches (about) the full measure of its page


def is_page_mark(text: str) -> bool:
    """A line that is a page number or page mark (- 3 -, 第3页, 3/10)."""
    return bool(_PAGE_MARK.match(text))


def without_page_marks(lines: list[str]) -> list[str]:
    """A page's lines without its page number: a page mark counts only as the page's
    first or last line (by position, never by shape alone: a lone year or amount in a
    table, a chart's axis values stay)."""
    out = [ln for ln in lines if ln.strip()]
    while out and is_page_mark(out[-1].strip()):
        out.pop()
    while out and is_page_mark(out[0].strip()):
        out.pop(0)
    return out


def page_lines(raw: str) -> list[Line]:
    """Visual lines of one page, page marks dropped, each marked full or short."""
    lines = [ln.rstrip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = without_page_marks(lines)
    if not lines:
        return []
    widest = max(text_width(ln.strip()) for ln in lines)
    return [Line(ln, text_width(ln.strip()) >= widest * _SHORT) for ln in lines]


def join_lines(lines: list[Line]) -> list[str]:
    """Paragraphs from visual lines (which may span several pages)."""
    paragraphs: list[str] = []
    current = ""
    continues = False  # does the previous line run on into this one?
    for line in lines:
        text = line.text
        starts_new = text.startswith(_INDENT) or bool(_HEADING.match(text.lstrip()))
        text = text.strip()
        if continues and not starts_new and current:
            sep = " " if _ASCII_WORD_END.search(current) and _ASCII_WORD_START.match(text) else ""
            current += sep + text
        else:
            if current:
                paragraphs.append(current)
            current = text
        # A 文号 (常关缉违字〔2019〕13号) stands alone, however far its line reaches.
        continues = line.full and not _DOC_NUMBER.search(text)
    if current:
        paragraphs.append(current)
    return paragraphs


def text_width(text: str) -> float:
    """Display width in em: CJK and full-width characters 1, others about half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.5 for ch in text)
