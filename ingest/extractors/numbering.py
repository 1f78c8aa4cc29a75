"""Word's automatic list numbering, rendered into the text as Word shows it.

Submissions number their headings with Word lists more often than by hand: the
“一、” “（二）” “3.” that the screening, the recognition and the issue's heading
styles rely on live in numbering.xml, not in the paragraph text. Each numbered
paragraph gets its label — the level's ``lvlText`` with every ``%N`` replaced by
that level's counter in its number format — counted as Word counts: per
abstract list, deeper levels restarting when a higher one advances. Bullets add
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_HEAVENLY = "甲乙丙丁戊己庚辛壬癸"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(el: etree._Element | None, tag: str) -> str | None:
    if el is None:
        return None
    found = el.find(_w(tag))
    return found.get(_w("val")) if found is not None else None


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class Numbering:
    """The lists of one document, and the counters as its paragraphs are read."""

    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # → abstract, starts
    styles: dict[str, tuple[str, int]] = field(default_factory=dict)  # style → numId, level
    _counters: dict[str, dict[int, int]] = field(default_factory=dict)
    _started: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, numbering: etree._Element | None, styles: etree._Element | None) -> Numbering:
        out = cls()
        if numbering is not None:
            for abstract in numbering.iter(_w("abstractNum")):
                levels = {}
                for lvl in abstract.iter(_w("lvl")):
                    levels[int(lvl.get(_w("ilvl")) or 0)] = Level(
                        int(_val(lvl, "start") or 1), _val(lvl, "numFmt") or "decimal",
                        _val(lvl, "lvlText") or "",
                    )  # fmt: skip
                out.abstract[abstract.get(_w("abstractNumId")) or ""] = levels
            for num in numbering.iter(_w("num")):
                starts = {
                    int(o.get(_w("ilvl")) or 0): int(_val(o, "startOverride") or 1)
                    for o in num.iter(_w("lvlOverride")) if _val(o, "startOverride")
                }  # fmt: skip
                out.nums[num.get(_w("numId")) or ""] = (_val(num, "abstractNumId") or "", starts)
        if styles is not None:
            for style in styles.iter(_w("style")):
                num_pr = style.find(f"{_w('pPr')}/{_w('numPr')}")
                if num_pr is not None and _val(num_pr, "numId"):
                    out.styles[style.get(_w("styleId")) or ""] = (
                        _val(num_pr, "numId") or "", int(_val(num_pr, "ilvl") or 0)
                    )  # fmt: skip
        return out

    def label(self, p: etree._Element) -> str:
        """The label Word shows before this paragraph ("" when it is not numbered)."""
        found = self._num_of(p)
        if found is None:
            return ""
        num_id, ilvl = found
        if num_id not in self.nums:
            return ""
        abstract_id, starts = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(abstract_id, {})
        if num_id not in self._started:  # a list instance restarting where it says so
            self._started.add(num_id)
            for number, start in starts.items():
                counters[number] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        shown = levels[ilvl]
        if shown.fmt in ("bullet", "none"):
            return ""
        text = shown.text
        for n in range(ilvl, -1, -1):  # %10 before %1
            value = counters.get(n, levels.get(n, Level()).start)
            fmt = levels.get(n, Level()).fmt
            text = text.replace(f"%{n + 1}", format_number(value, fmt))
        return text

    def _num_of(self, p: etree._Element) -> tuple[str, int] | None:
        ppr = p.find(_w("pPr"))
        num_pr = ppr.find(_w("numPr")) if ppr is not None else None
        if num_pr is not None and _val(num_pr, "numId"):
            num_id = _val(num_pr, "numId") or "0"
            return None if num_id == "0" else (num_id, int(_val(num_pr, "ilvl") or 0))
        style = _val(ppr, "pStyle") if ppr is not None else None
        if style and style in self.styles:
            num_id, ilvl = self.styles[style]
            level = _val(num_pr, "ilvl") if num_pr is not None else None
            return num_id, int(level) if level else ilvl
        return None


def format_number(value: int, fmt: str) -> str:
    """A counter in one of Word's number formats (the common ones; others as digits)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
               "ideographDigital", "taiwaneseCounting", "japaneseCounting"):  # fmt: skip
        return chinese(value)
    if fmt == "decimalEnclosedCircle" and 1 <= value <= len(_CIRCLED):
        return _CIRCLED[value - 1]
    if fmt == "ideographTraditional" and 1 <= value <= len(_HEAVENLY):
        return _HEAVENLY[value - 1]
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(value))
    return str(value)


def chinese(value: int) -> str:
    """一, 十, 十一, 二十三, 一百零五 — counting as 公文 number their headings."""
    if value <= 0 or value >= 1000:
        return str(value)
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                            (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                            (4, "IV"), (1, "I")):  # fmt: skip
        while value >= number:
            out += letters
            value -= number
    return out
