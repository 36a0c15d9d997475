"""Accounts of the web service: roles, places and argon2 password hashes."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..core import catalogue as cat
from ..core.places import township_named
from ..core.policy import Policy
from .store import ROLES, Store, User

MIN_PASSWORD = 8
ROLE_NAMES = {"village": "村协办员", "township": "乡镇经办人", "county": "县级管理员"}
_HASHER = PasswordHasher()  # argon2id, memory-hard, library defaults (64 MiB, 3 passes)
# A hash to verify against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("xl-pension-no-such-user")


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when ``password`` is the user's (always takes one argon2 verification)."""
    try:
        return _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def add_account(
    store: Store,
    policy: Policy,
    name: str,
    password: str,
    *,
    role: str,
    township: str = "",
    village: str = "",
) -> User:
    """Create an account after checking its role, place and password."""
    name = name.strip()
    if not name or len(name) > 64:
        raise cat.USER_INVALID.error("name")
    if role not in ROLES:
        raise cat.USER_INVALID.error("role", roles="、".join(ROLES))
    if len(password) < MIN_PASSWORD:
        raise cat.USER_INVALID.error("password", length=MIN_PASSWORD)
    town = ""
    if role in ("township", "village"):
        if not township.strip():
            raise cat.USER_INVALID.error("township", role=ROLE_NAMES[role])
        town = township_named(policy, township).name
    village = village.strip() if role == "village" else ""
    if role == "village" and not village:
        raise cat.USER_INVALID.error("village")
    return store.add_user(name, hash_password(password), role, town, village)
