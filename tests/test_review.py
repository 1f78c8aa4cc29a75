"""Review decisions, acknowledged flags, the audit log and progress lines, through the CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import minyi, received_on

from minyi import samples

TOML = 'issue_unit = "政协某某县委员会办公室"\nclerk = "王芳"\n'


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """Three registered samples, 2026-0001..0003, all 待审核; 0001's body has a phone number."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = samples.SAMPLES[0]
    samples.make_docx(inbox / "1.docx", [first.title, first.submitter, *first.body,
                                         "如需核实，可联系村委会主任，电话13912345678。"])  # fmt: skip
    for n, sample in enumerate(samples.SAMPLES[1:3], start=2):
        samples.make_docx(inbox / f"{n}.docx", sample.paragraphs())
    (tmp_path / "minyi.toml").write_text(TOML, encoding="utf-8")
    minyi(tmp_path, "process", "inbox")
    return tmp_path


def _log(office: Path, *args: str) -> list[dict]:
    return [json.loads(x) for x in minyi(office, "log", *args, "--json").splitlines()]


def test_decisions_need_reasons_and_land_in_the_audit_log(office: Path) -> None:
    out = minyi(office, "review", "2026-0001", "--decision", "拟采用", "--by", "李明")
    assert "待审核 → 拟采用（李明）" in out
    out = minyi(office, "review", "2026-0002", "--decision", "不予采用", code=4)
    assert "须写明理由" in out
    out = minyi(office, "review", "2026-0002", "--decision", "通过", code=4)
    assert "未知的审核决定「通过」" in out and "拟采用" in out
    minyi(office, "review", "2026-0002", "--decision", "declined", "--reason", "与去年第5期重复")
    out = minyi(office, "review", "2026-0009", "--decision", "拟采用", code=4)
    assert "没有编号为 2026-0009" in out
    entries = _log(office)
    assert [(e["actor"], e["submission_id"], e["detail"]["to"]) for e in entries] == [
        ("李明", "2026-0001", "proposed"), ("王芳", "2026-0002", "declined")]  # fmt: skip
    assert entries[1]["reason"] == "与去年第5期重复"
    shown = minyi(office, "log", "2026-0002", env={"COLUMNS": "200"})
    assert "不予采用" in shown and "王芳" in shown and "与去年第5期重复" in shown
    # A change of mind is a new entry; the old one stays as it was.
    minyi(office, "review", "2026-0002", "--decision", "拟采用", "--by", "李明")
    assert [e["detail"]["to"] for e in _log(office, "2026-0002")] == ["declined", "proposed"]


def test_the_audit_log_cannot_be_changed(office: Path) -> None:
    minyi(office, "review", "2026-0001", "--decision", "拟采用")
    db = sqlite3.connect(office / "data" / "registry.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_several_at_once_all_or_none(office: Path) -> None:
    out = minyi(office, "review", "2026-0001", "2026-0009", "--decision", "拟采用", code=4)
    assert "2026-0009" in out
    assert _log(office) == []  # 2026-0001 was not decided either
    minyi(office, "review", "2026-0001", "2026-0003", "--decision", "拟采用")
    assert len(_log(office)) == 2


def test_only_proposed_items_are_composed(office: Path) -> None:
    out = minyi(office, "issue", "new", "--items", "2026-0001", code=4)
    assert "只有“拟采用”的稿件才能编发" in out and "minyi review 2026-0001" in out
    out = minyi(office, "issue", "new", "--force", "--items", "2026-0001", code=4)
    assert "只有“拟采用”" in out  # --force does not override the review
    minyi(office, "review", "2026-0001", "--decision", "拟采用")
    assert minyi(office, "issue", "new", "--items", "2026-0001").splitlines()[0] == "1"
    # Declined after composing: the issue cannot be rendered.
    minyi(office, "review", "2026-0001", "--decision", "不予采用", "--reason", "数据有误")
    out = minyi(office, "issue", "render", "1", "--no-pdf", code=8)
    assert "不予采用" in out
    # An office that does not review turns the rule off.
    (office / "minyi.toml").write_text(TOML + "review_required = false\n", encoding="utf-8")
    minyi(office, "issue", "new", "--items", "2026-0002")


def test_an_acknowledged_flag_stops_nagging(office: Path) -> None:
    minyi(office, "review", "2026-0001", "--decision", "拟采用")
    minyi(office, "issue", "new", "--items", "2026-0001")
    assert "含个人信息" in minyi(office, "issue", "show", "1")
    out = minyi(office, "review", "2026-0001", "--ack", "个人信息", "--by", "李明")
    assert "已确认提示（个人信息）" in out
    assert "含个人信息" not in minyi(office, "issue", "show", "1")
    assert _log(office, "2026-0001")[-1]["detail"] == {"flags": ["pii"]}
    shown = minyi(office, "show", "2026-0001", env={"COLUMNS": "200"})
    assert "审核决定" in shown and "拟采用" in shown and "已确认提示" in shown and "李明" in shown
    out = minyi(office, "review", "2026-0001", "--ack", "别的", code=4)
    assert "未知的提示类别" in out


def test_a_revision_replaces_its_original_through_the_whole_chain(office: Path) -> None:
    """退回修改, the 修改稿 arrives and replaces it: the original leaves the queue, cannot be
    composed and is not counted; the revision is decided, composed, published and adopted,
    and its progress line tells the submitter so, with no phone number in it."""
    minyi(office, "review", "2026-0001", "--decision", "退回修改", "--reason", "请补充数据来源")
    first = samples.SAMPLES[0]
    samples.make_docx(office / "inbox" / "1-修改稿.docx",
                      [first.title + "（修改稿）", first.submitter, *first.body,
                       "数据来源：县民政局2026年统计。", "如需核实，请联系13912345678。"])  # fmt: skip
    minyi(office, "process", "inbox")
    queue = [json.loads(x)["id"] for x in minyi(office, "list", "--queue", "--json").splitlines()]
    assert queue == ["2026-0004", "2026-0003", "2026-0002"]
    out = minyi(office, "review", "2026-0004", "--replaces", "2026-0001", code=4)
    assert "须用 --reason" in out
    minyi(office, "review", "2026-0004", "--replaces", "2026-0001", "--reason", "报送人修改后重报")
    queue = [json.loads(x)["id"] for x in minyi(office, "list", "--queue", "--json").splitlines()]
    assert "2026-0001" not in queue and "2026-0004" in queue
    out = minyi(office, "review", "2026-0001", "--decision", "拟采用", code=4)
    assert "已由修改稿 2026-0004 替代" in out
    out = minyi(office, "review", "2026-0001", "--replaces", "2026-0004", "--reason", "x", code=4)
    assert "替代" in out  # no loops
    out = minyi(office, "issue", "new", "--items", "2026-0001", "--force", code=4)
    assert "已由修改稿 2026-0004 替代" in out
    minyi(office, "review", "2026-0004", "--decision", "拟采用")
    received_on(office, "2026-01-05")  # (the spring history below happens after receipt)
    minyi(office, "issue", "new", "--items", "2026-0004", "--date", "2026-03-05")
    minyi(office, "issue", "sign", "1", "--by", "张主任")
    minyi(office, "issue", "render", "1", "--no-pdf")
    minyi(office, "track", "add", "2026-0004", "--kind", "采用", "--level", "市", "--date",
          "2026-03-20")  # fmt: skip
    # The statistics count the matter once: three received, not four.
    assert "共收到社情民意信息3篇" in minyi(office, "stats", "--year", "2026")
    # History kept on both sides.
    old = [(e["action"], e["detail"]) for e in _log(office, "2026-0001")]
    assert ("superseded", {"by": "2026-0004", "from": "returned"}) in old
    progress = json.loads(minyi(office, "status", "2026-0004", "--json"))
    labels = [s["label"] for s in progress["steps"]]
    assert labels[0] == "收到" and "作为 2026-0001 的修改稿收到" in labels
    assert "拟采用" in labels and "市政协采用（单篇）" in labels
    assert any(label.startswith("刊发于《社情民意信息》2026年第1期") for label in labels)
    assert progress["current"] == "拟采用"
    line = minyi(office, "status", "2026-0004", "2026-0001")
    assert "2026-0004《" in line and "→" in line and "13912345678" not in line
    assert "已由修改稿 2026-0004 替代" in line
    assert "13912345678" not in json.dumps(progress, ensure_ascii=False)


def test_release_is_audited_with_its_reason(tmp_path: Path) -> None:
    samples.make_docx(tmp_path / "inbox" / "密.docx", ["秘密★1年", "关于某项工作的情况报告",
                                                      "反映人：赵六", "正文内容。" * 20])  # fmt: skip
    (tmp_path / "minyi.toml").write_text(TOML, encoding="utf-8")
    minyi(tmp_path, "process", "inbox")
    out = minyi(tmp_path, "review", "2026-0001", "--decision", "拟采用", code=4)
    assert "隔离" in out and "minyi release" in out
    listed = json.loads(minyi(tmp_path, "list", "--json"))
    assert listed["snippet"] is None or "秘密" not in listed["snippet"]
    found = minyi(tmp_path, "search", "情况报告", "--json")
    assert json.loads(found)["text_withheld"] is True and json.loads(found)["snippet"] is None
    minyi(tmp_path, "release", "2026-0001", "--reason", "经核实为引用文件名", "--by", "李明")
    (entry,) = _log(tmp_path, "2026-0001")
    assert (entry["action"], entry["actor"], entry["reason"]) == ("release", "李明",
                                                                   "经核实为引用文件名")  # fmt: skip
    minyi(tmp_path, "review", "2026-0001", "--decision", "拟采用")


def test_times_are_local_and_statuses_chinese_wherever_a_clerk_reads(office: Path) -> None:
    """Seen: times shown as ISO UTC (2026-03-05T06:30:00+00:00); release said flagged."""
    db = sqlite3.connect(office / "data" / "registry.sqlite3")
    with db:
        db.execute("UPDATE submissions SET received_at = '2026-03-05T06:30:00+00:00'")
    db.close()
    shanghai = {"TZ": "Asia/Shanghai"}
    minyi(office, "review", "2026-0001", "--decision", "拟采用", "--by", "李明")
    for args in (["show", "2026-0001"], ["status", "2026-0001"], ["log"], ["list"]):
        out = minyi(office, *args, env=shanghai)
        assert not re.search(r"\d{2}T\d{2}:\d{2}|[+-]\d{2}:\d{2}\b|\bflagged\b|\baccepted\b",
                             out), (args, out)  # fmt: skip
    assert "2026-03-05 14:30" in minyi(office, "show", "2026-0001", env=shanghai)
    out = minyi(office, "release", "2026-0001", "--reason", "核实", code=4)
    assert "当前状态：有提示" in out or "当前状态：已接收" in out, out
