"""The registry's search: the full-text index and filtered lists, part of the registry.

The index (``search_index``, FTS5, contentless: the text stays in
``submissions``) is written in the same transaction as the registration, so a
submission is findable the moment it is registered, never before and never
lost. What goes in and how a query is read is ``ingest.search``'s. A rebuild
empties the index and fills it again from the submissions (migration 9 marks it
stale for the rows from before it).

Filters and sorting read ``submission_facts``, a narrow copy of the columns they
need that triggers keep in step with ``submissions``: a submission's row holds its
whole text, and reading a column stored after it reads the text too. A search
takes the index's matches first (materialised: never a MATCH per row), joins the
facts, counts and ranks in one pass, and reads only the page's full rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from common.errors import InputError
from ingest import search
from ingest.record import Format, Record, Status


@dataclass(frozen=True)
class Filters:
    """What a list or a search is narrowed to; None: no restriction."""

    status: str | None = None  # accepted / flagged / quarantined
    decision: str | None = None  # pending / proposed / declined / returned / void / superseded
    since: str | None = None  # received on or after this date (YYYY-MM-DD)
    until: str | None = None  # received on or before this date
    submitter: str | None = None  # part of the 反映人's name
    unit: str | None = None  # part of the 反映人's unit
    format: str | None = None  # docx, pdf, image, …
    flag: str | None = None  # a finding category or its family (pii, secret, lexicon, duplicate)
    published: bool | None = None  # composed into an issue (True) or not (False)
    issue: int | None = None  # in this issue number (regular series, any year)
    year: int | None = None  # received in this year
    queue: bool = False  # only what waits for review: pending, not superseded

    def clauses(self) -> tuple[list[str], list[Any]]:
        """SQL conditions on ``f`` (submission_facts) and their arguments."""
        where: list[str] = []
        args: list[Any] = []
        if self.status:
            if self.status not in {s.value for s in Status}:
                raise InputError(
                    f"未知的状态「{self.status}」；可选：accepted、flagged、quarantined"
                )
            where.append("f.status = ?")
            args.append(self.status)
        if self.decision:
            where.append("f.decision = ?")
            args.append(self.decision)
        if self.queue:
            where.append("f.decision = 'pending' AND f.superseded_by IS NULL")
        for bound, op in ((self.since, ">="), (self.until, "<")):
            if bound:
                where.append(f"f.received_at {op} ?")
                args.append(_day_bound(bound, end=op == "<"))
        if self.submitter:
            where.append("instr(COALESCE(f.submitter_name, ''), ?) > 0")
            args.append(self.submitter.strip())
        if self.unit:
            where.append("instr(COALESCE(f.submitter_unit, ''), ?) > 0")
            args.append(self.unit.strip())
        if self.format:
            if self.format not in {f.value for f in Format}:
                known = "、".join(sorted(f.value for f in Format))
                raise InputError(f"未知的格式「{self.format}」；可选：{known}")
            where.append("f.format = ?")
            args.append(self.format)
        if self.flag:
            where.append(
                "(instr(f.flags, ' ' || ? || ' ') > 0 OR instr(f.flags, ' ' || ? || '.') > 0)"
            )
            args += [self.flag.strip(), self.flag.strip()]
        if self.published is not None:
            where.append(("" if self.published else "NOT ")
                         + "EXISTS (SELECT 1 FROM issue_items i WHERE i.submission_id = f.id)")  # fmt: skip
        if self.issue is not None:
            where.append(
                "EXISTS (SELECT 1 FROM issue_items i WHERE i.submission_id = f.id"
                " AND i.series = 'regular' AND i.number = ?)"
            )
            args.append(self.issue)
        if self.year is not None:
            where.append("f.year = ?")
            args.append(self.year)
        return where, args


def _day_bound(value: str, end: bool) -> str:
    import datetime as dt

    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"日期「{value}」格式不对；请写成 2026-03-05") from None
    return (day + dt.timedelta(days=1)).isoformat() if end else day.isoformat()


@dataclass(frozen=True)
class Hit:
    """One submission found: its row, and (for a search) the text around the first hit."""

    record: Record
    decision: str
    rank: float | None
    snippet: search.Snippet | None


class SearchTables:
    """Mixed into ``Registry``; uses its connection and transactions."""

    _db: sqlite3.Connection

    _record: Callable[[sqlite3.Row], Record]  # (the registry's)

    def _index_search(self, record: Record) -> None:
        """Index one submission (inside the registration's transaction)."""
        (rowid,) = self._db.execute(
            "SELECT rowid FROM submissions WHERE id = ?", (record.id,)
        ).fetchone()
        self._db.execute(
            "INSERT INTO search_index (rowid, title, people, body, furniture) VALUES (?, ?, ?, ?, ?)",
            (rowid, *_parts(record)),
        )

    def search_stale(self) -> bool:
        """True when the index does not yet hold every submission (after an upgrade)."""
        row = self._db.execute(
            "SELECT value FROM index_meta WHERE name = 'search_stale'"
        ).fetchone()
        return bool(row and row[0] == "1")

    def rebuild_search(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Empty the index and fill it again from every submission; returns how many."""
        (total,) = self._db.execute("SELECT COUNT(*) FROM submissions").fetchone()
        with self._transaction():  # type: ignore[attr-defined]
            self._db.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')")
            done = 0
            for row in self._db.execute("SELECT * FROM submissions ORDER BY rowid").fetchall():
                record = self._record(row)
                self._db.execute(
                    "INSERT INTO search_index (rowid, title, people, body, furniture)"
                    " SELECT rowid, ?, ?, ?, ? FROM submissions WHERE id = ?",
                    (*_parts(record), record.id),
                )
                done += 1
                if on_progress is not None:
                    on_progress(done, total)
            self._db.execute(
                "INSERT INTO index_meta (name, value) VALUES ('search_stale', '0')"
                " ON CONFLICT (name) DO UPDATE SET value = '0'"
            )
        return done

    def find(self, query: search.Query | None, filters: Filters = Filters(), limit: int = 50,
             offset: int = 0) -> tuple[list[Hit], int]:  # fmt: skip
        """Submissions matching ``query`` (None: all) and ``filters``: best first for a
        search (BM25, a title hit first), newest first for a list; and how many in all."""
        where, args = filters.clauses()
        conditions = f"WHERE {' AND '.join(where)}" if where else ""
        if query is None:
            # The page by index, the count apart: a window count would sort every row (70 ms
            # at 100,000 against 2 ms for both).
            sql = (
                "SELECT f.rowid, NULL AS score, NULL AS total FROM submission_facts f"
                f" {conditions} ORDER BY f.received_at DESC, f.rowid DESC LIMIT ? OFFSET ?"
            )
            count = f"SELECT COUNT(*) FROM submission_facts f {conditions}"
        else:
            weights = ", ".join(str(w) for w in search.WEIGHTS)
            matches = (
                "WITH hits AS MATERIALIZED (SELECT rowid, bm25(search_index, "
                f"{weights}) AS score FROM search_index WHERE search_index MATCH ?) "
            )
            sql = (
                f"{matches}SELECT f.rowid, h.score, COUNT(*) OVER () AS total FROM hits h"
                f" JOIN submission_facts f ON f.rowid = h.rowid {conditions}"
                " ORDER BY h.score, f.rowid LIMIT ? OFFSET ?"
            )
            count = (
                f"{matches}SELECT COUNT(*) FROM hits h"
                f" JOIN submission_facts f ON f.rowid = h.rowid {conditions}"
            )
            args = [query.expression, *args]
        try:
            page = self._db.execute(sql, [*args, limit, offset]).fetchall()
            total = (page[0][2] if page and page[0][2] is not None
                     else self._db.execute(count, args).fetchone()[0])  # fmt: skip
        except sqlite3.OperationalError as exc:  # (the expression is built, never typed)
            raise InputError(f"无法按这个查询查找：{exc}") from exc
        rows = {
            row["rowid"]: row
            for row in self._db.execute(
                f"SELECT rowid, * FROM submissions WHERE rowid IN ({','.join('?' * len(page))})",
                [r[0] for r in page],
            )
        }
        hits = []
        for rowid, score, _ in page:
            row = rows[rowid]
            record = self._record(row)
            found = _snippet(record, query.terms) if query else None
            rank = None if score is None else round(-score, 3)
            hits.append(Hit(record, row["decision"], rank, found))
        return hits, total

    def facets(self, filters: Filters = Filters()) -> dict[str, dict[str, int]]:
        """Counts per intake status and per decision, under ``filters``."""
        where, args = filters.clauses()
        sql_where = f"WHERE {' AND '.join(where)}" if where else ""
        out: dict[str, dict[str, int]] = {}
        for column in ("status", "decision"):
            rows = self._db.execute(
                f"SELECT f.{column}, COUNT(*) FROM submission_facts f {sql_where} GROUP BY 1", args
            )
            out[column] = {r[0]: r[1] for r in rows}
        return out

    def decision_counts(self, filters: Filters = Filters()) -> tuple[dict[str, int], int]:
        """Submissions per decision under ``filters``, and how many wait in the review queue
        (pending, not superseded): one pass over an index when nothing else is filtered."""
        where, args = filters.clauses()
        sql_where = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._db.execute(
            "SELECT f.decision, COUNT(*), SUM(f.superseded_by IS NULL) FROM submission_facts f"
            f" {sql_where} GROUP BY 1", args,
        ).fetchall()  # fmt: skip
        counts = {r[0]: r[1] for r in rows}
        return counts, sum(r[2] for r in rows if r[0] == "pending")

    def local_words(self) -> Iterator[str]:
        """Names and units the registry knows (from recognised bylines), for the segmenter."""
        for (value,) in self._db.execute(
            "SELECT DISTINCT submitter_unit FROM submission_facts WHERE submitter_unit IS NOT NULL"
            " UNION SELECT DISTINCT submitter_name FROM submission_facts"
            " WHERE submitter_name IS NOT NULL"
        ):
            yield value


def _snippet(record: Record, terms: tuple[str, ...]) -> search.Snippet:
    """Around the first hit in the body if there is one there, else in the whole text."""
    if record.structure is not None and record.structure.body:
        found = search.snippet(record.structure.body_text, terms)
        if found.hits:
            return found
    return search.snippet(record.text, terms)


def _parts(record: Record) -> tuple[str, str, str, str]:
    """(title, people, body, furniture) of one submission, as the index holds them."""
    structure = record.structure
    if structure is not None:
        title = structure.title.text if structure.title else (record.title or "")
        people = "\n".join(p.text for p in structure.bylines)
        body = "\n".join(p.text for p in structure.body)
        furniture = "\n".join(p.text for p in structure.furniture)
        # Whatever the structure left out (a line recognised as nothing) is still found.
        held = "\n".join([title, people, body, furniture])
        rest = [line for line in record.text.splitlines() if line.strip() and line not in held]
        body = "\n".join([body, *rest])
    else:
        title, people, body, furniture = record.title or "", "", record.text, ""
    submitter = record.submitter
    if submitter is not None:
        people = "\n".join(filter(None, [people, submitter.name, submitter.unit]))
    return (search.grams(title), search.grams(people), search.grams(body),
            search.grams(furniture))  # fmt: skip
