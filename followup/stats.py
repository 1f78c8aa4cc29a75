"""The yearly (or any period's) figures, computed from the recorded events alone.

Counts by level and kind as offices report them ("X篇被全国政协采用，…"), the
adoption rate, per-person and per-unit tables with points and rank, per-topic
counts and monthly trends. Nothing here is stored: run it again over the same
events and the same figures come out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from followup.events import Adoption, Event, ItemInfo, Kind, Level, Role
from followup.points import PointsTable


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """第一季度 … 第四季度 of ``year``."""
        first = dt.date(year, 3 * quarter - 2, 1)
        following = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return cls(first, following - dt.timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:  # fmt: skip
            return f"{self.start.year}年"
        for quarter in range(1, 5):
            if self == Period.quarter(self.start.year, quarter):
                return f"{self.start.year}年第{'一二三四'[quarter - 1]}季度"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def months(self) -> list[str]:
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(f"{day.year}-{day.month:02d}")
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out


@dataclass
class Row:
    """One person's or unit's line: items, forwarded, adopted, 批示, points, rank."""

    name: str
    items: int = 0
    forwarded: int = 0
    adopted: int = 0
    instructions: int = 0
    points: float = 0.0
    rank: int = 0


@dataclass
class Stats:
    period: Period
    received: int = 0
    published: int = 0
    forwarded: int = 0
    adopted: dict[Level, int] = field(default_factory=dict)  # distinct items per level
    adopted_kind: dict[Adoption, int] = field(default_factory=dict)
    relayed: dict[Level, int] = field(default_factory=dict)  # 转报 to this level
    instructions: dict[Level, int] = field(default_factory=dict)
    principal_instructions: int = 0  # items with a 主要领导 批示 at 县/市/省 level
    replies: int = 0
    outcomes: int = 0
    adopted_items: int = 0
    persons: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    sectors: list[Row] = field(default_factory=list)  # 界别
    parties: list[Row] = field(default_factory=list)  # 党派 (and 工商联)
    topics: dict[str, int] = field(default_factory=dict)
    monthly: list[tuple[str, int, int]] = field(default_factory=list)  # month, received, adopted

    @property
    def adoption_rate(self) -> float | None:
        """Adopted items ÷ forwarded items (None when nothing was forwarded)."""
        return self.adopted_items / self.forwarded if self.forwarded else None

    def sentence(self) -> str:
        """The figures as offices write them in their yearly reports; a clause that would
        say 0 is left out (a report does not list what did not happen)."""
        head = (f"{self.period.label}共收到社情民意信息{self.received}篇，编发{self.published}篇，"
                f"报送{self.forwarded}篇")  # fmt: skip
        clauses = [
            (self.adopted.get(Level.NATIONAL, 0), "篇被全国政协采用"),
            (self.adopted.get(Level.PROVINCE, 0), "篇被省政协采用"),
            (self.adopted.get(Level.CITY, 0), "篇被市政协采用"),
            (self.relayed.get(Level.PROVINCE, 0), "篇被市政协报送省政协"),
            (self.relayed.get(Level.NATIONAL, 0), "篇经省政协报送全国政协"),
            (self.principal_instructions, "篇获省市县主要领导批示"),
        ]
        said = [f"{n}{what}" for n, what in clauses if n]
        return head + ("；其中" + "，".join(said) if said else "") + "。"


def compute(items: Iterable[ItemInfo], events: Iterable[Event], table: PointsTable,
            period: Period) -> Stats:  # fmt: skip
    infos = {item.submission_id: item for item in items}
    happened: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.date in period and event.submission_id in infos:
            happened[event.submission_id].append(event)
    stats = Stats(period)
    stats.received = sum(1 for i in infos.values() if i.received in period)
    _counts(stats, happened)
    _people(stats, infos, happened, table)
    stats.topics = dict(Counter(i.topic or "其他" for i in infos.values() if i.received in period)
                        .most_common())  # fmt: skip
    received = Counter(f"{i.received.year}-{i.received.month:02d}" for i in infos.values())
    adopted = Counter(f"{e.date.year}-{e.date.month:02d}" for evs in happened.values()
                      for e in _first_adoptions(evs))  # fmt: skip
    stats.monthly = [(m, received.get(m, 0), adopted.get(m, 0)) for m in period.months()]
    return stats


def _first_adoptions(events: list[Event]) -> list[Event]:
    adoptions = sorted((e for e in events if e.kind is Kind.ADOPTED), key=lambda e: e.date)
    return adoptions[:1]


def _items_with(happened: dict[str, list[Event]], kind: Kind) -> set[str]:
    return {sid for sid, evs in happened.items() if any(e.kind is kind for e in evs)}


def _counts(stats: Stats, happened: dict[str, list[Event]]) -> None:
    stats.published = len(_items_with(happened, Kind.PUBLISHED))
    # An adopted or relayed item was forwarded, recorded or not: the rate stays ≤ 100 %.
    stats.forwarded = len(_items_with(happened, Kind.FORWARDED) | _items_with(happened, Kind.ADOPTED)
                          | _items_with(happened, Kind.RELAYED))  # fmt: skip
    stats.adopted_items = len(_items_with(happened, Kind.ADOPTED))
    stats.replies = len(_items_with(happened, Kind.REPLY))
    stats.outcomes = len(_items_with(happened, Kind.OUTCOME))
    per_level: dict[str, set[str]] = defaultdict(set)
    for sid, evs in happened.items():
        for e in evs:
            if e.level is None:
                continue
            per_level[f"{e.kind.value}:{e.level.value}"].add(sid)
            if e.kind is Kind.ADOPTED and e.adoption is not None:
                per_level[f"kind:{e.adoption.value}"].add(sid)
    for level in Level:
        stats.adopted[level] = len(per_level[f"采用:{level.value}"])
        stats.relayed[level] = len(per_level[f"转报:{level.value}"])
        stats.instructions[level] = len(per_level[f"批示:{level.value}"])
    for kind in Adoption:
        stats.adopted_kind[kind] = len(per_level[f"kind:{kind.value}"])
    local = (Level.COUNTY, Level.CITY, Level.PROVINCE)
    stats.principal_instructions = sum(
        1 for evs in happened.values()
        if any(e.kind is Kind.INSTRUCTION and e.principal and e.level in local for e in evs)
    )  # fmt: skip


def _people(stats: Stats, infos: dict[str, ItemInfo], happened: dict[str, list[Event]],
            table: PointsTable) -> None:  # fmt: skip
    from followup.points import person_points

    persons: dict[str, Row] = {}
    units: dict[str, Row] = {}
    sectors: dict[str, Row] = {}
    parties: dict[str, Row] = {}
    group_points: dict[int, dict[str, float]] = {id(g): defaultdict(float)
                                                 for g in (units, sectors, parties)}  # fmt: skip
    for sid, info in infos.items():
        evs = happened.get(sid, [])
        if not evs and info.received not in stats.period:
            continue
        kinds = {e.kind for e in evs}
        points = table.item_points(evs)
        counted: set[tuple[int, str]] = set()  # an item counts once per person and unit
        for credit, share in table.shares(info.credits).items():
            for rows, name in ((persons, credit.person), (units, credit.unit),
                               (sectors, credit.sector), (parties, credit.party)):  # fmt: skip
                if not name or (rows is not persons and credit.role is Role.INFORMANT):
                    continue
                if (id(rows), name) in counted:
                    continue
                counted.add((id(rows), name))
                row = rows.setdefault(name, Row(name))
                row.items += 1
                row.forwarded += Kind.FORWARDED in kinds
                row.adopted += Kind.ADOPTED in kinds
                row.instructions += Kind.INSTRUCTION in kinds
            if credit.role is not Role.INFORMANT:
                for rows, name in ((units, credit.unit), (sectors, credit.sector),
                                   (parties, credit.party)):  # fmt: skip
                    if name:
                        group_points[id(rows)][name] += points * share
    totals = person_points(table, ((infos[sid].credits, evs) for sid, evs in happened.items()))
    for name, row in persons.items():
        row.points = round(totals.get(name, 0.0), 2)
    for rows in (units, sectors, parties):
        for name, row in rows.items():
            row.points = round(group_points[id(rows)].get(name, 0.0), 2)
    stats.persons = _ranked(persons.values())
    stats.units = _ranked(units.values())
    stats.sectors = _ranked(sectors.values())
    stats.parties = _ranked(parties.values())


def _ranked(rows: Iterable[Row]) -> list[Row]:
    """Highest points first; equal points share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (-r.points, -r.adopted, r.name))
    for i, row in enumerate(ordered):
        same = i and ordered[i - 1].points == row.points
        row.rank = ordered[i - 1].rank if same else i + 1
    return ordered
