"""The registry's issue (期) tables: part of the registry, kept in their own module.

Issues are stored as opaque JSON documents (``formatter`` owns their model);
the registry only allocates numbers — one past the highest ever used in the
series and year, inside the same transaction as the insert, so two clerks
cannot get the same number and a number is never reused — and keeps which
submissions each issue holds.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any


class IssueTables:
    """Mixed into ``Registry``; uses its connection and transactions."""

    _db: sqlite3.Connection

    def add_issue(self, series: str, year: int, total_from: int, when: str,
                  make: Any, first_number: int = 1) -> dict[str, Any]:  # fmt: skip
        """Allocate the next number (and 总第 number), store ``make(number, total)``.

        Call inside a transaction (``Registry.batch``). ``total_from`` is the 总第
        number of the first issue minyi stores, 0 when the office prints none;
        ``first_number`` the year's first regular number (an office that starts using
        minyi in November goes on from its 第11期).
        """
        (last,) = self._db.execute(
            "SELECT MAX(number) FROM issues WHERE series = ? AND year = ?", (series, year)
        ).fetchone()
        number = (last or max(1, first_number) - 1) + 1 if series == "regular" else (last or 0) + 1
        total = None
        if total_from and series == "regular":
            (highest,) = self._db.execute(
                "SELECT MAX(total_number) FROM issues WHERE series = 'regular'"
            ).fetchone()
            total = highest + 1 if highest else total_from
        data = make(number, total)
        self._db.execute(
            "INSERT INTO issues (series, year, number, total_number, data, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (series, year, number, total, json.dumps(data, ensure_ascii=False), when, when),
        )
        self._issue_items(series, year, number, data)
        return data

    def save_issue(self, series: str, year: int, number: int, data: dict[str, Any],
                   when: str) -> None:  # fmt: skip
        self._db.execute(
            "UPDATE issues SET data = ?, total_number = ?, updated_at = ?"
            " WHERE series = ? AND year = ? AND number = ?",
            (json.dumps(data, ensure_ascii=False), data.get("total_number"), when,
             series, year, number),
        )  # fmt: skip
        self._db.execute(
            "DELETE FROM issue_items WHERE series = ? AND year = ? AND number = ?",
            (series, year, number),
        )
        self._issue_items(series, year, number, data)

    def _issue_items(self, series: str, year: int, number: int, data: dict[str, Any]) -> None:
        self._db.executemany(
            "INSERT INTO issue_items (series, year, number, position, submission_id)"
            " VALUES (?, ?, ?, ?, ?)",
            [(series, year, number, i, item["submission_id"])
             for i, item in enumerate(data.get("items", []))],
        )  # fmt: skip

    def issue(self, series: str, year: int, number: int) -> dict[str, Any] | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM issues WHERE series = ? AND year = ? AND number = ?",
            (series, year, number),
        ).fetchone()
        return _with_render(row) if row else None

    def issues(self, year: int | None = None) -> list[dict[str, Any]]:
        where, args = ("WHERE year = ?", (year,)) if year else ("", ())
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM issues {where} ORDER BY year, series, number",
            args,
        )
        return [_with_render(row) for row in rows]

    def issues_with(self, submission_id: str) -> list[tuple[str, int, int]]:
        """The issues (series, year, number) that hold a submission."""
        rows = self._db.execute(
            "SELECT DISTINCT series, year, number FROM issue_items WHERE submission_id = ?"
            " ORDER BY year, number",
            (submission_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def mark_rendered(self, series: str, year: int, number: int, when: str, folder: str,
                      issued: bool = False) -> None:  # fmt: skip
        """A render done; ``issued``: it was the render for issue (印发), a new version."""
        self._db.execute(
            "UPDATE issues SET rendered_at = ?, rendered_to = ?,"
            " state = CASE WHEN ? THEN 'issued' ELSE state END,"
            " version = version + CASE WHEN ? THEN 1 ELSE 0 END"
            " WHERE series = ? AND year = ? AND number = ?",
            (when, folder, issued, issued, series, year, number),
        )

    def set_issue_state(self, series: str, year: int, number: int, state: str,
                        **fields: str | None) -> None:  # fmt: skip
        """Move an issue to ``state``, with the columns that go with it (signed_by, …)."""
        allowed = {"signed_by", "signed_at", "void_reason"}
        assert set(fields) <= allowed
        sets = ", ".join(["state = ?", *(f"{name} = ?" for name in fields)])
        self._db.execute(
            f"UPDATE issues SET {sets} WHERE series = ? AND year = ? AND number = ?",
            (state, *fields.values(), series, year, number),
        )


_COLUMNS = "data, rendered_at, rendered_to, state, signed_by, signed_at, version, void_reason"


def _with_render(row: sqlite3.Row) -> dict[str, Any]:
    """The issue's document with the registry's own columns about its life."""
    data: dict[str, Any] = json.loads(row[0])
    for key in ("rendered_at", "rendered_to", "state", "signed_by", "signed_at", "version",
                "void_reason"):  # fmt: skip
        data[key] = row[key]
    return data
