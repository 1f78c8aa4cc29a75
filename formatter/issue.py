"""The issue (期) model: what one 《社情民意信息》 issue holds, its numbering and dates.

Pure data. An issue is stored by the app layer as the dict ``Issue.as_dict``
gives; items keep the publication text (possibly edited by the clerk) next to
the id of the submission it came from, whose own text never changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class Series(StrEnum):
    """The numbering series: the regular issues and the 增刊, each numbered per year."""

    REGULAR = "regular"
    SUPPLEMENT = "supplement"

    @property
    def label(self) -> str:
        return "" if self is Series.REGULAR else "增刊"


class SubmitterPlace(StrEnum):
    """Where an item's 反映人 line goes."""

    TITLE = "title"  # under the title
    END = "end"  # bracketed after the body
    NONE = "none"  # omitted


@dataclass(frozen=True)
class Item:
    """One published item: title, 反映人 line and body as they will be printed."""

    submission_id: str
    title: str
    submitter: str  # the 反映人 line's content, without contact details
    contact: str  # phone etc., printed only where the office says so
    body: str  # the publication text, paragraphs separated by newlines
    original_name: str = ""
    source_sha256: str = ""  # the submitted file's SHA-256, as in the registry


@dataclass(frozen=True)
class Issue:
    """One issue (期) with everything its 版头, body and 版记 show."""

    year: int
    number: int
    series: Series = Series.REGULAR
    total_number: int | None = None  # the running 总第M期, if the office counts it
    journal: str = "社情民意信息"
    issued: dt.date | None = None  # the 签发 date; None until it is set
    unit: str = ""  # 编发单位
    mark: str = ""  # 内部资料, or a 密级 such as 秘密★1年
    copy_number: str = ""  # 份号, printed only on classified issues
    foreword: str = ""  # 编者按
    items: tuple[Item, ...] = ()
    report_to: tuple[str, ...] = ()  # 报
    send_to: tuple[str, ...] = ()  # 送
    distribute_to: tuple[str, ...] = ()  # 发
    copies: int = 0  # 共印N份; 0 leaves the line out
    editor: str = ""
    reviewer: str = ""
    signer: str = ""
    print_names: bool = False
    created_at: str = ""
    updated_at: str = ""

    @property
    def label(self) -> str:
        """第3期 or 增刊第1期 — the name the office uses."""
        return f"{self.series.label}第{self.number}期"

    @property
    def classified(self) -> bool:
        return is_classified(self.mark)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["series"] = self.series.value
        data["issued"] = self.issued.isoformat() if self.issued else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Issue:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["series"] = Series(values.get("series", Series.REGULAR))
        issued = values.get("issued")
        values["issued"] = dt.date.fromisoformat(issued) if issued else None
        values["items"] = tuple(Item(**item) for item in values.get("items", ()))
        for name in ("report_to", "send_to", "distribute_to"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


CLASSIFIED_MARKS = ("绝密", "机密", "秘密")


def is_classified(mark: str) -> bool:
    """Whether a header mark is a 密级 (内部资料 is not one)."""
    return any(word in mark for word in CLASSIFIED_MARKS)


def chinese_date(day: dt.date) -> str:
    """2026年3月5日: Arabic numerals, full year, no leading zeros (GB/T 9704)."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class IssueDefaults:
    """Office-wide defaults a new issue starts from (from minyi.toml)."""

    journal: str = "社情民意信息"
    unit: str = ""
    mark: str = ""
    report_to: tuple[str, ...] = ()
    send_to: tuple[str, ...] = ()
    distribute_to: tuple[str, ...] = ()
    copies: int = 0
    editor: str = ""
    reviewer: str = ""
    signer: str = ""
    print_names: bool = False

    def issue(self, year: int, number: int, series: Series, items: tuple[Item, ...],
              total_number: int | None = None) -> Issue:  # fmt: skip
        return Issue(
            year=year, number=number, series=series, total_number=total_number,
            journal=self.journal, unit=self.unit, mark=self.mark, items=items,
            report_to=self.report_to, send_to=self.send_to, distribute_to=self.distribute_to,
            copies=self.copies, editor=self.editor, reviewer=self.reviewer, signer=self.signer,
            print_names=self.print_names,
        )  # fmt: skip
