"""Every message a clerk sees is Chinese: click's own error paths, prompts, TOML errors."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from conftest import minyi

from common.errors import toml_error
from minyi import messages

# Words click writes in its English messages; none may reach a clerk.
ENGLISH = re.compile(r"Error|Missing|Invalid|Usage|No such|is not|Try |Got unexpected|"
                     r"requires|Did you mean|integer|Aborted|does not")  # fmt: skip


@pytest.mark.parametrize("args, expected", [
    (["nosuch"], "没有 'nosuch' 这个命令"),
    (["procss", "inbox"], "是不是要写 'process'"),
    (["release", "2026-0001"], "缺少选项 '--reason'"),
    (["show"], "缺少参数 'ID'"),
    (["list", "--limit", "abc"], "'abc' 不是有效的整数"),
    (["list", "--limit", "0"], "不在允许的范围"),
    (["list", "--status", "wrong"], "不是可选的值；可选："),
    (["process", "--bogus"], "没有 '--bogus' 这个选项"),
    (["process", "a", "b"], "多出了参数：b"),
    (["list", "--limit"], "后面要写一个值"),
    (["track", "add", "2026-0001", "--kind", "错"], "'--kind' 的值不对"),
    (["issue", "render"], "缺少参数"),
    (["issue", "new"], "缺少选项 '--items'"),
    (["issue", "sign", "1"], "缺少选项 '--by'"),
])  # fmt: skip
def test_every_click_error_is_chinese(tmp_path: Path, args: list[str], expected: str) -> None:
    out = minyi(tmp_path, *args, code=2)
    assert expected in out, out
    assert "-h”查看用法" in out
    assert not ENGLISH.search(out), out


def test_a_prompt_answered_wrongly_is_chinese(tmp_path: Path) -> None:
    """click.prompt's own complaint and confirmation, as a clerk meets them."""
    from click.testing import CliRunner

    runner = CliRunner()
    messages.install()

    @click.command()
    def ask() -> None:
        click.prompt("是否写入", type=click.Choice(["0", "1"]))

    result = runner.invoke(ask, input="n\n1\n")
    assert "'n' 不是可选的值" in result.output and not ENGLISH.search(result.output)


def test_every_message_click_can_write_is_in_the_table() -> None:
    """A click upgrade that adds a message a clerk could see shows here first."""
    source = Path(click.__file__).parent
    found: set[str] = set()
    for path in source.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= {m for m in re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', text)}
        for call in re.findall(r"ngettext\(\s*((?:\"(?:[^\"\\]|\\.)*\"\s*,\s*){2})", text):
            found |= set(re.findall(r'"((?:[^"\\]|\\.)*)"', call))
    found = {m.encode().decode("unicode_escape") for m in found}
    # Not for clerks: shell completion, Windows consoles, editors, colours, declarations.
    # Programmers' errors in declaring commands, deprecations minyi does not use.
    aside = re.compile(r"Bash|shell|Windows|editor|Editing|colou?r|defined twice|standard stream"
                       r"|Choice\(|version|^d$|Choose from|Deprecation|declaration|cannot use the"
                       r"|No options defined")  # fmt: skip
    missing = sorted(m for m in found if m not in messages.MESSAGES and not aside.search(m))
    assert missing == []


@pytest.mark.parametrize("text, expected", [
    ('x = "a\n', "第 1 行第 7 列：引号没有闭合"),
    ("x = 1\ny = 2 3\n", "第 2 行第 7 列：一行只能写一个设置项"),
    ("issue_unit = “某某”\n", "第 1 行第 14 列：值的写法不对"),
    ("x = 1\nx = 2\n", "同一个设置项写了两次"),
    ("[a\n", "第 1 行"),
])  # fmt: skip
def test_toml_errors_say_where_and_what(text: str, expected: str) -> None:
    import tomllib

    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    explained = toml_error(str(caught.value))
    assert expected in explained, explained
    assert "line" not in explained and "column" not in explained


def test_a_bad_minyi_toml_is_explained(tmp_path: Path) -> None:
    (tmp_path / "minyi.toml").write_text('issue_unit = "某某\n', encoding="utf-8")
    out = minyi(tmp_path, "list", code=5)
    assert "minyi.toml" in out and "第 1 行" in out and "引号没有闭合" in out
