"""The events of an item's life and the people and units credited with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What happened. The values are the words clerks use (and type on the command line)."""

    PUBLISHED = "编发"
    FORWARDED = "报送"
    ADOPTED = "采用"
    RELAYED = "转报"  # a higher body passed it further up
    INSTRUCTION = "批示"
    REPLY = "办理反馈"
    OUTCOME = "成果转化"
    SATISFACTION = "满意度"


class Level(StrEnum):
    """Who: the body that adopted or relayed it, or the level of a leader's 批示."""

    COUNTY = "县"
    CITY = "市"
    PROVINCE = "省"
    NATIONAL = "全国"  # 全国政协, or for a 批示: 中央
    UNITED_FRONT = "统战部"
    PARTY = "党派"


class Adoption(StrEnum):
    SINGLE = "单篇"  # 单篇采用
    COMBINED = "综合"  # 综合/转送采用


@dataclass(frozen=True)
class Event:
    """One recorded event. Which fields matter depends on the kind."""

    submission_id: str
    kind: Kind
    date: dt.date
    recorded_by: str = ""
    level: Level | None = None
    adoption: Adoption | None = None  # 采用: 单篇 or 综合
    body: str = ""  # 报送/转报: to which body; 采用: the adopting body's name if not by level
    how: str = ""  # 报送: how (报送系统, 邮寄, 专报…)
    leader: str = ""  # 批示
    principal: bool = False  # 批示 by the 主要领导
    text: str = ""  # 批示 text, reply text, outcome, satisfaction
    handler: str = ""  # 批示: 承办单位
    note: str = ""
    document: str = ""  # an attached document, as stored in the data folder
    id: int | None = None
    recorded_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["date"] = self.date.isoformat()
        data["level"] = self.level.value if self.level else None
        data["adoption"] = self.adoption.value if self.adoption else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["kind"] = Kind(values["kind"])
        values["date"] = dt.date.fromisoformat(values["date"])
        values["level"] = Level(values["level"]) if values.get("level") else None
        values["adoption"] = Adoption(values["adoption"]) if values.get("adoption") else None
        values["principal"] = bool(values.get("principal"))
        return cls(**values)


class Role(StrEnum):
    FIRST = "first"  # the first submitter
    COSIGNER = "cosigner"
    INFORMANT = "informant"  # the 信息员 who passed it on


@dataclass(frozen=True)
class Credit:
    """One person (or unit) credited with an item."""

    person: str
    role: Role
    unit: str = ""  # 工作单位, or the submitting organisation
    sector: str = ""  # 界别
    party: str = ""  # 党派 or organisation (民进, 工商联…)


@dataclass(frozen=True)
class ItemInfo:
    """What the statistics need to know about an item besides its events."""

    submission_id: str
    title: str
    received: dt.date
    credits: tuple[Credit, ...] = ()
    topic: str = ""
