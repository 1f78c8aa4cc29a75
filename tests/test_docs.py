"""Keep the README honest: its commands, settings, report keys and exit codes are the real ones."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import click
from conftest import GATE

from common.errors import ExitCode
from ingest.receipt import Disposition, Receipt
from ingest.report import report_line
from minyi.cli import cli
from minyi.settings import Settings

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_documented_command_exists() -> None:
    code = "\n".join(re.findall(r"```\w*\n(.*?)```", README, re.S))
    documented = set(re.findall(r"^minyi ([a-z]+)", code, re.M))
    assert documented, "README shows no minyi commands"
    assert documented <= set(cli.commands)
    assert set(cli.commands) <= documented


def test_every_subcommand_is_documented() -> None:
    code = "\n".join(re.findall(r"```\w*\n(.*?)```", README, re.S))
    for name, group in cli.commands.items():
        if isinstance(group, click.Group):
            documented = set(re.findall(rf"^minyi {name} ([a-z]+)", code, re.M))
            assert documented == set(group.commands), name


def test_every_setting_is_documented() -> None:
    example = (ROOT / "minyi.toml.example").read_text(encoding="utf-8")
    for field in fields(Settings):
        assert f"| `{field.name}` |" in README, field.name
        assert re.search(rf"^(# )?{field.name} = ", example, re.M), (
            field.name
        )  # optional: commented


def test_report_keys_are_documented() -> None:
    receipt = Receipt(file="a", source="/", received_at=datetime.now().isoformat(),
                      disposition=Disposition.IGNORED)  # fmt: skip
    for key in report_line(receipt, None, GATE):
        assert f"| `{key}` |" in README, key


def test_exit_codes_are_documented() -> None:
    for code in ExitCode:
        assert re.search(rf"^\| {code.value} \|", README, re.M), code


def test_two_commands_exist() -> None:
    for script in ("scripts/run.sh", "scripts/test.sh"):
        assert f"bash {script}" in README
        assert (ROOT / script).is_file()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
