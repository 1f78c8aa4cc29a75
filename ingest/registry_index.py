"""The registry's near-duplicate index tables: part of the registry, in their own module.

Signatures one row per submission, LSH buckets as posting lists of packed int64
rowids (one row read per band whatever the bucket's size), and the parameters
the index was built with, so a change of parameters triggers a rebuild.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import numpy as np

from ingest.screening.index import IndexEntry


class IndexTables:
    """Mixed into ``Registry``; uses its connection and transactions."""

    _db: sqlite3.Connection
    _transaction: Callable[[], AbstractContextManager[None]]  # Registry's

    def find_text_hash(self, text_hash: str) -> tuple[str, str] | None:
        """(id, original name) of the submission with this normalised text, if any."""
        row = self._db.execute(
            "SELECT id, original_name FROM submissions WHERE text_hash = ? ORDER BY year, seq",
            (text_hash,),
        ).fetchone()
        return (row["id"], row["original_name"]) if row else None

    def postings(self, bands: tuple[int, ...]) -> np.ndarray:
        """Rowids of the submissions sharing an LSH band key with ``bands`` (with repeats)."""
        parts = []
        for band, key in enumerate(bands):
            row = self._db.execute(
                "SELECT rowids FROM lsh_postings WHERE band = ? AND key = ?", (band, key)
            ).fetchone()
            if row is not None:
                parts.append(np.frombuffer(row[0], dtype="<i8"))
        return np.concatenate(parts) if parts else np.empty(0, dtype="<i8")

    def signatures_after(self, rowid: int) -> Iterator[tuple[int, bytes, int]]:
        """(rowid, minhash, size) of every indexed submission with a larger rowid."""
        yield from self._db.execute(
            "SELECT submission_rowid, minhash, size FROM signatures WHERE submission_rowid > ?"
            " ORDER BY submission_rowid",
            (rowid,),
        )

    def by_rowid(self, rowid: int) -> tuple[str, str, str]:
        """(id, text, original name) of the submission with this rowid."""
        row = self._db.execute(
            "SELECT id, text, original_name FROM submissions WHERE rowid = ?", (rowid,)
        ).fetchone()
        return row[0], row[1], row[2]

    def text_of(self, submission_id: str) -> tuple[str, str]:
        """(text, original name) of a submission."""
        row = self._db.execute(
            "SELECT text, original_name FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return row[0], row[1]

    def index_key(self) -> str | None:
        row = self._db.execute("SELECT value FROM index_meta WHERE name = 'dedup'").fetchone()
        return row[0] if row else None

    def rebuild_index(self, key: str, entries: Iterator[tuple[str, IndexEntry]]) -> int:
        """Replace the whole duplicate index (after its parameters changed)."""
        count = 0
        with self._transaction():
            self._db.execute("DELETE FROM lsh_postings")
            self._db.execute("DELETE FROM signatures")
            for submission_id, entry in entries:
                self._insert_index(submission_id, entry)
                count += 1
            self._db.execute("INSERT OR REPLACE INTO index_meta VALUES ('dedup', ?)", (key,))
        return count

    def set_index_key(self, key: str) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO index_meta VALUES ('dedup', ?)", (key,))

    def texts(self) -> Iterator[tuple[str, str]]:
        """(id, text) of every submission, in order of registration."""
        for row in self._db.execute("SELECT id, text FROM submissions ORDER BY rowid"):
            yield row[0], row[1]

    def _insert_index(self, submission_id: str | None, entry: IndexEntry) -> None:
        (rowid,) = self._db.execute(
            "UPDATE submissions SET text_hash = ? WHERE id = ? RETURNING rowid",
            (entry.text_hash, submission_id),
        ).fetchone()
        if entry.signature is None:
            return
        sig = entry.signature
        self._db.execute(
            "INSERT OR REPLACE INTO signatures VALUES (?, ?, ?)", (rowid, sig.minhash, sig.size)
        )
        packed = int(rowid).to_bytes(8, "little", signed=True)
        self._db.executemany(
            "INSERT INTO lsh_postings VALUES (?, ?, ?) ON CONFLICT (band, key)"
            " DO UPDATE SET rowids = CAST(rowids || excluded.rowids AS BLOB)",
            [(band, key, packed) for band, key in enumerate(sig.bands)],
        )
