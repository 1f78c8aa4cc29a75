"""Full-text search over the archive: known answers on a generated archive, hostile queries."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import minyi

from common.errors import InputError
from ingest import search
from ingest.options import IngestOptions
from ingest.pipeline import Pipeline
from ingest.registry import Registry
from ingest.registry_search import Filters
from ingest.workers import Workers

FILLER = "这一问题群众反映较多，建议有关部门加强调研，拿出切实可行的办法，逐步加以解决。" * 3

# The archive: file name → text. Each answer below is known from these texts.
ARCHIVE = {
    "01.txt": f"关于白沙河两岸安装路灯的建议\n反映人：张建华（县政协委员）\n{FILLER}\n白沙河两岸近年来人口增加。",
    "02.txt": f"关于城区停车难的建议\n反映人：李晓梅\n{FILLER}\n老城区沿白沙河的道路停车混乱，白沙河桥头尤甚，白沙河边每天拥堵。",
    "03.txt": f"关于严厉打击非法采砂的建议\n反映人：王志强\n{FILLER}\n有人在夜间非法开采河砂，运砂车辆超载。",
    "04.txt": f"关于建设社区养老服务中心的建议\n反映人：欧阳明（民盟××县委员会）\n{FILLER}\n建议在城关镇建设社区养老服务中心。",
    "05.txt": f"關於電動自行車充電難的建議\n反映人：陳立\n{FILLER}\n老舊小區電動自行車充電設施不足，存在火災隱患。",
    "06.txt": f"关于规范ABC培训机构收费的建议\n反映人：周敏（县工商联）\n{FILLER}\n部分ABC培训机构预收费用过高。",
    "07.txt": f"关于农村饮水安全的建议\n反映人：孙丽（民盟××县委员会）\n{FILLER}\n如需核实，请联系13912345678。",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    inbox = folder / "inbox"
    inbox.mkdir()
    for name, text in ARCHIVE.items():
        (inbox / name).write_text(text, encoding="utf-8")
    with Registry.open(folder / "data" / "registry.sqlite3") as registry:
        Pipeline(registry, folder / "data", IngestOptions(), Workers(1)).process(inbox)
    return folder


def found(archive: Path, query: str, filters: Filters | None = None) -> list[str]:
    """The original file names of the hits, best first."""
    with Registry.open(archive / "data" / "registry.sqlite3") as registry:
        hits, total = registry.find(search.parse(query), filters or Filters())
    assert total == len(hits)
    return [h.record.original_name for h in hits]


def test_words_and_shorter_terms_inside_longer_words(archive: Path) -> None:
    assert set(found(archive, "白沙河")) == {"01.txt", "02.txt"}
    assert found(archive, "河砂") == ["03.txt"]  # inside 开采河砂 (jieba: 开采 河砂 or 采河 砂)
    assert found(archive, "养老") == ["04.txt"]  # inside 养老服务中心
    assert found(archive, "服务中心") == ["04.txt"]
    assert found(archive, "沙河两") == ["01.txt"]  # across any word boundary
    assert found(archive, "白沙河路灯") == ["01.txt"]  # two words, not one string


def test_a_title_hit_ranks_first(archive: Path) -> None:
    """02 says 白沙河 three times in its body; 01 has it in its title."""
    assert found(archive, "白沙河")[0] == "01.txt"


def test_traditional_and_full_width_find_their_twins(archive: Path) -> None:
    assert found(archive, "电动自行车") == ["05.txt"]  # written in traditional characters
    assert found(archive, "電動自行車") == ["05.txt"]
    assert found(archive, "養老") == ["04.txt"]
    assert found(archive, "ＡＢＣ") == ["06.txt"]
    assert found(archive, "abc") == ["06.txt"]


def test_names_units_and_all_terms(archive: Path) -> None:
    assert found(archive, "欧阳明") == ["04.txt"]
    assert set(found(archive, "民盟")) == {"04.txt", "07.txt"}
    assert found(archive, "民盟 养老") == ["04.txt"]  # every term must be found
    assert found(archive, "白沙河 河砂") == []
    assert set(found(archive, "建议", Filters(unit="民盟"))) == {"04.txt", "07.txt"}
    assert found(archive, "建议", Filters(submitter="欧阳")) == ["04.txt"]


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "OR", "-", "()", 'a" OR "b', "白沙河 OR",
                                   "NOT 白沙河", "白沙河*", "^白", "{title}: x", "白沙河 -路灯"])  # fmt: skip
def test_fts_syntax_typed_by_a_clerk_is_plain_text(archive: Path, query: str) -> None:
    """Never an SQLite error: what is not a word is a character to look for, or nothing."""
    try:
        result = found(archive, query)
    except InputError as exc:
        assert "请输入要查找的字词" in str(exc)
        return
    if "白沙河" in query:
        assert set(result) <= {"01.txt", "02.txt"}


@pytest.mark.parametrize("query", ["", "   ", "，。！", "\u200b\u200b"])
def test_an_empty_query_is_a_clear_error(query: str) -> None:
    with pytest.raises(InputError, match="请输入要查找的字词"):
        search.parse(query)


def test_a_very_long_query_is_refused() -> None:
    with pytest.raises(InputError, match="过长"):
        search.parse("白沙河" * 100)
    with pytest.raises(InputError, match="过多"):
        search.parse(" ".join(f"词{i}" for i in range(20)))


def test_the_index_is_written_with_the_registration(archive: Path) -> None:
    """One row per submission, in the index the moment it is registered."""
    db = sqlite3.connect(archive / "data" / "registry.sqlite3")
    (indexed,) = db.execute("SELECT COUNT(*) FROM search_index").fetchone()
    (registered,) = db.execute("SELECT COUNT(*) FROM submissions").fetchone()
    assert indexed == registered == len(ARCHIVE)


def test_snippets_mark_the_hits_and_mask_personal_data(archive: Path) -> None:
    lines = [
        json.loads(x)
        for x in minyi(archive, "search", "饮水", "--data", "data", "--json").splitlines()
    ]
    assert len(lines) == 1
    line = lines[0]
    assert set(line) >= {"id", "title", "submitter", "unit", "received_at", "status", "decision",
                         "score", "snippet"}  # fmt: skip
    assert line["decision"] == "pending" and line["submitter"] == "孙丽"
    lines = [
        json.loads(x)
        for x in minyi(archive, "search", "核实", "--data", "data", "--json").splitlines()
    ]
    assert "13912345678" not in lines[0]["snippet"] and "139" in lines[0]["snippet"]
    hits = minyi(archive, "search", "白沙河", "--data", "data", "--json").splitlines()
    first = json.loads(hits[0])
    for start, end in first["highlights"]:
        assert first["snippet"][start:end].replace(" ", "") == "白沙河"


def test_list_filters_and_unknown_values(archive: Path) -> None:
    listed = minyi(archive, "list", "--data", "data", "--json").splitlines()
    assert len(listed) == len(ARCHIVE)
    out = minyi(archive, "list", "--data", "data", "--since", "3月1日", code=4)
    assert "日期「3月1日」格式不对" in out
    out = minyi(archive, "list", "--data", "data", "--decision", "通过", code=4)
    assert "未知的审核决定" in out
    out = minyi(archive, "list", "--data", "data", "--format", "xls", code=4)
    assert "未知的格式" in out
    assert minyi(archive, "list", "--data", "data", "--unpublished", "--json").count("\n") == 7
    assert minyi(archive, "list", "--data", "data", "--published", "--json") == ""


def test_a_rebuild_reads_everything_again(archive: Path) -> None:
    db = sqlite3.connect(archive / "data" / "registry.sqlite3")
    db.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
    db.commit()
    assert found(archive, "白沙河") == []
    assert "全文索引已重建：7 篇" in minyi(archive, "search", "--rebuild", "--data", "data")
    assert set(found(archive, "白沙河")) == {"01.txt", "02.txt"}


def test_a_long_term_is_read_as_words_and_local_words_stay_whole(tmp_path: Path) -> None:
    """白沙河路灯 typed without a space means 白沙河 and 路灯 (jieba alone would cut 白 沙河:
    a lone character is joined to its neighbour); the office's words stay whole."""
    assert search.parse("白沙河路灯").terms == ("白沙河", "路灯")
    assert search.parse('"白沙河路灯"').terms == ("白沙河路灯",)  # quoted: exact
    assert search.parse("沙河两岸").terms == ("沙河两岸",)  # four characters: one phrase
    search.add_words(["东门外村"])
    assert search.parse("东门外村垃圾转运").terms[0] == "东门外村"


def test_an_archive_from_before_search_is_indexed_at_first_search(tmp_path: Path) -> None:
    """A registry of schema 8 (submissions, a release, no index): upgraded, its submitter
    columns filled, its releases the audit log's first entries, and the first search
    rebuilds the index (with a progress bar) before it answers."""
    from ingest.registry import _statements
    from ingest.schema import MIGRATIONS

    path = tmp_path / "data" / "registry.sqlite3"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:8]:
        for statement in _statements(migration):
            db.execute(statement)
    db.execute("PRAGMA user_version = 8")
    submitter = json.dumps({"raw": "反映人：欧阳明（民盟××县委员会）", "name": "欧阳明",
                            "identity": "民盟××县委员会", "unit": None}, ensure_ascii=False)  # fmt: skip
    db.execute(
        "INSERT INTO submissions (id, year, seq, sha256, original_name, received_at, format,"
        " text, title, submitter, status, stored_as) VALUES ('2025-0001', 2025, 1, 'x', 'a.docx',"
        " '2025-06-01T10:00:00+08:00', 'docx', ?, '关于白沙河路灯的建议', ?, 'flagged', 'a')",
        (ARCHIVE["01.txt"], submitter),
    )
    db.execute("INSERT INTO releases VALUES ('2025-0001', '2025-06-02T09:00:00+08:00',"
               " 'quarantined', 'flagged', '经核实非密级')")  # fmt: skip
    db.commit()
    db.close()
    out = minyi(tmp_path, "search", "白沙河", "--json")
    assert "全文索引需要更新" in out and "全文索引已重建：1 篇" in out
    (line,) = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    assert line["id"] == "2025-0001" and line["unit"] == "民盟××县委员会"
    assert json.loads(minyi(tmp_path, "list", "--unit", "民盟", "--json"))["id"] == "2025-0001"
    (entry,) = [json.loads(x) for x in minyi(tmp_path, "log", "--json").splitlines()]
    assert (entry["action"], entry["reason"]) == ("release", "经核实非密级")
    assert "全文索引需要更新" not in minyi(tmp_path, "search", "白沙河")  # (once)
