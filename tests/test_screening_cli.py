"""Screening end to end through the CLI: quarantine, release, masking inputs, lexicons, show."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_minyi
from dedup_texts import ORIGINAL, REWORDED

from ingest.screening.gate import REDACTED
from minyi import samples

ID = "110101199003074514"


def lines_of(path: Path) -> dict[str, dict]:
    return {
        (ln := json.loads(x))["file"]: ln for x in path.read_text(encoding="utf-8").splitlines()
    }


def test_secret_mark_quarantines_until_released(tmp_path: Path) -> None:
    samples.make_docx(tmp_path / "in" / "密件.docx", ["关于某项工作的情况报告", "正文内容较长，建议有关部门重视。"],
                      header="秘密★1年")  # fmt: skip
    result = run_minyi("process", "in", "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "已隔离" in result.stdout and "minyi release" in result.stdout
    line = lines_of(tmp_path / "r.jsonl")["密件.docx"]
    assert line["screening"] == "quarantined"
    assert line["sensitive"][0]["category"] == "secret.marking"
    # The report never repeats a mark nor holds a quarantined submission's text.
    assert line["sensitive"][0]["text"] == REDACTED and line["sensitive"][0]["end"] == 5
    assert line["text"] is None and line["text_withheld"] is True
    assert "秘密" not in (tmp_path / "r.jsonl").read_text(encoding="utf-8")
    sid = line["id"]

    shown = run_minyi("show", sid, cwd=tmp_path)
    assert shown.returncode == 0 and "已隔离" in shown.stdout and "密级标志" in shown.stdout

    refused = run_minyi("release", sid, "--reason", "  ", cwd=tmp_path)
    assert refused.returncode == 4 and "理由" in refused.stderr
    released = run_minyi("release", sid, "--reason", "经核实为过期标志，已解密", cwd=tmp_path)
    assert released.returncode == 0, released.stderr
    again = run_minyi("release", sid, "--reason", "再次", cwd=tmp_path)
    assert again.returncode == 4 and "未被隔离" in again.stderr
    shown = run_minyi("show", sid, cwd=tmp_path)
    assert "待审核" in shown.stdout and "经核实为过期标志" in shown.stdout
    assert run_minyi("show", "2026-9999", cwd=tmp_path).returncode == 4


def test_pii_lexicon_and_checks_in_the_report(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    text = f"关于规范化工园区管理的建议\n反映人：张三\n化工园区周边居民身份证{ID}被冒用，联系电话13812345678。建议加强管理。"
    (tmp_path / "in" / "a.txt").write_text(text, encoding="utf-8")
    (tmp_path / "本地词库.txt").write_text("化工园区\n", encoding="utf-8")
    result = run_minyi(
        "process", "in", "--report", "r.jsonl", "--lexicon", "本地词库.txt", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    line = lines_of(tmp_path / "r.jsonl")["a.txt"]
    found = [(s["category"], s["text"]) for s in line["sensitive"]]
    assert found == [("lexicon.本地词库", "化工园区"), ("lexicon.本地词库", "化工园区"),
                     ("pii.id_card", "1101**********4514"), ("pii.mobile", "138****5678")]  # fmt: skip
    for s in line["sensitive"]:  # offsets still point at the (masked) passage
        assert line["text"][s["start"] : s["end"]] == s["text"]
    report = (tmp_path / "r.jsonl").read_text(encoding="utf-8")
    assert ID not in report and "13812345678" not in report
    assert line["screening"] == "flagged"
    assert "有提示" in result.stdout
    # Without the one-run lexicon only the personal data is reported.
    (tmp_path / "in2").mkdir()
    (tmp_path / "in2" / "b.txt").write_text(text.replace("张三", "李四"), encoding="utf-8")
    run_minyi("process", "in2", "--report", "r2.jsonl", cwd=tmp_path)
    plain = lines_of(tmp_path / "r2.jsonl")["b.txt"]
    assert [s["category"] for s in plain["sensitive"]] == ["pii.id_card", "pii.mobile"]


def test_checks_and_side_by_side_view(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "1.txt").write_text(ORIGINAL, encoding="utf-8")
    (tmp_path / "in" / "2.txt").write_text(REWORDED, encoding="utf-8")
    (tmp_path / "in" / "3.txt").write_text(
        "随手记下的一段话，没有标题也没有署名。" * 100, encoding="utf-8"
    )
    result = run_minyi("process", "in", "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = lines_of(tmp_path / "r.jsonl")
    checks = {c["category"] for c in lines["3.txt"]["checks"]}
    assert {"check.length", "check.no_submitter", "check.no_suggestion"} <= checks
    assert lines["1.txt"]["checks"] == []
    shown = run_minyi("show", lines["2.txt"]["id"], cwd=tmp_path, env={"COLUMNS": "160"})
    assert shown.returncode == 0, shown.stderr
    assert "近似重复" in shown.stdout and "2026-0001" in shown.stdout
    assert "依托县职业学校" in shown.stdout
