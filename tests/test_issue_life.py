"""An issue's life: 草稿 → 已签发 → 已印发, reopened as a new version, voided; order and numbering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import minyi, propose

from minyi import samples

TOML = 'issue_unit = "政协某某县委员会办公室"\nclerk = "王芳"\n'


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """Three samples registered and 拟采用 (2026-0001..0003); issue 1 holds 0001 and 0002."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, sample in enumerate(samples.SAMPLES, start=1):
        samples.make_docx(inbox / f"{n}.docx", sample.paragraphs())
    (tmp_path / "minyi.toml").write_text(TOML, encoding="utf-8")
    minyi(tmp_path, "process", "inbox")
    propose(tmp_path, "2026-0001", "2026-0002", "2026-0003")
    minyi(tmp_path, "issue", "new", "--items", "2026-0001", "2026-0002", "--date", "2026-03-05")
    return tmp_path


def _folder(office: Path, name: str = "第1期") -> Path:
    return office / "outbox" / "2026" / name


def test_a_draft_renders_as_a_proof_and_counts_for_nothing(office: Path) -> None:
    out = minyi(office, "issue", "render", "1", "--no-pdf")
    assert "校样" in out and _folder(office).is_dir()
    assert "草稿" in minyi(office, "issue", "list")
    # Not published: the same item may go into another issue without --force, no 编发 points.
    minyi(office, "issue", "new", "--items", "2026-0001")
    assert "编发" not in minyi(office, "track", "show", "2026-0001").split("计分对象")[0]


def test_signed_issues_are_locked_and_issued_ones_are_the_record(office: Path) -> None:
    out = minyi(office, "issue", "sign", "1", "--by", "张主任", "--date", "2026-03-06")
    assert "已由 张主任 签发" in out
    shown = minyi(office, "issue", "show", "1", env={"COLUMNS": "200"})
    assert "已签发（张主任 签发于" in shown and "2026-03-06" in shown
    for args in (["edit", "1", "--copies", "40"], ["move", "1", "2", "--to", "1"],
                 ["edit", "1", "--add", "2026-0003"]):  # fmt: skip
        out = minyi(office, "issue", *args, code=4)
        assert "已签发" in out and "minyi issue reopen 1 --reason" in out
    out = minyi(office, "issue", "render", "1", "--no-pdf")
    assert "已印发" in out
    assert "已印发" in minyi(office, "issue", "list", env={"COLUMNS": "200"})
    out = minyi(office, "issue", "render", "1", "--no-pdf", code=4)
    assert "已印发，文件即为存档" in out
    # Now it counts: 编发 in the history, and composing the item again needs --force.
    assert "编发" in minyi(office, "track", "show", "2026-0001")
    out = minyi(office, "issue", "new", "--items", "2026-0001", code=4)
    assert "已在2026年第1期印发" in out
    actions = [json.loads(x)["action"] for x in minyi(office, "log", "--json").splitlines()]
    assert "issue.sign" in actions and actions.count("issue.render") == 1


def test_a_reopened_issue_is_reissued_as_a_new_version_and_the_old_files_stay(office: Path) -> None:
    minyi(office, "issue", "sign", "1", "--by", "张主任")
    minyi(office, "issue", "render", "1", "--no-pdf")
    first = (_folder(office) / "社情民意信息2026年第1期.docx").read_bytes()
    out = minyi(office, "issue", "reopen", "1", code=2)
    out = minyi(office, "issue", "reopen", "1", "--reason", "第2篇数据有误")
    assert "改回草稿" in out
    minyi(office, "issue", "edit", "1", "--copies", "40")
    out = minyi(office, "issue", "render", "1", "--no-pdf")
    assert "校样" in out  # not signed again yet
    minyi(office, "issue", "sign", "1", "--by", "张主任")
    minyi(office, "issue", "render", "1", "--no-pdf")
    kept = _folder(office, "第1期（第1版）") / "社情民意信息2026年第1期.docx"
    assert kept.read_bytes() == first
    assert (_folder(office) / "社情民意信息2026年第1期.docx").read_bytes() != first
    assert "第2版" in minyi(office, "issue", "list", env={"COLUMNS": "200"})
    (entry,) = [json.loads(x) for x in minyi(office, "log", "--json").splitlines()
                if json.loads(x)["action"] == "issue.reopen"]  # fmt: skip
    assert entry["reason"] == "第2篇数据有误" and entry["actor"] == "王芳"


def test_a_void_issue_keeps_its_number_and_frees_its_items(office: Path) -> None:
    minyi(office, "issue", "sign", "1", "--by", "张主任")
    minyi(office, "issue", "render", "1", "--no-pdf")
    out = minyi(office, "issue", "void", "1", code=2)
    minyi(office, "issue", "void", "1", "--reason", "误建，内容重复")
    listed = minyi(office, "issue", "list", env={"COLUMNS": "200"})
    assert "已作废（误建，内容重复；期号不再使用）" in listed
    assert minyi(office, "issue", "new", "--items", "2026-0001").splitlines()[0] == "2"
    assert "编发" not in minyi(office, "track", "show", "2026-0001")  # (issue 2 is a draft)
    out = minyi(office, "issue", "render", "1", "--no-pdf", code=4)
    assert "已作废" in out


def test_move_keeps_the_edited_text(office: Path) -> None:
    exported = office / "稿.txt"
    minyi(office, "issue", "text", "1", "2", "--export", str(exported))
    edited = exported.read_text(encoding="utf-8") + "\n补充一句。"
    exported.write_text(edited, encoding="utf-8")
    minyi(office, "issue", "text", "1", "2", "--import", str(exported))
    minyi(office, "issue", "move", "1", "2026-0002", "--to", "1")
    first = minyi(office, "issue", "text", "1", "1")
    assert (
        "补充一句。" in first
        and "2026-0002" in minyi(office, "issue", "show", "1").split("2026-0001")[0]
    )
    out = minyi(office, "issue", "move", "1", "1", "--to", "5", code=4)
    assert "超出范围" in out


def test_numbering_starts_where_the_office_is(tmp_path: Path, office: Path) -> None:
    """An office that starts using minyi in November goes on from its 第11期."""
    (office / "minyi.toml").write_text(TOML + "issue_first_number = 11\n", encoding="utf-8")
    assert (
        minyi(office, "issue", "new", "--items", "2026-0003", "--year", "2027").splitlines()[0]
        == "11"
    )
    assert minyi(office, "issue", "new", "--items", "2026-0003", "--year", "2027",
                 "--force").splitlines()[0] == "12"  # fmt: skip


def test_settings_are_reapplied_to_an_existing_issue(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    samples.make_docx(inbox / "1.docx", samples.SAMPLES[0].paragraphs())
    minyi(tmp_path, "process", "inbox")
    propose(tmp_path, "2026-0001")
    minyi(tmp_path, "issue", "new", "--items", "2026-0001")
    out = minyi(tmp_path, "issue", "render", "1", "--no-pdf", code=8)
    assert "minyi issue edit 1 --unit" in out and "--from-settings" in out
    (tmp_path / "minyi.toml").write_text(TOML + "issue_copies = 30\n", encoding="utf-8")
    minyi(tmp_path, "issue", "edit", "1", "--from-settings")
    shown = minyi(tmp_path, "issue", "show", "1", env={"COLUMNS": "200"})
    assert "政协某某县委员会办公室" in shown and "30" in shown
    minyi(tmp_path, "issue", "render", "1", "--no-pdf")
