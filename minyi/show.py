"""The terminal view of one submission: what was read, what was found, and the evidence.

Near duplicates are shown side by side, passage by passage, with the shared
text highlighted in both submissions, so a clerk can judge at a glance.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ingest.record import Finding, Record, printable
from ingest.screening.labels import category_label

_STATUS = {"accepted": "通过", "flagged": "待审核", "quarantined": "已隔离（含密级标志）"}
_RELATION = {
    "resembles": "内容相近",
    "contained_in": "本件内容包含在对方之中",
    "contains": "本件包含对方内容",
}
_CONTEXT = 20


def render(console: Console, record: Record, others: dict[str, str],
           releases: list[dict[str, str]], full_text: bool) -> None:  # fmt: skip
    """Print ``record``; ``others`` holds the texts of the submissions it nearly repeats."""
    console.print(_summary(record, releases))
    sensitive = [f for f in record.findings if f.kind == "sensitive"]
    if sensitive:
        console.print(_sensitive_table(record, sensitive), soft_wrap=False)
    checks = [f for f in record.findings if f.kind == "check"]
    if checks:
        console.print("[bold]编辑提示[/bold]")
        for check in checks:
            console.print(f"  • {check.text}")
    for finding in record.findings:
        if finding.kind == "duplicate" and finding.detail["id"] in others:
            console.print(
                _side_by_side(record, finding, others[finding.detail["id"]]), soft_wrap=False
            )
    if full_text:
        console.print(Panel(record.text, title="全文"), soft_wrap=False)


def _summary(record: Record, releases: list[dict[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    submitter = record.submitter
    rows = [
        ("编号", record.id or ""),
        ("原文件", record.original_name),
        ("收件时间", record.received_at or ""),
        ("格式/页数", f"{record.format.value} / {record.page_count} 页"),
        ("标题", record.title or "（未识别）"),
        ("反映人", submitter.raw if submitter else "（未识别）"),
        ("筛查结论", _STATUS.get(record.status.value, record.status.value)),
    ]
    rows += [("解除隔离", f"{r['released_at']}：{r['reason']}") for r in releases]
    for label, value in rows:  # file names and texts are not rich markup
        table.add_row(f"[bold]{label}[/bold]", Text(printable(value)))
    return table


def _sensitive_table(record: Record, findings: list[Finding]) -> Table:
    table = Table(title="敏感内容", title_justify="left")
    table.add_column("类别")
    table.add_column("位置", justify="right")
    table.add_column("上下文", overflow="fold")
    for f in findings:
        if f.start is None or f.end is None:  # in a picture, an annotation, a form field
            where = Text(printable(str(f.detail.get("where", ""))))
            table.add_row(category_label(f.category), where,
                          Text(str(f.detail.get("context", f.text))))  # fmt: skip
            continue
        table.add_row(category_label(f.category), f"{f.start}–{f.end}",
                      _highlight(record.text, f.start, f.end))  # fmt: skip
    return table


def _side_by_side(record: Record, finding: Finding, other_text: str) -> Panel:
    d = finding.detail
    table = Table(expand=True, show_lines=True)
    # Chinese has no spaces to wrap at: "fold" breaks long runs instead of cropping them.
    table.add_column(f"本件 {record.id}", ratio=1, overflow="fold")
    table.add_column(f"已登记 {d['id']}（{d['file']}）", ratio=1, overflow="fold")
    for p in d["passages"][:8]:
        table.add_row(_highlight(record.text, p["start"], p["end"]),
                      _highlight(other_text, p["other_start"], p["other_end"]))  # fmt: skip
    title = (
        f"近似重复：{_RELATION.get(d['relation'], d['relation'])}，相似度 {d['similarity']:.0%}"
        f"（Jaccard {d['jaccard']:.2f}，包含度 {d['containment']:.2f}）"
    )
    return Panel(Group(table), title=title, title_align="left")


def _highlight(text: str, start: int, end: int) -> Text:
    out = Text()
    before = text[max(0, start - _CONTEXT) : start].replace("\n", "⏎")
    out.append(("…" if start > _CONTEXT else "") + before)
    out.append(text[start:end].replace("\n", "⏎"), style="bold black on yellow")
    out.append(
        text[end : end + _CONTEXT].replace("\n", "⏎") + ("…" if end + _CONTEXT < len(text) else "")
    )
    return out
