"""Running the watcher as a service: logging, signals, start-up message; and its status.

The app-layer side of ``minyi watch`` and ``minyi status``: the watcher itself
(``ingest.watcher``) neither configures logging nor handles signals.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from common.errors import ConfigError, InputError
from ingest.pipeline import Pipeline
from ingest.registry import Registry, refuse_lost_registry
from ingest.walk import scan
from ingest.watcher import Watcher
from ingest.workers import Workers
from minyi.settings import Settings

_STALE = 30  # seconds without a heartbeat before the watcher counts as stopped


def check_layout(inbox: Path, outbox: Path, data_dir: Path) -> None:
    """The watcher moves what it takes out of the inbox: the data folder and the outbox
    must not lie inside it (it would take its own kept originals and receipts as new
    files), nor the inbox inside them."""
    inbox, outbox, data_dir = inbox.resolve(), outbox.resolve(), data_dir.resolve()
    for name, folder in (("数据目录", data_dir), ("发件箱", outbox)):
        if folder == inbox or folder.is_relative_to(inbox):
            raise ConfigError(
                f"{name}「{folder}」在收件箱「{inbox}」之内：监视服务会把其中的原件副本或回执当作"
                f"新文件取走。请把{name}放到收件箱之外（--data/--outbox 或 minyi.toml）"
            )
        if inbox.is_relative_to(folder):
            raise ConfigError(
                f"收件箱「{inbox}」在{name}「{folder}」之内：监视服务会取走{name}中的文件。"
                "请把收件箱放到别处（--inbox 或 minyi.toml）"
            )


def announce_new_registry(settings: Settings, console: Console) -> None:
    """Starting a registry is said aloud, with where: run in the wrong folder, a clerk
    would otherwise find history "lost" in a second registry."""
    refuse_lost_registry(settings.registry_path)
    if not settings.registry_path.exists():
        console.print(f"数据目录中还没有登记库，正在新建：{settings.registry_path.resolve()}"
                      "（如不是这里，请用 --data、MINYI_DATA_DIR 或 minyi.toml 指定数据目录）")  # fmt: skip


def run_watch(settings: Settings, console: Console) -> None:
    if not settings.inbox.is_dir():
        raise InputError(f"找不到收件箱「{settings.inbox}」；请先建立该文件夹或用 --inbox 指定")
    check_layout(settings.inbox, settings.outbox, settings.data_dir)
    announce_new_registry(settings, console)
    settings.outbox.mkdir(parents=True, exist_ok=True)
    log_file = settings.data_dir / "logs" / "watch.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(
        log_file, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in root.handlers:  # the terminal keeps the level the CLI chose (-v for more)
        existing.setLevel(root.level)
    handler.setLevel(logging.INFO)  # the log file records every file taken in
    root.addHandler(handler)
    root.setLevel(min(root.level, logging.INFO))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with Registry.open(settings.registry_path) as registry, Workers(settings.workers) as workers:
        pipeline = Pipeline(registry, settings.data_dir, settings.ingest_options(), workers)
        watcher = Watcher(pipeline, settings.inbox, settings.outbox, settings.watch_options())
        console.print(f"正在监视收件箱「{settings.inbox}」，回执写入「{settings.outbox / '回执'}」；"
                      f"日志：{log_file}。按 Ctrl+C 停止。")  # fmt: skip
        watcher.run(stop)
    console.print("已停止监视；未处理的文件留在收件箱，下次启动时继续。")


def print_status(registry: Registry, console: Console) -> None:
    counts = registry.journal_counts()
    beat = registry.heartbeat("watch")
    waiting = 0
    if beat is not None and Path(beat["inbox"]).is_dir():
        waiting = sum(1 for e in scan(Path(beat["inbox"])) if e.ignore_reason is None)
    today = datetime.now().astimezone().strftime("%Y-%m-%d")
    done = registry.receipts_since(today)
    now = datetime.now().astimezone()
    # Files in hand are still in the inbox too; a stopped or silent watcher has none.
    running = (
        beat is not None
        and beat["mode"] not in ("stopped", "crashed")
        and (now - datetime.fromisoformat(beat["beat_at"])).total_seconds() <= _STALE
    )
    busy = int(beat["busy"]) if running and beat is not None else 0
    table = Table(title="收件箱状态", title_justify="left")
    labels = ("收件箱中待处理", "处理中", "待重试", "今日完成", "今日拒收", "失败（需人工处理）")
    for label in labels:
        table.add_column(label, justify="right")
    table.add_row(
        str(max(0, waiting - busy)),
        str(busy),
        str(counts.get("retry", 0)),
        str(sum(done.values())),
        str(done.get("rejected", 0)),
        str(counts.get("failed", 0)),
    )
    console.print(table)
    for row in registry.journal_rows("failed"):
        console.print(f"  • 失败：{row['path']}：{row['error']}（已重试 {row['attempts']} 次）")
    if beat is None:
        console.print("监视服务：从未运行")
        return
    age = (now - datetime.fromisoformat(beat["beat_at"])).total_seconds()
    if beat["mode"] == "stopped":
        console.print(f"监视服务：未运行（{beat['beat_at']} 正常停止）")
        return
    if beat["mode"] == "crashed":
        console.print(f"[bold red]监视服务：未运行——{beat['beat_at']} 异常退出[/bold red]，原因："
                      f"{escape(str(beat.get('error') or '未知'))}；详见数据目录中的 logs/watch.log，"
                      "排除后重新启动 minyi watch")  # fmt: skip
        return
    state = (
        "运行中" if age <= _STALE else "未运行（心跳已中断，可能异常退出，请重新启动 minyi watch）"
    )
    mode = "文件事件" if beat["mode"] == "events" else "轮询"
    console.print(f"监视服务：{state}；进程 {beat['pid']}，{mode}方式，收件箱「{beat['inbox']}」，"
                  f"启动于 {beat['started_at']}，最后心跳 {age:.0f} 秒前")  # fmt: skip
