"""The minyi command as a clerk runs it: a real subprocess, real files, Chinese output."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_minyi

from minyi import samples


def test_process_sample_inbox(tmp_path: Path) -> None:
    made = run_minyi("sample", "收件箱", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "样例文件" in made.stdout
    result = run_minyi("process", "收件箱", "--report", "报告.jsonl", cwd=tmp_path)
    assert result.returncode == 3, result.stderr  # the sample inbox holds one broken file
    for label in ("已接收", "重复", "有提示", "拒收", "忽略", "用时"):
        assert label in result.stdout
    assert "损坏的文件.docx" in result.stdout
    lines = [
        json.loads(x) for x in (tmp_path / "报告.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(lines) == 6
    assert {ln["status"] for ln in lines} == {"ok", "rejected", "ignored"}
    assert (tmp_path / "data" / "registry.sqlite3").exists()

    again = run_minyi("process", "收件箱", cwd=tmp_path)
    assert again.returncode == 3
    reports = list((tmp_path / "data" / "reports").glob("处理报告-*.jsonl"))
    assert len(reports) == 1  # the default report location
    second = [json.loads(x) for x in reports[0].read_text(encoding="utf-8").splitlines()]
    assert [ln["disposition"] for ln in second if ln["status"] == "ok"] == ["duplicate"] * 4

    exported = run_minyi("report", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    all_lines = [json.loads(x) for x in exported.stdout.splitlines()]
    assert [ln["receipt"] for ln in all_lines] == list(range(1, 13))
    # The same lines as the batch wrote, but for how long each took (not kept in the registry).
    assert all_lines[:6] == [{k: v for k, v in ln.items() if k != "timing"} for ln in lines]
    assert all("timing" in ln for ln in lines) and not any("timing" in ln for ln in all_lines)


def test_clean_inbox_exits_zero_and_data_flag(tmp_path: Path) -> None:
    samples.make_docx(tmp_path / "in" / "a.docx", ["关于某事的建议", "正文。"])
    result = run_minyi("process", "in", "--data", "store", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "store" / "registry.sqlite3").exists()
    assert not (tmp_path / "data").exists()


def test_errors_are_chinese_with_exit_codes(tmp_path: Path) -> None:
    missing = run_minyi("process", "不存在的文件夹", cwd=tmp_path)
    assert missing.returncode == 4
    assert "找不到文件夹「不存在的文件夹」" in missing.stderr
    (tmp_path / "minyi.toml").write_text('max_file_mb = "很大"\n', encoding="utf-8")
    (tmp_path / "in").mkdir()
    bad_config = run_minyi("process", "in", cwd=tmp_path)
    assert bad_config.returncode == 5
    assert "max_file_mb" in bad_config.stderr and "整数" in bad_config.stderr
    # From a sub-folder the same minyi.toml is found (upwards) and reported the same way.
    below = run_minyi("process", ".", cwd=tmp_path / "in")
    assert below.returncode == 5 and "max_file_mb" in below.stderr
    (tmp_path / "minyi.toml").unlink()
    no_registry = run_minyi("report", "--data", "空", cwd=tmp_path / "in")
    assert no_registry.returncode == 4 and "还没有登记库" in no_registry.stderr


def test_environment_overrides_config(tmp_path: Path) -> None:
    samples.make_docx(tmp_path / "in" / "a.docx", ["关于某事的建议", "正文。"])
    (tmp_path / "minyi.toml").write_text('data_dir = "from-toml"\n', encoding="utf-8")
    result = run_minyi("process", "in", cwd=tmp_path, env={"MINYI_DATA_DIR": "from-env"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env" / "registry.sqlite3").exists()
    assert not (tmp_path / "from-toml").exists()


def test_report_inside_the_folder_is_not_taken_in(tmp_path: Path) -> None:
    samples.make_docx(tmp_path / "in" / "a.docx", ["关于某事的建议", "正文。"])
    (tmp_path / "in" / "r.jsonl").write_text("old report\n", encoding="utf-8")
    result = run_minyi("process", "in", "--report", "in/r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [
        json.loads(x)
        for x in (tmp_path / "in" / "r.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [ln["file"] for ln in lines] == ["a.docx"]


def test_the_phases_of_a_batch_are_recorded(tmp_path: Path) -> None:
    """Where a batch's time went, per file in the report (``timing``) and in all on screen:
    which phases are recorded, not how long they took."""
    from scans import encode, render

    inbox = tmp_path / "in"
    inbox.mkdir()
    samples.make_docx(inbox / "a.docx", samples.SAMPLES[0].paragraphs())
    (inbox / "b.png").write_bytes(encode(render(samples.page_lines(samples.SAMPLES[1]))))
    result = run_minyi("process", "in", "--report", "r.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = {
        ln["file"]: ln
        for ln in map(json.loads, (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines())
    }
    word, scan = lines["a.docx"]["timing"], lines["b.png"]["timing"]
    assert {"extraction", "screening", "keeping", "registry"} <= set(word)
    assert {"model", "ocr", "extraction", "screening", "registry"} <= set(scan)
    assert "ocr" not in word and all(v >= 0 for v in [*word.values(), *scan.values()])
    assert scan["ocr"] > scan["extraction"]  # OCR's time is its own, not counted twice
    assert "各阶段用时" in result.stderr and "OCR" in result.stderr and "启动" in result.stderr
