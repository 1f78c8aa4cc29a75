"""``minyi track …`` and ``minyi stats``: record what happened to items, and count it.

Command names and flags are a contract. Recording by titles (a returned list of
adopted titles) shows the matches first and writes only after the clerk
confirms; a title that only resembles an item is asked about, never guessed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from common.errors import InputError, describe_os_error
from followup.events import Adoption, Credit, Event, Kind, Level, Role
from followup.matching import Candidate, Match, Verdict, match_titles
from followup.stats import Period, Stats
from ingest.screening.gate import Checkpoint, Gate
from minyi import tracking as flow
from minyi.cli import _data_option, _Group, _registry, _settings, cli, err, out

KINDS = [k.value for k in Kind if k is not Kind.PUBLISHED]


def _table(*headers: str, title: str | None = None) -> Table:
    """A table whose long cells wrap rather than being cut off with “…”."""
    table = Table(title=title)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


LEVELS = [level.value for level in Level]


@cli.group(cls=_Group)
def track() -> None:
    """跟踪：记录报送、采用、转报、批示、办理反馈、成果转化，查看待跟进事项。

    \b
    示例：
      minyi track add 2026-0003 --kind 报送 --level 市 --body 市政协办公室
      minyi track add 2026-0003 --kind 采用 --level 省 --adoption 单篇
      minyi track add 2026-0003 --kind 批示 --level 市 --leader 王市长 --principal --handler 市民政局
      minyi track titles 省采用名单.txt --kind 采用 --level 省   按标题批量记录（先确认）
      minyi track show 2026-0003                       一篇的全部经历
      minyi track due --days 30                        报送后 30 天无结果、批示后无反馈的
    """


def _date(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"日期「{value}」格式不对，应写作 2026-03-05") from None


def _event_options(func: Any) -> Any:
    options = [
        click.option("--kind", required=True, type=click.Choice(KINDS), help="事项"),
        click.option(
            "--level",
            type=click.Choice(LEVELS),
            help="层级：采用/转报的单位，或批示领导的层级（全国=中央）",
        ),
        click.option(
            "--adoption",
            type=click.Choice([a.value for a in Adoption]),
            help="采用方式：单篇采用或综合/转送采用",
        ),
        click.option("--date", "day", help="日期，如 2026-03-05（默认今天）"),
        click.option("--body", default="", help="报送/转报的对象，或采用单位名称"),
        click.option("--how", default="", help="报送方式（报送系统、专报……）"),
        click.option("--leader", default="", help="批示领导"),
        click.option("--principal", is_flag=True, help="主要领导批示"),
        click.option("--text", default="", help="批示内容、反馈内容、成果或满意度"),
        click.option("--handler", default="", help="批示的承办单位"),
        click.option("--note", default="", help="备注"),
        click.option(
            "--document",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="附件（复制一份存入数据目录）",
        ),
        click.option("--by", "by", help="记录人（默认：设置 clerk，或当前用户）"),
        _data_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _events(ids: list[str], values: dict[str, Any], settings: Any) -> list[Event]:
    kind = Kind(values["kind"])
    level = Level(values["level"]) if values.get("level") else None
    if kind in (Kind.ADOPTED, Kind.RELAYED, Kind.INSTRUCTION) and level is None:
        raise InputError(f"记录“{kind.value}”需要 --level（{'、'.join(LEVELS)}）")
    document = flow.keep_document(settings, values["document"]) if values.get("document") else ""
    adoption = Adoption(values["adoption"]) if values.get("adoption") else None
    if kind is Kind.ADOPTED and adoption is None:
        adoption = Adoption.SINGLE
    return [
        Event(sid, kind, _date(values.get("day")), flow.clerk(settings, values.get("by")), level,
              adoption, values["body"], values["how"], values["leader"], values["principal"],
              values["text"], values["handler"], values["note"], document)
        for sid in ids
    ]  # fmt: skip


@track.command("add")
@click.argument("ids", nargs=-1, metavar="ID [ID...]")
@click.option("--issue", "issue_number", type=int,
              help="为这一期（已印发，本年正刊）的每一篇记录，如整期报送")  # fmt: skip
@click.option("--year", type=int, help="与 --issue 一起用：期次的年份（默认今年）")
@click.option("--force", is_flag=True, help="同一天的同一事项确是另一次时，仍然记录")
@_event_options
@click.pass_context
def add(ctx: click.Context, ids: tuple[str, ...], issue_number: int | None, year: int | None,
        force: bool, data_dir: Path | None, **values: Any) -> None:  # fmt: skip
    """为一篇或多篇（稿件编号），或整期（--issue），记录同一事项。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        chosen = list(ids)
        if issue_number is not None:
            chosen += _issue_items(registry, issue_number, year)
        if not chosen:
            raise InputError("请写出稿件编号，或用 --issue 指定一期")
        events = _events(list(dict.fromkeys(chosen)), values, settings)
        flow.record(registry, events, force=force)
    err.print(f"已记录 {len(events)} 条“{events[0].kind.value}”。")


def _issue_items(registry: Any, number: int, year: int | None) -> list[str]:
    """The items of an issued regular issue, for recording one event for all of them."""
    year = year or dt.date.today().year
    data = registry.issue("regular", year, number)
    if data is None:
        raise InputError(f"没有{year}年第{number}期；可用 minyi issue list 查看")
    if data.get("state") != "issued":
        raise InputError(f"{year}年第{number}期尚未印发，不能按期记录跟踪事项")
    return [item["submission_id"] for item in data.get("items", [])]


@track.command("titles")
@click.argument("listing", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                metavar="名单文件")  # fmt: skip
@_event_options
@click.option("--yes", is_flag=True, help="不逐项确认，只记录标题完全对应的（近似的一律跳过）")
@click.pass_context
def titles(ctx: click.Context, listing: Path, data_dir: Path | None, yes: bool,
           **values: Any) -> None:  # fmt: skip
    """按标题批量记录：名单文件每行一个标题或稿件编号（如上级返回的采用名单），先核对再写入。"""
    settings = _settings(ctx, data_dir=data_dir)
    wanted = flow.read_titles(listing)
    with _registry(settings) as registry:
        items = {str(b["id"]): str(b["title"] or "") for b in registry.submissions_brief()}
        matches = [
            Match(w, Verdict.MATCHED, (Candidate(w, items[w], 1.0),)) if w in items else None
            for w in wanted
        ]  # a line may be a submission id instead of a title
        titled = iter(match_titles([w for w in wanted if w not in items], items))
        matches = [m if m is not None else next(titled) for m in matches]
        chosen = _confirm(matches, yes)
        if not chosen:
            err.print("没有要记录的稿件。")
            return
        if not yes and not click.confirm(f"为以上 {len(chosen)} 篇记录“{values['kind']}”？",
                                         default=False, err=True):  # fmt: skip
            err.print("未写入。")
            return
        flow.record(registry, _events(chosen, values, settings))
    err.print(f"已记录 {len(chosen)} 篇。")


def _confirm(matches: list[Any], yes: bool) -> list[str]:
    table = _table("名单中的标题", "结果", "稿件")
    chosen: list[str] = []
    for match in matches:
        if match.verdict is Verdict.MATCHED:
            sid = match.candidates[0].submission_id
            chosen.append(sid)
            table.add_row(match.wanted, "[green]对应[/green]", f"{sid} {match.candidates[0].title}")
        elif match.verdict is Verdict.UNMATCHED:
            table.add_row(match.wanted, "[red]未找到[/red]", "")
        else:
            options = "；".join(f"{c.submission_id} {c.title}（相似度 {c.similarity:.2f}）"
                               for c in match.candidates)  # fmt: skip
            table.add_row(match.wanted, "[yellow]需确认[/yellow]", options)
    err.print(table)
    if yes:
        return chosen
    for match in (m for m in matches if m.verdict is Verdict.ASK):
        numbers = {str(i): c.submission_id for i, c in enumerate(match.candidates, start=1)}
        listing = "  ".join(f"{i}) {c.submission_id} {c.title}"
                            for i, c in zip(numbers, match.candidates, strict=True))  # fmt: skip
        answer = click.prompt(f"「{match.wanted}」是哪一篇？{listing}  0) 都不是",
                              type=click.Choice(["0", *numbers]), default="0", err=True)  # fmt: skip
        if answer != "0" and numbers[answer] not in chosen:
            chosen.append(numbers[answer])
    return chosen


@track.command("show")
@click.argument("submission_id", metavar="ID")
@_data_option
@click.pass_context
def show(ctx: click.Context, submission_id: str, data_dir: Path | None) -> None:
    """一篇稿件的全部经历（编发、报送、采用、批示……）和计分对象。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        briefs = {str(b["id"]): b for b in registry.submissions_brief()}
        if submission_id not in briefs:
            raise InputError(f"登记库中没有编号为 {submission_id} 的稿件")
        events = flow.history(registry, submission_id)
        credits = flow.credits_of(briefs[submission_id], registry.credits().get(submission_id))
    out.print(f"{submission_id}  {briefs[submission_id]['title']}")
    table = _table("编号", "日期", "事项", "层级", "内容", "记录人")
    for e in events:
        detail = "；".join(x for x in (e.adoption.value if e.adoption else "", e.body, e.how,
                                       e.leader + ("（主要领导）" if e.principal else ""),
                                       e.text, e.handler and f"承办：{e.handler}", e.note,
                                       e.document and f"附件：{e.document}") if x)  # fmt: skip
        table.add_row(str(e.id or ""), e.date.isoformat(), e.kind.value,
                      e.level.value if e.level else "", detail, e.recorded_by)  # fmt: skip
    out.print(table)
    out.print(
        "计分对象："
        + ("；".join(_credit(c) for c in credits) or "（未识别，可用 minyi track credit 设置）")
    )


def _credit(c: Credit) -> str:
    role = {Role.FIRST: "第一反映人", Role.COSIGNER: "联名", Role.INFORMANT: "信息员"}[c.role]
    extra = "，".join(x for x in (c.unit, c.sector, c.party) if x)
    return f"{c.person}（{role}{'，' + extra if extra else ''}）"


@track.command("credit")
@click.argument("submission_id", metavar="ID")
@click.option("--person", "people", multiple=True, required=True,
              help="姓名[,角色[,单位[,界别[,党派]]]]，角色为 第一/联名/信息员；可重复，按顺序")  # fmt: skip
@_data_option
@click.pass_context
def credit(ctx: click.Context, submission_id: str, people: tuple[str, ...],
           data_dir: Path | None) -> None:  # fmt: skip
    """设置一篇稿件的计分对象（替换从反映人识别出的）。"""
    roles = {"第一": Role.FIRST, "联名": Role.COSIGNER, "信息员": Role.INFORMANT}
    credits = []
    for i, given in enumerate(people):
        parts = [p.strip() for p in given.replace("，", ",").split(",")] + [""] * 5
        role = roles.get(parts[1] or ("第一" if i == 0 else "联名"))
        if role is None or not parts[0]:
            raise InputError(f"「{given}」写法不对：姓名,角色（第一/联名/信息员）,单位,界别,党派")
        credits.append({"person": parts[0], "role": role.value, "unit": parts[2],
                        "sector": parts[3], "party": parts[4]})  # fmt: skip
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        if registry.get(submission_id) is None:
            raise InputError(f"登记库中没有编号为 {submission_id} 的稿件")
        with registry.batch():
            registry.set_credits(submission_id, credits)
            registry.audit("track.credit", flow.clerk(settings, None), flow.now(), submission_id,
                           detail={"what": "、".join(c["person"] for c in credits)})  # fmt: skip
    err.print(f"已设置 {submission_id} 的计分对象：{len(credits)} 人。")


@track.command("remove")
@click.argument("event_id", type=int, metavar="记录编号")
@_data_option
@click.pass_context
def remove(ctx: click.Context, event_id: int, data_dir: Path | None) -> None:
    """删除一条记错的记录（编号见 minyi track show）。编发记录来自刊物，不能在这里删除。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry, registry.batch():
        removed = registry.delete_event(event_id)
        if removed is not None:
            registry.audit("track.remove", flow.clerk(settings, None), flow.now(),
                           removed["submission_id"], detail={"event": event_id,
                           "kind": removed["kind"], "date": removed["date"]})  # fmt: skip
    if removed is None:
        raise InputError(f"没有编号为 {event_id} 的记录；编号见 minyi track show 稿件编号")
    err.print(
        f"已删除记录 {event_id}（{removed['submission_id']} {removed['kind']} {removed['date']}）。"
    )


@track.command("due")
@click.option("--days", type=click.IntRange(min=0), default=30, show_default=True,
              help="报送后超过多少天仍无结果算待跟进")  # fmt: skip
@_data_option
@click.pass_context
def due(ctx: click.Context, days: int, data_dir: Path | None) -> None:
    """待跟进：报送后久无结果的，批示后尚无办理反馈的。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        rows = flow.waiting(registry, days)
    if not rows:
        out.print("没有待跟进的事项。")
        return
    table = _table("稿件", "标题", "情况", "自", "天数")
    for row in rows:
        table.add_row(
            row.submission_id, row.title, row.reason, row.since.isoformat(), str(row.days)
        )
    out.print(table)


@cli.command()
@click.option("--year", type=int, help="年份（默认今年）")
@click.option("--from", "start", help="起始日期，如 2026-01-01（与 --to 一起用）")
@click.option("--to", "end", help="截止日期（含）")
@click.option("--quarter", type=click.IntRange(1, 4), help="第几季度（与 --year 一起用，默认今年）")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), help="另存为 Excel 工作簿")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="另存一页年度通报（.docx，含月度图表）")  # fmt: skip
@_data_option
@click.pass_context
def stats(ctx: click.Context, year: int | None, start: str | None, end: str | None,
          quarter: int | None, xlsx: Path | None, report: Path | None,
          data_dir: Path | None) -> None:  # fmt: skip
    """统计：各级采用、转报、批示篇数，采用率，个人与单位积分排名，题材与月度走势。"""
    if quarter is not None:
        if start or end:
            raise InputError("--quarter 不能与 --from/--to 同时使用")
        period = Period.quarter(year or dt.date.today().year, quarter)
    elif start or end:
        period = Period(_date(start or f"{dt.date.today().year}-01-01"), _date(end))
    else:
        period = Period.year(year or dt.date.today().year)
    if period.end < period.start:
        raise InputError("截止日期早于起始日期")
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        figures = flow.statistics(registry, settings, period)
    _print(figures)
    checkpoint = Checkpoint(Gate.for_options(settings.ingest_options()))
    if xlsx is not None:
        from followup.workbook import write_workbook

        register = flow.register_rows(registry_path=settings.registry_path, period=period)
        _writing(xlsx, lambda: write_workbook(figures, xlsx, checkpoint, register))
        out.print(f"Excel 工作簿已写入：{xlsx}")
    if report is not None:
        from formatter.bulletin import write_bulletin

        text = flow.bulletin_figures(figures)
        _writing(report, lambda: write_bulletin(text, report, settings.issue_unit, checkpoint))
        out.print(f"年度通报已写入：{report}")


def _writing(path: Path, write: Any) -> None:
    try:
        write()
    except OSError as exc:
        raise InputError(f"无法写入「{path}」：{describe_os_error(exc)}") from None


def _print(s: Stats) -> None:
    out.print(s.sentence())
    rate = f"{s.adoption_rate:.1%}" if s.adoption_rate is not None else "—"
    out.print(f"采用率（采用篇数 ÷ 报送篇数）：{rate}")
    levels = Table("层级", "采用", "其中单篇", "转报至该级", "批示")
    for level in Level:
        levels.add_row(level.value, str(s.adopted[level]), "", str(s.relayed[level]),
                       str(s.instructions[level]))  # fmt: skip
    levels.add_row("合计", str(s.adopted_items), str(s.adopted_kind[Adoption.SINGLE]), "", "")
    out.print(levels)
    for title, rows in (("个人", s.persons), ("单位", s.units), ("界别", s.sectors),
                        ("党派", s.parties)):  # fmt: skip
        if not rows and title in ("界别", "党派"):
            continue
        table = Table("名次", title, "篇数", "报送", "采用", "批示", "积分", title=f"{title}排名")
        for r in rows:
            table.add_row(str(r.rank), r.name, str(r.items), str(r.forwarded), str(r.adopted),
                          str(r.instructions), f"{r.points:g}")  # fmt: skip
        out.print(table)
    topics = Table("题材", "篇数", title="题材分布")
    for name, count in s.topics.items():
        topics.add_row(name, str(count))
    out.print(topics)
    months = Table("月份", "收到", "采用", title="月度走势")
    for month, received, adopted in s.monthly:
        months.add_row(month, str(received), str(adopted))
    out.print(months)
