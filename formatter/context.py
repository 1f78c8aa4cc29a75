"""What an issue prints, as plain strings: the 版头, the 版记 rows, the 反映人 line.

Pure functions over the issue, the template's wording and the copy being
rendered, shared by the .docx builder and the HTML preview so both say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from formatter import layout as L
from formatter.issue import Issue, Item, SubmitterPlace, chinese_date
from formatter.template import Template


@dataclass(frozen=True)
class Copy:
    """Which copy is rendered: the office's own, or the one forwarded upward."""

    submitter: SubmitterPlace = SubmitterPlace.TITLE
    contacts: bool = False
    name: str = "local"


@dataclass(frozen=True)
class Masthead:
    mark: str
    copy_number: str
    journal: str
    number: str  # 第3期（总第45期）
    unit: str
    date: str


@dataclass(frozen=True)
class Row:
    """One 版记 row: text at left, text at right (may be empty), grid lines it takes."""

    left: str
    right: str
    lines: int
    rule_above: str = ""  # "thick" or "thin" or ""


def masthead(issue: Issue, t: Template) -> Masthead:
    number = t.say("number", series=issue.series.label, number=issue.number)
    if issue.total_number:
        number += t.say("total", total=issue.total_number)
    mark = t.say("mark", mark=issue.mark) if issue.mark else ""
    copy_number = ""
    if issue.classified and issue.copy_number:
        copy_number = t.say("copy_number", copy_number=issue.copy_number)
    date = chinese_date(issue.issued) if issue.issued else ""
    return Masthead(mark, copy_number, issue.journal, number, issue.unit, date)


def colophon(issue: Issue, t: Template) -> list[Row]:
    """The 版记 rows top to bottom: 报/送/发, names, the 印发 line, the copies."""
    sep = t.say("list_separator")
    rows: list[Row] = []
    for key, names in (("report", issue.report_to), ("send", issue.send_to),
                       ("distribute", issue.distribute_to)):  # fmt: skip
        if names:
            text = t.say(key, names=sep.join(names))
            width = L.block_width_pt() - 4 * L.SMALL_PT  # a character of space each side
            lines = L.line_count(text, L.SMALL_PT, -2 * L.SMALL_PT, width, condensed=False)
            rows.append(Row(text, "", lines))
    if issue.print_names and (issue.editor or issue.reviewer or issue.signer):
        signed = t.say("names", editor=issue.editor, reviewer=issue.reviewer, signer=issue.signer)
        rows.append(Row(signed, "", 1))
    date = chinese_date(issue.issued) if issue.issued else ""
    rows.append(Row(issue.unit, t.say("printed", date=date), 1, "thin" if rows else ""))
    if issue.copies:
        rows.append(Row("", t.say("copies", copies=issue.copies), 1))
    first = rows[0]
    rows[0] = Row(first.left, first.right, first.lines, "thick")
    return rows


def submitter_text(item: Item, copy: Copy, t: Template) -> str:
    """The 反映人 line for this copy ("" where this copy prints none)."""
    if copy.submitter is SubmitterPlace.NONE or not item.submitter:
        return ""
    key = "submitter_under_title" if copy.submitter is SubmitterPlace.TITLE else "submitter_at_end"
    text = t.say(key, submitter=item.submitter)
    if copy.contacts and item.contact:
        text += "　" + t.say("contact", contact=item.contact)
    return text
