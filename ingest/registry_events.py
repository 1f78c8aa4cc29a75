"""The registry's follow-through tables: part of the registry, kept in their own module.

Events and credits are stored as JSON documents whose model lives in
``followup``; the registry only keeps them, in order, with the columns the
statistics filter on (submission, kind, date).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any


class EventTables:
    """Mixed into ``Registry``; uses its connection and transactions."""

    _db: sqlite3.Connection

    def add_events(self, events: list[dict[str, Any]], when: str) -> list[int]:
        """Store events (call inside ``Registry.batch``); returns their ids."""
        ids = []
        for event in events:
            cursor = self._db.execute(
                "INSERT INTO events (submission_id, kind, date, data, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event["submission_id"], event["kind"], event["date"],
                 json.dumps(event, ensure_ascii=False), when),
            )  # fmt: skip
            assert cursor.lastrowid is not None
            ids.append(cursor.lastrowid)
        return ids

    def events(self, submission_id: str | None = None) -> list[dict[str, Any]]:
        """Recorded events (of one submission, or all), by date then by recording order."""
        where, args = ("WHERE submission_id = ?", (submission_id,)) if submission_id else ("", ())
        rows = self._db.execute(
            f"SELECT id, data, recorded_at FROM events {where} ORDER BY date, id", args
        )
        return [{**json.loads(r[1]), "id": r[0], "recorded_at": r[2]} for r in rows]

    def delete_event(self, event_id: int) -> dict[str, Any] | None:
        row = self._db.execute("SELECT data FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        self._db.execute("DELETE FROM events WHERE id = ?", (event_id,))
        data: dict[str, Any] = json.loads(row[0])
        return data

    def set_credits(self, submission_id: str, credits: list[dict[str, Any]]) -> None:
        """Replace who is credited with a submission (call inside ``Registry.batch``)."""
        self._db.execute("DELETE FROM credits WHERE submission_id = ?", (submission_id,))
        self._db.executemany(
            "INSERT INTO credits (submission_id, position, data) VALUES (?, ?, ?)",
            [(submission_id, i, json.dumps(c, ensure_ascii=False)) for i, c in enumerate(credits)],
        )

    def credits(self) -> dict[str, list[dict[str, Any]]]:
        """Every credit the office set, by submission."""
        out: dict[str, list[dict[str, Any]]] = {}
        for sid, data in self._db.execute(
            "SELECT submission_id, data FROM credits ORDER BY submission_id, position"
        ):
            out.setdefault(sid, []).append(json.loads(data))
        return out

    def submissions_brief(self) -> list[dict[str, Any]]:
        """Every submission's id, title, received date, status, review decision and 反映人
        (no texts)."""
        rows = self._db.execute(
            "SELECT id, title, original_name, received_at, status, submitter, decision,"
            " superseded_by FROM submissions ORDER BY year, seq"
        )
        return [
            {"id": r[0], "title": r[1] or r[2], "received_at": r[3], "status": r[4],
             "submitter": json.loads(r[5]) if r[5] else None, "decision": r[6],
             "superseded_by": r[7]}
            for r in rows
        ]  # fmt: skip

    # -- the register of members and units ---------------------------------

    def put_member(self, member: dict[str, str]) -> bool:
        """Add a member, or update the one with the same name and unit; True if new."""
        found = self._db.execute(
            "SELECT id FROM members WHERE name = ? AND unit = ?", (member["name"], member["unit"])
        ).fetchone()
        values = (member["sector"], member["party"], member["role"], member["folded"])
        if found:
            self._db.execute(
                "UPDATE members SET sector = ?, party = ?, role = ?, folded = ? WHERE id = ?",
                (*values, found[0]),
            )
            return False
        self._db.execute(
            "INSERT INTO members (name, unit, sector, party, role, folded) VALUES (?,?,?,?,?,?)",
            (member["name"], member["unit"], *values),
        )
        return True

    def members(self) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT id, name, unit, sector, party, role, folded FROM members ORDER BY id"
        )
        return [dict(zip(("id", "name", "unit", "sector", "party", "role", "folded"), r,
                         strict=True)) for r in rows]  # fmt: skip
