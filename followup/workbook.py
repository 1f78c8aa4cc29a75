"""The statistics as an .xlsx workbook for the office's own spreadsheets (openpyxl).

Every text cell goes through ``cell_text`` (masked, never a formula: a 反映人
named ``=cmd|'calc'!A0`` is stored as the text ``'=cmd|'calc'!A0``), and the
finished file through the gate before it takes its name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.output import Gatekeeper, cell_text, checked_write
from followup.events import Adoption, Level
from followup.stats import Stats


@dataclass(frozen=True)
class RegisterRow:
    """One line of the 收文登记簿: a submission received in the period and where it went."""

    submission_id: str
    received: dt.date
    title: str
    submitter: str
    unit: str
    decision: str
    published: str  # the issues it was issued in
    forwarded: str  # to whom it was forwarded
    adopted: str  # levels that adopted it
    instructions: str  # leaders' 批示


def write_workbook(stats: Stats, path: Path, gate: Gatekeeper,
                   register: list[RegisterRow] | None = None) -> None:  # fmt: skip
    checked_write(path, lambda target: _build(stats, gate, register or []).save(target), gate)


def _build(stats: Stats, gate: Gatekeeper, register: list[RegisterRow]) -> Any:
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
    summary.append(["采用率", stats.adoption_rate])
    summary.cell(summary.max_row, 2).number_format = "0.0%"  # a percentage, not "1"
    summary.append(["获省市县主要领导批示", stats.principal_instructions])
    summary.append(["办理反馈", stats.replies])
    summary.append(["成果转化", stats.outcomes])
    summary.append([])
    summary.append(["层级", "采用", "转报至该级", "批示"])
    levels_from = summary.max_row
    for level in Level:
        summary.append([level.value, stats.adopted[level], stats.relayed[level],
                        stats.instructions[level]])  # fmt: skip
    _bar_chart(summary, "各级采用、转报、批示", levels_from, summary.max_row, 2, 4, "F2")
    summary.append([])
    summary.append(["通报用语", stats.sentence()])
    for title, rows in (("个人排名", stats.persons), ("单位排名", stats.units),
                        ("界别分布", stats.sectors), ("党派分布", stats.parties)):  # fmt: skip
        sheet = book.create_sheet(title)
        sheet.append(["名次", title[:2], "篇数", "报送", "采用", "批示", "积分"])
        for r in rows:
            sheet.append(
                [r.rank, r.name, r.items, r.forwarded, r.adopted, r.instructions, r.points]
            )
        if title == "单位排名" and rows:
            _bar_chart(sheet, "积分前十的单位", 1, min(sheet.max_row, 11), 7, 7, "I2")
    topics = book.create_sheet("题材分布")
    topics.append(["题材", "篇数"])
    for name, count in stats.topics.items():
        topics.append([name, count])
    months = book.create_sheet("月度走势")
    months.append(["月份", "收到", "采用"])
    for row in stats.monthly:
        months.append(list(row))
    if stats.monthly:
        _line_chart(months, "月度收到与采用", months.max_row, "E2")
    ledger = book.create_sheet("收文登记簿")
    ledger.append(["编号", "收到日期", "标题", "反映人", "单位", "审核决定", "刊发", "报送",
                   "采用", "批示"])  # fmt: skip
    for item in register:
        ledger.append([item.submission_id, item.received, item.title, item.submitter, item.unit,
                       item.decision, item.published, item.forwarded, item.adopted,
                       item.instructions])  # fmt: skip
        ledger.cell(ledger.max_row, 2).number_format = "yyyy-mm-dd"
    ledger.column_dimensions["C"].width = 40
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


def _bar_chart(sheet: Any, title: str, header: int, last: int, first_col: int, last_col: int,
               anchor: str) -> None:  # fmt: skip
    """A native Excel column chart over rows header+1..last, categories in column A (B for
    rankings), one series per column first_col..last_col (the header row names them)."""
    from openpyxl.chart import BarChart, Reference

    if last <= header:
        return
    chart = BarChart()
    chart.title = title
    chart.y_axis.title = "篇数" if first_col < 7 else "积分"
    data = Reference(sheet, min_col=first_col, max_col=last_col, min_row=header, max_row=last)
    names = Reference(sheet, min_col=1 if first_col < 7 else 2, min_row=header + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(names)
    sheet.add_chart(chart, anchor)


def _line_chart(sheet: Any, title: str, last: int, anchor: str) -> None:
    """A native Excel line chart of the monthly figures (columns B and C by month)."""
    from openpyxl.chart import LineChart, Reference

    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "篇数"
    chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    sheet.add_chart(chart, anchor)
