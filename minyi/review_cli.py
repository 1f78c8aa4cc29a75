"""``minyi search``, ``list``, ``review`` and ``log``: find what came in, and decide on it.

Command names, flags and the ``--json`` keys are a contract (the browser desk and
outside scripts read them): one JSON object a line with id, title, submitter,
unit, received_at, status, decision, score and snippet; keys are only added.
Every line goes through the screening gate, as a report line does: personal data
masked, 密级 marks replaced, and no snippet of a quarantined submission.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from common.errors import InputError
from ingest import search
from ingest.record import Status
from ingest.registry import Registry
from ingest.registry_search import Filters, Hit
from ingest.review import FLAGS, LABELS, Decision, parse_decision, parse_flags
from ingest.screening.gate import Gate
from minyi import progress
from minyi.cli import _data_option, _get, _registry, _settings, cli, err, out, shown
from minyi.searching import teach_words
from minyi.settings import Settings
from minyi.tracking import clerk, now

ACTION_LABELS = {
    "decision": "审核决定",
    "replace": "登记为修改稿",
    "superseded": "被修改稿替代",
    "release": "解除隔离",
    "acknowledge": "确认提示",
    "issue.new": "编入新一期",
    "issue.edit": "修改期次",
    "issue.text": "编辑稿件文字",
    "issue.render": "生成刊物",
    "issue.sign": "签发",
    "issue.reopen": "改回草稿",
    "issue.void": "作废期次",
    "track.add": "记录跟踪事项",
    "track.remove": "删除跟踪记录",
    "track.credit": "设置计分对象",
    "issue.credit": "随反映人改动设置计分对象",
    "member.link": "对应到委员库",
    "member.import": "导入委员库",
    "member.add": "委员库添加",
    "member.edit": "委员库修改",
    "user.add": "添加用户",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.passwd": "修改用户密码",
    "desk.login": "登录工作台",
    "desk.logout": "退出工作台",
    "desk.upload": "网页上传",
}


def _filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--status", type=click.Choice(["accepted", "flagged", "quarantined"]),
                     help="接收状态：accepted 已接收、flagged 有提示、quarantined 已隔离"),
        click.option("--decision", help="审核决定：待审核、拟采用、不予采用、退回修改、作废、已由修改稿替代"),
        click.option("--since", help="收到日期不早于（如 2026-03-01）"),
        click.option("--until", help="收到日期不晚于（如 2026-03-31）"),
        click.option("--submitter", help="反映人姓名（包含即可）"),
        click.option("--unit", help="反映人单位（包含即可）"),
        click.option("--format", "format_", help="文件格式，如 docx、pdf、image"),
        click.option("--flag", help="筛查提示类别，如 pii、lexicon、secret、duplicate"),
        click.option("--published/--unpublished", default=None, help="已编入期次 / 尚未编入"),
        click.option("--issue", type=int, help="编入第几期"),
        click.option("--year", type=int, help="收到年份"),
        click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象（供程序读取）"),
        click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True,
                     help="最多显示多少条"),
        click.option("--page", type=click.IntRange(min=1), default=1, help="第几页"),
        _data_option,
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _filters(kw: dict[str, Any], queue: bool = False) -> Filters:
    decision = kw.pop("decision")
    return Filters(
        status=kw.pop("status"),
        decision=parse_decision(decision, chosen=False).value if decision else None,
        since=kw.pop("since"), until=kw.pop("until"), submitter=kw.pop("submitter"),
        unit=kw.pop("unit"), format=kw.pop("format_"), flag=kw.pop("flag"),
        published=kw.pop("published"), issue=kw.pop("issue"), year=kw.pop("year"), queue=queue,
    )  # fmt: skip


@cli.command("search")
@click.argument("query", required=False)
@_filter_options
@click.option("--rebuild", is_flag=True, help="重建全文索引（升级后或添加检索词表后）")
@click.pass_context
def search_command(ctx: click.Context, query: str | None, rebuild: bool, data_dir: Path | None,
                   as_json: bool, limit: int, page: int, **kw: Any) -> None:  # fmt: skip
    """全文检索已收到的信息（标题、反映人、正文），繁体、全角也能查到。

    \b
    多个词用空格分开，须同时出现；用英文引号括起的是一个词组。
    示例：
      minyi search 白沙河
      minyi search "电动自行车 充电" --since 2026-01-01
      minyi search 养老 --decision 拟采用 --unit 民盟
      minyi search 河砂 --json
      minyi search --rebuild
    """
    settings = _settings(ctx, data_dir=data_dir)
    filters = _filters(kw)
    with _registry(settings) as registry:
        teach_words(registry, settings)
        if rebuild or registry.search_stale():
            _rebuild(registry, announce=not rebuild)
            if query is None:
                return
        if query is None:
            raise InputError("请输入要查找的字词，如：minyi search 白沙河")
        parsed = search.parse(query)
        hits, total = registry.find(parsed, filters, limit, (page - 1) * limit)
        _show(hits, total, page, limit, settings, as_json, searched=True)


def _rebuild(registry: Registry, announce: bool) -> None:
    from rich.progress import Progress

    if announce:
        err.print("全文索引需要更新（首次使用或升级后），正在重建……")
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("重建全文索引", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        count = registry.rebuild_search(step)
    err.print(f"全文索引已重建：{count} 篇。")


@cli.command("list")
@_filter_options
@click.option("--queue", is_flag=True, help="只列出待审核的（审核队列）")
@click.pass_context
def list_command(ctx: click.Context, queue: bool, data_dir: Path | None, as_json: bool,
                 limit: int, page: int, **kw: Any) -> None:  # fmt: skip
    """列出已收到的信息（最新的在前），可按状态、审核决定、日期、反映人等筛选。

    \b
    示例：
      minyi list --queue                 待审核的
      minyi list --decision 拟采用 --unpublished
      minyi list --since 2026-03-01 --until 2026-03-31 --json
    """
    settings = _settings(ctx, data_dir=data_dir)
    filters = _filters(kw, queue=queue)
    with _registry(settings) as registry:
        hits, total = registry.find(None, filters, limit, (page - 1) * limit)
        if not as_json and queue:
            counts = registry.facets(Filters(queue=True))["status"]
            out.print(f"审核队列：{sum(counts.values())} 篇待审核"
                      + (f"（其中 {counts['quarantined']} 篇已隔离，须先解除）"
                         if counts.get("quarantined") else ""))  # fmt: skip
        _show(hits, total, page, limit, settings, as_json, searched=False)


def hit_line(hit: Hit, gate: Gate) -> dict[str, Any]:
    """One list or search result as the ``--json`` contract gives it (through the gate)."""
    record = hit.record
    submitter = record.submitter
    withheld = record.status is Status.QUARANTINED
    line: dict[str, Any] = {
        "id": record.id,
        "title": record.title,
        "submitter": submitter.name if submitter else None,
        "unit": (submitter.unit or submitter.identity) if submitter else None,
        "received_at": record.received_at,
        "status": record.status.value,
        "decision": hit.decision,
        "score": hit.rank,
        "snippet": None if withheld or hit.snippet is None else record.masked(hit.snippet.text),
        "highlights": []
        if withheld or hit.snippet is None
        else [list(h) for h in hit.snippet.hits],
        "decision_label": LABELS[Decision(hit.decision)],
        "format": record.format.value,
        "file": record.original_name,
    }
    if withheld:
        line["text_withheld"] = True
    redacted: dict[str, Any] = gate.redact_all(line)
    if redacted["snippet"] != line["snippet"]:
        redacted["highlights"] = []  # (offsets no longer fit a masked snippet)
    return redacted


def _show(hits: list[Hit], total: int, page: int, limit: int, settings: Settings,
          as_json: bool, searched: bool) -> None:  # fmt: skip
    gate = Gate.for_options(settings.ingest_options())
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit_line(hit, gate), ensure_ascii=False))
        return
    if not hits:
        out.print("没有找到符合条件的信息。" if total == 0 else f"共 {total} 条；这一页没有内容。")
        return
    table = Table(show_lines=searched)
    for header in ("编号", "收到", "状态", "审核"):
        table.add_column(header, no_wrap=True)
    table.add_column("标题", overflow="fold", ratio=2)
    table.add_column("反映人", overflow="fold", ratio=1)
    if searched:
        table.add_column("摘要", overflow="fold", ratio=3)
    for hit in hits:
        line = hit_line(hit, gate)
        who = "，".join(x for x in (line["submitter"], line["unit"]) if x)
        row = [line["id"], (line["received_at"] or "")[:10],
               Status(line["status"]).label, line["decision_label"],
               shown(line["title"] or "（无标题）"), shown(who)]  # fmt: skip
        if searched:
            row.append(_marked(line))
        table.add_row(*row)
    out.print(table)
    pages = (total + limit - 1) // limit
    out.print(f"共 {total} 条" + (f"，第 {page}/{pages} 页（--page 翻页）" if pages > 1 else ""))


def _marked(line: dict[str, Any]) -> str:
    if line.get("text_withheld"):
        return "［已隔离，不显示正文］"
    text = line["snippet"] or ""
    out_, at = [], 0
    for start, end in line["highlights"]:
        out_ += [shown(text[at:start]), "[bold red]", shown(text[start:end]), "[/bold red]"]
        at = end
    out_.append(shown(text[at:]))
    return "".join(out_)


@cli.command()
@click.argument("submission_ids", nargs=-1, required=True, metavar="ID [ID...]")
@click.option(
    "--decision", help="审核决定：拟采用、不予采用、退回修改、作废，或 待审核（撤回决定）"
)
@click.option("--reason", default="", help="理由（不予采用、退回修改、作废、修改稿替代时必填）")
@click.option(
    "--replaces", metavar="原稿编号", help="本稿是该稿的修改稿：原稿退出审核队列，历史保留"
)
@click.option(
    "--ack",
    "acks",
    multiple=True,
    metavar="类别",
    help="确认已看过的提示，不再提醒：pii、lexicon、near_duplicate、low_ocr 或 all（可重复）",
)
@click.option("--by", "by", help="审核人（默认取设置 clerk 或登录名）")
@_data_option
@click.pass_context
def review(ctx: click.Context, submission_ids: tuple[str, ...], decision: str | None, reason: str,
           replaces: str | None, acks: tuple[str, ...], by: str | None,
           data_dir: Path | None) -> None:  # fmt: skip
    """审核信息：作出决定、登记修改稿、确认提示。每一项都记入审计日志。

    \b
    可一次审核多篇（同一决定）。示例：
      minyi review 2026-0012 --decision 拟采用 --by 李明
      minyi review 2026-0012 2026-0014 --decision 拟采用
      minyi review 2026-0013 --decision 退回修改 --reason "数据需核实来源"
      minyi review 2026-0020 --replaces 2026-0013 --reason "报送人提交的修改稿"
      minyi review 2026-0012 --ack pii --ack lexicon
    """
    if decision is None and replaces is None and not acks:
        raise InputError("请指定 --decision、--replaces 或 --ack 中的至少一项")
    if replaces is not None and len(submission_ids) != 1:
        raise InputError("--replaces 一次只能登记一篇修改稿")
    settings = _settings(ctx, data_dir=data_dir)
    chosen = parse_decision(decision) if decision else None
    flags = parse_flags(list(acks))
    actor = clerk(settings, by)
    ids = list(dict.fromkeys(submission_ids))
    said: list[str] = []  # shown once everything is committed
    with _registry(settings) as registry, registry.batch():  # all of them, or none
        records = [_get(registry, i) for i in ids]
        when = now()
        if replaces is not None:
            if not reason.strip():
                raise InputError("登记修改稿须用 --reason 写明理由")
            _get(registry, replaces)
            registry.link_revision(ids[0], replaces, reason.strip(), actor, when)
            said.append(f"已登记：{ids[0]} 是 {replaces} 的修改稿；{replaces} 已退出审核队列。")
        for record in records:
            assert record.id is not None
            if chosen is not None:
                before = registry.decide(record.id, chosen, reason.strip(), actor, when)
                said.append(f"{record.id}：{before.label} → {chosen.label}（{escape(actor)}）")
            if flags:
                registry.acknowledge(record.id, flags, actor, when)
                names = "、".join(FLAGS[f] for f in flags)
                said.append(f"{record.id}：已确认提示（{names}），不再提醒。")
    for message in said:
        out.print(message)


@cli.command("log")
@click.argument("submission_id", metavar="[ID]", required=False)
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True,
              help="不指定编号时，显示最近多少条")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="每行输出一个 JSON 对象")
@_data_option
@click.pass_context
def log_command(ctx: click.Context, submission_id: str | None, limit: int, as_json: bool,
                data_dir: Path | None) -> None:  # fmt: skip
    """审计日志：谁在何时对哪份信息做了什么、为什么（只增不改）。

    \b
    示例：
      minyi log 2026-0012
      minyi log --limit 100
    """
    settings = _settings(ctx, data_dir=data_dir)
    gate = Gate.for_options(settings.ingest_options())
    with _registry(settings) as registry:
        if submission_id is not None:
            _get(registry, submission_id)
        entries = registry.audit_log(submission_id, None if submission_id else limit)
    if as_json:
        for entry in entries:
            click.echo(json.dumps(gate.redact_all(entry), ensure_ascii=False))
        return
    if not entries:
        out.print("审计日志中还没有记录。")
        return
    table = Table()
    for header in ("时间", "操作人", "操作", "稿件/期次", "内容", "理由"):
        table.add_column(header, overflow="fold")
    for entry in entries:
        entry = gate.redact_all(entry)
        table.add_row(progress.local_time(entry["at"]), shown(entry["actor"]),
                      ACTION_LABELS.get(entry["action"], entry["action"]),
                      entry["submission_id"] or entry["issue"] or "",
                      shown(_detail(entry)), shown(entry["reason"] or ""))  # fmt: skip
    out.print(table)


def _detail(entry: dict[str, Any]) -> str:
    detail = entry["detail"]
    action = entry["action"]
    if action == "decision":
        return f"{_label(detail.get('from'))} → {_label(detail.get('to'))}"
    if action == "replace":
        return f"替代 {detail.get('replaces')}"
    if action == "superseded":
        return f"由 {detail.get('by')} 替代"
    if action == "release":
        return "已隔离 → " + Status(str(detail.get("to"))).label
    if action == "acknowledge":
        return "、".join(FLAGS.get(f, f) for f in detail.get("flags", []))
    if action in ("track.add", "track.remove"):
        return f"{detail.get('kind')} {detail.get('date')}（记录 {detail.get('event')}）"
    items = detail.get("items")
    parts = [f"稿件 {'、'.join(items)}" if items else "", detail.get("what", "")]
    return "；".join(p for p in parts if p)


def _label(value: object) -> str:
    try:
        return Decision(str(value)).label
    except ValueError:
        return str(value)
