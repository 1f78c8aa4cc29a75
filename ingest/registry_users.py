"""The registry's tables for the review desk: users and their sessions.

Only what is stored lives here: a user's role and password hash (hashing is the
app's, ``minyi.accounts``), and a session as the hash of its cookie's token, with
its CSRF token and when it was last used. Ending a session deletes its row, so a
cookie copied before logout opens nothing afterwards.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from common.errors import InputError


@dataclass(frozen=True)
class UserRow:
    name: str
    role: str
    password: str  # the argon2 hash
    disabled: bool
    created_at: str
    changed_at: str


@dataclass(frozen=True)
class SessionRow:
    user: str
    csrf: str
    created_at: str
    seen_at: float


class UserTables:
    """Mixed into ``Registry``; uses its connection and transactions."""

    _db: sqlite3.Connection

    def users(self) -> list[UserRow]:
        rows = self._db.execute("SELECT * FROM users ORDER BY name").fetchall()
        return [_user(r) for r in rows]

    def user(self, name: str) -> UserRow | None:
        row = self._db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return _user(row) if row else None

    def add_user(self, name: str, role: str, password: str, when: str) -> None:
        try:
            self._db.execute(
                "INSERT INTO users (name, role, password, created_at, changed_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, role, password, when, when),
            )
        except sqlite3.IntegrityError:
            raise InputError(f"用户「{name}」已存在；修改密码用 minyi user passwd") from None

    def change_user(self, name: str, when: str, *, role: str | None = None,
                    password: str | None = None, disabled: bool | None = None) -> None:  # fmt: skip
        """Change a user; a new password, a new role or disabling ends their sessions."""
        if self.user(name) is None:
            raise InputError(f"没有用户「{name}」；可用 minyi user list 查看")
        sets, values = ["changed_at = ?"], [when]
        for column, value in (("role", role), ("password", password)):
            if value is not None:
                sets.append(f"{column} = ?")
                values.append(value)
        if disabled is not None:
            sets.append("disabled = ?")
            values.append(str(int(disabled)))
        self._db.execute(f"UPDATE users SET {', '.join(sets)} WHERE name = ?", (*values, name))
        self._db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    # -- sessions ---------------------------------------------------------

    def open_session(self, token_hash: str, user: str, csrf: str, when: str,
                     seen: float) -> None:  # fmt: skip
        self._db.execute(
            "INSERT INTO sessions (token, user, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash, user, csrf, when, seen),
        )

    def session(self, token_hash: str) -> SessionRow | None:
        row = self._db.execute(
            "SELECT user, csrf, created_at, seen_at FROM sessions WHERE token = ?", (token_hash,)
        ).fetchone()
        return SessionRow(row[0], row[1], row[2], row[3]) if row else None

    def touch_session(self, token_hash: str, seen: float) -> None:
        self._db.execute("UPDATE sessions SET seen_at = ? WHERE token = ?", (seen, token_hash))

    def close_session(self, token_hash: str) -> None:
        self._db.execute("DELETE FROM sessions WHERE token = ?", (token_hash,))

    def close_idle_sessions(self, before: float) -> None:
        self._db.execute("DELETE FROM sessions WHERE seen_at < ?", (before,))


def _user(row: sqlite3.Row) -> UserRow:
    return UserRow(row["name"], row["role"], row["password"], bool(row["disabled"]),
                   row["created_at"], row["changed_at"])  # fmt: skip


__all__ = ["SessionRow", "UserRow", "UserTables"]
