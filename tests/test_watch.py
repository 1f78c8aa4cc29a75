"""The watcher as a real process over a real inbox: drops, folders, slow writes, kill -9."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from minyi import samples

FAST = {
    "MINYI_SETTLE_SECONDS": "0.4",
    "MINYI_SETTLE_CLOSED_SECONDS": "0.2",
    "MINYI_RESCAN_SECONDS": "2",
    "MINYI_POLL_SECONDS": "0.3",
    "MINYI_INCOMPLETE_SECONDS": "4",
}


def start(root: Path, **env: str) -> subprocess.Popen[str]:
    (root / "inbox").mkdir(exist_ok=True)
    log = root / "watch.out"
    offset = log.stat().st_size if log.exists() else 0
    output = open(log, "a", encoding="utf-8")  # noqa: SIM115 - the child holds it
    process = subprocess.Popen(
        [sys.executable, "-m", "minyi", "watch", "--inbox", "inbox", "--outbox", "outbox",
         "--data", "data"],
        cwd=root, env={**os.environ, **FAST, **env}, stdout=output, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    process.log_offset = offset  # type: ignore[attr-defined]
    return process


def stop(process: subprocess.Popen[str], root: Path) -> str:
    """SIGTERM, as systemd sends: the watcher finishes its work and exits cleanly."""
    offset = process.log_offset  # type: ignore[attr-defined]
    wait_until(
        lambda: "正在监视" in (root / "watch.out").read_bytes()[offset:].decode()
    )  # it is up
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    out = (root / "watch.out").read_text(encoding="utf-8")
    assert process.returncode == 0, out
    assert "已停止监视" in out
    return out


def power_off(process: subprocess.Popen[str]) -> None:
    """kill -9 of the watcher and its workers at once, as a power cut would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def slips(root: Path) -> dict[str, dict]:
    folder = root / "outbox" / "回执"
    if not folder.exists():
        return {}
    found = {}
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["file"]] = data
    return found


def text_file(n: int) -> bytes:
    return f"关于第{n}号事项的建议\n反映人：信息员{n}\n正文第{n}段：建议有关部门抓紧研究解决。".encode()


def pending(root: Path) -> list[Path]:
    return [p for p in (root / "inbox").rglob("*") if p.is_file()]


def test_drops_duplicates_slow_writes_and_removals(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "启动前就在.txt").write_bytes(text_file(0))  # there before the start
    watcher = start(tmp_path)
    try:
        wait_until(lambda: "启动前就在.txt" in slips(tmp_path))
        (tmp_path / "inbox" / "一.txt").write_bytes(text_file(1))
        wait_until(lambda: "一.txt" in slips(tmp_path))
        (tmp_path / "inbox" / "一 副本.txt").write_bytes(text_file(1))  # the same file again
        wait_until(lambda: "一 副本.txt" in slips(tmp_path))
        # A .docx copied slowly, in bursts longer than the settle time.
        data = samples.make_docx(
            tmp_path / "stage.docx", samples.SAMPLES[0].paragraphs()
        ).read_bytes()
        target = tmp_path / "inbox" / "慢慢复制.docx"
        step = len(data) // 4 + 1
        with open(target, "wb") as fh:
            for start_at in range(0, len(data) - step, step):
                fh.write(data[start_at : start_at + step])
                fh.flush()
                time.sleep(0.9)
                assert "慢慢复制.docx" not in slips(tmp_path)  # never taken half-written
            fh.write(data[start_at + step :])
        # A file removed before it settles leaves no trace.
        (tmp_path / "inbox" / "删了.txt").write_bytes(text_file(9))
        (tmp_path / "inbox" / "删了.txt").unlink()
        (tmp_path / "inbox" / "~$锁文件.docx").write_bytes(b"lock")
        wait_until(lambda: "慢慢复制.docx" in slips(tmp_path))
        time.sleep(1.5)
    finally:
        out = stop(watcher, tmp_path)
    found = slips(tmp_path)
    assert set(found) == {"启动前就在.txt", "一.txt", "一 副本.txt", "慢慢复制.docx"}, out
    assert found["一 副本.txt"]["disposition"] == "duplicate"
    assert found["一 副本.txt"]["duplicates"][0]["file"] == "一.txt"
    assert found["慢慢复制.docx"]["status"] == "ok"
    assert found["慢慢复制.docx"]["title"] == samples.SAMPLES[0].title
    assert [p.name for p in pending(tmp_path)] == ["~$锁文件.docx"]  # ignored, left alone
    text = next((tmp_path / "outbox" / "回执").glob("*一_副本.txt")).read_text(encoding="utf-8")
    assert "重复件" in text and "下一步" in text
    assert (tmp_path / "data" / "logs" / "watch.log").exists()
    status = subprocess.run([sys.executable, "-m", "minyi", "status", "--data", "data"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert status.returncode == 0 and "未运行" in status.stdout and "今日完成" in status.stdout


@pytest.mark.parametrize("mode", ["events", "polling"])
def test_a_folder_of_many_files_moved_in(tmp_path: Path, mode: str) -> None:
    count = 500 if mode == "events" else 60
    stage = tmp_path / "批量" / "十一月"
    stage.mkdir(parents=True)
    for n in range(count):
        (stage / f"{n:03d}.txt").write_bytes(text_file(n))
    watcher = start(tmp_path, MINYI_WATCH_MODE=mode)
    try:
        time.sleep(1)
        os.rename(tmp_path / "批量", tmp_path / "inbox" / "批量")  # moved in as a whole
        wait_until(lambda: len(slips(tmp_path)) == count, timeout=180)
        wait_until(lambda: not (tmp_path / "inbox" / "批量").exists(), timeout=30)
    finally:
        stop(watcher, tmp_path)
    found = slips(tmp_path)
    assert {k: v["disposition"] for k, v in found.items() if v["disposition"] != "registered"} == {}
    assert found["批量/十一月/007.txt"]["title"] == "关于第7号事项的建议"


def test_kill_9_at_random_points_loses_and_repeats_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261126)
    originals: dict[str, str] = {}
    n = 0
    for _ in range(5):
        for _ in range(25):
            name = f"第{n:03d}件.txt" if n % 5 else f"第{n:03d}件.docx"
            path = tmp_path / "inbox" / name
            path.parent.mkdir(exist_ok=True)
            if name.endswith(".docx"):
                samples.make_docx(path, [f"关于第{n}号事项的建议", f"正文{n}：建议尽快解决。"])
            else:
                path.write_bytes(text_file(n))
            originals[name] = hashlib.sha256(path.read_bytes()).hexdigest()
            n += 1
        watcher = start(tmp_path)
        time.sleep(rng.uniform(0.5, 3.0))
        power_off(watcher)  # kill -9: no chance to clean up
    watcher = start(tmp_path)
    try:
        wait_until(lambda: not pending(tmp_path), timeout=180)
        wait_until(lambda: len(slips(tmp_path)) == len(originals), timeout=60)
    finally:
        stop(watcher, tmp_path)
    db = sqlite3.connect(tmp_path / "data" / "registry.sqlite3")
    registered = dict(db.execute("SELECT original_name, sha256 FROM submissions").fetchall())
    assert registered == originals  # every input registered exactly once, none twice
    receipts = db.execute("SELECT file, COUNT(*) FROM receipts GROUP BY file").fetchall()
    assert {file for file, _ in receipts} == set(originals)
    assert all(count == 1 for _, count in receipts)  # and receipted exactly once
    assert db.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0  # nothing stranded
    for name, sha in originals.items():
        stored = db.execute(
            "SELECT stored_as FROM submissions WHERE sha256 = ?", (sha,)
        ).fetchone()[0]
        kept = (tmp_path / "data" / stored).read_bytes()
        assert hashlib.sha256(kept).hexdigest() == sha, name  # kept byte for byte


def test_a_slow_scan_does_not_hold_up_text_files(tmp_path: Path) -> None:
    if samples.cjk_font() is None:
        pytest.skip("no CJK font to draw a scan with")
    stage = tmp_path / "stage"
    stage.mkdir()
    samples.render_page(samples.page_lines()).save(stage / "0扫描件.png")
    for n in range(1, 4):
        (stage / f"{n}文字.txt").write_bytes(text_file(n))
    watcher = start(tmp_path)
    try:
        time.sleep(1)
        for path in sorted(stage.iterdir()):  # the scan first
            os.rename(path, tmp_path / "inbox" / path.name)
        wait_until(lambda: len(slips(tmp_path)) == 4, timeout=120)
    finally:
        stop(watcher, tmp_path)
    found = slips(tmp_path)
    scan_receipt = found["0扫描件.png"]["receipt"]
    assert found["0扫描件.png"]["ocr"] is True
    assert all(found[f"{n}文字.txt"]["receipt"] < scan_receipt for n in range(1, 4))


def test_receipts_carry_no_personal_data_and_never_repeat_a_mark(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    personal = ("关于加强农村供水管护的建议\n反映人：李四 联系电话13812345678\n"
                "群众身份证号320102 19900307 1239被冒用。建议加强管理。")  # fmt: skip
    (tmp_path / "inbox" / "个人信息.txt").write_text(personal, encoding="utf-8")
    secret = "机\u200b密★1年\n关于某项工作的情况报告\n反映人：赵六\n正文。"
    (tmp_path / "inbox" / "机密★1年 通知\x1b[2J.txt").write_text(secret, encoding="utf-8")
    watcher = start(tmp_path)
    try:
        wait_until(lambda: len(slips(tmp_path)) == 2)
    finally:
        stop(watcher, tmp_path)
    folder = tmp_path / "outbox" / "回执"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 4 and not any("机密" in n or "\x1b" in n for n in names), names
    for path in folder.iterdir():
        content = path.read_text(encoding="utf-8")
        assert "13812345678" not in content and "19900307" not in content, path
        assert "机密" not in content.replace("\u200b", "") and "\x1b" not in content, path
    found = slips(tmp_path)
    assert found["个人信息.txt"]["submitter"]["phone"] == "138****5678"
    assert "3201** ******** 1239被冒用" in found["个人信息.txt"]["text"]
    quarantined = next(v for k, v in found.items() if k != "个人信息.txt")
    assert quarantined["text"] is None and quarantined["text_withheld"] is True
    text = next(folder.glob("*个人信息.txt")).read_text(encoding="utf-8")
    assert "联系电话138****5678" in text and "身份证号 3201** ******** 1239" in text
