"""Every message a clerk sees in Chinese: click's own, TOML's, in one place.

click writes its messages (usage errors, missing and invalid options, choices,
prompts) in English through ``gettext``, looked up when each message is made.
``install`` points click's modules at the table below instead, so every click
error path says it in Chinese; a message not in the table stays as click wrote
it (a test runs every path, so a click upgrade that adds one shows).
(A malformed TOML file is explained by ``common.errors.toml_error``.)
"""

from __future__ import annotations

import re

# click's message ids (click 8.1–8.3), with the same placeholders.
MESSAGES: dict[str, str] = {
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "可用“{command} {option}”查看用法。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不需要写值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项写法不对（{option}）",
    "Got unexpected extra argument ({args})": "多出了参数：{args}",
    "Got unexpected extra arguments ({args})": "多出了参数：{args}",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写 {nargs} 个值。",
    "Did you mean {possibility}?": "是不是要写 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是要写其中之一：{possibilities}？）",
    "{value!r} is not {choice}.": "{value!r} 不是可选的值；只能是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选的值；可选：{choices}。",
    "{value!r} does not match the format {format}.": "{value!r} 的格式不对，应为 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 的格式不对，应为 {formats} 之一。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是“是/否”的写法；可写：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里需要文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，这里需要文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 没有读取权限。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 没有写入权限。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不能执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{len_type} values are required, but {len_value} was given.":
        "需要 {len_type} 个值，只给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.":
        "需要 {len_type} 个值，给了 {len_value} 个。",
    "Value must be an iterable.": "需要多个值。",
    "Aborted!": "已中断。",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的不一致。",
    "Error: invalid input": "错误：输入无效",
    "Do you want to continue?": "是否继续？",
    "Press any key to continue...": "按任意键继续……",
    "Confirm the action without prompting.": "不再询问，直接执行。",
    "Show the version and exit.": "显示版本号并退出",
    "Show this message and exit.": "显示本帮助并退出",
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "required": "必填",
    "deprecated": "已停用",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "File": "文件",
    "Directory": "文件夹",
    "Path": "路径",
    "integer": "整数",
    "float": "数字",
    "unknown error": "未知错误",
}  # fmt: skip
_KINDS = {"option": "选项", "argument": "参数", "parameter": "参数"}
_NUMBERS = (("integer range", "整数"), ("float range", "数字"), ("integer", "整数"),
            ("float", "数字"))  # fmt: skip
_CLICK_MODULES = ("core", "exceptions", "parser", "types", "decorators", "termui", "utils",
                  "formatting", "_termui_impl")  # fmt: skip


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    return translate(singular if n == 1 else plural)


def install() -> None:
    """Make click speak Chinese (idempotent)."""
    import importlib

    for name in _CLICK_MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural  # type: ignore[attr-defined]


def finish(message: str) -> str:
    """A click message as a Chinese sentence: its parameter kinds named in Chinese, and
    click's closing full stop (written outside its messages) a Chinese one."""
    for english, chinese in _KINDS.items():
        message = message.replace(f"缺少{english}", f"缺少{chinese}")
    for english, chinese in _NUMBERS:  # (click names a number's type without gettext)
        message = message.replace(f"有效的{english}", f"有效的{chinese}")
    message = re.sub(r"(?<=[\u3000-\u9fff'\"”）)])\.(?=\s|$)", "。", message)
    message = re.sub(r"。\s*。", "。", message)
    return message.strip()
