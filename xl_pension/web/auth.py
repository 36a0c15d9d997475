"""Log-in, sessions, CSRF and throttling of the web service.

The session token lives in an HttpOnly, SameSite=Strict cookie (only its hash is stored); the
CSRF token is returned by ``POST /api/login`` and must come back in ``X-CSRF-Token`` on every
other POST. Repeated failed log-ins lock the user name and the client address for a while.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.requests import Request

from ..app.store import Store, User

COOKIE = "xlp_session"
CSRF_HEADER = "x-csrf-token"
SESSION_LIFETIME = dt.timedelta(hours=12)


@dataclass
class Throttle:
    """At most ``attempts`` failed log-ins per user name and per client address within
    ``window`` seconds; beyond that, log-ins from there are refused until the window passes."""

    attempts: int = 5
    window: float = 15 * 60
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> bool:
        """True when any key has used up its attempts."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def fail(self, *keys: str) -> None:
        """Count one failed log-in against every key."""
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def forget(self, *keys: str) -> None:
        """A successful log-in clears the user name's failures."""
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)


def client_key(request: Request) -> str:
    """The throttling key of the client address."""
    return "addr:" + (request.client.host if request.client else "?")


def user_key(name: str) -> str:
    """The throttling key of a user name."""
    return "user:" + name.strip().casefold()


@dataclass(frozen=True)
class Session:
    """The logged-in user of a request and the session's CSRF token."""

    user: User
    csrf: str
    token: str


def current_session(store: Store, request: Request) -> Session | None:
    """The request's live session, or ``None``."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    found = store.session(token)
    return Session(found[0], found[1], token) if found else None


def csrf_ok(session: Session, request: Request) -> bool:
    """True when the request carries the session's CSRF token."""
    return secrets.compare_digest(request.headers.get(CSRF_HEADER, ""), session.csrf)
