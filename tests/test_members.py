"""The register of members and units (委员库): import, linking by byline, counting by link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import correct_byline, minyi, propose, received_on

from minyi import samples
from minyi.members import _stands_alone, folded_name, read_register

REGISTER = """姓名,单位,界别,党派,角色
张建华,县人民医院,医药卫生界,九三学社,委员
欧阳明,城关镇中心小学,教育界,民盟,委员
阿依古丽·买买提,县文化馆,文化艺术界,,委员
李晓梅,县民政局,社会福利界,民进,委员
张建化,县农业农村局,农业界,,委员
王五,城关镇政府,,,信息员
县工商联,,经济界,工商联,单位
"""
BODY = ["近年来，我县农村老年人口占比持续上升，养老服务供给不足的问题日益突出。" * 3,
        "建议加大财政投入，完善农村养老服务网络，提高养老护理员待遇。" * 2]  # fmt: skip


def test_names_fold_as_matching_compares_them() -> None:
    assert folded_name("張建華委員") == folded_name("张建华") == "张建华"
    assert folded_name("阿依古丽·买买提") == folded_name("阿依古丽买买提")
    assert folded_name("欧阳 明 同志") == "欧阳明"
    # A register name found in a byline only where it stands as a name.
    assert _stands_alone("张建华", "张建华委员(县人民医院)")
    assert not _stands_alone("王五", "王五村村民")


def test_a_register_is_read_from_csv_and_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "名单.csv"
    path.write_text(REGISTER, encoding="utf-8-sig")
    members = read_register(path)
    assert len(members) == 7 and members[-1]["role"] == "单位"
    book = Workbook()
    for row in REGISTER.strip().splitlines():
        book.active.append(row.split(","))
    book.save(tmp_path / "名单.xlsx")
    assert read_register(tmp_path / "名单.xlsx") == members
    (tmp_path / "坏.csv").write_text("名字,单位\n张三,某局\n", encoding="utf-8")
    with pytest.raises(Exception, match="含“姓名”"):
        read_register(tmp_path / "坏.csv")
    (tmp_path / "角色.csv").write_text("姓名,角色\n张三,主任\n", encoding="utf-8")
    with pytest.raises(Exception, match="角色「主任」"):
        read_register(tmp_path / "角色.csv")


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """Six submissions whose bylines name register members in the forms people write them
    (a title, traditional characters, no middle dot), one name a character off two members
    (张建桦: 张建华 or 张建化?) and one stranger; all issued in one issue and adopted by the
    city."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    bylines = ["反映人：张建华委员（县人民医院）", "反映人：歐陽明（民盟）", "反映人：阿依古丽买买提",
               "反映人：李晓梅（县民政局）", "反映人：张建桦", "反映人：赵无名"]  # fmt: skip
    for n, byline in enumerate(bylines, start=1):
        samples.make_docx(inbox / f"{n}.docx", [f"关于第{n}件事的建议", byline, *BODY])
    (tmp_path / "minyi.toml").write_text(
        'issue_unit = "政协某某县委员会办公室"\n', encoding="utf-8"
    )
    (tmp_path / "名单.csv").write_text(REGISTER, encoding="utf-8")
    minyi(tmp_path, "process", "inbox")
    received_on(tmp_path, "2026-01-05")
    ids = [f"2026-{n:04d}" for n in range(1, 7)]
    propose(tmp_path, *ids)
    minyi(tmp_path, "issue", "new", "--items", *ids, "--date", "2026-03-05", "--year", "2026")
    minyi(tmp_path, "issue", "sign", "1", "--by", "张主任", "--year", "2026")
    minyi(tmp_path, "issue", "render", "1", "--no-pdf", "--year", "2026")
    minyi(tmp_path, "track", "add", *ids, "--kind", "采用", "--level", "市", "--date", "2026-04-01")
    return tmp_path


def _persons(office: Path) -> dict[str, float]:
    from openpyxl import load_workbook

    minyi(office, "stats", "--year", "2026", "--xlsx", "统计.xlsx")
    rows = list(load_workbook(office / "统计.xlsx")["个人排名"].iter_rows(values_only=True))[1:]
    return {r[1]: r[-1] for r in rows}


def test_bylines_link_to_the_register_exactly_or_by_asking(office: Path) -> None:
    before = _persons(office)
    assert "赵无名" in before  # without a register, every 反映人 counts
    minyi(office, "member", "import", "名单.csv")
    out = minyi(office, "member", "match", "--yes")
    # 张建华委员, 歐陽明 (traditional), 阿依古丽买买提 (no middle dot), 李晓梅: linked at once.
    assert "已对应 4 篇" in out and "1 篇近似未对应" in out and "1 篇的反映人不在委员库中" in out
    unknown = minyi(office, "member", "unknown")
    assert "赵无名" in unknown and "张建桦（有近似）" in unknown
    # 张建桦 is one character off two members: asked, never guessed.
    out = minyi(office, "member", "match", input="2\n")
    assert "张建桦" in out and "1. 张建华" in out and "2. 张建化" in out and "已对应 1 篇" in out
    persons = _persons(office)
    # Only linked people count: 编发 1 + 市采用 5 = 6 each; the stranger not at all.
    assert persons == {"张建华": 6, "欧阳明": 6, "阿依古丽·买买提": 6, "李晓梅": 6, "张建化": 6}
    log = [json.loads(x) for x in minyi(office, "log", "2026-0002", "--json").splitlines()]
    assert log[-1]["action"] == "member.link" and "欧阳明" in log[-1]["detail"]["what"]


def test_relinking_moves_the_points_and_breakdowns_follow(office: Path) -> None:
    minyi(office, "member", "import", "名单.csv")
    minyi(office, "member", "match", "--yes")
    listed = minyi(office, "member", "list", env={"COLUMNS": "200"})
    jianhua = next(line.split()[1] for line in listed.splitlines() if "张建化" in line)
    # 2026-0001 was 张建华's; it was really 张建化's.
    minyi(office, "member", "link", "2026-0001", jianhua.strip("│ "))
    persons = _persons(office)
    assert "张建华" not in persons and persons["张建化"] == 6
    out = minyi(office, "stats", "--year", "2026", env={"COLUMNS": "200"})
    assert "界别排名" in out and "民盟" in out and "农业界" in out
    out = minyi(office, "member", "link", "2026-0001", "999", code=4)
    assert "没有编号为 999 的人" in out
    # Edited from the CLI: 张建化 joins a party; his row in the register says so.
    out = minyi(office, "member", "add", "张建化", "--unit", "县农业农村局", "--party", "农工党",
                "--sector", "农业界")  # fmt: skip
    assert "已更新" in out
    assert "农工党" in minyi(office, "member", "list", env={"COLUMNS": "200"})
    assert "已添加" in minyi(office, "member", "add", "赵无名", "--unit", "县水利局")
    out = minyi(office, "member", "match", "--yes")
    assert "已对应 1 篇" in out  # the stranger of 2026-0006 is in the register now


SURNAMES = "张陈刘杨赵黄周吴徐孙"
GIVEN = ["建华", "国强", "晓军", "丽华", "志刚", "海燕"]
TRADITIONAL = str.maketrans("张陈刘杨赵黄华国强军丽刚海燕", "張陳劉楊趙黃華國強軍麗剛海燕")
UNITS = ["县人民医院", "城关镇中心小学", "县农业农村局", "县工商联", "民盟××县委员会",
         "县文化馆", "县水利局", "县第一中学"]  # fmt: skip
SECTORS = ["医药卫生界", "教育界", "农业界", "经济界"]
PARTIES = ["九三学社", "民盟", "", "民进"]


def test_a_two_year_history_is_ranked_by_the_register(tmp_path: Path) -> None:
    """30 people in 8 units; 48 submissions over two years whose bylines write the names as
    people do (a title, a unit, traditional characters); every linked item issued, a third
    adopted by the city. Each person's points, computed here item by item, are the ranking."""
    people = [(f"{SURNAMES[i % 10]}{GIVEN[i // 10 * 2 + i % 2]}", UNITS[i % 8]) for i in range(30)]
    assert len({name for name, _ in people}) == 30
    lines = ["姓名,单位,界别,党派,角色"] + [
        f"{name},{unit},{SECTORS[i % 4]},{PARTIES[i % 4]},委员" for i, (name, unit) in enumerate(people)
    ]  # fmt: skip
    (tmp_path / "名单.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "minyi.toml").write_text(
        'issue_unit = "政协某某县委员会办公室"\n', encoding="utf-8"
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    plan = []  # (file, person, year, adopted)
    for n in range(48):
        name, unit = people[(n * 7) % 30]
        byline = [f"反映人：{name}委员", f"反映人：{name.translate(TRADITIONAL)}",
                  f"反映人：{name}（{unit}）"][n % 3]  # fmt: skip
        year = 2025 if n < 24 else 2026
        (inbox / f"{n:02d}.txt").write_text(
            f"关于第{n}件民生事项的建议\n{byline}\n"
            + "这一问题群众反映较多，建议有关部门认真研究解决。" * 6,
            encoding="utf-8",
        )
        plan.append((f"{n:02d}.txt", name, year, n % 3 == 0))
    minyi(tmp_path, "process", "inbox", "--report", "r.jsonl")
    ids = {json.loads(x)["file"]: json.loads(x)["id"]
           for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()}  # fmt: skip
    import sqlite3

    db = sqlite3.connect(tmp_path / "data" / "registry.sqlite3")
    with db:
        for file, _, year, _ in plan:
            db.execute("UPDATE submissions SET received_at = ? || substr(received_at, 11)"
                       " WHERE id = ?", (f"{year}-02-01", ids[file]))  # fmt: skip
    db.close()
    minyi(tmp_path, "member", "import", "名单.csv")
    out = minyi(tmp_path, "member", "match", "--yes")
    assert "已对应 48 篇" in out, out
    for year in (2025, 2026):
        chosen = [ids[f] for f, _, y, _ in plan if y == year]
        propose(tmp_path, *chosen)
        minyi(tmp_path, "issue", "new", "--items", *chosen, "--year", str(year), "--date",
              f"{year}-03-01")  # fmt: skip
        minyi(tmp_path, "issue", "sign", "1", "--by", "张主任", "--year", str(year))
        minyi(tmp_path, "issue", "render", "1", "--no-pdf", "--year", str(year))
        adopted = [ids[f] for f, _, y, a in plan if y == year and a]
        minyi(tmp_path, "track", "add", *adopted, "--kind", "采用", "--level", "市", "--date",
              f"{year}-04-01")  # fmt: skip
    from openpyxl import load_workbook

    for year in (2025, 2026):
        expected: dict[str, float] = {}
        for _, name, y, adopted in plan:
            if y == year:  # 编发 1, and 市采用 5 more
                expected[name] = expected.get(name, 0) + 1 + (5 if adopted else 0)
        minyi(tmp_path, "stats", "--year", str(year), "--xlsx", f"{year}.xlsx")
        book = load_workbook(tmp_path / f"{year}.xlsx")
        ranked = {r[1]: r[-1] for r in list(book["个人排名"].iter_rows(values_only=True))[1:]}
        assert ranked == expected
        sectors = {r[1] for r in list(book["界别分布"].iter_rows(values_only=True))[1:]}
        assert sectors <= set(SECTORS) and sectors


def test_a_corrected_byline_is_linked_to_its_member(office: Path) -> None:
    minyi(office, "member", "import", "名单.csv")
    minyi(office, "member", "match", "--yes")
    out = correct_byline(office, "2026-0001", "反映人：张建化委员（县农业农村局）")
    assert "计分对象已随改动改为委员库中的 张建化" in out
    persons = _persons(office)
    assert "张建华" not in persons and persons["张建化"] == 6
