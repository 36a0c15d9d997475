"""The accounts and log-in sessions of the web store (a part of :class:`~.store.Store`).

Only a SHA-256 of a session's token is stored, so the database cannot be used to log in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from ..core import catalogue as cat
from .store_tables import sessions, users

ROLES = ("village", "township", "county")


def utc_now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class User:
    """An account: its role and the township/village it may see ('' for the county)."""

    id: int
    name: str
    role: str
    township: str
    village: str
    password_hash: str = dataclasses.field(default="", repr=False)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountStore:
    """Accounts and sessions over ``self.engine`` (the :class:`~.store.Store`'s)."""

    engine: sa.Engine

    def add_user(
        self, name: str, password_hash: str, role: str, township: str, village: str
    ) -> User:
        """Create an account; refuses a name already taken."""
        with self.engine.begin() as con:
            if con.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise cat.USER_EXISTS.error(name=name)
            uid = con.execute(
                users.insert().values(
                    name=name,
                    password_hash=password_hash,
                    role=role,
                    township=township,
                    village=village,
                    created_at=utc_now(),
                )
            ).inserted_primary_key[0]
        return User(uid, name, role, township, village, password_hash)

    def user(self, *, name: str | None = None, user_id: int | None = None) -> User | None:
        """The account with this name or id, or ``None``."""
        query = sa.select(users)
        query = (
            query.where(users.c.name == name)
            if name is not None
            else query.where(users.c.id == user_id)
        )
        with self.engine.connect() as con:
            row = con.execute(query).mappings().first()
        if row is None:
            return None
        return User(
            row["id"],
            row["name"],
            row["role"],
            row["township"],
            row["village"],
            row["password_hash"],
        )

    def start_session(self, user: User, lifetime: dt.timedelta) -> tuple[str, str]:
        """A new session for ``user``: its cookie token and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utc_now()
        with self.engine.begin() as con:
            con.execute(sessions.delete().where(sessions.c.expires_at < now))
            con.execute(
                sessions.insert().values(
                    token_hash=_token_hash(token),
                    user_id=user.id,
                    csrf=csrf,
                    expires_at=now + lifetime,
                )
            )
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session, or ``None``."""
        query = sa.select(sessions.c.user_id, sessions.c.csrf, sessions.c.expires_at).where(
            sessions.c.token_hash == _token_hash(token)
        )
        with self.engine.connect() as con:
            row = con.execute(query).first()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        if expires < utc_now():
            return None
        user = self.user(user_id=row.user_id)
        return (user, row.csrf) if user is not None else None

    def end_session(self, token: str) -> None:
        """Log out: forget the session."""
        with self.engine.begin() as con:
            con.execute(sessions.delete().where(sessions.c.token_hash == _token_hash(token)))
