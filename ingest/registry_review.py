"""The registry's review tables: decisions, acknowledged flags and the audit log.

The audit log is append-only: triggers in the schema refuse any UPDATE or
DELETE of it, so an entry, once written, stays as it was. Every decision, link
of a revision, release, acknowledgement and edit of an issue is written here,
in the same transaction as the change it records.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from common.errors import InputError, RegistryError
from ingest.review import NEEDS_REASON, Decision


@dataclass(frozen=True)
class ReviewState:
    """Where one submission stands with the reviewer."""

    decision: Decision
    decided_at: str | None
    decided_by: str | None
    replaces: str | None  # the submission this one revises
    superseded_by: str | None  # the revision that replaced this one


class ReviewTables:
    """Mixed into ``Registry``; uses its connection and transactions."""

    _db: sqlite3.Connection

    def review_state(self, submission_id: str) -> ReviewState:
        row = self._db.execute(
            "SELECT decision, decided_at, decided_by, replaces, superseded_by"
            " FROM submissions WHERE id = ?",
            (submission_id,),
        ).fetchone()
        if row is None:
            raise InputError(f"登记库中没有编号为 {submission_id} 的信息")
        return ReviewState(Decision(row[0]), row[1], row[2], row[3], row[4])

    def decide(self, submission_id: str, decision: Decision, reason: str, actor: str,
               when: str) -> Decision:  # fmt: skip
        """Record a reviewer's decision (and its audit entry); returns the previous one."""
        if decision in NEEDS_REASON and not reason.strip():
            raise InputError(f"“{decision.label}”须写明理由（--reason），以便告知报送人")
        with self._transaction():  # type: ignore[attr-defined]
            state = self.review_state(submission_id)
            if state.superseded_by and decision is not Decision.SUPERSEDED:
                raise InputError(
                    f"{submission_id} 已由修改稿 {state.superseded_by} 替代；请审核修改稿"
                )
            status = self._db.execute(
                "SELECT status FROM submissions WHERE id = ?", (submission_id,)
            ).fetchone()[0]
            if decision is Decision.PROPOSED and status == "quarantined":
                raise InputError(
                    f"{submission_id} 处于隔离状态（涉密或待核实），不能拟采用；核实后先解除隔离"
                    f"（minyi release {submission_id} --reason …，或在工作台的稿件页）"
                )
            self._db.execute(
                "UPDATE submissions SET decision = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                (decision.value, when, actor, submission_id),
            )
            self.audit("decision", actor, when, submission_id, reason=reason,
                       detail={"from": state.decision.value, "to": decision.value})  # fmt: skip
        return state.decision

    def link_revision(self, new_id: str, old_id: str, reason: str, actor: str,
                      when: str) -> None:  # fmt: skip
        """``new_id`` (a 修改稿) replaces ``old_id``: the old one leaves the queue."""
        if new_id == old_id:
            raise InputError("修改稿不能替代它自己")
        with self._transaction():  # type: ignore[attr-defined]
            new, old = self.review_state(new_id), self.review_state(old_id)
            if old.superseded_by and old.superseded_by != new_id:
                raise InputError(f"{old_id} 已由修改稿 {old.superseded_by} 替代")
            if new.replaces and new.replaces != old_id:
                raise InputError(f"{new_id} 已登记为 {new.replaces} 的修改稿")
            if new.superseded_by:
                raise InputError(f"{new_id} 本身已由 {new.superseded_by} 替代")
            # No loops: the old one must not (through its own originals) revise the new one.
            seen, at = set(), old.replaces
            while at is not None and at not in seen:
                if at == new_id:
                    raise InputError(f"{old_id} 是 {new_id} 的修改稿，不能反过来替代")
                seen.add(at)
                at = self.review_state(at).replaces
            self._db.execute("UPDATE submissions SET replaces = ? WHERE id = ?", (old_id, new_id))
            self._db.execute(
                "UPDATE submissions SET superseded_by = ?, decision = ?, decided_at = ?,"
                " decided_by = ? WHERE id = ?",
                (new_id, Decision.SUPERSEDED.value, when, actor, old_id),
            )
            self.audit("replace", actor, when, new_id, reason=reason, detail={"replaces": old_id})
            self.audit("superseded", actor, when, old_id, reason=reason,
                       detail={"by": new_id, "from": old.decision.value})  # fmt: skip

    def acknowledge(self, submission_id: str, codes: list[str], actor: str, when: str) -> None:
        """Flags the reviewer has looked at: they stop being shown as concerns."""
        with self._transaction():  # type: ignore[attr-defined]
            self.review_state(submission_id)  # (exists)
            for code in codes:
                self._db.execute(
                    "INSERT INTO acknowledgements VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (submission_id, code) DO UPDATE SET"
                    " acknowledged_by = excluded.acknowledged_by,"
                    " acknowledged_at = excluded.acknowledged_at",
                    (submission_id, code, actor, when),
                )
            self.audit("acknowledge", actor, when, submission_id, detail={"flags": codes})

    def acknowledged(self, submission_id: str) -> dict[str, tuple[str, str]]:
        """Acknowledged flags of a submission: code → (who, when)."""
        rows = self._db.execute(
            "SELECT code, acknowledged_by, acknowledged_at FROM acknowledgements"
            " WHERE submission_id = ?",
            (submission_id,),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def audit(self, action: str, actor: str, when: str, submission_id: str | None = None,
              issue: str | None = None, detail: dict[str, Any] | None = None,
              reason: str | None = None) -> None:  # fmt: skip
        """Append one entry to the audit log (call inside the change's transaction)."""
        try:
            self._db.execute(
                "INSERT INTO audit (at, actor, action, submission_id, issue, detail, reason)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (when, actor, action, submission_id, issue,
                 json.dumps(detail or {}, ensure_ascii=False), reason or None),
            )  # fmt: skip
        except sqlite3.Error as exc:
            raise RegistryError(f"无法写入审计记录：{exc}") from exc

    def audit_log(self, submission_id: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """Audit entries, oldest first (of one submission, or the last ``limit`` of all)."""
        if submission_id is not None:
            rows = self._db.execute(
                "SELECT * FROM audit WHERE submission_id = ? OR"
                " (submission_id IS NULL AND issue IS NOT NULL AND EXISTS ("
                "  SELECT 1 FROM json_each(audit.detail, '$.items') WHERE value = ?))"
                " ORDER BY id",
                (submission_id, submission_id),
            ).fetchall()
        else:
            rows = self._db.execute(
                "SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id",
                (limit if limit is not None else -1,),
            ).fetchall()
        return [
            {"id": r["id"], "at": r["at"], "actor": r["actor"], "action": r["action"],
             "submission_id": r["submission_id"], "issue": r["issue"],
             "detail": json.loads(r["detail"]), "reason": r["reason"]}
            for r in rows
        ]  # fmt: skip
