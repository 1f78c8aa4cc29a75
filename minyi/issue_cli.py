"""``minyi issue …``: compose, edit, check and render 《社情民意信息》 issues.

Command names and flags are a contract (outside tools call them). ``issue new``
prints the new issue's number alone on standard output; everything for the
clerk goes to standard error or to the tables of ``list`` and ``show``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from common.errors import InputError, MissingDependencyError
from formatter.issue import Issue, Series
from formatter.pdf import fontconfig_env
from formatter.render import Converter
from minyi import issues as flow
from minyi.cli import _data_option, _Group, _registry, _settings, cli, err, out
from minyi.concerns import Concern, Weight
from minyi.progress import local_time
from minyi.settings import Settings


@cli.group(cls=_Group)
def issue() -> None:
    """编发刊物：从已登记的稿件组成一期《社情民意信息》，编辑、检查并生成 Word 与 PDF。

    \b
    示例：
      minyi issue new --items 2026-0001 2026-0003     用两篇稿件新建一期，输出期号
      minyi issue edit 3 --date 2026-03-05 --copies 30
      minyi issue text 3 1 --export 稿1.txt            导出第 1 篇供修改；--import 导回
      minyi issue diff 3                               查看编辑改动
      minyi issue render 3                             草稿：生成校样；已签发：印发
      minyi issue sign 3 --by 张主任                     签发（此后锁定）
      minyi issue reopen 3 --reason "更正数据"          已签发或已印发后改回草稿
      minyi issue void 3 --reason "误建"                 作废（期号保留不再使用）
      minyi issue move 3 2 --to 1                      调整稿件顺序（保留编辑）
      minyi issue list                                 列出各期及其状态

    \b
    一期的经历：草稿 → 已签发 → 已印发。签发后内容锁定；印发时生成的文件即为存档。
    """


def _which(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--year", type=int, help="年份（默认今年）")(func)
    func = click.option("--supplement", is_flag=True, help="增刊（单独编号）")(func)
    return _data_option(func)


def _series(supplement: bool) -> Series:
    return Series.SUPPLEMENT if supplement else Series.REGULAR


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"日期「{value}」格式不对，应写作 2026-03-05") from None


@issue.command("new")
@click.option("--items", "first", required=True, metavar="ID [ID...]",
              help="稿件编号（可跟多个，空格或逗号分隔），按刊出顺序")  # fmt: skip
@click.argument("more", nargs=-1, metavar="")
@click.option("--date", "issued", help="签发日期，如 2026-03-05（默认今天）")
@click.option("--force", is_flag=True, help="已在别的期次印发过的稿件也编入（会重复计分）")
@_which
@click.pass_context
def new(ctx: click.Context, first: str, more: tuple[str, ...], issued: str | None, force: bool,
        year: int | None, supplement: bool, data_dir: Path | None) -> None:  # fmt: skip
    """新建一期：用已登记的稿件组成，自动编期号并输出期号。"""
    settings = _settings(ctx, data_dir=data_dir)
    ids = [i.strip() for part in (first, *more) for i in part.replace("，", ",").split(",")]
    with _registry(settings) as registry:
        created = flow.create(registry, settings, [i for i in ids if i], year,
                              _series(supplement), _date(issued), force=force)  # fmt: skip
        found = flow.issue_concerns(registry, settings, created)
    total = f"（总第{created.total_number}期）" if created.total_number else ""
    err.print(f"已新建 {created.year}年{created.label}{total}，共 {len(created.items)} 篇稿件。")
    _print_concerns(found, err)
    out.print(created.number)


def _print_concerns(found: list[Concern], console: Console) -> None:
    """Each concern with its weight: what stops the render, what was forced, what to check."""
    labels = {Weight.BLOCK: "[red]生成前必须解决[/red]", Weight.DENY: "[red]生成前必须解决[/red]",
              Weight.REFUSE: "[yellow]已强制编入[/yellow]", Weight.WARN: "[yellow]请核对[/yellow]"}  # fmt: skip
    for concern in found:
        console.print(f"{labels[concern.weight]}：{escape(str(concern))}")


@issue.command("list")
@click.option("--year", type=int, help="只列出这一年（默认全部）")
@_data_option
@click.pass_context
def list_issues(ctx: click.Context, year: int | None, data_dir: Path | None) -> None:
    """列出已建的各期。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        rows = registry.issues(year)
    table = Table("年份", "期号", "状态", "总期号", "签发日期", "篇数", "首篇标题", "生成时间")
    for data in rows:
        entry = Issue.from_dict(data)
        state = flow.IssueState(data.get("state") or "draft")
        label = state.label
        if state is flow.IssueState.VOID:
            label += f"（{data.get('void_reason') or ''}；期号不再使用）"
        elif data.get("version", 0) > 1:
            label += f"（第{data['version']}版）"
        table.add_row(
            str(entry.year), entry.label, label, str(entry.total_number or ""),
            entry.issued.isoformat() if entry.issued else "", str(len(entry.items)),
            entry.items[0].title if entry.items else "",
            local_time(data.get("rendered_at")) or "未生成",
        )  # fmt: skip
    out.print(table if rows else "还没有建任何一期；用 minyi issue new --items 编号 新建。")


@issue.command("show")
@click.argument("number", type=int)
@_which
@click.pass_context
def show_issue(ctx: click.Context, number: int, year: int | None, supplement: bool,
               data_dir: Path | None) -> None:  # fmt: skip
    """显示一期的各项内容和所收稿件，并列出妨碍生成的问题。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        life = flow.life(registry, entry)
        problems = flow.blocking(registry, settings, entry)
        found = flow.issue_concerns(registry, settings, entry)
        edited = [flow.diff(registry, settings, entry, i) != "" for i in range(len(entry.items))]
    fields = Table(show_header=False)
    state = life["state"].label
    if life["signed_by"]:
        state += f"（{life['signed_by']} 签发于 {local_time(life['signed_at'])}）"
    if life["version"]:
        state += f"；已印发 {life['version']} 版"
    if life["void_reason"]:
        state += f"；作废理由：{life['void_reason']}"
    for name, value in [("状态", state), *_fields(entry)]:
        fields.add_row(name, value)
    out.print(fields)
    items = Table("序号", "稿件编号", "标题", "反映人", "字数", "已编辑")
    for i, item in enumerate(entry.items):
        items.add_row(str(i + 1), item.submission_id, item.title, item.submitter,
                      str(len(item.body)), "是" if edited[i] else "")  # fmt: skip
    out.print(items)
    _print_concerns([c for c in found if c.weight not in (Weight.BLOCK, Weight.DENY)], out)
    for problem in problems:
        out.print(f"[red]不能生成：[/red]{escape(problem)}")


def _fields(entry: Issue) -> list[tuple[str, str]]:
    return [
        ("刊名", entry.journal), ("期号", f"{entry.year}年{entry.label}"),
        ("总期号", str(entry.total_number or "")),
        ("签发日期", entry.issued.isoformat() if entry.issued else ""),
        ("编发单位", entry.unit), ("标识", entry.mark), ("份号", entry.copy_number),
        ("编者按", entry.foreword), ("报", "，".join(entry.report_to)),
        ("送", "，".join(entry.send_to)), ("发", "，".join(entry.distribute_to)),
        ("印数", str(entry.copies or "")),
        ("编辑/审核/签发", f"{entry.editor}/{entry.reviewer}/{entry.signer}"
                          + ("（印出）" if entry.print_names else "（不印）")),
    ]  # fmt: skip


def _names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(
        n.strip() for n in value.replace("，", ",").replace("、", ",").split(",") if n.strip()
    )


@issue.command("edit")
@click.argument("number", type=int)
@_which
@click.option("--date", "issued", help="签发日期，如 2026-03-05")
@click.option("--journal", help="刊名")
@click.option("--unit", help="编发单位")
@click.option("--mark", help="版头标识：内部资料，或密级如 秘密★1年；空字符串表示不印")
@click.option("--copy-number", help="份号（仅涉密刊物印出）")
@click.option("--total", type=int, help="总期号")
@click.option("--foreword", help="编者按；空字符串表示删除")
@click.option("--report-to", help="报：逗号分隔的单位")
@click.option("--send-to", help="送：逗号分隔的单位")
@click.option("--distribute-to", help="发：逗号分隔的单位")
@click.option("--copies", type=click.IntRange(min=0), help="共印份数（0 表示不印这一行）")
@click.option("--editor", help="编辑")
@click.option("--reviewer", help="审核")
@click.option("--signer", help="签发")
@click.option("--print-names/--no-print-names", default=None, help="版记中是否印出编辑、审核、签发")
@click.option("--add", "add", multiple=True, metavar="ID", help="加入一篇稿件（可重复）")
@click.option(
    "--remove", "remove", multiple=True, metavar="序号或ID", help="移出一篇稿件（可重复）"
)
@click.option("--force", is_flag=True, help="已在别的期次印发过的稿件也加入（会重复计分）")
@click.option("--from-settings", "from_settings", is_flag=True,
              help="把 minyi.toml 中的刊名、编发单位、标识、报送发、印数、编辑审核签发等重新应用到本期")  # fmt: skip
@click.pass_context
def edit(ctx: click.Context, number: int, year: int | None, supplement: bool,
         data_dir: Path | None, issued: str | None, add: tuple[str, ...],
         remove: tuple[str, ...], force: bool, from_settings: bool,
         **changes: Any) -> None:  # fmt: skip
    """修改一期的各项内容，或增删稿件（仅限草稿）。"""
    settings = _settings(ctx, data_dir=data_dir)
    values = {k: flow.typed(v) for k, v in changes.items() if v is not None}
    for name in ("report_to", "send_to", "distribute_to"):
        if name in values:
            values[name] = _names(values[name])
    if "total" in values:
        values["total_number"] = values.pop("total") or None
    if issued is not None:
        values["issued"] = _date(issued)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        flow.require_draft(registry, entry)
        removed = [entry.items[flow.item_position(entry, w)].submission_id for w in remove]
        if from_settings:
            values = {**flow.from_settings(entry, settings), **values}
        entry = replace(entry, **values)
        entry = flow.remove_items(entry, remove)
        entry = flow.add_items(registry, settings, entry, list(add), force=force)
        what = "；".join(filter(None, [
            "修改：" + "、".join(sorted(values)) if values else "",
            "加入：" + "、".join(add) if add else "",
            "移出：" + "、".join(removed) if removed else "",
        ]))  # fmt: skip
        flow.save(registry, settings, entry, "issue.edit", [*add, *removed], what)
        found = [c for c in flow.issue_concerns(registry, settings, entry) if c.item in add]
    err.print(f"已保存 {entry.year}年{entry.label}。")
    _print_concerns(found, err)


@issue.command("text")
@click.argument("number", type=int)
@click.argument("which", metavar="稿件")
@_which
@click.option("--export", "export", type=click.Path(dir_okay=False, path_type=Path),
              help="把这篇的标题、反映人和正文写到文本文件，供编辑")  # fmt: skip
@click.option("--import", "import_", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="从编辑后的文本文件读回（格式同 --export）")  # fmt: skip
@click.option("--reset", is_flag=True, help="放弃编辑，恢复为原稿文字")
@click.pass_context
def text(ctx: click.Context, number: int, which: str, year: int | None, supplement: bool,
         data_dir: Path | None, export: Path | None, import_: Path | None,
         reset: bool) -> None:  # fmt: skip
    """编辑某一篇的刊用文字（登记库中的原稿不变）；稿件用序号或稿件编号指定。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        position = flow.item_position(entry, which)
        item = entry.items[position]
        if export is not None:
            flow.export_item(registry, settings, entry, item, export)
            err.print(f"已导出到 {export}；修改后用 --import 导回。")
            return
        if reset:
            original = flow.original_item(registry, settings, item)
            entry = flow.set_item(entry, position, title=original.title,
                                  submitter=original.submitter, body=original.body)  # fmt: skip
            what = "恢复为原稿文字"
        elif import_ is not None:
            entry = flow.set_item(entry, position, **flow.parse_item_file(import_))
            what = "导入编辑后的文字"
        else:
            out.print(flow.item_file(item))
            return
        flow.save(registry, settings, entry, "issue.text", [item.submission_id], what)
        corrected = entry.items[position].submitter
        credited = (flow.credit_corrected(registry, settings, item.submission_id, corrected)
                    if corrected.strip() and corrected != item.submitter else "")  # fmt: skip
    err.print(f"已保存 {entry.year}年{entry.label} 第 {position + 1} 篇的刊用文字。")
    if credited:
        err.print(escape(credited) + "。")


@issue.command("diff")
@click.argument("number", type=int)
@click.argument("which", metavar="[稿件]", required=False)
@_which
@click.pass_context
def diff(ctx: click.Context, number: int, which: str | None, year: int | None, supplement: bool,
         data_dir: Path | None) -> None:  # fmt: skip
    """显示刊用文字相对原稿的改动（统一差异格式）。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        positions = [flow.item_position(entry, which)] if which else range(len(entry.items))
        changes = [flow.diff(registry, settings, entry, p) for p in positions]
    shown = [c for c in changes if c]
    click.echo("\n".join(shown) if shown else "刊用文字与原稿一致，没有改动。")


@issue.command("sign")
@click.argument("number", type=int)
@_which
@click.option("--by", "by", required=True, help="签发人（印在版记“签发”处，如设置印出）")
@click.option("--date", "issued", help="签发日期（默认本期已设的日期，或今天）")
@click.pass_context
def sign(ctx: click.Context, number: int, year: int | None, supplement: bool,
         data_dir: Path | None, by: str, issued: str | None) -> None:  # fmt: skip
    """签发一期：核对无误后由签发人签发，此后内容锁定，生成即为印发。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        signed = flow.sign(registry, settings, entry, by, _date(issued))
    err.print(f"{signed.year}年{signed.label}已由 {escape(by)} 签发（{signed.issued}）；"
              f"用 minyi issue render {number} 印发。")  # fmt: skip


@issue.command("reopen")
@click.argument("number", type=int)
@_which
@click.option("--reason", required=True, help="理由（记入审计日志）")
@click.pass_context
def reopen(ctx: click.Context, number: int, year: int | None, supplement: bool,
           data_dir: Path | None, reason: str) -> None:  # fmt: skip
    """把已签发或已印发的一期改回草稿以便修改；再次签发、生成即为新的一版，旧版文件保留。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        before = flow.reopen(registry, settings, entry, reason)
    err.print(f"{entry.year}年{entry.label}已由“{before.label}”改回草稿；修改后须重新签发。")


@issue.command("void")
@click.argument("number", type=int)
@_which
@click.option("--reason", required=True, help="理由（记入审计日志）")
@click.pass_context
def void(ctx: click.Context, number: int, year: int | None, supplement: bool,
         data_dir: Path | None, reason: str) -> None:  # fmt: skip
    """作废一期：期号保留不再使用，所收稿件可另行编发，不计编发。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        flow.void(registry, settings, entry, reason)
    err.print(f"{entry.year}年{entry.label}已作废（期号不再使用）；所收稿件可编入其他期次。")


@issue.command("move")
@click.argument("number", type=int)
@click.argument("which", metavar="稿件")
@_which
@click.option("--to", "to", type=int, required=True, help="移到第几篇")
@click.pass_context
def move(ctx: click.Context, number: int, which: str, year: int | None, supplement: bool,
         data_dir: Path | None, to: int) -> None:  # fmt: skip
    """调整一篇稿件的位置（序号或稿件编号），编辑过的文字保留。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        entry = flow.load(registry, number, year, _series(supplement))
        sid = entry.items[flow.item_position(entry, which)].submission_id
        entry = flow.move_item(entry, which, to)
        flow.save(registry, settings, entry, "issue.edit", [sid], f"移到第 {to} 篇")
    err.print(f"已把 {sid} 移到第 {to} 篇。")


@issue.command("render")
@click.argument("numbers", type=int, nargs=-1, required=True, metavar="N [N...]")
@_which
@click.option("--out", "outbox", type=click.Path(file_okay=False, path_type=Path),
              help="输出目录（默认：设置中的 outbox）")  # fmt: skip
@click.option("--no-pdf", is_flag=True, help="只生成 Word 和预览，不生成 PDF（不需要 LibreOffice）")
@click.pass_context
def render(ctx: click.Context, numbers: tuple[int, ...], year: int | None, supplement: bool,
           data_dir: Path | None, outbox: Path | None, no_pdf: bool) -> None:  # fmt: skip
    """生成一期或多期：Word、PDF、网页预览、报送包和清单，写入 outbox/<年>/第N期/。

    草稿生成的是校样；已签发的一期生成即为印发，此后不再重新生成（除非 reopen）。"""
    settings = _settings(ctx, data_dir=data_dir, outbox=outbox)
    with _registry(settings) as registry, _converter(settings, not no_pdf) as converter:
        entries = [flow.load(registry, n, year, _series(supplement)) for n in numbers]
        with _progress(len(entries)) as advance:
            for entry in entries:
                proof = flow.life(registry, entry)["state"] is flow.IssueState.DRAFT
                result = flow.render(registry, settings, entry, settings.outbox, converter,
                                     pdf=not no_pdf)  # fmt: skip
                advance(f"{entry.year}年{entry.label}")
                _report(entry, result)
                if proof:
                    out.print(f"  （校样：本期尚未签发；核对后用 minyi issue sign {entry.number} "
                              "--by 签发人 签发，再生成即为印发）")  # fmt: skip
                else:
                    out.print("  （已印发：以上文件即为存档）")


@contextlib.contextmanager
def _converter(settings: Settings, pdf: bool) -> Iterator[Converter | None]:
    if not pdf:
        yield None
        return
    from office import INSTALL_HINT, LibreOffice, find_soffice

    binary = find_soffice()
    if binary is None:
        raise MissingDependencyError(
            f"生成 PDF 需要 LibreOffice，本机未安装（{INSTALL_HINT}）；"
            "也可加 --no-pdf 只生成 Word 文件"
        )
    office = LibreOffice(binary, settings.office_timeout, env=fontconfig_env())
    try:
        yield office
    finally:
        office.close()


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[str], None]]:
    columns = (TextColumn("[bold]生成刊物"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.description}"), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True, disable=total < 2) as progress:
        task = progress.add_task("", total=total)
        yield lambda label: progress.update(task, advance=1, description=label)


def _report(entry: Issue, result: Any) -> None:
    out.print(f"[green]已生成[/green] {entry.year}年{entry.label}：{result.folder}")
    for path in result.files:
        out.print(f"  {path.name}")
    if result.pages:
        out.print(f"  共 {result.pages} 页")
    substituted = [s for s in result.substitutions if s.substituted]
    if substituted:
        out.print(
            "  字体替代（本机未装办公室标准字体，PDF 中使用替代字体；Word 文件仍指定标准字体）："
        )
        for sub in substituted:
            out.print(f"    {sub.describe()}")
    for note in result.notes:
        out.print(f"  [yellow]注意：[/yellow]{note}")
