"""The one-page yearly 通报 (.docx): the figures in the house style, with a monthly chart.

Generated from ``BulletinFigures``, which the app layer takes from the same
``Stats`` as the terminal table and the workbook, so the three never disagree
(``formatter`` does not import ``followup``). The chart (monthly submissions and adoptions) is
drawn with Pillow in a CJK font found through fontconfig.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from common.output import Gatekeeper, checked_write
from formatter import layout as L
from formatter import wordxml as X
from formatter.document import blank_page
from formatter.issue import chinese_date
from formatter.template import Template


@dataclass(frozen=True)
class BulletinFigures:
    """What the 通报 says: the figures of one period, as plain values."""

    period: str  # 2026年, or 2026年1月1日至6月30日
    sentence: str  # the report sentence (收到…篇，编发…篇…)
    adoption_rate: float | None
    leaders: tuple[tuple[str, float], ...]  # persons with points, best first
    units: tuple[str, ...]  # units with points, best first
    monthly: tuple[tuple[str, int, int], ...]  # (2026-03, received, adopted)


def write_bulletin(stats: BulletinFigures, path: Path, unit: str, gate: Gatekeeper,
                   today: dt.date | None = None, template: Template | None = None) -> None:  # fmt: skip
    """The 通报 written to ``path`` once ``gate`` has passed it (names masked before)."""
    document = _document(stats, unit, gate, today, template or Template())
    checked_write(path, lambda target: document.save(str(target)), gate)


def _document(stats: BulletinFigures, unit: str, gate: Gatekeeper, today: dt.date | None,
              t: Template) -> Any:  # fmt: skip
    document = Document()
    blank_page(document)

    def para(text: str, face: str, size: float, align: str = "both", indent: int = 2) -> Any:
        p = document.add_paragraph()
        X.paragraph_props(p._p.get_or_add_pPr(), line=L.LINE_TWIPS, align=align,
                          first_line=indent * round(size * 20))  # fmt: skip
        run = p.add_run(gate.mask(text))
        X.run_props(run._r.get_or_add_rPr(), east_asian=face, latin=t.fonts.latin, size_pt=size)
        return p

    f = t.fonts
    rate = f"{stats.adoption_rate:.1%}" if stats.adoption_rate is not None else "—"
    opening = [stats.sentence + f"采用率为{rate}。"]
    leaders = stats.leaders[:5]
    if leaders:
        named = "、".join(f"{name}（{points:g}分）" for name, points in leaders)
        opening.append(f"按积分排名，前{len(leaders)}位依次为：{named}。")
    units = stats.units[:3]
    if units:
        opening.append("单位排名前列的是：" + "、".join(units) + "。")
    closing = "希望各位委员、各单位和信息员继续围绕中心工作，反映真实情况，提出务实建议。"
    title = f"关于{stats.period}社情民意信息工作情况的通报"
    para(title, f.title, L.TITLE_PT, "center", 0)
    para("", f.body, L.BODY_PT)
    for text in opening:
        para(text, f.body, L.BODY_PT)
    height = _chart_height_mm([gate.mask(x) for x in (*opening, closing)], gate.mask(title))
    chart = document.add_paragraph()
    chart.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture = monthly_chart(stats, (1500, round(1500 * height / _CHART_W_MM)))
    chart.add_run().add_picture(io.BytesIO(picture), width=Mm(_CHART_W_MM))
    para(closing, f.body, L.BODY_PT)
    para(unit, f.body, L.BODY_PT, "right", 0)
    para(chinese_date(today or dt.date.today()), f.body, L.BODY_PT, "right", 0)
    return document


_CHART_W_MM = 150.0
_CHART_H_MM = (35.0, 70.0)  # the chart shrinks to this least height to keep one page


def _chart_height_mm(body: list[str], title: str) -> float:
    """The chart's height that leaves the 通报 on one page: the grid's lines less those the
    title, the blank line, the body paragraphs, the unit and the date take, and two spare: the
    picture's own paragraph adds about half a line, and LibreOffice may break a line earlier
    than predicted (measured: 「（总商会）。」 moved down whole)."""
    indent = 2 * L.BODY_PT
    used = len(L.title_lines(title)) + 1 + 2 + 2
    used += sum(L.line_count(text, L.BODY_PT, indent, condensed=False) for text in body)
    free_pt = (L.LINES_PER_PAGE - used) * L.LINE_TWIPS / 20
    low, high = _CHART_H_MM
    return max(low, min(high, free_pt / 72 * 25.4))


def monthly_chart(stats: BulletinFigures, size: tuple[int, int] = (1500, 600)) -> bytes:
    """A PNG bar chart: submissions received and adopted, month by month."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font_path = _cjk_font()
    font: Any = ImageFont.truetype(font_path, 26) if font_path else ImageFont.load_default()
    left, bottom, top = 90, height - 80, 70
    months = stats.monthly or [("", 0, 0)]
    highest = max(max(r, a) for _, r, a in months) or 1
    slot = (width - left - 40) / len(months)
    draw.text((left, 15), "各月收到与采用篇数", fill="black", font=font)
    draw.rectangle((width - 360, 20, width - 335, 45), fill=(70, 110, 180))
    draw.text((width - 325, 15), "收到", fill="black", font=font)
    draw.rectangle((width - 220, 20, width - 195, 45), fill=(210, 60, 50))
    draw.text((width - 185, 15), "采用", fill="black", font=font)
    draw.line((left, bottom, width - 30, bottom), fill="black", width=2)
    draw.line((left, top, left, bottom), fill="black", width=2)
    for i, (month, received, adopted) in enumerate(months):
        x = left + i * slot + slot * 0.15
        bar = slot * 0.33
        for j, (value, colour) in enumerate(((received, (70, 110, 180)), (adopted, (210, 60, 50)))):
            y = bottom - (bottom - top) * value / highest
            draw.rectangle((x + j * bar, y, x + (j + 1) * bar - 2, bottom), fill=colour)
            if value:
                draw.text((x + j * bar, y - 30), str(value), fill="black", font=font)
        label = f"{int(month[5:])}月" if len(month) == 7 else month
        draw.text((x, bottom + 12), label, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _cjk_font() -> str | None:
    binary = shutil.which("fc-match")
    if binary is None:
        return None
    found = subprocess.run([binary, "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"],
                           capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
    path = found.stdout.strip()
    return path if path and Path(path).exists() else None


__all__ = ["BulletinFigures", "monthly_chart", "write_bulletin"]
