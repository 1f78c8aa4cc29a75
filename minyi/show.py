"""The terminal view of one submission: what was read, what was found, and the evidence.

Near duplicates are shown side by side, passage by passage, with the shared
text highlighted in both submissions, so a clerk can judge at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ingest.record import Finding, Part, Record, Status, Structure, printable
from ingest.screening.labels import category_label
from minyi.progress import local_time

_RELATION = {
    "resembles": "内容相近",
    "contained_in": "本件内容包含在对方之中",
    "contains": "本件包含对方内容",
}
_CONTEXT = 20


def render(console: Console, record: Record, others: dict[str, str],
           releases: list[dict[str, str]], full_text: bool,
           review: Sequence[tuple[str, str]] = ()) -> None:  # fmt: skip
    """Print ``record``; ``others`` holds the texts of the submissions it nearly repeats;
    ``review``: (label, value) lines about its review (decision, revisions, acknowledged)."""
    console.print(_summary(record, releases, list(review)))
    if record.structure is not None:
        console.print(_structure(record.structure, full_text), soft_wrap=False)
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


def _summary(record: Record, releases: list[dict[str, str]],
             review: list[tuple[str, str]]) -> Table:  # fmt: skip
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    submitter = record.submitter
    rows = [
        ("编号", record.id or ""),
        ("原文件", record.original_name),
        ("收件时间", local_time(record.received_at)),
        ("格式/页数", f"{record.format.value} / {record.page_count} 页"),
        ("标题", record.title or "（未识别）"),
        ("反映人", submitter.raw if submitter else "（未识别）"),
        (
            "筛查结论",
            record.status.label + ("（含密级标志）" if record.status is Status.QUARANTINED else ""),
        ),
    ]
    rows += [("解除隔离", f"{local_time(r['released_at'])}：{r['reason']}") for r in releases]
    rows += review
    for label, value in rows:  # file names and texts are not rich markup
        table.add_row(f"[bold]{label}[/bold]", Text(printable(value)))
    return table


_KINDS = {
    "title": "标题", "byline": "反映人", "body": "正文", "header": "页眉", "footer": "页脚",
    "heading1": "一级标题", "heading2": "二级标题", "heading3": "三级标题", "heading4": "四级标题",
    "page_number": "页码", "masthead": "刊头/期号", "mark": "密级/标识", "date": "日期",
    "imprint": "编印/抄送", "contact": "联系方式", "chrome": "手机截图界面",
}  # fmt: skip
_SNIPPET = 40


def _structure(structure: Structure, full: bool) -> Table:
    """What was recognised, part by part: title, bylines, body, and what is not text."""
    table = Table(title="识别结果（印发时只用标题、反映人和正文）", title_justify="left")
    table.add_column("部分", no_wrap=True)
    table.add_column("内容", overflow="fold")
    table.add_column("来自", overflow="fold")
    table.add_column("把握", justify="right")

    def row(label: str, part: Part | None, text: str | None = None) -> None:
        if part is None:
            table.add_row(label, Text("（未识别）", style="red"), "", "")
            return
        shown = part.text if text is None else text
        table.add_row(label, Text(printable(shown)), Text(printable(part.where)),
                      f"{part.confidence:.0%}")  # fmt: skip

    row("标题", structure.title)
    if structure.bylines:
        for part in structure.bylines:
            row("反映人", part)
        if structure.byline:
            table.add_row("", Text(f"印作：{printable(structure.byline)}", style="green"), "", "")
    else:
        row("反映人", None)
    if not structure.body:
        row("正文", None)
    for n, part in enumerate(structure.body if full else structure.body[:1], 1):
        text = part.text if full or len(part.text) <= _SNIPPET else part.text[:_SNIPPET] + "…"
        kind = "" if part.kind == "body" else f"（{_KINDS.get(part.kind, part.kind)}）"
        row(f"正文 {n}{kind}", part, text)
    if not full and len(structure.body) > 1:
        chars = sum(len(p.text) for p in structure.body)
        table.add_row("", f"……共 {len(structure.body)} 段、{chars} 字（--text 显示全部）", "", "")
    for part in structure.furniture:
        row(f"非正文：{_KINDS.get(part.kind, part.kind)}", part)
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
