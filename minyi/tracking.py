"""The follow-through workflow, wiring the registry (ingest) to ``followup``.

Events are recorded through here (with who recorded them and, if given, a copy
of an attached document kept in the data folder); 编发 events are derived from
the issues, never stored twice; credits come from the 反映人 unless the office
set them; statistics are computed from all of that each time they are asked for.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from common.errors import InputError, describe_os_error, read_toml
from followup.events import Credit, Event, ItemInfo, Kind, Role
from followup.points import PointsTable
from followup.stats import Period, Stats, compute
from followup.workbook import RegisterRow
from ingest.archive import atomic_write
from ingest.reader import sha256_file
from ingest.registry import Registry
from ingest.review import Decision
from minyi.settings import Settings

if TYPE_CHECKING:
    from formatter.bulletin import BulletinFigures

PARTIES = ("民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟", "工商联", "无党派")
TOPICS_DEFAULT = Path(__file__).resolve().parent / "templates" / "topics.toml"  # in the package


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def clerk(settings: Settings, given: str | None) -> str:
    if given:
        return given
    if settings.clerk:
        return settings.clerk
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def keep_document(settings: Settings, path: Path) -> str:
    """A copy of an attached document in the data folder; returns its relative path."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"无法读取附件「{path}」：{exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    relative = Path("attachments") / digest[:2] / f"{digest}{path.suffix.lower()}"
    target = settings.data_dir / relative
    # Written whole or not at all (temporary name, fsync, rename); a copy already there
    # under this name is trusted only if its content still has that hash (a copy cut
    # short by a power cut in an older version would otherwise be kept for ever).
    if not target.exists() or sha256_file(target)[0] != digest:
        try:
            atomic_write(target, lambda out: out.write(data))
        except OSError as exc:
            raise InputError(f"无法把附件保存到数据目录：{describe_os_error(exc)}") from None
    return relative.as_posix()


def record(registry: Registry, events: list[Event], force: bool = False,
           today: dt.date | None = None) -> list[int]:  # fmt: skip
    """Store events after checking them (``check``); all of them, or none."""
    known = {s["id"] for s in registry.submissions_brief()}
    missing = sorted({e.submission_id for e in events} - known)
    if missing:
        raise InputError(f"登记库中没有编号为 {'、'.join(missing)} 的稿件")
    problems = check(registry, events, today or dt.date.today(), force)
    if problems:
        listed = "\n".join(f"  · {p}" for p in problems)
        raise InputError(f"没有记录（以下问题须先改正）：\n{listed}")
    with registry.batch():
        ids = registry.add_events([e.as_dict() for e in events], now())
        for event, event_id in zip(events, ids, strict=True):
            registry.audit("track.add", event.recorded_by or "（未记录）", now(),
                           event.submission_id, detail={"event": event_id,
                           "kind": event.kind.value, "date": event.date.isoformat()})  # fmt: skip
        return ids


def check(registry: Registry, events: list[Event], today: dt.date,
          force: bool = False) -> list[str]:  # fmt: skip
    """What is wrong with events about to be recorded, as sentences: a date in the future,
    before the item was received or before it was issued (印发), a 批示 without its leader,
    the same event recorded already (unless ``force``: a second 报送 of the same item to
    the same body on the same day does happen)."""
    problems = []
    stored = {}
    received = {str(b["id"]): dt.date.fromisoformat(str(b["received_at"])[:10])
                for b in registry.submissions_brief()}  # fmt: skip
    issued: dict[str, dt.date] = {}
    for event in events:
        if event.submission_id not in stored:
            stored[event.submission_id] = [Event.from_dict(e)
                                           for e in registry.events(event.submission_id)]  # fmt: skip
            days = [e.date for e in published_events(registry, event.submission_id)
                    if e.submission_id == event.submission_id]  # fmt: skip
            if days:
                issued[event.submission_id] = min(days)
    seen: set[tuple[object, ...]] = set()
    for event in events:
        sid = event.submission_id
        if event.date > today:
            problems.append(f"{sid}：日期 {event.date} 在今天（{today}）之后")
        elif event.date < received[sid]:
            problems.append(f"{sid}：日期 {event.date} 早于收到这篇稿件的日期（{received[sid]}）")
        elif sid in issued and event.date < issued[sid]:
            problems.append(f"{sid}：日期 {event.date} 早于它的印发日期（{issued[sid]}）")
        if event.kind is Kind.INSTRUCTION and not event.leader.strip():
            problems.append(f"{sid}：记录批示须写明批示领导（--leader）")
        key = (sid, event.kind, event.level, event.body.strip(), event.date, event.leader.strip())
        again = key in seen or any(
            (e.submission_id, e.kind, e.level, e.body.strip(), e.date, e.leader.strip()) == key
            for e in stored[sid]
        )
        seen.add(key)
        if again and not force:
            problems.append(f"{sid}：同一天的“{event.kind.value}”已记录过；确是另一次请加 --force")
    return problems


def published_events(registry: Registry, submission_id: str | None = None) -> list[Event]:
    """编发 events, one per item of every issue issued (印发) (or of those holding one
    item), dated by the issue's 签发 date."""
    if submission_id is None:
        issues = registry.issues()
    else:
        found = (registry.issue(*key) for key in registry.issues_with(submission_id))
        issues = [data for data in found if data is not None]
    out = []
    for data in issues:
        if data.get("state") != "issued":
            continue  # a draft, a signed issue not yet printed, a void one: nothing published
        issued = data.get("issued") or (data.get("created_at") or "")[:10]
        if not issued:
            continue
        label = ("增刊" if data.get("series") == "supplement" else "") + f"第{data['number']}期"
        for item in data.get("items", []):
            out.append(Event(item["submission_id"], Kind.PUBLISHED, dt.date.fromisoformat(issued),
                             note=f"{data['year']}年{label}"))  # fmt: skip
    return out


def history(registry: Registry, submission_id: str | None = None) -> list[Event]:
    """Recorded and derived events, by date."""
    stored = [Event.from_dict(e) for e in registry.events(submission_id)]
    derived = [e for e in published_events(registry, submission_id)
               if submission_id is None or e.submission_id == submission_id]  # fmt: skip
    return sorted(stored + derived, key=lambda e: (e.date, e.kind is not Kind.PUBLISHED))


def credits_of(brief: dict[str, object], stored: list[dict[str, str]] | None,
               registered: bool = False) -> tuple[Credit, ...]:  # fmt: skip
    """The office's own credits (set by hand, or a link to the register) if any; else the
    反映人 as first and co-signers — unless the office keeps a register: then none."""
    if stored:
        return tuple(Credit(c["person"], Role(c["role"]), c.get("unit", ""), c.get("sector", ""),
                            c.get("party", "")) for c in stored)  # fmt: skip
    if registered:
        return ()
    submitter = brief.get("submitter")
    if not isinstance(submitter, dict):
        return ()
    identity = submitter.get("identity") or ""
    unit = submitter.get("unit") or ""
    party = next((p for p in PARTIES if p in f"{identity}{unit}{submitter.get('raw', '')}"), "")
    name = submitter.get("name") or unit or party
    if not name:
        return ()
    first = Credit(name, Role.FIRST, unit or party, "", party)
    return (first, *(Credit(n, Role.COSIGNER, "", "", "") for n in submitter.get("cosigners", [])))


@dataclass(frozen=True)
class Topics:
    groups: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path | None) -> Topics:
        path = path or TOPICS_DEFAULT
        data = read_toml(path, "分类表")
        return cls({name: tuple(words) for name, words in data.get("topics", {}).items()})

    def of(self, title: str) -> str:
        for name, words in self.groups.items():
            if any(word in title for word in words):
                return name
        return "其他"


def items(registry: Registry, settings: Settings) -> list[ItemInfo]:
    topics = Topics.load(settings.topics_table)
    stored = registry.credits()
    # An office that keeps a register (委员库) counts only the people and units linked to it.
    registered = bool(registry.members())
    out = []
    for brief in registry.submissions_brief():
        if brief["superseded_by"] or brief["decision"] == "void":
            continue  # a revision counts once (as the 修改稿); a voided one not at all
        title = str(brief["title"] or "")
        out.append(ItemInfo(str(brief["id"]), title,
                            dt.date.fromisoformat(str(brief["received_at"])[:10]),
                            credits_of(brief, stored.get(str(brief["id"])), registered),
                            topics.of(title)))  # fmt: skip
    return out


def statistics(registry: Registry, settings: Settings, period: Period) -> Stats:
    table = PointsTable.load(settings.points_table)
    return compute(items(registry, settings), history(registry), table, period)


@dataclass(frozen=True)
class Waiting:
    submission_id: str
    title: str
    reason: str
    since: dt.date
    days: int


def waiting(registry: Registry, days: int, today: dt.date | None = None) -> list[Waiting]:
    """Forwarded with no answer after ``days`` days; 批示 without a 办理反馈."""
    today = today or dt.date.today()
    titles = {str(b["id"]): str(b["title"] or "") for b in registry.submissions_brief()}
    by_item: dict[str, list[Event]] = {}
    for event in history(registry):
        by_item.setdefault(event.submission_id, []).append(event)
    out = []
    for sid, events in by_item.items():
        forwarded = [e for e in events if e.kind is Kind.FORWARDED]
        answered = any(e.kind in (Kind.ADOPTED, Kind.RELAYED, Kind.INSTRUCTION) for e in events
                       if forwarded and e.date >= forwarded[-1].date)  # fmt: skip
        if forwarded and not answered and (today - forwarded[-1].date).days >= days:
            target = forwarded[-1].body or (forwarded[-1].level or "")
            out.append(Waiting(sid, titles.get(sid, ""), f"已报送{target}，尚无采用结果",
                               forwarded[-1].date, max(0, (today - forwarded[-1].date).days)))  # fmt: skip
        for instruction in (e for e in events if e.kind is Kind.INSTRUCTION):
            replied = any(e.kind is Kind.REPLY and e.date >= instruction.date for e in events)
            if not replied:
                who = instruction.leader or f"{instruction.level or ''}领导"
                out.append(Waiting(sid, titles.get(sid, ""), f"{who}批示后尚无办理反馈",
                                   instruction.date, max(0, (today - instruction.date).days)))  # fmt: skip
    return sorted(out, key=lambda w: (-w.days, w.submission_id))


def read_titles(path: Path) -> list[str]:
    """Titles from a text file, one a line (numbering like “1.” or “（一）” dropped)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = path.read_text(encoding="gb18030")
        except UnicodeDecodeError:
            raise InputError(f"「{path}」不是文本文件") from None
    except OSError as exc:
        raise InputError(f"无法读取「{path}」：{exc.strerror}") from None
    numbering = re.compile(r"^\s*(\d+[.、．)]|[（(]?[一二三四五六七八九十]+[）)、])\s*")
    return [numbering.sub("", line).strip() for line in text.splitlines() if line.strip()]


def bulletin_figures(stats: Stats) -> BulletinFigures:
    """The 通报's figures from the same statistics as the table and the workbook."""
    from formatter.bulletin import BulletinFigures  # python-docx only when a 通报 is asked for

    return BulletinFigures(
        period=stats.period.label,
        sentence=stats.sentence(),
        adoption_rate=stats.adoption_rate,
        leaders=tuple((r.name, r.points) for r in stats.persons if r.points > 0),
        units=tuple(r.name for r in stats.units if r.points > 0),
        monthly=tuple(stats.monthly),
    )


def register_rows(registry_path: Path, period: Period) -> list[RegisterRow]:
    """The 收文登记簿: every submission received in ``period``, with where it went."""
    from ingest.registry import Registry as _Registry

    with _Registry.open(registry_path) as registry:
        events = history(registry)
        by_item: dict[str, list[Event]] = {}
        for event in events:
            by_item.setdefault(event.submission_id, []).append(event)
        rows = []
        for brief in registry.submissions_brief():
            received = dt.date.fromisoformat(str(brief["received_at"])[:10])
            if received not in period:
                continue
            sid = str(brief["id"])
            submitter = brief["submitter"] or {}
            mine = by_item.get(sid, [])
            rows.append(RegisterRow(
                sid, received, str(brief["title"] or ""), str(submitter.get("name") or ""),
                str(submitter.get("unit") or submitter.get("identity") or ""),
                Decision(str(brief["decision"])).label,
                "、".join(e.note for e in mine if e.kind is Kind.PUBLISHED),
                "、".join(sorted({(e.body or (e.level.value if e.level else ""))
                                  for e in mine if e.kind is Kind.FORWARDED})),
                "、".join(sorted({e.level.value for e in mine
                                  if e.kind is Kind.ADOPTED and e.level})),
                "、".join(e.leader or (e.level.value if e.level else "")
                         for e in mine if e.kind is Kind.INSTRUCTION),
            ))  # fmt: skip
    return rows
