"""Duplicates against the archive: re-submissions in other words, excerpts, same-topic items."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import GATE
from dedup_texts import EXCERPT, ORIGINAL, REWORDED, SAME_TOPIC

from ingest.options import DedupParams, IngestOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.report import report_line
from ingest.screening.fold import fold_compact
from ingest.screening.passages import shared_passages
from ingest.workers import Workers
from minyi import samples

CST = timezone(timedelta(hours=8))


def process(folder: Path, data: Path, options: IngestOptions | None = None) -> dict[str, dict]:
    lines: dict[str, dict] = {}
    with Registry.open(data / "registry.sqlite3") as registry:
        pipe = Pipeline(registry, data, options or IngestOptions(), Workers(1),
                        clock=lambda: datetime(2026, 3, 5, 10, tzinfo=CST))  # fmt: skip
        pipe.process(
            folder, on_receipt=lambda r, rec: lines.__setitem__(r.file, report_line(r, rec, GATE))
        )
    return lines


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_reworded_resubmission_and_excerpt_are_near_duplicates(tmp_path: Path) -> None:
    write(tmp_path / "a", "1 原件.txt", ORIGINAL)
    first = process(tmp_path / "a", tmp_path / "data")
    assert (
        first["1 原件.txt"]["duplicates"] == [] and first["1 原件.txt"]["screening"] == "accepted"
    )
    # Later, in another batch: the archive is consulted, not just the batch.
    write(tmp_path / "b", "2 改写.txt", REWORDED)
    write(tmp_path / "b", "3 摘录.txt", EXCERPT)
    write(tmp_path / "b", "4 同题.txt", SAME_TOPIC)
    lines = process(tmp_path / "b", tmp_path / "data")
    reworded = lines["2 改写.txt"]["duplicates"]
    assert [(d["id"], d["kind"], d["relation"]) for d in reworded] == [
        ("2026-0001", "near", "resembles")
    ]
    assert 0.35 <= reworded[0]["similarity"] < 1
    excerpt = lines["3 摘录.txt"]["duplicates"]
    assert {(d["id"], d["relation"]) for d in excerpt} >= {("2026-0001", "contained_in")}
    assert next(d for d in excerpt if d["id"] == "2026-0001")["containment"] >= 0.7
    assert lines["4 同题.txt"]["duplicates"] == []
    assert lines["4 同题.txt"]["screening"] == "accepted"
    assert lines["2 改写.txt"]["status"] == "ok" and lines["2 改写.txt"]["screening"] == "flagged"
    assert lines["2 改写.txt"]["id"] != "2026-0001"  # a near duplicate is still a new submission


def test_the_longer_item_contains_the_earlier_excerpt(tmp_path: Path) -> None:
    write(tmp_path / "a", "摘录.txt", EXCERPT)
    process(tmp_path / "a", tmp_path / "data")
    write(tmp_path / "b", "原件.txt", ORIGINAL)
    found = process(tmp_path / "b", tmp_path / "data")["原件.txt"]["duplicates"]
    assert [(d["id"], d["relation"]) for d in found] == [("2026-0001", "contains")]


def test_passages_point_at_the_same_text_in_both(tmp_path: Path) -> None:
    write(tmp_path / "a", "1.txt", ORIGINAL)
    write(tmp_path / "a", "2.txt", REWORDED)
    line = process(tmp_path / "a", tmp_path / "data")["2.txt"]
    passages = line["duplicates"][0]["passages"]
    assert passages
    for p in passages:
        mine = line["text"][p["start"] : p["end"]]
        theirs = ORIGINAL[p["other_start"] : p["other_end"]]
        assert fold_compact(mine).text == fold_compact(theirs).text
        assert len(fold_compact(mine).text) >= 10
    shared = "依托县职业学校开展养老护理员定向培训"
    assert any(shared in line["text"][p["start"] : p["end"]] for p in passages)


def test_same_content_in_another_format_is_an_exact_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    paragraphs = ORIGINAL.split("\n")
    samples.make_docx(folder / "1 原件.docx", paragraphs)
    # Re-typed as plain text with other spacing and punctuation widths.
    write(folder, "2 另存.txt", "\r\n\r\n".join(p.replace("，", ",") + "  " for p in paragraphs))
    lines = process(folder, tmp_path / "data")
    copy = lines["2 另存.txt"]
    assert copy["disposition"] == "duplicate" and copy["id"] == lines["1 原件.docx"]["id"]
    assert copy["duplicates"] == [
        {"file": "1 原件.docx", "id": copy["id"], "similarity": 1.0, "kind": "exact"}
    ]
    assert copy["stored_as"].endswith(".txt")  # its own bytes are kept too
    assert (tmp_path / "data" / copy["stored_as"]).read_bytes() == (
        folder / "2 另存.txt"
    ).read_bytes()


def test_short_texts_never_match(tmp_path: Path) -> None:
    write(tmp_path / "in", "1.txt", "关于某事的建议\n同意。")
    write(tmp_path / "in", "2.txt", "关于某事的建议\n同意！")
    lines = process(tmp_path / "in", tmp_path / "data")
    assert lines["2.txt"]["disposition"] == "registered" and lines["2.txt"]["duplicates"] == []


def test_index_survives_restart_and_rebuilds_on_new_parameters(tmp_path: Path) -> None:
    write(tmp_path / "a", "1.txt", ORIGINAL)
    process(tmp_path / "a", tmp_path / "data")
    with Registry.open(tmp_path / "data" / "registry.sqlite3") as registry:
        key = registry.index_key()
        assert key is not None and "char5" in key
    write(tmp_path / "b", "2.txt", REWORDED)
    assert process(tmp_path / "b", tmp_path / "data")["2.txt"]["duplicates"][0]["id"] == "2026-0001"
    with Registry.open(tmp_path / "data" / "registry.sqlite3") as registry:
        assert registry.index_key() == key  # reopened, not rebuilt
    other = IngestOptions(dedup=DedupParams(shingle=4, num_perm=96, bands=32), near_threshold=0.3)
    write(tmp_path / "c", "3.txt", REWORDED.replace("民进县支部", "农工党县支部"))
    found = process(tmp_path / "c", tmp_path / "data", other)["3.txt"]["duplicates"]
    assert {d["id"] for d in found} == {"2026-0001", "2026-0002"}
    with Registry.open(tmp_path / "data" / "registry.sqlite3") as registry:
        assert "char4/perm96/bands32" in (registry.index_key() or "")


@pytest.mark.parametrize("a,b", [(ORIGINAL, REWORDED), (ORIGINAL, EXCERPT)])
def test_shared_passages_direct(a: str, b: str) -> None:
    passages = shared_passages(b, a)
    assert passages and all(p.end > p.start and p.other_end > p.other_start for p in passages)
    assert passages == sorted(passages, key=lambda p: -(p.end - p.start))
