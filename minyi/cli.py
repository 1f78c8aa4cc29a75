"""The ``minyi`` command: a thin click layer over the ingest and formatter libraries.

click rather than typer: it is what sqlite-utils (our model for a library with a
thin CLI) uses, it has no runtime type-introspection magic, and its explicit
option declarations keep command and flag names — a contract — in plain sight.
This module is the one place where errors become messages and exit codes.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TextIO

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from common import timing
from common.errors import ExitCode, InputError, MinyiError, describe_os_error
from ingest.pipeline import BatchSummary, Pipeline
from ingest.receipt import Receipt
from ingest.record import Record, Status, printable
from ingest.registry import Registry
from ingest.report import dumps, report_line
from ingest.screening.gate import Gate
from ingest.workers import Workers
from minyi import __version__, messages
from minyi import settings as settings_mod
from minyi.settings import Settings

log = logging.getLogger("minyi")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
messages.install()  # click's own messages in Chinese


def main() -> None:
    """Entry point: run the CLI, turning every error into a Chinese message and exit code."""
    try:
        code = cli.main(standalone_mode=False, prog_name="minyi")
        sys.exit(code if isinstance(code, int) else ExitCode.OK)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        err.print("[red]已中断。[/red]")
        sys.exit(ExitCode.INTERRUPTED)
    except click.ClickException as exc:
        _show_click_error(exc)
        sys.exit(ExitCode.USAGE)
    except MinyiError as exc:
        err.print(f"[red]错误：[/red]{escape(exc.message)}")
        sys.exit(exc.exit_code)
    except OSError as exc:  # the disk under the data folder or the outbox (full, read-only)
        where = f"「{printable(str(exc.filename))}」" if exc.filename else ""
        err.print(f"[red]错误：[/red]无法写入{escape(where)}：{describe_os_error(exc)}。"
                  "已处理完的文件均已登记；问题解决后重新运行即可继续。")  # fmt: skip
        sys.exit(ExitCode.REGISTRY)
    except KeyboardInterrupt:
        err.print("[red]已中断；已完成的文件均已登记，重新运行即可继续。[/red]")
        sys.exit(ExitCode.INTERRUPTED)
    except Exception:
        log.exception("internal error")
        err.print(
            "[red]内部错误[/red]：程序遇到意外问题，详情见上方日志；请将此信息反馈给维护人员。"
        )
        sys.exit(ExitCode.INTERNAL)


def _show_click_error(exc: click.ClickException) -> None:
    """click's error in Chinese: the usage line and where help is, for a usage error."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        err.print(escape(ctx.get_usage()))
        err.print(f"可用“{escape(ctx.command_path)} -h”查看用法和示例。")
    elif isinstance(exc, click.UsageError):
        err.print("可用“minyi 命令 -h”查看用法和示例。")
    err.print(f"[red]错误：[/red]{escape(messages.finish(exc.format_message()))}")


class _ChineseHelp(click.HelpFormatter):
    """click's help layout with Chinese headings, for clerks."""

    _HEADINGS: ClassVar[dict[str, str]] = {
        "Options": "选项",
        "Commands": "命令",
        "Arguments": "参数",
    }

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        super().write_heading(self._HEADINGS.get(heading, heading))


class _Context(click.Context):
    formatter_class = _ChineseHelp


class _ChineseHelpMixin:
    context_class: type[click.Context] = _Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = "显示本帮助并退出"
        return option


class _Command(_ChineseHelpMixin, click.Command):
    pass


class _Group(_ChineseHelpMixin, click.Group):
    command_class = _Command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path),
              help="配置文件（默认：当前目录下的 minyi.toml）")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="显示更多日志（-vv 显示调试信息）")
@click.version_option(__version__, prog_name="minyi", message="%(prog)s %(version)s",
                      help="显示版本号并退出")  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, config: Path | None, verbose: int) -> None:
    """minyi（民意）：社情民意信息的收件、筛查与编发。

    \b
    示例：
      minyi process inbox --report outbox/报告.jsonl   处理 inbox 中的全部文件
      minyi report > 全部回执.jsonl                    导出历次收件的全部回执
      minyi sample inbox                               生成一组样例文件用于试用
      minyi issue new --items 2026-0001 2026-0003      用已登记的稿件新建一期刊物
      minyi track add 2026-0003 --kind 采用 --level 省   记录采用、批示等
      minyi stats --year 2026                          年度统计与排名
    """
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = config


def _settings(ctx: click.Context, **flags: Any) -> Settings:
    return settings_mod.load(ctx.find_root().obj, **flags)


def _data_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
                        help="数据目录（登记库、原件存档、隔离区；默认 ./data）")(func)  # fmt: skip


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="处理报告（JSON Lines）写到此文件；默认写入数据目录的 reports/ 下")  # fmt: skip
@_data_option
@click.option("--workers", type=int, help="并行进程数（默认按 CPU 核数）")
@click.option("--lexicon", "lexicons", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="本次额外使用的敏感词库文件（可重复），命中记为 lexicon.<文件名>")  # fmt: skip
@click.pass_context
def process(ctx: click.Context, folder: Path, report_path: Path | None, data_dir: Path | None,
            workers: int | None, lexicons: tuple[Path, ...]) -> None:  # fmt: skip
    """处理 FOLDER 下的全部文件（含子文件夹），登记并生成报告；不改动 FOLDER 中的文件。

    \b
    示例：
      minyi process inbox
      minyi process 收文/11月 --report outbox/11月.jsonl --data /srv/minyi/data
    """
    settings = _settings(ctx, data_dir=data_dir, workers=workers)
    settings = replace(settings, lexicons=settings.lexicons + lexicons)
    if not folder.is_dir():
        raise InputError(f"找不到文件夹「{folder}」，或它不是文件夹；请检查路径")
    report_path = report_path or _default_report(settings)
    from minyi.service import announce_new_registry

    announce_new_registry(settings, err)
    with ExitStack() as stack:
        registry = stack.enter_context(Registry.open(settings.registry_path))
        workers_pool = stack.enter_context(Workers(settings.workers))
        report = stack.enter_context(_open_report(report_path))
        pipeline = Pipeline(registry, settings.data_dir, settings.ingest_options(), workers_pool)
        startup = timing.since_process_start()
        summary = _run_with_progress(pipeline, folder, report)
        summary.phases = {"startup": round(startup, 3), **summary.phases}
    _print_summary(summary, report_path)
    log.info("各阶段用时 %s", json.dumps(summary.phases, ensure_ascii=False))
    if summary.total:
        err.print(f"各阶段用时（秒；读取在 {workers_pool.processes} 个进程中同时进行，合计可多于总用时）："
                  f"{timing.summary(summary.phases)}")  # fmt: skip
    if summary.quarantined:
        out.print(f"[bold red]其中 {summary.quarantined} 份含密级标志，已隔离[/bold red]："
                  "不得编发，须经人工核实后用 minyi release 解除。")  # fmt: skip
    if summary.rejected:
        ctx.exit(ExitCode.SOME_REJECTED)


@cli.command()
@_data_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="写到此文件（默认输出到屏幕）")  # fmt: skip
@click.pass_context
def report(ctx: click.Context, data_dir: Path | None, output: Path | None) -> None:
    """导出历次收件的全部回执（JSON Lines，按收件顺序），供核对登记库与原件。

    \b
    示例：
      minyi report -o 全部回执.jsonl
      minyi report --data /srv/minyi/data | wc -l
    """
    settings = _settings(ctx, data_dir=data_dir)
    with ExitStack() as stack:
        registry = stack.enter_context(_registry(settings))
        sink: TextIO = stack.enter_context(_open_report(output)) if output else sys.stdout
        gate = Gate.for_options(settings.ingest_options())
        for receipt, record in registry.receipts():
            sink.write(dumps(report_line(receipt, record, gate)) + "\n")


@cli.command()
@click.argument("submission_id", metavar="ID")
@_data_option
@click.option("--text", "full_text", is_flag=True, help="同时显示全文")
@click.pass_context
def show(ctx: click.Context, submission_id: str, data_dir: Path | None, full_text: bool) -> None:
    """显示一份信息的识别结果、筛查发现，以及与近似重复件的逐段对照。

    \b
    示例：
      minyi show 2026-0007
      minyi show 2026-0007 --text
    """
    from minyi.show import render

    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        record = _get(registry, submission_id)
        others = {
            f.detail["id"]: registry.text_of(f.detail["id"])[0]
            for f in record.findings
            if f.kind == "duplicate"
        }
        render(
            out,
            record,
            others,
            registry.releases(submission_id),
            full_text,
            _review_lines(registry, submission_id),
        )


def _review_lines(registry: Registry, submission_id: str) -> list[tuple[str, str]]:
    """What ``minyi show`` says about a submission's review."""
    from ingest.review import FLAGS
    from minyi.progress import local_time

    state = registry.review_state(submission_id)
    decided = f"（{state.decided_by}，{local_time(state.decided_at)}）" if state.decided_at else ""
    lines = [("审核决定", state.decision.label + decided)]
    if state.replaces:
        lines.append(("修改稿", f"本稿是 {state.replaces} 的修改稿"))
    if state.superseded_by:
        lines.append(("修改稿", f"已由 {state.superseded_by} 替代"))
    for code, (who, when) in registry.acknowledged(submission_id).items():
        lines.append(("已确认提示", f"{FLAGS.get(code, code)}（{who}，{local_time(when)}）"))
    return lines


@cli.command()
@click.argument("submission_id", metavar="ID")
@click.option("--reason", required=True, help="解除隔离的理由（必填，将记录在案）")
@click.option("--by", "by", help="核实人（默认取设置 clerk 或登录名）")
@_data_option
@click.pass_context
def release(ctx: click.Context, submission_id: str, reason: str, by: str | None,
            data_dir: Path | None) -> None:  # fmt: skip
    """经人工核实后，解除一份信息的隔离（含密级标志的信息在解除前不能编发）。

    \b
    示例：
      minyi release 2026-0007 --reason "经核实，“秘密”为正文用语，非密级标志"
    """
    settings = _settings(ctx, data_dir=data_dir)
    if not reason.strip():
        raise InputError("请用 --reason 写明解除隔离的理由")
    with _registry(settings) as registry:
        from minyi.tracking import clerk

        release_item(registry, submission_id, reason, clerk(settings, by))
    out.print(f"已解除 {submission_id} 的隔离（理由已记入审计日志）；"
              f"请审核后用 minyi review {submission_id} --decision … 作出决定。")  # fmt: skip


def release_item(registry: Registry, submission_id: str, reason: str, actor: str) -> None:
    """A quarantined submission released by ``actor`` for ``reason`` (the CLI's and the
    desk's one way): it becomes flagged, the reason kept with it and in the audit log."""
    if not reason.strip():
        raise InputError("解除隔离须写明理由")
    record = _get(registry, submission_id)
    if record.status is not Status.QUARANTINED:
        raise InputError(
            f"信息 {submission_id} 未被隔离（当前状态：{record.status.label}），无需解除"
        )
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    registry.set_status(submission_id, Status.FLAGGED, reason.strip(), when, actor)


def _registry(settings: Settings) -> Registry:
    if not settings.registry_path.exists():
        raise InputError(f"数据目录「{settings.data_dir}」中还没有登记库；请先运行 minyi process")
    return Registry.open(settings.registry_path)


def _get(registry: Registry, submission_id: str) -> Record:
    record = registry.get(submission_id)
    if record is None:
        raise InputError(f"登记库中没有编号为 {submission_id} 的信息；编号形如 2026-0007")
    return record


@cli.command()
@click.option(
    "--inbox", type=click.Path(file_okay=False, path_type=Path), help="收件箱（默认 ./inbox）"
)
@click.option(
    "--outbox", type=click.Path(file_okay=False, path_type=Path), help="发件箱（默认 ./outbox）"
)
@_data_option
@click.option("--lexicon", "lexicons", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="额外使用的敏感词库文件（可重复）")  # fmt: skip
@click.pass_context
def watch(ctx: click.Context, inbox: Path | None, outbox: Path | None, data_dir: Path | None,
          lexicons: tuple[Path, ...]) -> None:  # fmt: skip
    """持续监视收件箱：放入的文件自动登记、移出收件箱，并在发件箱“回执”文件夹中给出回执。

    按 Ctrl+C（或发送 SIGTERM）停止：正在处理的文件处理完再退出，其余文件下次启动时继续。

    \b
    示例：
      minyi watch
      minyi watch --inbox /srv/共享/收件箱 --outbox /srv/共享/发件箱 --data /srv/minyi/data
    """
    from minyi.service import run_watch

    settings = _settings(ctx, data_dir=data_dir, inbox=inbox, outbox=outbox)
    run_watch(replace(settings, lexicons=settings.lexicons + lexicons), out)


@cli.command()
@click.argument("submission_ids", nargs=-1, metavar="[ID...]")
@click.option("--json", "as_json", is_flag=True, help="指定编号时，每篇输出一个 JSON 对象")
@_data_option
@click.pass_context
def status(ctx: click.Context, submission_ids: tuple[str, ...], as_json: bool,
           data_dir: Path | None) -> None:  # fmt: skip
    """不带编号：收件箱的处理状态（待处理、处理中、今日完成、失败，监视服务是否在运行）。
    带编号：每篇信息的办理进度（收到 → 审核 → 刊发 → 采用……），可直接回复报送人。

    \b
    示例：
      minyi status
      minyi status 2026-0012 2026-0013
      minyi status 2026-0012 --json
    """
    from minyi.service import print_status

    settings = _settings(ctx, data_dir=data_dir)
    with _registry(settings) as registry:
        if not submission_ids:
            print_status(registry, out)
            return
        from minyi import progress

        gate = Gate.for_options(settings.ingest_options())
        for submission_id in submission_ids:
            data = progress.progress(registry, _get(registry, submission_id), gate)
            if as_json:
                click.echo(dumps(data))
            else:
                out.print(shown(progress.line(data)))


@cli.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """检查 minyi 用到的外部程序、程序库和识别模型是否齐备，以及缺少时哪些功能不可用。

    \b
    示例：
      minyi doctor
    """
    from minyi.doctor import checks

    table = Table(title="运行环境检查", title_justify="left")
    for label in ("组件", "状态", "版本 / 位置", "缺少时不可用的功能"):
        table.add_column(label, overflow="fold")
    missing = []
    for check in checks(_settings(ctx)):
        mark = (
            "[green]✓ 已就绪[/green]"
            if check.found
            else ("[red]✗ 缺少[/red]" if check.required else "[yellow]– 未安装[/yellow]")
        )
        table.add_row(check.name, mark, check.detail, check.without)
        if check.required and not check.found:
            missing.append(check.name)
    out.print(table, soft_wrap=False)
    if missing:
        out.print(f"[red]缺少：{'、'.join(missing)}[/red]；相应功能不可用，其余功能照常。")
    else:
        out.print("必需组件均已就绪。OCR 模型随安装包提供，识别时不联网。")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default="inbox")
def sample(folder: Path) -> None:
    """在 FOLDER（默认 inbox）中生成一组样例文件，用于试用和演示。

    \b
    示例：
      minyi sample inbox && minyi process inbox
    """
    from minyi.samples import write_sample_inbox

    written = write_sample_inbox(folder)
    out.print(f"已在「{folder}」中生成 {len(written)} 个样例文件。")


def _default_report(settings: Settings) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return settings.data_dir / "reports" / f"处理报告-{stamp}.jsonl"


def _open_report(path: Path) -> TextIO:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise InputError(f"无法写入报告文件「{path}」：{describe_os_error(exc)}") from exc


def shown(name: str) -> str:
    """A file name or reason as the terminal may show it: control characters escaped,
    nothing read as rich markup."""
    return escape(printable(name))


def _run_with_progress(pipeline: Pipeline, folder: Path, report: TextIO) -> BatchSummary:
    gate = Gate.for_options(pipeline.options)
    progress = Progress(
        TextColumn("[bold]处理中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=err, transient=True,
        disable=not err.is_terminal,
    )  # fmt: skip
    with progress:
        task = progress.add_task("", total=None)

        def started(total: int) -> None:
            progress.update(task, total=total)

        def received(receipt: Receipt, record: Record | None) -> None:
            line = report_line(receipt, record, gate)
            line["timing"] = pipeline.last_timing  # (seconds per phase: additive key)
            report.write(dumps(line) + "\n")
            report.flush()
            progress.update(task, advance=1, description=shown(receipt.file))

        return pipeline.process(folder, on_receipt=received, on_start=started,
                                exclude=(Path(report.name),))  # fmt: skip


def _print_summary(summary: BatchSummary, report_path: Path) -> None:
    table = Table(title="处理结果", title_justify="left")
    for label in ("已接收", "重复", "有提示", "拒收", "忽略", "合计", "用时"):
        table.add_column(label, justify="right")
    table.add_row(
        *map(str, (summary.accepted, summary.duplicates, summary.flagged, summary.rejected,
                   summary.ignored, summary.total)),
        f"{summary.seconds:.1f} 秒",
    )  # fmt: skip
    out.print(table)
    if summary.rejections:
        out.print("[bold red]拒收的文件[/bold red]（原件已保存在数据目录的 quarantine/ 中）：")
        for _, reason in summary.rejections:
            out.print(f"  • {shown(reason)}")
    out.print(f"报告已写入：{report_path}")


# The ``issue`` group lives in its own module and registers itself on ``cli``.
from minyi import accounts, issue_cli, members, review_cli, track_cli  # noqa: E402, F401
from minyi.desk import serve  # noqa: E402, F401
