"""PDF from the rendered .docx: LibreOffice with the shipped font aliases, then a check.

The conversion runs soffice with ``FONTCONFIG_FILE`` pointing at
``fonts.conf`` (the standard font names aliased to installed fonts, the
office's own fonts first), and with LibreOffice's extra CJK/Latin gap turned
off. ``font_substitutions`` says which standard names were replaced by what.
``colophon_placement`` measures the PDF: where the 版记 landed against where it
belongs (the last lines of the last page), so the renderer can correct the
padding in the rare case its line prediction was off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from formatter import layout as L
from formatter.template import Fonts

FONTCONFIG = Path(__file__).with_name("fonts.conf")
MM = 72 / 25.4


@dataclass(frozen=True)
class Substitution:
    requested: str
    used: str  # the family fontconfig resolves it to ("" when it cannot tell)

    @property
    def substituted(self) -> bool:
        return self.used.casefold() != self.requested.casefold()

    def describe(self) -> str:
        if not self.used:
            return f"{self.requested} → 未知（未找到 fc-match）"
        if not self.substituted:
            return f"{self.requested}：使用本机已安装的同名字体"
        return f"{self.requested} → {self.used}（替代字体）"


def fontconfig_env() -> dict[str, str]:
    """The environment soffice needs to see the aliases."""
    return {"FONTCONFIG_FILE": str(FONTCONFIG)}


def font_substitutions(fonts: Fonts) -> list[Substitution]:
    """What each standard font name resolves to under the shipped configuration."""
    names = (fonts.body, fonts.title, fonts.heading1, fonts.heading2, fonts.page_number,
             fonts.latin)  # fmt: skip
    binary = shutil.which("fc-match")
    out = []
    for name in dict.fromkeys(names):
        used = ""
        if binary:
            result = subprocess.run(
                [binary, "-f", "%{family[0]}|%{style[0]}", name], capture_output=True, text=True,
                env={**os.environ, **fontconfig_env()}, timeout=30, check=False,
            )  # fmt: skip
            family, _, style = result.stdout.strip().partition("|")
            used = family
            if family and _is_alias_of(name, family, fonts):
                used = name
            elif family and style.casefold() not in ("regular", "book", "medium", ""):
                used = f"{family} {style}"
        out.append(Substitution(name, used))
    return out


def _is_alias_of(name: str, used: str, fonts: Fonts) -> bool:
    """The office's own font under its other name (仿宋 for 仿宋_GB2312) is not a substitute."""
    return fonts.fallbacks().get(name, "").casefold() == used.casefold()


@dataclass(frozen=True)
class Placement:
    pages: int
    page: int  # 1-based page where the 版记's first row is; 0 if not found
    line: int  # its grid line on that page, 0-based


def colophon_placement(pdf: Path, first_row: str) -> Placement:
    """Where the 版记's first row (found by its text, the last occurrence) was laid out."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        pages = len(document)
        needle = first_row[: min(len(first_row), 12)]
        for index in range(pages - 1, -1, -1):
            page = document[index]
            text = page.get_textpage()
            found = text.search(needle).get_next()
            if found:
                _, top, _, _ = _box_top(text, found[0], page.get_size()[1])
                line = int((top / MM - L.TOP_MM) / (L.LINE_TWIPS / 20 / MM) + 0.05)
                return Placement(pages, index + 1, line)
        return Placement(pages, 0, 0)
    finally:
        document.close()


def _box_top(text: object, index: int, height: float) -> tuple[float, float, float, float]:
    left, bottom, right, top = text.get_charbox(index)  # type: ignore[attr-defined]
    return left, height - top, right, height - bottom


def corrected_padding(placement: Placement, rows: int, padding: int) -> int:
    """The padding that puts the 版记's ``rows`` lines on the last lines of its page.

    A block found too high moves down; one that ran over the page foot (its first
    row too low to fit) moves up, or, where the content leaves no room, down to
    the foot of the next page.
    """
    if placement.page == 0:
        return padding
    wanted = padding + (L.LINES_PER_PAGE - rows) - placement.line
    return wanted if wanted >= 0 else wanted + L.LINES_PER_PAGE
