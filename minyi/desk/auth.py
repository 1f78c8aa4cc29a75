"""Sessions, CSRF and login throttling for the review desk.

A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the
registry keeps only its SHA-256, with the session's CSRF token and when it was
last used. A session idle longer than ``desk_idle_minutes`` is ended, as is
every session of a user whose password or role changes or who is disabled;
logging out deletes it, so a copied cookie opens nothing afterwards.

Every state-changing request carries the session's CSRF token in the
``X-CSRF-Token`` header (the pages' htmx and script calls set it; scripts read
it from ``POST /api/login``). A cross-site page can neither read the token nor
set the header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from ingest.registry import Registry
from minyi.accounts import Right, dummy_hash, may, verify_password

COOKIE = "minyi_session"
CSRF_HEADER = "X-CSRF-Token"
_TOUCH_EVERY = 30.0  # seconds between writes of a session's last use


@dataclass(frozen=True)
class User:
    """The signed-in user of one request."""

    name: str
    role: str
    csrf: str
    token_hash: str

    def may(self, right: Right) -> bool:
        return may(self.role, right)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def open_session(registry: Registry, name: str, when: str) -> tuple[str, str]:
    """A new session for ``name``: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    registry.open_session(token_hash(token), name, csrf, when, time.time())
    return token, csrf


def current_user(registry: Registry, token: str | None, idle_seconds: float) -> User | None:
    """The user a session cookie belongs to, if the session is live and the user may sign in."""
    if not token or len(token) > 200:
        return None
    hashed = token_hash(token)
    session = registry.session(hashed)
    if session is None:
        return None
    now = time.time()
    if now - session.seen_at > idle_seconds:
        registry.close_session(hashed)
        return None
    user = registry.user(session.user)
    if user is None or user.disabled:
        registry.close_session(hashed)
        return None
    if now - session.seen_at > _TOUCH_EVERY:
        registry.touch_session(hashed, now)
    return User(user.name, user.role, session.csrf, hashed)


def csrf_ok(user: User, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(user.csrf.encode(), (given or "").encode())


def check_password(registry: Registry, name: str, password: str) -> str | None:
    """The user's role if ``password`` is theirs and they are enabled; the same work is done
    for a name that does not exist (no telling names apart by time)."""
    user = registry.user(name)
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password, password) or user.disabled:
        return None
    return user.role


@dataclass
class Throttle:
    """Failed logins per user name and per client address: after ``free`` failures within
    ``window`` seconds, each further try waits twice as long as the last (at most ``cap``)."""

    free: int = 5
    window: float = 900.0
    base: float = 30.0
    cap: float = 900.0
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, *keys: str) -> float:
        """Seconds until these keys may try again (0: now)."""
        now = time.monotonic()
        longest = 0.0
        with self._lock:
            for key in keys:
                times = [t for t in self._failures.get(key, []) if now - t < self.window]
                self._failures[key] = times
                over = len(times) - self.free
                if over >= 0:
                    delay = min(self.cap, self.base * 2**over)
                    longest = max(longest, times[-1] + delay - now)
        return max(0.0, longest)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


__all__ = ["COOKIE", "CSRF_HEADER", "Throttle", "User", "current_user", "open_session"]
