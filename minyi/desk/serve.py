"""``minyi serve``: the review desk on uvicorn, on this computer only unless told otherwise."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from common.errors import InputError
from minyi.cli import _data_option, _registry, _settings, cli, err, out


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；默认只允许本机访问")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="端口")  # fmt: skip
@_data_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, data_dir: Path | None) -> None:
    """启动网页工作台（收件队列、审核、上传、编发、签发、跟踪、统计）。

    \b
    先用 minyi user add 添加用户，再启动；浏览器打开 http://127.0.0.1:8000 登录。
    示例：
      minyi user add 李明 --role 审核
      minyi serve
      minyi serve --host 0.0.0.0 --port 8080     允许局域网访问（会提示风险）
    """
    import uvicorn

    from minyi.desk.app import create_app

    settings = _settings(ctx, data_dir=data_dir)
    if not settings.registry_path.exists():
        raise InputError(f"数据目录「{settings.data_dir}」中还没有登记库，也还没有可用的用户，工作台无法"
                         "登录；请先运行 minyi user add 姓名 --role 角色")  # fmt: skip
    with _registry(settings) as registry:
        users = [u for u in registry.users() if not u.disabled]
    if not users:
        raise InputError(
            "还没有可用的用户，工作台无法登录；请先运行 minyi user add 姓名 --role 角色"
        )
    if not loopback(host):
        err.print(f"[bold yellow]注意[/bold yellow]：工作台监听 {host}，局域网内的其他电脑也能访问；"
                  "请确认网络可信，用户密码足够复杂。")  # fmt: skip
    out.print(f"网页工作台：http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
              "（按 Ctrl+C 停止）")  # fmt: skip
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                access_log=False, server_header=False)  # fmt: skip
