"""Settings precedence: defaults < minyi.toml < MINYI_* environment < flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.errors import ConfigError
from minyi import settings


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = settings.load(environ={})
    assert s.data_dir == Path("data") and s.registry_path == Path("data/registry.sqlite3")
    assert s.ingest_options().max_file_bytes == 100 * 1024 * 1024


def test_precedence(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "minyi.toml"
    config.parent.mkdir()
    config.write_text('data_dir = "d"\nworkers = 3\nmax_file_mb = 7\n', encoding="utf-8")
    s = settings.load(config, environ={})
    assert s.data_dir == tmp_path / "conf" / "d"  # relative to the file's folder
    assert (s.workers, s.max_file_mb) == (3, 7)
    s = settings.load(config, environ={"MINYI_WORKERS": "2"})
    assert (s.workers, s.max_file_mb) == (2, 7)
    s = settings.load(config, environ={"MINYI_WORKERS": "2"}, workers=1, data_dir=None)
    assert s.workers == 1 and s.data_dir == tmp_path / "conf" / "d"


def test_config_from_environment_variable(tmp_path: Path) -> None:
    config = tmp_path / "x.toml"
    config.write_text("max_pages = 9\n", encoding="utf-8")
    assert settings.load(environ={"MINYI_CONFIG": str(config)}).max_pages == 9


@pytest.mark.parametrize(
    "text,message",
    [
        ("unknown_key = 1\n", "未知的设置项「unknown_key」"),
        ("workers = -1\n", "无效"),
        ("max_file_mb = 0\n", "无效"),
        ("max_file_mb = true\n", "无效"),
        ("workers = [\n", "格式有误"),
    ],
)
def test_invalid_config(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "minyi.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        settings.load(config, environ={})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到配置文件"):
        settings.load(tmp_path / "none.toml", environ={})


def test_config_saved_in_gbk_or_unreadable(tmp_path: Path) -> None:
    """Every TOML file minyi reads goes through one reader: a file saved in GBK by a
    Windows editor, or a folder where the file should be, is a Chinese error naming it."""
    from followup.points import PointsTable

    config = tmp_path / "minyi.toml"
    config.write_bytes('issue_unit = "某县政协"\n'.encode("gbk"))
    with pytest.raises(ConfigError, match=re.escape(f"配置文件 {config} 格式有误")):
        settings.load(config, environ={})
    with pytest.raises(ConfigError, match=re.escape(f"积分表文件 {tmp_path} 无法读取")):
        PointsTable.load(tmp_path)  # a folder, not a file


def test_example_config_is_valid() -> None:
    example = Path(__file__).parent.parent / "minyi.toml.example"
    loaded = settings.load(example, environ={})
    assert loaded == settings.load(environ={}, data_dir=example.parent / "data",
                                   inbox=example.parent / "inbox", outbox=example.parent / "outbox")  # fmt: skip


def test_issue_settings_from_toml_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "minyi.toml"
    config.write_text('issue_report_to = ["市政协办公室", "省政协办公室"]\nissue_print_names = true\n',
                      encoding="utf-8")  # fmt: skip
    loaded = settings.load(config, environ={"MINYI_ISSUE_SEND_TO": "县委；县政府",
                                            "MINYI_ISSUE_CONTACTS": "是"})  # fmt: skip
    assert loaded.issue_report_to == ("市政协办公室", "省政协办公室")
    assert loaded.issue_send_to == ("县委", "县政府")
    assert loaded.issue_print_names is True and loaded.issue_contacts is True
    with pytest.raises(ConfigError, match="issue_mask_pii"):
        settings.load(environ={"MINYI_ISSUE_MASK_PII": "也许"})
    with pytest.raises(ConfigError, match="issue_submitter"):
        settings.load(environ={"MINYI_ISSUE_SUBMITTER": "top"})
    with pytest.raises(ConfigError, match="issue_unit"):
        settings.load(config=_toml(tmp_path, "issue_unit = 3"), environ={})


def _toml(folder: Path, text: str) -> Path:
    path = folder / "other.toml"
    path.write_text(text, encoding="utf-8")
    return path
