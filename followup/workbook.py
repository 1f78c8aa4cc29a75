"""The statistics as an .xlsx workbook for the office's own spreadsheets (openpyxl).

Every text cell goes through ``cell_text`` (masked, never a formula: a 反映人
named ``=cmd|'calc'!A0`` is stored as the text ``'=cmd|'calc'!A0``), and the
finished file through the gate before it takes its name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.output import Gatekeeper, cell_text, checked_write
from followup.events import Adoption, Level
from followup.stats import Stats


def write_workbook(stats: Stats, path: Path, gate: Gatekeeper) -> None:
    checked_write(path, lambda target: _build(stats, gate).save(target), gate)


def _build(stats: Stats, gate: Gatekeeper) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "总体情况"
    summary.append(["统计期间", stats.period.label])
    summary.append(["收到", stats.received])
    summary.append(["编发", stats.published])
    summary.append(["报送", stats.forwarded])
    summary.append(["被采用（篇）", stats.adopted_items])
    summary.append(["其中单篇采用", stats.adopted_kind[Adoption.SINGLE]])
    summary.append(["其中综合/转送采用", stats.adopted_kind[Adoption.COMBINED]])
    summary.append(["采用率", round(stats.adoption_rate, 4) if stats.adoption_rate is not None
                    else None])  # fmt: skip
    summary.append(["获省市县主要领导批示", stats.principal_instructions])
    summary.append(["办理反馈", stats.replies])
    summary.append(["成果转化", stats.outcomes])
    summary.append([])
    summary.append(["层级", "采用", "转报至该级", "批示"])
    for level in Level:
        summary.append([level.value, stats.adopted[level], stats.relayed[level],
                        stats.instructions[level]])  # fmt: skip
    summary.append([])
    summary.append(["通报用语", stats.sentence()])
    for title, rows in (("个人排名", stats.persons), ("单位排名", stats.units)):
        sheet = book.create_sheet(title)
        sheet.append(["名次", title[:2], "篇数", "报送", "采用", "批示", "积分"])
        for r in rows:
            sheet.append(
                [r.rank, r.name, r.items, r.forwarded, r.adopted, r.instructions, r.points]
            )
    topics = book.create_sheet("题材分布")
    topics.append(["题材", "篇数"])
    for name, count in stats.topics.items():
        topics.append([name, count])
    months = book.create_sheet("月度走势")
    months.append(["月份", "收到", "采用"])
    for row in stats.monthly:
        months.append(list(row))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = cell_text(cell.value, gate)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["B"].width = 24
    return book
