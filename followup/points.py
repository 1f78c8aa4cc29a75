"""The office's points table (a TOML file) and the points an item and a person earn.

Tables differ from office to office, so every number and rule is data: points
for 编发, for 采用 by level (单篇, with a factor for 综合/转送采用), for 批示 by
the leader's level (主要领导 separately), whether levels accumulate or only the
highest counts, how co-signers share, what a 信息员 earns besides, and a cap per
person and year.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import ConfigError, read_toml
from followup.events import Adoption, Credit, Event, Kind, Level, Role

DEFAULT = Path(__file__).resolve().parent / "templates" / "points.toml"  # shipped in the package
SHARES = ("equal", "first", "first_half")


@dataclass(frozen=True)
class PointsTable:
    published: float = 1.0
    adopted: dict[Level, float] = field(default_factory=dict)
    combined_factor: float = 0.5
    instruction: dict[Level, float] = field(default_factory=dict)
    instruction_principal: dict[Level, float] = field(default_factory=dict)
    accumulate: bool = True
    share: str = "equal"
    informant: float = 0.0
    cap_per_year: float = 0.0  # 0: no cap

    @classmethod
    def load(cls, path: Path | None = None) -> PointsTable:
        path = path or DEFAULT
        data = read_toml(path, "积分表文件")
        try:
            rules = data.get("rules", {})
            table = cls(
                published=float(data["published"]["points"]),
                adopted=_levels(data["adopted"]),
                combined_factor=float(data.get("adopted_combined", {}).get("factor", 1.0)),
                instruction=_levels(data["instruction"]),
                instruction_principal=_levels(data.get("instruction_principal", {})),
                accumulate=bool(rules.get("accumulate", True)),
                share=str(rules.get("share", "equal")),
                informant=float(rules.get("informant", 0.0)),
                cap_per_year=float(rules.get("cap_per_year", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"积分表文件 {path} 缺少或写错了项目：{exc}") from None
        if table.share not in SHARES:
            raise ConfigError(f"积分表文件 {path} 中 share 只能是 {'、'.join(SHARES)}")
        return table

    def item_points(self, events: Iterable[Event]) -> float:
        """Points one item earned from these events (all of one item, in one period)."""
        total = 0.0
        adopted: dict[Level, float] = {}
        for event in events:
            if event.kind is Kind.PUBLISHED:
                total += self.published
            elif event.kind is Kind.ADOPTED and event.level is not None:
                value = self.adopted.get(event.level, 0.0)
                if event.adoption is Adoption.COMBINED:
                    value *= self.combined_factor
                adopted[event.level] = max(adopted.get(event.level, 0.0), value)
            elif event.kind is Kind.INSTRUCTION and event.level is not None:
                table = self.instruction_principal if event.principal else self.instruction
                total += table.get(event.level, self.instruction.get(event.level, 0.0))
        if adopted:
            total += sum(adopted.values()) if self.accumulate else max(adopted.values())
        return total

    def shares(self, credits: tuple[Credit, ...]) -> dict[Credit, float]:
        """Each credited person's share of an item's points (informants on top)."""
        authors = [c for c in credits if c.role is not Role.INFORMANT]
        out: dict[Credit, float] = {}
        if authors:
            first = next((c for c in authors if c.role is Role.FIRST), authors[0])
            others = [c for c in authors if c is not first]
            if self.share == "first" or not others:
                out[first] = 1.0
                out.update({c: 0.0 for c in others})  # credited, without points
            elif self.share == "first_half":
                out[first] = 0.5
                out.update({c: 0.5 / len(others) for c in others})
            else:
                out.update({c: 1.0 / len(authors) for c in authors})
        for informant in (c for c in credits if c.role is Role.INFORMANT):
            out[informant] = out.get(informant, 0.0) + self.informant
        return out

    def capped(self, per_year: dict[tuple[str, int], float]) -> dict[tuple[str, int], float]:
        """Points per (person, year) with the yearly cap applied."""
        if not self.cap_per_year:
            return dict(per_year)
        return {key: min(value, self.cap_per_year) for key, value in per_year.items()}


def _levels(section: dict[str, object]) -> dict[Level, float]:
    out = {}
    for name, value in section.items():
        try:
            level = Level(name)
        except ValueError:
            known = "、".join(level.value for level in Level)
            raise ValueError(f"未知的层级「{name}」（可用：{known}）") from None
        out[level] = float(value)  # type: ignore[arg-type]
    return out


def person_points(table: PointsTable, items: Iterable[tuple[tuple[Credit, ...], list[Event]]],
                  ) -> dict[str, float]:  # fmt: skip
    """Points per person over items (events already limited to the period), capped per year."""
    per_year: dict[tuple[str, int], float] = defaultdict(float)
    for credits, events in items:
        by_year: dict[int, list[Event]] = defaultdict(list)
        for event in events:
            by_year[event.date.year].append(event)
        for year, happened in by_year.items():
            points = table.item_points(happened)
            for credit, share in table.shares(credits).items():
                per_year[(credit.person, year)] += points * share
    totals: dict[str, float] = defaultdict(float)
    for (person, _), value in table.capped(per_year).items():
        totals[person] += value
    return dict(totals)
