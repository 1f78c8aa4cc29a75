"""A submission's progress as the clerk can send it back: received → under review → published
in 第N期 → adopted by 市政协 …, as one line of text and as JSON.

Built from the registry alone: the receipt, the review decisions in the audit
log, the issues that hold the item, and the follow-through events. What is
returned is for the submitter, so it passes the gate: personal data masked,
密级 marks replaced; a quarantined submission shows no title.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from followup.events import Kind
from ingest.record import Record, Status
from ingest.registry import Registry
from ingest.review import Decision
from ingest.screening.gate import Gate
from minyi.tracking import history


@dataclass(frozen=True)
class Step:
    date: str  # YYYY-MM-DD
    stage: str  # received, decision, revision, published, issued, 报送, 采用 …
    label: str  # in Chinese, for the submitter


def local_time(stamp: str | None) -> str:
    """An ISO time as the clerk reads it: local, to the minute."""
    if not stamp:
        return ""
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d %H:%M")


def steps(registry: Registry, record: Record) -> list[Step]:
    """Everything that happened to one submission, in order."""
    assert record.id is not None
    out = [Step((record.received_at or "")[:10], "received", "收到")]
    state = registry.review_state(record.id)
    for entry in registry.audit_log(record.id):
        day = local_time(entry["at"])[:10]
        detail = entry["detail"]
        if entry["action"] == "decision":
            to = Decision(detail.get("to", "pending"))
            label = "重新待审核" if to is Decision.PENDING else to.label
            out.append(Step(day, "decision", label))
        elif entry["action"] == "replace":
            out.append(Step(day, "revision", f"作为 {detail.get('replaces')} 的修改稿收到"))
        elif entry["action"] == "superseded":
            out.append(Step(day, "revision", f"已由修改稿 {detail.get('by')} 替代"))
    for key in registry.issues_with(record.id):
        data = registry.issue(*key) or {}
        name = f"{key[1]}年{'增刊' if key[0] == 'supplement' else ''}第{key[2]}期"
        issued = data.get("issued") or (data.get("created_at") or "")[:10]
        journal = data.get("journal") or "社情民意信息"
        if data.get("state") == "issued":
            out.append(Step(issued, "published", f"刊发于《{journal}》{name}"))
        elif data.get("state") != "void":  # (a void issue published nothing)
            out.append(Step(issued, "composed", f"编入{name}（待印发）"))
    for event in history(registry, record.id):
        if event.kind is Kind.PUBLISHED:
            continue
        who = event.body or (event.level.value + "政协" if event.level else "")
        label = {
            Kind.FORWARDED: f"报送{who}",
            Kind.ADOPTED: f"{who}采用" + (f"（{event.adoption.value}）" if event.adoption else ""),
            Kind.RELAYED: f"{who}转报",
            Kind.INSTRUCTION: f"{event.level.value if event.level else ''}领导批示",
            Kind.REPLY: "收到办理反馈",
            Kind.OUTCOME: "成果转化",
            Kind.SATISFACTION: "满意度反馈",
        }.get(event.kind, event.kind.value)
        out.append(Step(event.date.isoformat(), event.kind.value, label))
    if len(out) == 1 and state.decision is Decision.PENDING:
        out.append(Step(out[0].date, "review", "审核中"))
    return out  # in the order things happen to an item, whatever dates were typed


def current(registry: Registry, record: Record) -> str:
    assert record.id is not None
    state = registry.review_state(record.id)
    if record.status is Status.QUARANTINED and state.decision is Decision.PENDING:
        return "待核实"
    return {Decision.PENDING: "审核中"}.get(state.decision, state.decision.label)


def progress(registry: Registry, record: Record, gate: Gate) -> dict[str, Any]:
    """The JSON form (through the gate)."""
    withheld = record.status is Status.QUARANTINED
    data = {
        "id": record.id,
        "title": None if withheld else record.title,
        "current": current(registry, record),
        "steps": [
            {"date": s.date, "stage": s.stage, "label": s.label} for s in steps(registry, record)
        ],
    }
    result: dict[str, Any] = gate.redact_all(data)
    return result


def line(data: dict[str, Any]) -> str:
    """The text form of ``progress``: one line the clerk can paste into a reply."""
    title = f"《{data['title']}》" if data.get("title") else ""
    path = " → ".join(f"{s['date']} {s['label']}" for s in data["steps"])
    return f"{data['id']}{title}：{path}（当前：{data['current']}）"
