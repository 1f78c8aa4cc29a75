"""Who may use the review desk, and what each role may do: ``minyi user …``.

Roles and rights are one table (``RIGHTS``); the desk asks ``may(role, right)``
and nothing else. Passwords are hashed with argon2id (argon2-cffi's defaults)
and never stored, printed or logged; a changed password, a changed role or a
disabled user ends that user's sessions at once.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from common.errors import InputError
from ingest.registry import Registry
from minyi.cli import _data_option, _settings, cli, out
from minyi.progress import local_time
from minyi.tracking import clerk, now


class Role(StrEnum):
    """The desk's roles, by the names the office gives them."""

    INFORMANT = "信息员"
    EDITOR = "编辑"
    REVIEWER = "审核"
    SIGNER = "签发"
    ADMIN = "管理员"


class Right(StrEnum):
    VIEW = "view"  # the queue, an item, issues, figures
    UPLOAD = "upload"
    DECIDE = "decide"  # review decisions, acknowledged flags
    RELEASE = "release"  # a quarantined item released, with a reason
    COMPOSE = "compose"  # issues created and edited
    SIGN = "sign"  # 签发
    RENDER = "render"  # proofs, and the issue rendered for issue once signed
    TRACK = "track"  # 报送/采用/批示/反馈 recorded
    USERS = "users"  # users added, disabled, passwords reset


# The one table of who may do what. The 管理员 keeps the accounts and reads; the office's
# work is done by the other roles (an administrator does not sign or decide).
_WORK = {Right.VIEW, Right.UPLOAD}
_EDIT = _WORK | {Right.COMPOSE, Right.RENDER, Right.TRACK}
_REVIEW = _EDIT | {Right.DECIDE, Right.RELEASE}
RIGHTS: dict[Role, frozenset[Right]] = {
    Role.INFORMANT: frozenset(_WORK),
    Role.EDITOR: frozenset(_EDIT),
    Role.REVIEWER: frozenset(_REVIEW),
    Role.SIGNER: frozenset(_REVIEW | {Right.SIGN}),
    Role.ADMIN: frozenset({Right.VIEW, Right.USERS}),
}

RIGHT_LABELS = {
    Right.VIEW: "查看", Right.UPLOAD: "上传", Right.DECIDE: "审核决定", Right.RELEASE: "解除隔离",
    Right.COMPOSE: "编发", Right.SIGN: "签发", Right.RENDER: "生成刊物", Right.TRACK: "跟踪",
    Right.USERS: "管理用户",
}  # fmt: skip

MIN_PASSWORD = 8


def may(role: str, right: Right) -> bool:
    try:
        return right in RIGHTS[Role(role)]
    except ValueError:
        return False


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip())
    except ValueError:
        names = "、".join(r.value for r in Role)
        raise InputError(f"角色「{value}」不对；可选：{names}") from None


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    return str(_hasher().hash(password))


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the user does not exist, so that a wrong name takes as long
# as a wrong password (names are not told apart by timing).
_DUMMY: list[str] = []


def dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(str(_hasher().hash("minyi-no-such-user")))
    return _DUMMY[0]


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")
    if not password:
        raise InputError("没有读到密码")
    return password


def _open(settings_path: Path) -> Registry:
    return Registry.open(settings_path)


@cli.group()
def user() -> None:
    """网页工作台的用户：添加、列出、停用、改密码。

    \b
    角色：信息员（上传、查看）、编辑（编发、生成、跟踪）、审核（另可审核决定、解除隔离）、
    签发（另可签发）、管理员（只管理用户）。
    """


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, help="角色：信息员、编辑、审核、签发、管理员")
@click.option("--password-stdin", is_flag=True, help="从标准输入读一行作为密码（供脚本使用）")
@_data_option
@click.pass_context
def add_user(ctx: click.Context, name: str, role: str, password_stdin: bool,
             data_dir: Path | None) -> None:  # fmt: skip
    """添加一个用户。

    \b
    示例：
      minyi user add 李明 --role 审核
      echo '密码至少八位' | minyi user add 王芳 --role 编辑 --password-stdin
    """
    settings = _settings(ctx, data_dir=data_dir)
    name = name.strip()
    chosen = parse_role(role)
    password = _read_password(password_stdin)
    with _open(settings.registry_path) as registry:
        add_account(registry, name, chosen.value, password, clerk(settings, None))
    out.print(f"已添加用户「{escape(name)}」（{chosen.value}）。")


@user.command("list")
@_data_option
@click.pass_context
def list_users(ctx: click.Context, data_dir: Path | None) -> None:
    """列出用户及其角色。"""
    settings = _settings(ctx, data_dir=data_dir)
    with _open(settings.registry_path) as registry:
        rows = registry.users()
    if not rows:
        out.print("还没有用户；用 minyi user add 姓名 --role 角色 添加。")
        return
    table = Table()
    for header in ("用户", "角色", "状态", "添加于", "最近修改"):
        table.add_column(header)
    for row in rows:
        table.add_row(escape(row.name), row.role, "已停用" if row.disabled else "可用",
                      local_time(row.created_at), local_time(row.changed_at))  # fmt: skip
    out.print(table)


@user.command("disable")
@click.argument("name")
@_data_option
@click.pass_context
def disable_user(ctx: click.Context, name: str, data_dir: Path | None) -> None:
    """停用一个用户（立即退出登录；记录保留）。"""
    _change(ctx, data_dir, name, "user.disable", disabled=True)
    out.print(f"已停用用户「{escape(name)}」。")


@user.command("enable")
@click.argument("name")
@_data_option
@click.pass_context
def enable_user(ctx: click.Context, name: str, data_dir: Path | None) -> None:
    """重新启用一个停用的用户。"""
    _change(ctx, data_dir, name, "user.enable", disabled=False)
    out.print(f"已启用用户「{escape(name)}」。")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读一行作为新密码")
@click.option("--role", help="同时改为这个角色")
@_data_option
@click.pass_context
def passwd(ctx: click.Context, name: str, password_stdin: bool, role: str | None,
           data_dir: Path | None) -> None:  # fmt: skip
    """修改用户的密码（及角色）；该用户已登录的会话全部失效。"""
    chosen = parse_role(role) if role else None
    hashed = hash_password(_read_password(password_stdin))
    _change(ctx, data_dir, name, "user.passwd", password=hashed,
            role=chosen.value if chosen else None)  # fmt: skip
    out.print(f"已修改用户「{escape(name)}」的密码" + (f"，角色改为{chosen.value}" if chosen else "")
              + "。")  # fmt: skip


def _change(ctx: click.Context, data_dir: Path | None, name: str, action: str,
            **changes: Any) -> None:  # fmt: skip
    settings = _settings(ctx, data_dir=data_dir)
    with _open(settings.registry_path) as registry:
        change_account(registry, name, action, clerk(settings, None), **changes)


def add_account(registry: Registry, name: str, role: str, password: str, actor: str) -> Role:
    """A new user (the CLI's and the desk's one way): name checked, role parsed, password
    hashed, the addition audited with ``actor``."""
    name = name.strip()
    if not name or len(name) > 40 or any(not ch.isprintable() or ch in "/\\<>" for ch in name):
        raise InputError("用户名须是 1–40 个可见字符，不含 / \\ < >")
    chosen = parse_role(role)
    hashed = hash_password(password)
    with registry.batch():
        when = now()
        registry.add_user(name, chosen.value, hashed, when)
        registry.audit("user.add", actor, when, detail={"user": name, "role": chosen.value})
    return chosen


def change_account(registry: Registry, name: str, action: str, actor: str,
                   **changes: Any) -> None:  # fmt: skip
    """A user disabled, enabled, given a new password or role (``user.<action>`` in the
    audit log); their sessions end (``Registry.change_user``)."""
    with registry.batch():
        when = now()
        registry.change_user(name, when, **changes)
        detail: dict[str, object] = {"user": name}
        if changes.get("role"):
            detail["role"] = changes["role"]
        registry.audit(action, actor, when, detail=detail)


__all__ = [
    "RIGHTS",
    "Right",
    "Role",
    "add_account",
    "change_account",
    "hash_password",
    "may",
    "verify_password",
]
