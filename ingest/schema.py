"""The registry's schema as numbered migrations; ``registry`` applies them in order.

A migration, once released, is never edited: changes come as a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE submissions (
        id TEXT PRIMARY KEY,
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        original_name TEXT NOT NULL,
        received_at TEXT NOT NULL,
        format TEXT NOT NULL,
        text TEXT NOT NULL,
        title TEXT,
        submitter TEXT,
        status TEXT NOT NULL,
        findings TEXT NOT NULL DEFAULT '[]',
        errors TEXT NOT NULL DEFAULT '[]',
        stored_as TEXT NOT NULL,
        UNIQUE (year, seq)
    );
    CREATE TABLE pages (
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        number INTEGER NOT NULL,
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        needs_ocr INTEGER NOT NULL,
        confidence REAL,
        PRIMARY KEY (submission_id, number)
    );
    CREATE TABLE receipts (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at TEXT NOT NULL,
        source TEXT NOT NULL,
        file TEXT NOT NULL,
        disposition TEXT NOT NULL,
        sha256 TEXT,
        size INTEGER,
        format TEXT,
        submission_id TEXT REFERENCES submissions(id),
        duplicates TEXT NOT NULL DEFAULT '[]',
        error TEXT,
        note TEXT,
        stored_as TEXT
    );
    CREATE INDEX receipts_sha256 ON receipts (sha256);
    CREATE INDEX receipts_submission ON receipts (submission_id);
    """,
    # 2: screening — the text hash for same-content copies, the near-duplicate
    # index and releases from quarantine. The index refers to submissions by
    # rowid: signatures one row each, LSH buckets as posting lists (packed int64
    # rowids), so a query reads one row per band however full the bucket.
    """
    ALTER TABLE submissions ADD COLUMN text_hash TEXT;
    CREATE INDEX submissions_text_hash ON submissions (text_hash);
    CREATE TABLE signatures (
        submission_rowid INTEGER PRIMARY KEY,
        minhash BLOB NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE TABLE lsh_postings (
        band INTEGER NOT NULL,
        key INTEGER NOT NULL,
        rowids BLOB NOT NULL,
        PRIMARY KEY (band, key)
    ) WITHOUT ROWID;
    CREATE TABLE index_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE releases (
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        released_at TEXT NOT NULL,
        previous_status TEXT NOT NULL,
        new_status TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 3: the watched inbox — a journal of every file's stage, so that a watcher
    # killed at any moment resumes without losing or repeating anything, and the
    # watcher's heartbeat for ``minyi status``.
    """
    CREATE TABLE journal (
        path TEXT PRIMARY KEY,
        stage TEXT NOT NULL,
        sha256 TEXT,
        receipt INTEGER REFERENCES receipts(seq),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try REAL NOT NULL DEFAULT 0,
        error TEXT,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX journal_stage ON journal (stage);
    CREATE TABLE heartbeat (
        name TEXT PRIMARY KEY,
        pid INTEGER NOT NULL,
        mode TEXT NOT NULL,
        inbox TEXT NOT NULL,
        started_at TEXT NOT NULL,
        beat_at TEXT NOT NULL
    );
    """,
    # 4: issues (期) — one row per issue, numbered per series and year and never
    # reused; the content as JSON (its model lives in ``formatter``), its
    # items by submission for lookups, and the last render.
    """
    CREATE TABLE issues (
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,
        total_number INTEGER,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        rendered_at TEXT,
        rendered_to TEXT,
        PRIMARY KEY (series, year, number)
    );
    CREATE TABLE issue_items (
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,
        position INTEGER NOT NULL,
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        PRIMARY KEY (series, year, number, position),
        FOREIGN KEY (series, year, number) REFERENCES issues(series, year, number)
    );
    CREATE INDEX issue_items_submission ON issue_items (submission_id);
    """,
    # 5: follow-through — the events of each item's life after publication (报送,
    # 采用, 转报, 批示, 办理反馈, 成果转化, satisfaction) and who is credited with
    # each submission where the office set it (otherwise taken from the 反映人).
    # Events are stored as JSON documents (``followup`` owns their model), with
    # the columns statistics filter on.
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        kind TEXT NOT NULL,
        date TEXT NOT NULL,
        data TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX events_submission ON events (submission_id);
    CREATE INDEX events_date ON events (date);
    CREATE TABLE credits (
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        position INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (submission_id, position)
    );
    """,
    # 6: how many files the watcher has in hand (being read, waiting for a reader,
    # being completed), for the "处理中" column of ``minyi status``.
    """
    ALTER TABLE heartbeat ADD COLUMN busy INTEGER NOT NULL DEFAULT 0;
    """,
    # 7: why the watcher stopped when it did not stop normally (``minyi status``).
    """
    ALTER TABLE heartbeat ADD COLUMN error TEXT;
    """,
    # 8: a submission's recognised structure (title, bylines, body, furniture) as
    # JSON; rows from before it are recognised again from their text when read.
    """
    ALTER TABLE submissions ADD COLUMN structure TEXT;
    """,
    # 9: find and decide — the archive's full-text index (each part's folded text as
    # single characters: any string is found as a phrase; contentless, the text stays in
    # submissions), the review decision beside the intake status, a narrow table of what
    # lists filter and sort on (kept by triggers: reading these columns from submissions
    # would read every row's text), acknowledged flags, and the append-only audit log (the
    # releases recorded so far are its first entries).
    """
    CREATE VIRTUAL TABLE search_index USING fts5(
        title, people, body, furniture, content='', tokenize='unicode61'
    );
    ALTER TABLE submissions ADD COLUMN decision TEXT NOT NULL DEFAULT 'pending';
    ALTER TABLE submissions ADD COLUMN decided_at TEXT;
    ALTER TABLE submissions ADD COLUMN decided_by TEXT;
    ALTER TABLE submissions ADD COLUMN replaces TEXT REFERENCES submissions(id);
    ALTER TABLE submissions ADD COLUMN superseded_by TEXT REFERENCES submissions(id);
    CREATE TABLE submission_facts (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        year INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        format TEXT NOT NULL,
        status TEXT NOT NULL,
        decision TEXT NOT NULL,
        superseded_by TEXT,
        submitter_name TEXT,
        submitter_unit TEXT,
        flags TEXT NOT NULL
    );
    CREATE INDEX submission_facts_received ON submission_facts (received_at);
    CREATE INDEX submission_facts_decision ON submission_facts (decision, received_at);
    CREATE VIEW submission_facts_source AS SELECT
        rowid, id, year, received_at, format, status, decision, superseded_by,
        json_extract(submitter, '$.name') AS submitter_name,
        NULLIF(TRIM(COALESCE(json_extract(submitter, '$.unit'), '') || ' ' ||
                    COALESCE(json_extract(submitter, '$.identity'), '')), '') AS submitter_unit,
        ' ' || REPLACE(COALESCE((SELECT group_concat(DISTINCT json_extract(value, '$.category'))
                                 FROM json_each(findings)), ''), ',', ' ') || ' ' ||
        REPLACE(COALESCE((SELECT group_concat(DISTINCT json_extract(value, '$.kind'))
                          FROM json_each(findings)), ''), ',', ' ') || ' ' AS flags
        FROM submissions;
    INSERT INTO submission_facts SELECT * FROM submission_facts_source;
    CREATE TRIGGER submission_facts_insert AFTER INSERT ON submissions BEGIN
        INSERT INTO submission_facts
            SELECT * FROM submission_facts_source WHERE rowid = NEW.rowid;
    END;
    CREATE TRIGGER submission_facts_update AFTER UPDATE ON submissions BEGIN
        DELETE FROM submission_facts WHERE rowid = OLD.rowid;
        INSERT INTO submission_facts
            SELECT * FROM submission_facts_source WHERE rowid = NEW.rowid;
    END;
    CREATE TABLE acknowledgements (
        submission_id TEXT NOT NULL REFERENCES submissions(id),
        code TEXT NOT NULL,
        acknowledged_by TEXT NOT NULL,
        acknowledged_at TEXT NOT NULL,
        PRIMARY KEY (submission_id, code)
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        submission_id TEXT,
        issue TEXT,
        detail TEXT NOT NULL DEFAULT '{}',
        reason TEXT
    );
    CREATE INDEX audit_submission ON audit (submission_id);
    CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    INSERT INTO audit (at, actor, action, submission_id, detail, reason)
        SELECT released_at, '（未记录）', 'release', submission_id,
               json_object('from', previous_status, 'to', new_status), reason
        FROM releases ORDER BY rowid;
    INSERT OR REPLACE INTO index_meta (name, value)
        SELECT 'search_stale', '1' WHERE EXISTS (SELECT 1 FROM submissions);
    """,
    # 10: an issue's life — 草稿 (draft), 已签发 (signed), 已印发 (issued: rendered for
    # issue, its files are the record), 已作废 (void: the number stays used); who signed
    # and when; how many times it was issued (each reissue after a reopen is a new
    # version, the old files kept). Issues rendered before this are taken as issued.
    """
    ALTER TABLE issues ADD COLUMN state TEXT NOT NULL DEFAULT 'draft';
    ALTER TABLE issues ADD COLUMN signed_by TEXT;
    ALTER TABLE issues ADD COLUMN signed_at TEXT;
    ALTER TABLE issues ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE issues ADD COLUMN void_reason TEXT;
    UPDATE issues SET state = 'issued', version = 1 WHERE rendered_at IS NOT NULL;
    """,
    # 11: the register of members and units (委员库): who may be credited, with their
    # unit, 界别 and 党派; ``folded`` is the name as matching compares it.
    """
    CREATE TABLE members (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        sector TEXT NOT NULL DEFAULT '',
        party TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL,
        folded TEXT NOT NULL,
        UNIQUE (name, unit)
    );
    CREATE INDEX members_folded ON members (folded);
    """,
    # 12: the review desk's users (argon2 hashes, never the password) and their sessions
    # (a hash of the cookie's random token: a stolen database opens no session; a session
    # ended at logout cannot be used again).
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        seen_at REAL NOT NULL
    );
    CREATE INDEX sessions_user ON sessions (user);
    """,
    # 13: the desk counts its tabs and its queue from an index alone (at 100,000
    # submissions: 8 ms for every tab's count, against 170 ms reading the table).
    """
    CREATE INDEX submission_facts_queue ON submission_facts (decision, superseded_by);
    """,
)
