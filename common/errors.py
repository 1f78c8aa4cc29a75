"""The error hierarchy shared by every part of minyi.

Each error carries an exit code and a Chinese message that tells the clerk what to do.
Library code raises these; only the CLI's single handler (and, later, the watcher)
turns them into output. Duplicates and sensitive hits are findings, never errors.
"""

from __future__ import annotations

import errno
import re
import tomllib
from enum import IntEnum
from pathlib import Path
from typing import Any


class ExitCode(IntEnum):
    """Process exit codes; documented in the README and stable for outside tools."""

    OK = 0
    USAGE = 2  # click's own code for a bad command line
    SOME_REJECTED = 3  # the batch finished, but at least one file was rejected
    INPUT = 4  # the folder or file given cannot be read
    CONFIG = 5
    MISSING_DEPENDENCY = 6
    REGISTRY = 7  # the data folder or its database cannot be used
    RENDER = 8
    BLOCKED = 9  # the confidentiality gate refused an artefact (a 密级 mark, unmasked data)
    INTERNAL = 10
    INTERRUPTED = 130


class MinyiError(Exception):
    """Base of every error minyi reports to a user."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(MinyiError):
    """A folder or file named on the command line cannot be used."""

    exit_code = ExitCode.INPUT


class ConfigError(MinyiError):
    """minyi.toml, an environment variable or a flag holds an invalid value."""

    exit_code = ExitCode.CONFIG


class MissingDependencyError(MinyiError):
    """An optional package or external program is needed but not installed."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class RegistryError(MinyiError):
    """The data folder or the SQLite registry cannot be used."""

    exit_code = ExitCode.REGISTRY


class DiskFullError(RegistryError):
    """The disk under the data folder is full: a condition that passes when space is freed
    (the batch stops with exit 7; the watcher waits and tries again)."""


class RenderError(MinyiError):
    """An issue (期) could not be rendered."""

    exit_code = ExitCode.RENDER


class ConfidentialityError(MinyiError):
    """Something about to leave the registry holds a 密级 mark or unmasked personal data."""

    exit_code = ExitCode.BLOCKED


class ExtractionError(MinyiError):
    """One submitted file cannot be read; the file is rejected and the batch goes on.

    The message is the reason only (e.g. "文件已加密"); the pipeline adds the file name.
    """

    exit_code = ExitCode.SOME_REJECTED


class UnsupportedFormatError(ExtractionError):
    """The file's content is of a kind minyi does not read (yet)."""


_OS_REASONS = {
    errno.ENOENT: "文件已不存在（可能在处理前被移走或删除）",
    errno.EACCES: "没有读取或写入权限",
    errno.EPERM: "没有操作权限",
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "磁盘为只读",
    errno.EISDIR: "这是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
    errno.EEXIST: "已有同名的文件，无法在此建立文件夹",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EIO: "磁盘读写错误",
}


def read_toml(path: Path, what: str, error: type[MinyiError] = ConfigError) -> dict[str, Any]:
    """A TOML file's data; a missing, unreadable or malformed file is ``error`` in Chinese,
    naming ``what`` it is (配置文件, 积分表文件, 模板文件…) and the path."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"找不到{what} {path}") from None
    except OSError as exc:
        raise error(f"{what} {path} 无法读取：{describe_os_error(exc)}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{what} {path} 格式有误，{toml_error(str(exc))}") from None


def describe_os_error(exc: OSError) -> str:
    """A Chinese description of an operating-system error, for messages to clerks."""
    reason = _OS_REASONS.get(exc.errno or -1)
    if reason is None:
        return f"系统错误：{exc.strerror or exc}"
    return reason


_TOML_REASONS = (
    (r"Expected '=' after a key", "键名后面缺少“=”"),
    (r"Invalid value", '值的写法不对（文字要加英文双引号，如 "政协某某县委员会办公室"）'),
    (r"Invalid statement", "这一行的写法不对"),
    (r"Cannot overwrite a value|Cannot declare .* twice", "同一个设置项写了两次"),
    (r"Unclosed array|Unclosed inline table", "方括号或花括号没有闭合"),
    (r"Illegal character '\\n'", "引号没有闭合（这一行的文字缺少结尾的英文双引号）"),
    (r"Illegal character", "有不允许的字符（如中文引号、全角符号）"),
    (r"Unterminated string|Unclosed string", "引号没有闭合"),
    (r"Expected newline or end of document", "一行只能写一个设置项"),
    (r"Invalid date or datetime|Invalid time", "日期的写法不对（应为 2026-03-05）"),
    (r"Invalid initial character for a key part", "键名的写法不对（只能用英文字母、数字、下划线）"),
)


def toml_error(message: str) -> str:
    """A TOML parser's message in Chinese: where (line, column) and what is wrong."""
    where = re.search(r"\(at line (\d+), column (\d+)\)", message)
    place = f"第 {where.group(1)} 行第 {where.group(2)} 列" if where else ""
    if re.search(r"\(at end of document\)", message):
        place = "文件末尾"
    reason = next((cn for pattern, cn in _TOML_REASONS if re.search(pattern, message)), None)
    if reason is None:
        reason = "写法不对（原文：" + re.sub(r"\s*\(at .*\)$", "", message) + "）"
    return f"{place}：{reason}" if place else reason
