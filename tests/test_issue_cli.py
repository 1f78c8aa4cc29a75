"""``minyi issue …`` as a clerk uses it: from registered submissions to a rendered issue."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import minyi, need_tool, propose, run_minyi

from minyi import samples

SECRET_LINE = "秘密★1年"


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A working folder with three registered submissions: 2026-0001..0003 (0003 secret)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = samples.SAMPLES[0]
    body = [*first.body, "如需核实，可联系村委会主任，电话13912345678。"]
    samples.make_docx(inbox / "1-养老.docx", [first.title, first.submitter, *body])
    samples.make_docx(inbox / "2-三资.docx", samples.SAMPLES[2].paragraphs())
    samples.make_docx(inbox / "3-涉密.docx", [SECRET_LINE, "关于某项工作的情况报告",
                                              "反映人：赵六（县政协委员）", "正文内容。" * 20])  # fmt: skip
    (tmp_path / "minyi.toml").write_text(
        'issue_unit = "政协某某县委员会办公室"\nissue_report_to = ["市政协办公室"]\n'
        'issue_copies = 30\nissue_total_from = 45\nissue_upward_submitter = "none"\n',
        encoding="utf-8",
    )
    result = run_minyi("process", "inbox", "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    statuses = [json.loads(line)["screening"] for line in (tmp_path / "r.jsonl").open()]
    assert statuses.count("quarantined") == 1
    propose(tmp_path, "2026-0001", "2026-0002")
    return tmp_path


def test_new_issues_are_numbered_per_series_and_never_reuse_a_number(office: Path) -> None:
    assert run_minyi("issue", "new", "--items", "2026-0001", cwd=office).stdout.strip() == "1"
    assert run_minyi("issue", "new", "--items", "2026-0002", cwd=office).stdout.strip() == "2"
    supplement = run_minyi("issue", "new", "--supplement", "--items", "2026-0001", cwd=office)
    assert supplement.stdout.strip() == "1" and "增刊第1期" in supplement.stderr
    listed = minyi(office, "issue", "list")
    assert "第1期" in listed and "第2期" in listed and "增刊第1期" in listed
    db = sqlite3.connect(office / "data" / "registry.sqlite3")
    totals = db.execute("SELECT series, number, total_number FROM issues ORDER BY rowid").fetchall()
    assert totals == [("regular", 1, 45), ("regular", 2, 46), ("supplement", 1, None)]
    assert "未知" not in minyi(office, "issue", "show", "2")


def test_quarantined_submission_cannot_be_composed(office: Path) -> None:
    out = minyi(office, "issue", "new", "--items", "2026-0001", "2026-0003", code=8)
    assert "2026-0003" in out and "隔离" in out and "minyi release" in out
    out = minyi(office, "issue", "new", "--items", "2026-0009", code=4)
    assert "2026-0009" in out


def test_edit_text_diff_and_the_original_stays(office: Path) -> None:
    minyi(office, "issue", "new", "--items", "2026-0001", "2026-0002")
    exported = office / "稿1.txt"
    minyi(office, "issue", "text", "1", "1", "--export", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert text.startswith("标题：关于加强农村留守老人养老服务的建议\n反映人：张建华")
    exported.write_text(text.replace("覆盖率不到四成", "覆盖率不足百分之四十"), encoding="utf-8")
    minyi(office, "issue", "text", "1", "2026-0001", "--import", str(exported))
    changes = minyi(office, "issue", "diff", "1")
    assert "-" in changes and "+" in changes and "覆盖率不足百分之四十" in changes
    assert "覆盖率不到四成" in changes
    db = sqlite3.connect(office / "data" / "registry.sqlite3")
    (original,) = db.execute("SELECT text FROM submissions WHERE id = '2026-0001'").fetchone()
    assert "覆盖率不到四成" in original and "百分之四十" not in original
    assert "是" in minyi(office, "issue", "show", "1")  # marked as edited
    minyi(office, "issue", "text", "1", "1", "--reset")
    assert "没有改动" in minyi(office, "issue", "diff", "1")


def test_edited_text_with_a_secret_mark_blocks_rendering(office: Path) -> None:
    minyi(office, "issue", "new", "--items", "2026-0002")
    exported = office / "稿.txt"
    minyi(office, "issue", "text", "1", "1", "--export", str(exported))
    lines = exported.read_text(encoding="utf-8").splitlines()
    exported.write_text("\n".join([*lines[:3], SECRET_LINE, *lines[3:]]), encoding="utf-8")
    minyi(office, "issue", "text", "1", "1", "--import", str(exported))
    out = minyi(office, "issue", "render", "1", "--no-pdf", code=8)
    assert "不能生成" in out and "密级" in out and "2026-0002" in out
    assert not (office / "outbox" / "2026" / "第1期").exists()


def test_render_without_pdf_masks_personal_data_and_builds_the_package(office: Path) -> None:
    minyi(office, "issue", "new", "--items", "2026-0001", "2026-0002", "--date", "2026-03-05")
    minyi(office, "issue", "edit", "1", "--copies", "25", "--send-to", "县委，县政府",
          "--foreword", "现将有关情况编发如下。")  # fmt: skip
    out = minyi(office, "issue", "render", "1", "--no-pdf")
    folder = office / "outbox" / "2026" / "第1期"
    assert str(Path("outbox") / "2026" / "第1期") in out
    local = docx.Document(str(folder / "社情民意信息2026年第1期.docx"))
    text = "\n".join(p.text for p in local.paragraphs)
    text += "\n".join(c.text for t in local.tables for r in t.rows for c in r.cells)
    assert "139****5678" in text and "13912345678" not in text
    assert "第1期（总第45期）" in text and "2026年3月5日印发" in text and "（共印25份）" in text
    assert "送：县委，县政府。" in text and "现将有关情况编发如下。" in text
    assert "本期要目" in text
    with zipfile.ZipFile(folder / "社情民意信息2026年第1期（报送）.zip") as archive:
        upward = docx.Document(archive.open("社情民意信息2026年第1期（报送）.docx"))
    assert not any("张建华" in p.text for p in upward.paragraphs)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [i["submission_id"] for i in manifest["items"]] == ["2026-0001", "2026-0002"]
    report = {json.loads(line)["id"]: json.loads(line) for line in (office / "r.jsonl").open()}
    assert manifest["items"][0]["source_sha256"] == report["2026-0001"]["sha256"]
    assert manifest["items"][0]["source"] == "1-养老.docx"
    assert "rendered_at" in manifest and set(manifest["package"]) == {
        "社情民意信息2026年第1期（报送）.docx"}  # fmt: skip
    out = minyi(office, "issue", "render", "1", "--no-pdf", "--out", "r.jsonl/发件", code=8)
    assert "无法写入输出目录「r.jsonl/发件」：路径中有一段是文件" in out
    assert "生成时间" in minyi(office, "issue", "list") and "未生成" not in minyi(
        office, "issue", "list"
    )


def test_render_to_pdf_through_the_cli(office: Path) -> None:
    need_tool("soffice")
    minyi(office, "issue", "new", "--items", "2026-0002")
    minyi(office, "issue", "new", "--items", "2026-0001")
    out = minyi(office, "issue", "render", "1", "2", "--out", "发件")
    for number in (1, 2):
        pdf = office / "发件" / "2026" / f"第{number}期" / f"社情民意信息2026年第{number}期.pdf"
        assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    assert "字体替代" in out or "已安装的同名字体" in out
