"""Follow-through figures over a generated two-year history, against hand-computed values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from common.errors import ConfigError
from followup.events import Adoption, Credit, Event, ItemInfo, Kind, Level, Role
from followup.matching import Verdict, match_titles, normalise
from followup.points import PointsTable
from followup.stats import Period, compute

D = dt.date
ZHANG = Credit("张三", Role.FIRST, "甲单位", "经济界", "民进")
LI = Credit("李四", Role.COSIGNER, "乙单位")
WANG = Credit("王五", Role.FIRST, "丙单位")
ZHAO = Credit("赵六", Role.FIRST, "甲单位")
QIAN = Credit("钱七", Role.INFORMANT, "丁单位")

ITEMS = [
    ItemInfo("2025-0001", "关于加强农村养老服务的建议", D(2025, 3, 1), (ZHANG, LI), "养老社保"),
    ItemInfo("2025-0002", "关于改善城区交通的建议", D(2025, 5, 1), (WANG,), "交通"),
    ItemInfo("2025-0003", "关于发展乡村旅游的建议", D(2025, 12, 20), (ZHAO, QIAN), "经济发展"),
    ItemInfo("2026-0001", "关于学校食堂管理的建议", D(2026, 2, 1), (ZHANG,), "教育"),
    ItemInfo("2026-0002", "关于河道治理的建议", D(2026, 4, 1),
             (WANG, Credit("张三", Role.COSIGNER, "甲单位"), LI), "生态环境"),
]  # fmt: skip


def ev(sid: str, kind: Kind, day: D, level: Level | None = None, **more: object) -> Event:
    return Event(sid, kind, day, "测试", level, **more)  # type: ignore[arg-type]


EVENTS = [
    ev("2025-0001", Kind.PUBLISHED, D(2025, 3, 10)),
    ev("2025-0001", Kind.FORWARDED, D(2025, 3, 15), Level.CITY),
    ev("2025-0001", Kind.ADOPTED, D(2025, 4, 1), Level.CITY, adoption=Adoption.SINGLE),
    ev("2025-0001", Kind.RELAYED, D(2025, 4, 20), Level.PROVINCE),
    ev("2025-0001", Kind.ADOPTED, D(2025, 6, 1), Level.PROVINCE, adoption=Adoption.SINGLE),
    ev("2025-0001", Kind.INSTRUCTION, D(2025, 6, 10), Level.CITY, principal=True, leader="市长"),
    ev("2025-0001", Kind.REPLY, D(2025, 7, 1), text="已落实"),
    ev("2025-0002", Kind.PUBLISHED, D(2025, 5, 5)),
    ev("2025-0002", Kind.FORWARDED, D(2025, 5, 6), Level.CITY),
    ev("2025-0002", Kind.ADOPTED, D(2025, 6, 1), Level.CITY, adoption=Adoption.COMBINED),
    ev("2025-0003", Kind.PUBLISHED, D(2025, 12, 28)),
    ev("2025-0003", Kind.FORWARDED, D(2026, 1, 5), Level.CITY),
    ev("2025-0003", Kind.ADOPTED, D(2026, 3, 1), Level.NATIONAL, adoption=Adoption.SINGLE),
    ev("2025-0003", Kind.INSTRUCTION, D(2026, 3, 15), Level.NATIONAL, leader="中央领导"),
    ev("2026-0001", Kind.PUBLISHED, D(2026, 2, 10)),
    ev("2026-0001", Kind.FORWARDED, D(2026, 2, 11), Level.CITY),
    ev("2026-0002", Kind.PUBLISHED, D(2026, 4, 5)),
    ev("2026-0002", Kind.FORWARDED, D(2026, 4, 6), Level.CITY),
    ev("2026-0002", Kind.ADOPTED, D(2026, 5, 1), Level.PROVINCE, adoption=Adoption.SINGLE),
    ev(
        "2026-0002",
        Kind.INSTRUCTION,
        D(2026, 5, 10),
        Level.COUNTY,
        principal=True,
        leader="县委书记",
    ),
]

OTHER_TABLE = """
[published]
points = 2
[adopted]
"市" = 3
"省" = 10
"全国" = 30
[adopted_combined]
factor = 1.0
[instruction]
"县" = 2
"市" = 8
"全国" = 20
[rules]
accumulate = false
share = "first"
informant = 0.5
cap_per_year = 30
"""


@pytest.fixture
def default() -> PointsTable:
    return PointsTable.load()


@pytest.fixture
def other(tmp_path: Path) -> PointsTable:
    path = tmp_path / "points.toml"
    path.write_text(OTHER_TABLE, encoding="utf-8")
    return PointsTable.load(path)


def points(stats: object) -> dict[str, float]:
    return {row.name: row.points for row in stats.persons}  # type: ignore[attr-defined]


def test_counts_for_2025(default: PointsTable) -> None:
    s = compute(ITEMS, EVENTS, default, Period.year(2025))
    assert (s.received, s.published, s.forwarded, s.adopted_items) == (3, 3, 2, 2)
    assert s.adopted[Level.CITY] == 2 and s.adopted[Level.PROVINCE] == 1
    assert s.adopted[Level.NATIONAL] == 0 and s.relayed[Level.PROVINCE] == 1
    assert s.adopted_kind == {Adoption.SINGLE: 1, Adoption.COMBINED: 1}
    assert s.principal_instructions == 1 and s.replies == 1
    assert s.adoption_rate == 1.0
    # Clauses that would say 0 are left out.
    assert s.sentence() == (
        "2025年共收到社情民意信息3篇，编发3篇，报送2篇；其中1篇被省政协采用，"
        "2篇被市政协采用，1篇被市政协报送省政协，1篇获省市县主要领导批示。"
    )
    quiet = compute(ITEMS, [], default, Period.quarter(2025, 2))
    assert quiet.sentence() == "2025年第二季度共收到社情民意信息1篇，编发0篇，报送0篇。"


def test_points_for_2025_with_the_default_table(default: PointsTable) -> None:
    s = compute(ITEMS, EVENTS, default, Period.year(2025))
    # 2025-0001: 编发 1 + 市采用 5 + 省采用 20 + 市主要领导批示 15 = 41, shared equally by two.
    # 2025-0002: 编发 1 + 市综合采用 5 × 0.5 = 3.5.  2025-0003: 编发 1 (the informant: 0).
    assert points(s) == {"张三": 20.5, "李四": 20.5, "王五": 3.5, "赵六": 1.0, "钱七": 0.0}
    assert [(r.name, r.rank) for r in s.persons][:2] == [("张三", 1), ("李四", 1)]


def test_counts_points_and_ranks_for_2026(default: PointsTable) -> None:
    s = compute(ITEMS, EVENTS, default, Period.year(2026))
    assert (s.received, s.published, s.forwarded, s.adopted_items) == (2, 2, 3, 2)
    assert s.adopted[Level.NATIONAL] == 1 and s.adopted[Level.PROVINCE] == 1
    assert s.principal_instructions == 1  # the 县 principal's; the 中央 one is not 省市县
    assert s.adoption_rate == pytest.approx(2 / 3)
    # 2025-0003 in 2026: 全国采用 50 + 中央领导批示 30 = 80.  2026-0001: 编发 1.
    # 2026-0002: 编发 1 + 省采用 20 + 县主要领导批示 5 = 26, three ways: 8.67 each.
    assert points(s) == {"赵六": 80.0, "张三": 9.67, "李四": 8.67, "王五": 8.67, "钱七": 0.0}
    assert [(r.name, r.rank) for r in s.persons] == [
        ("赵六", 1), ("张三", 2), ("李四", 3), ("王五", 3), ("钱七", 5)]  # fmt: skip
    units = {r.name: r.points for r in s.units}
    assert units == {"甲单位": 89.67, "乙单位": 8.67, "丙单位": 8.67}  # informants' units: none
    assert {r.name: r.items for r in s.units} == {"甲单位": 3, "乙单位": 1, "丙单位": 1}
    assert {r.name: (r.forwarded, r.adopted, r.instructions) for r in s.persons}["张三"] == (
        2,
        1,
        1,
    )
    assert s.monthly[1:5] == [("2026-02", 1, 0), ("2026-03", 0, 1), ("2026-04", 1, 0),
                              ("2026-05", 0, 1)]  # fmt: skip
    assert s.topics == {"教育": 1, "生态环境": 1}


def test_another_table_first_author_highest_level_informants_and_caps(other: PointsTable) -> None:
    s2025 = compute(ITEMS, EVENTS, other, Period.year(2025))
    # 2025-0001: 2 + highest adoption 10 + 市批示 8 (no principal table: the plain one) = 20,
    # all to the first author.  2025-0002: 2 + 3 = 5.  2025-0003: 2, the informant half of it.
    assert points(s2025) == {"张三": 20.0, "李四": 0.0, "王五": 5.0, "赵六": 2.0, "钱七": 1.0}
    s2026 = compute(ITEMS, EVENTS, other, Period.year(2026))
    # 2025-0003: 30 + 20 = 50, capped at 30 a year; the informant 25.  2026-0002: 2 + 10 + 2.
    assert points(s2026) == {"赵六": 30.0, "钱七": 25.0, "王五": 14.0, "张三": 2.0, "李四": 0.0}
    both = compute(ITEMS, EVENTS, other, Period(D(2025, 1, 1), D(2026, 12, 31)))
    assert points(both)["赵六"] == 32.0  # the cap applies per year: 2 + 30


def test_points_table_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(OTHER_TABLE.replace('"市" = 3', '"地区" = 3'), encoding="utf-8")
    with pytest.raises(ConfigError, match="地区"):
        PointsTable.load(bad)
    bad.write_text(OTHER_TABLE.replace('share = "first"', 'share = "all"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="share"):
        PointsTable.load(bad)


TITLES = {
    "2026-0001": "关于加强农村留守老人养老服务的建议",
    "2026-0002": "城区学校周边交通拥堵问题亟待解决",
    "2026-0003": "关于规范农村集体“三资”管理的建议",
    "2026-0004": "关于加强农村留守儿童关爱服务的建议",
    "2026-0005": "关于规范农村集体三资管理的建议",  # the same title as 0003 after normalising
}


def test_title_matching_takes_exact_asks_on_near_misses_and_never_guesses() -> None:
    found = match_titles([
        "《关于加强农村留守老人养老服务的建议》",  # brackets: the same title
        "加强农村留守儿童关爱服务",  # 关于 and 的建议 dropped: the same title
        "城区学校周边交通拥堵问题",  # shortened: a question
        "关于加强农村留守老人服务的建议",  # resembles two items: a question
        "关于规范农村集体三资管理的建议",  # two items with this title: a question
        "关于发展夜间经济的建议",  # nothing like it
    ], TITLES)  # fmt: skip
    verdicts = [m.verdict for m in found]
    assert verdicts == [Verdict.MATCHED, Verdict.MATCHED, Verdict.ASK, Verdict.ASK, Verdict.ASK,
                        Verdict.UNMATCHED]  # fmt: skip
    assert found[0].candidates[0].submission_id == "2026-0001"
    assert found[1].candidates[0].submission_id == "2026-0004"
    assert [c.submission_id for c in found[3].candidates][:2] == ["2026-0001", "2026-0004"]
    assert {c.submission_id for c in found[4].candidates} >= {"2026-0003", "2026-0005"}
    assert normalise("《关于A的建议》") == "A"


def test_event_round_trip() -> None:
    event = EVENTS[5]
    assert Event.from_dict(event.as_dict()) == event
