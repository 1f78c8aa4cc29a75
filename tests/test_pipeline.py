"""The batch pipeline end to end: ordering, receipts, repeats, the kept originals, workers."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import GATE

from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.report import report_line
from ingest.workers import Workers
from minyi import samples

CONTRACT = {"file", "status", "id", "sha256", "format", "pages", "ocr", "text", "title", "submitter",
            "duplicates", "sensitive", "error", "stored_as"}  # fmt: skip
CST = timezone(timedelta(hours=8))


def build_inbox(folder: Path) -> None:
    a, b, c = samples.SAMPLES
    samples.make_docx(folder / "张 建华" / "农村 养老.docx", a.paragraphs())
    samples.make_pdf(folder / "李晓梅 交通.pdf", [b.paragraphs()])
    (folder / "王志强 三资.txt").write_bytes("\r\n".join(c.paragraphs()).encode("gbk"))
    (folder / "转发 副本.docx").write_bytes((folder / "张 建华" / "农村 养老.docx").read_bytes())
    (folder / "坏文件.docx").write_bytes(b"PK\x03\x04broken")
    (folder / "坏文件 副本.docx").write_bytes(b"PK\x03\x04broken")
    (folder / "~$农村 养老.docx").write_bytes(b"lock")


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(folder: Path, data: Path, workers: Workers | None = None, clock=None) -> list[dict]:
    lines: list[dict] = []
    with Registry.open(data / "registry.sqlite3") as registry:
        pipe = Pipeline(registry, data, IngestOptions(), workers or Workers(1))
        pipe.clock = clock or (lambda: datetime(2026, 3, 5, 10, 0, tzinfo=CST))
        pipe.process(folder, on_receipt=lambda r, rec: lines.append(report_line(r, rec, GATE)))
    return lines


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    build_inbox(folder)
    return folder


def test_one_receipt_per_file_in_path_order(inbox: Path, tmp_path: Path) -> None:
    before = snapshot(inbox)
    lines = run(inbox, tmp_path / "data")
    assert snapshot(inbox) == before  # batch mode never touches the folder
    assert [ln["file"] for ln in lines] == sorted(before)
    by_file = {ln["file"]: ln for ln in lines}
    assert all(set(ln) >= CONTRACT for ln in lines)
    docx = by_file["张 建华/农村 养老.docx"]
    assert (docx["status"], docx["id"], docx["format"], docx["pages"]) == (
        "ok",
        "2026-0001",
        "docx",
        1,
    )
    assert docx["title"] == samples.SAMPLES[0].title
    assert docx["submitter"]["name"] == "张建华"
    assert samples.SAMPLES[0].body[0] in docx["text"]
    assert by_file["李晓梅 交通.pdf"]["format"] == "pdf"
    assert by_file["王志强 三资.txt"]["title"] == samples.SAMPLES[2].title
    # Registration order follows the sorted relative paths.
    registered = [(ln["file"], ln["id"]) for ln in lines if ln["disposition"] == "registered"]
    assert registered == [("张 建华/农村 养老.docx", "2026-0001"), ("李晓梅 交通.pdf", "2026-0002"),
                          ("王志强 三资.txt", "2026-0003")]  # fmt: skip


def test_kept_originals_are_exact(inbox: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    for line in run(inbox, data):
        if line["status"] == "ignored":
            assert line["stored_as"] is None
            continue
        original = (inbox / line["file"]).read_bytes()
        assert hashlib.sha256(original).hexdigest() == line["sha256"]
        assert (data / line["stored_as"]).read_bytes() == original


def test_repeats_are_exact_duplicates(inbox: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = {ln["file"]: ln for ln in run(inbox, data)}
    copy = first["转发 副本.docx"]
    assert copy["status"] == "ok" and copy["disposition"] == "duplicate"
    assert copy["id"] == first["张 建华/农村 养老.docx"]["id"]
    assert copy["duplicates"] == [
        {"file": "张 建华/农村 养老.docx", "id": copy["id"], "similarity": 1.0, "kind": "exact"}
    ]
    # A rejected file's copy is rejected for the same reason, never "a duplicate".
    assert first["坏文件 副本.docx"]["status"] == "rejected"
    assert first["坏文件 副本.docx"]["error"].endswith(
        first["坏文件.docx"]["error"].split("：", 1)[1]
    )
    # A second run over the same folder registers nothing new.
    second = {ln["file"]: ln for ln in run(inbox, data)}
    for name, line in second.items():
        if first[name]["status"] == "ok":
            assert line["disposition"] == "duplicate"
            assert line["id"] == first[name]["id"]
            assert line["duplicates"][0]["kind"] == "exact"
        else:
            assert line["status"] == first[name]["status"]
    with Registry.open(data / "registry.sqlite3") as registry:
        assert registry.counts()["registered"] == 3
        assert sum(registry.counts().values()) == 2 * len(first)


def test_report_command_lines_match_batch(inbox: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    batch = run(inbox, data) + run(inbox, data)
    with Registry.open(data / "registry.sqlite3") as registry:
        replayed = [report_line(r, rec, GATE) for r, rec in registry.receipts()]
    assert json.dumps(replayed, ensure_ascii=False) == json.dumps(batch, ensure_ascii=False)
    assert [ln["receipt"] for ln in replayed] == list(range(1, len(batch) + 1))


def test_ids_numbered_per_year(inbox: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(inbox / "张 建华", data, clock=lambda: datetime(2026, 12, 31, 23, 0, tzinfo=CST))
    lines = run(inbox, data, clock=lambda: datetime(2027, 1, 2, 9, 0, tzinfo=CST))
    new = sorted(ln["id"] for ln in lines if ln["disposition"] == "registered")
    assert new == ["2027-0001", "2027-0002"]
    assert all(ln["received_at"] == "2027-01-02T09:00:00+08:00" for ln in lines)


def test_worker_pool_gives_the_same_result(inbox: Path, tmp_path: Path) -> None:
    single = run(inbox, tmp_path / "one")
    with Workers(2) as pool:
        pooled = run(inbox, tmp_path / "two", workers=pool)

    def strip(lines: list[dict]) -> list[dict]:
        return [{k: v for k, v in ln.items() if k != "received_at"} for ln in lines]

    assert strip(pooled) == strip(single)


def test_a_crashing_parser_takes_only_its_file(inbox: Path, tmp_path: Path) -> None:
    samples.make_docx(inbox / "crash me.docx", ["这个文件让解析进程崩溃。"])
    with Workers(2, reader=_crashing_reader()) as pool:
        lines = {ln["file"]: ln for ln in run(inbox, tmp_path / "data", workers=pool)}
    crashed = lines["crash me.docx"]
    assert crashed["status"] == "rejected" and "异常退出" in crashed["error"]
    assert (tmp_path / "data" / crashed["stored_as"]).read_bytes() == (
        inbox / "crash me.docx"
    ).read_bytes()
    assert lines["张 建华/农村 养老.docx"]["status"] == "ok"
    assert lines["李晓梅 交通.pdf"]["status"] == "ok"


def _crashing_reader():
    from crashing_reader import read_or_crash

    return read_or_crash


def test_registry_is_wal_and_versioned(tmp_path: Path) -> None:
    import sqlite3

    Registry.open(tmp_path / "r.sqlite3").close()
    db = sqlite3.connect(tmp_path / "r.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] >= 1
    db.execute("PRAGMA user_version = 999")
    db.commit()
    db.close()
    from common.errors import RegistryError

    with pytest.raises(RegistryError, match="升级"):
        Registry.open(tmp_path / "r.sqlite3")


def test_missing_folder(tmp_path: Path) -> None:
    from common.errors import InputError

    with pytest.raises(InputError, match="找不到文件夹"):
        run(tmp_path / "nope", tmp_path / "data")


def test_own_data_folder_inside_the_folder_is_skipped(inbox: Path) -> None:
    data = inbox / "data"
    first = run(inbox, data)
    second = run(inbox, data)
    assert [ln["file"] for ln in second] == [ln["file"] for ln in first]
    assert not any(ln["file"].startswith("data/") for ln in first + second)


def test_file_vanishing_mid_batch_is_reported_in_chinese(inbox: Path, tmp_path: Path) -> None:
    lines: list[dict] = []
    victim = inbox / "李晓梅 交通.pdf"
    with Registry.open(tmp_path / "data" / "registry.sqlite3") as registry:
        pipe = Pipeline(registry, tmp_path / "data", IngestOptions(), Workers(1))
        pipe.process(inbox, on_start=lambda total: victim.unlink(),
                     on_receipt=lambda r, rec: lines.append(report_line(r, rec, GATE)))  # fmt: skip
    gone = next(ln for ln in lines if ln["file"] == victim.name)
    assert gone["status"] == "rejected"
    assert (
        gone["error"]
        == f"文件「{victim.name}」被拒收：无法读取文件：文件已不存在（可能在处理前被移走或删除）"
    )
    assert sum(ln["status"] == "ok" for ln in lines) == 3


def test_registration_race_with_another_process(inbox: Path, tmp_path: Path) -> None:
    """Another minyi (a watcher) registers the same bytes between our check and our commit."""
    data = tmp_path / "data"
    other = Registry.open(data / "registry.sqlite3")

    def racing_reader(path, rel, options, data_root):  # type: ignore[no-untyped-def]
        from dataclasses import replace as copy

        from ingest.reader import read_file

        result = read_file(path, rel, options, data_root)
        if result.record is not None and rel.endswith("养老.docx"):
            record = copy(result.record, received_at="2026-03-05T09:00:00+08:00",
                          original_name="别处/同一文件.docx")  # fmt: skip
            other.register(record, copy_receipt(rel))
        return result

    lines = run(inbox, data, workers=Workers(1, reader=racing_reader))
    other.close()
    line = next(ln for ln in lines if ln["file"] == "张 建华/农村 养老.docx")
    assert line["disposition"] == "duplicate" and line["id"] == "2026-0001"
    assert line["duplicates"][0]["file"] == "别处/同一文件.docx"


def copy_receipt(rel: str):  # type: ignore[no-untyped-def]
    from ingest.receipt import Disposition, Receipt

    return Receipt(file=rel, source="/elsewhere", received_at="2026-03-05T09:00:00+08:00",
                   disposition=Disposition.REGISTERED)  # fmt: skip


def test_batch_transaction_with_a_failing_member(tmp_path: Path) -> None:
    """Inside Registry.batch each registration is a savepoint: one refused, the rest kept."""
    from ingest.receipt import Disposition, Receipt
    from ingest.record import Format, Page, Record
    from ingest.registry import AlreadyRegisteredError

    def record(sha: str) -> Record:
        return Record(sha256=sha, original_name=f"{sha[:4]}.txt", format=Format.TEXT,
                      pages=(Page(1, "正文"),), text="正文", received_at="2026-03-05T10:00:00+08:00",
                      stored_as="archive/x")  # fmt: skip

    receipt = Receipt(file="f", source="/", received_at="2026-03-05T10:00:00+08:00",
                      disposition=Disposition.REGISTERED)  # fmt: skip
    with Registry.open(tmp_path / "r.sqlite3") as registry:
        registry.register(record("a" * 64), receipt)
        with registry.batch():
            registry.register(record("b" * 64), receipt)
            with pytest.raises(AlreadyRegisteredError):
                registry.register(record("a" * 64), receipt)
            registry.register(record("c" * 64), receipt)
        assert registry.counts() == {"registered": 3}
    with Registry.open(tmp_path / "r.sqlite3") as registry:  # durable after the batch
        assert registry.find_sha256("c" * 64) is not None


def test_pictures_read_first_still_commit_in_order(tmp_path: Path) -> None:
    """Photos and legacy files are handed out first (they take longest); receipts, ids and
    duplicate links come out in the files' order as before — also for a copy of a photo
    that stands, under another name, before the photo in the order."""
    from scans import encode, render

    folder = tmp_path / "in"
    folder.mkdir()
    a, b, c = samples.SAMPLES
    photo = encode(render(samples.page_lines(b)))
    samples.make_docx(folder / "1 文稿.docx", a.paragraphs())
    (folder / "2 照片的副本.pdf").write_bytes(photo)  # (a PNG misnamed: read as a PNG)
    (folder / "3 照片.png").write_bytes(photo)
    samples.make_docx(folder / "4 文稿.docx", c.paragraphs())
    (folder / "5 照片.png").write_bytes(photo)
    with Workers(2) as pool:
        lines = run(folder, tmp_path / "data", workers=pool)
    assert [ln["file"] for ln in lines] == sorted(p.name for p in folder.iterdir())
    assert [ln["id"] for ln in lines] == ["2026-0001", "2026-0002", "2026-0002", "2026-0003",
                                         "2026-0002"]  # fmt: skip
    assert [d["kind"] for ln in lines[2:5:2] for d in ln["duplicates"]] == ["exact", "exact"]
