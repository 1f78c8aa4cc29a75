"""The registry: with its ``registry_*`` parts, the only code that touches SQLite.

One database file in the data folder, in WAL mode so that readers (``minyi
report``, a watcher's status page) never block the writer. The schema is
created and upgraded by the numbered migrations in ``schema``, tracked with
``PRAGMA user_version``. Each received file is committed in one transaction:
its receipt and, for a new submission, the submission and its pages.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from common.errors import DiskFullError, RegistryError
from ingest import recognize
from ingest.receipt import Disposition, DuplicateRef, Receipt
from ingest.record import (
    Finding,
    Format,
    Page,
    PageSource,
    Record,
    Status,
    Structure,
    Submitter,
)
from ingest.registry_events import EventTables
from ingest.registry_index import IndexTables
from ingest.registry_issues import IssueTables
from ingest.registry_review import ReviewTables
from ingest.registry_search import SearchTables
from ingest.registry_users import UserTables
from ingest.schema import MIGRATIONS
from ingest.screening.index import IndexEntry

SCHEMA_VERSION = len(MIGRATIONS)


class AlreadyRegisteredError(Exception):
    """The bytes were registered meanwhile (by another minyi process); not a user error."""

    def __init__(self, submission_id: str, original_name: str) -> None:
        super().__init__(submission_id)
        self.submission_id = submission_id
        self.original_name = original_name


class Registry(IndexTables, IssueTables, EventTables, SearchTables, ReviewTables, UserTables):
    """The submissions, their pages, every receipt and the issues, in one SQLite file."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._depth = 0  # open transactions: the outermost is BEGIN, inner ones savepoints

    @classmethod
    def open(cls, path: Path) -> Registry:
        refuse_lost_registry(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            _migrate(db)
        except (sqlite3.Error, OSError) as exc:
            raise RegistryError(f"无法打开登记库 {path}：{exc}；请检查数据目录是否可写") from exc
        return cls(db, path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------

    def find_sha256(self, sha256: str) -> tuple[str, str] | None:
        """(id, original name) of the submission with these bytes, if any."""
        row = self._db.execute(
            "SELECT id, original_name FROM submissions WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return (row["id"], row["original_name"]) if row else None

    def get(self, submission_id: str) -> Record | None:
        row = self._db.execute(
            "SELECT * FROM submissions WHERE id = ?", (submission_id,)
        ).fetchone()
        return self._record(row) if row else None

    def receipts(self) -> Iterator[tuple[Receipt, Record | None]]:
        """Every receipt in order of receipt, with the submission it points at."""
        cache: dict[str, Record | None] = {}
        for row in self._db.execute("SELECT * FROM receipts ORDER BY seq"):
            receipt = _receipt(row)
            record = None
            if receipt.submission_id:
                if receipt.submission_id not in cache:
                    cache.clear()  # receipts of one submission are mostly adjacent
                    cache[receipt.submission_id] = self.get(receipt.submission_id)
                record = cache[receipt.submission_id]
            yield receipt, record

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT disposition, COUNT(*) AS n FROM receipts GROUP BY 1")
        return {row["disposition"]: row["n"] for row in rows}

    # -- writing ---------------------------------------------------------

    def register(self, record: Record, receipt: Receipt, index: IndexEntry | None = None,
                 journal: str | None = None) -> tuple[Record, Receipt]:  # fmt: skip
        """Store a new submission and its receipt in one transaction; assigns the id.

        The id is ``YEAR-NNNN``, numbered per year of receipt. Raises
        AlreadyRegisteredError if the same bytes were registered meanwhile, e.g. by
        a watcher running beside a batch.
        """
        assert record.received_at is not None
        year = int(record.received_at[:4])
        with self._transaction():
            if found := self.find_sha256(record.sha256):
                raise AlreadyRegisteredError(*found)
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM submissions WHERE year = ?", (year,)
            ).fetchone()
            record = replace(record, id=f"{year}-{last + 1:04d}")
            self._insert_submission(record, year, last + 1)
            self._index_search(record)
            if index is not None:
                self._insert_index(record.id, index)
            receipt = self._insert_receipt(replace(receipt, submission_id=record.id))
            self._journal_committed(journal, receipt)
        return record, receipt

    # -- releases ----------------------------------------------------------

    def set_status(self, submission_id: str, status: Status, reason: str, when: str,
                   actor: str = "") -> Status:  # fmt: skip
        """Change a submission's status with a recorded reason (in the releases table and
        the audit log); returns the previous one."""
        with self._transaction():
            row = self._db.execute(
                "SELECT status FROM submissions WHERE id = ?", (submission_id,)
            ).fetchone()
            if row is None:
                raise RegistryError(f"登记库中没有编号为 {submission_id} 的信息")
            self._db.execute(
                "UPDATE submissions SET status = ? WHERE id = ?", (status.value, submission_id)
            )
            self._db.execute(
                "INSERT INTO releases VALUES (?, ?, ?, ?, ?)",
                (submission_id, when, row[0], status.value, reason),
            )
            self.audit("release", actor or "（未记录）", when, submission_id, reason=reason,
                       detail={"from": row[0], "to": status.value})  # fmt: skip
        return Status(row[0])

    def releases(self, submission_id: str) -> list[dict[str, str]]:
        return [
            dict(row)
            for row in self._db.execute(
                "SELECT * FROM releases WHERE submission_id = ? ORDER BY rowid", (submission_id,)
            )
        ]

    def add_receipt(self, receipt: Receipt, journal: str | None = None) -> Receipt:
        """Store a receipt that registers nothing (duplicate, rejected, ignored)."""
        with self._transaction():
            receipt = self._insert_receipt(receipt)
            self._journal_committed(journal, receipt)
            return receipt

    # -- the watcher's journal -------------------------------------------------

    def _journal_committed(self, path: str | None, receipt: Receipt) -> None:
        """In the receipt's own transaction: the file's stage is now "committed"."""
        if path is not None:
            self._db.execute(
                "INSERT OR REPLACE INTO journal (path, stage, sha256, receipt, updated_at)"
                " VALUES (?, 'committed', ?, ?, ?)",
                (path, receipt.sha256, receipt.seq, receipt.received_at),
            )

    def journal(self, path: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM journal WHERE path = ?", (path,)).fetchone()
        return dict(row) if row else None

    def journal_rows(self, *stages: str) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(stages))
        return [
            dict(row)
            for row in self._db.execute(
                f"SELECT * FROM journal WHERE stage IN ({marks}) ORDER BY path", stages
            )
        ]

    def journal_set(self, path: str, stage: str, when: str, **fields: Any) -> None:
        columns = ["path", "stage", "updated_at", *fields]
        with self._transaction():
            self._db.execute(
                f"INSERT INTO journal ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                f" ON CONFLICT (path) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in columns[1:]),
                (path, stage, when, *fields.values()),
            )

    def journal_drop(self, *paths: str) -> None:
        with self._transaction():
            self._db.executemany("DELETE FROM journal WHERE path = ?", [(p,) for p in paths])

    def journal_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT stage, COUNT(*) FROM journal GROUP BY stage")
        return {row[0]: row[1] for row in rows}

    def receipt(self, seq: int) -> tuple[Receipt, Record | None]:
        row = self._db.execute("SELECT * FROM receipts WHERE seq = ?", (seq,)).fetchone()
        receipt = _receipt(row)
        record = self.get(receipt.submission_id) if receipt.submission_id else None
        return receipt, record

    def receipts_since(self, when: str) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT disposition, COUNT(*) FROM receipts WHERE received_at >= ? GROUP BY 1", (when,)
        )
        return {row[0]: row[1] for row in rows}

    def beat(self, name: str, pid: int, mode: str, inbox: str, started: str, now: str,
             busy: int = 0, error: str | None = None) -> None:  # fmt: skip
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO heartbeat (name, pid, mode, inbox, started_at, beat_at,"
                " busy, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (name, pid, mode, inbox, started, now, busy, error),
            )

    def heartbeat(self, name: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM heartbeat WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None

    def _insert_submission(self, record: Record, year: int, seq: int) -> None:
        self._db.execute(
            "INSERT INTO submissions (id, year, seq, sha256, original_name, received_at, format,"
            " text, title, submitter, status, findings, errors, stored_as, structure)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id, year, seq, record.sha256, record.original_name, record.received_at,
                record.format.value, record.text, record.title,
                json.dumps(record.submitter.as_dict(), ensure_ascii=False) if record.submitter else None,
                record.status.value,
                json.dumps([f.as_dict() for f in record.findings], ensure_ascii=False),
                json.dumps(list(record.errors), ensure_ascii=False),
                record.stored_as,
                json.dumps(record.structure.as_dict(), ensure_ascii=False)
                if record.structure else None,
            ),
        )  # fmt: skip
        self._db.executemany(
            "INSERT INTO pages (submission_id, number, text, source, needs_ocr, confidence)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (record.id, p.number, p.text, p.source.value, int(p.needs_ocr), p.confidence)
                for p in record.pages
            ],
        )

    def _insert_receipt(self, receipt: Receipt) -> Receipt:
        cursor = self._db.execute(
            "INSERT INTO receipts (received_at, source, file, disposition, sha256, size, format,"
            " submission_id, duplicates, error, note, stored_as)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                receipt.received_at, receipt.source, receipt.file, receipt.disposition.value,
                receipt.sha256, receipt.size, receipt.format, receipt.submission_id,
                json.dumps([d.as_dict() for d in receipt.duplicates], ensure_ascii=False),
                receipt.error, receipt.note, receipt.stored_as,
            ),
        )  # fmt: skip
        return replace(receipt, seq=cursor.lastrowid)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self)

    def batch(self) -> _Transaction:
        """One transaction (one disk sync) around many registrations."""
        return _Transaction(self._db, self)

    def _record(self, row: sqlite3.Row) -> Record:
        pages = tuple(
            Page(
                number=p["number"],
                text=p["text"],
                source=PageSource(p["source"]),
                needs_ocr=bool(p["needs_ocr"]),
                confidence=p["confidence"],
            )
            for p in self._db.execute(
                "SELECT * FROM pages WHERE submission_id = ? ORDER BY number", (row["id"],)
            )
        )
        return Record(
            id=row["id"],
            sha256=row["sha256"],
            original_name=row["original_name"],
            format=Format(row["format"]),
            pages=pages,
            text=row["text"],
            title=row["title"],
            submitter=Submitter.from_dict(json.loads(row["submitter"]))
            if row["submitter"]
            else None,
            findings=tuple(Finding.from_dict(f) for f in json.loads(row["findings"])),
            status=Status(row["status"]),
            errors=tuple(json.loads(row["errors"])),
            received_at=row["received_at"],
            stored_as=row["stored_as"],
            structure=Structure.from_dict(json.loads(row["structure"]))
            if row["structure"]
            else recognize.analyse(row["text"].splitlines()),
        )


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error; SQLite errors become RegistryError.

    Nested inside another (``Registry.batch``), it is a savepoint instead: its
    own failure rolls back only its own work, and nothing is durable until the
    outermost transaction commits.
    """

    def __init__(self, db: sqlite3.Connection, registry: Registry) -> None:
        self._db = db
        self._registry = registry
        self._savepoint: str | None = None

    def __enter__(self) -> None:
        depth = self._registry._depth
        try:
            if depth:
                self._savepoint = f"sp{depth}"
                self._db.execute(f"SAVEPOINT {self._savepoint}")
            else:
                self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise RegistryError(f"登记库被占用或不可写：{exc}") from exc
        self._registry._depth += 1

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:  # fmt: skip
        self._registry._depth -= 1
        done, undo = ("COMMIT", "ROLLBACK") if self._savepoint is None else (
            f"RELEASE {self._savepoint}", f"ROLLBACK TO {self._savepoint}; RELEASE {self._savepoint}"
        )  # fmt: skip
        if exc_type is None:
            try:
                self._db.execute(done)
                return
            except sqlite3.Error as error:
                self._undo(undo)
                raise registry_error(error) from error
        self._undo(undo)
        if isinstance(exc, sqlite3.Error):
            raise registry_error(exc) from exc

    def _undo(self, statements: str) -> None:
        for statement in statements.split("; "):
            try:
                self._db.execute(statement)
            except sqlite3.OperationalError:
                # SQLite already rolled back by itself (a full disk, an I/O error): there
                # is nothing left to undo, and the original error is the one to report.
                if self._db.in_transaction:
                    raise


def _receipt(row: sqlite3.Row) -> Receipt:
    return Receipt(
        seq=row["seq"],
        file=row["file"],
        source=row["source"],
        received_at=row["received_at"],
        disposition=Disposition(row["disposition"]),
        sha256=row["sha256"],
        size=row["size"],
        format=row["format"],
        submission_id=row["submission_id"],
        duplicates=tuple(DuplicateRef.from_dict(d) for d in json.loads(row["duplicates"])),
        error=row["error"],
        note=row["note"],
        stored_as=row["stored_as"],
    )


def registry_error(error: sqlite3.Error) -> RegistryError:
    """A SQLite error as the registry reports it; a full disk is its own, passing kind."""
    kind = DiskFullError if "disk is full" in str(error) else RegistryError
    return kind(f"写入登记库失败：{describe_sqlite(error)}")


def describe_sqlite(error: sqlite3.Error) -> str:
    """A SQLite error as a clerk can act on it."""
    text = str(error)
    if "disk is full" in text or "disk I/O" in text:
        return "磁盘空间已满或磁盘读写出错；已登记的内容完好，请腾出空间后重新运行"
    if "locked" in text or "busy" in text:
        return "登记库正被另一个 minyi 程序占用，请稍后再试"
    if "readonly" in text:
        return "登记库所在位置只读，无法写入"
    return text


def refuse_lost_registry(path: Path) -> None:
    """A data folder that keeps originals but whose registry is missing or empty was damaged
    (a deleted or truncated file): starting a new registry there would issue 2026-0001 again
    and lose the history, so it is refused until the registry is restored."""
    try:
        size = path.stat().st_size if path.exists() else None
        if size:  # the usual case: a registry with content; the archive is not looked at
            return
        kept = next((p for p in (path.parent / "archive").rglob("*") if p.is_file()), None)
    except OSError:
        return  # unreadable: opening the registry will say so
    if kept is None:
        return
    state = "不见了" if size is None else "是空文件（0 字节）"
    raise RegistryError(
        f"数据目录「{path.parent}」中保存着原件副本（archive/），但登记库 {path.name}{state}，"
        "可能被误删或损坏。为避免重复编号、丢失历史记录，minyi 不会新建登记库。请从备份恢复 "
        f"{path.name}（连同同名的 -wal 文件），或确认数据目录是否选对（--data、MINYI_DATA_DIR、"
        "minyi.toml 的 data_dir）"
    )


def _statements(script: str) -> Iterator[str]:
    """A migration's statements, one at a time (a trigger's body holds semicolons)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def _migrate(db: sqlite3.Connection) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA_VERSION:
        raise RegistryError(
            f"登记库版本（{version}）比本程序支持的（{SCHEMA_VERSION}）更新；请升级 minyi"
        )
    for number in range(version, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
