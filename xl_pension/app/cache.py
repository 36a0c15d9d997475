"""Check once: the checked records of each roster, kept beside it until its content changes.

Every folder that holds rosters gets a hidden SQLite file (:data:`CACHE_NAME`) with one entry a
roster file: its size and modification time, the SHA-256 of its content, the fingerprint of the
rules it was checked by (the policy file's bytes and all the code a check runs: ``core/``,
``io/`` and the two modules of the checked records) and the packed
:class:`~xl_pension.app.checked.CheckedRoster`. Files that are not usable rosters are not kept
(the fault may pass: a file still being copied, a locked file). A later summary, merge, declare
or notice of a folder takes the entry instead of reading and checking the file again when the
content hash and the fingerprint match; the modification time alone never decides. An entry
whose check depends on the day (a birth date after the day it was checked) holds for that day
only.

Entries are signed (HMAC-SHA-256) with a key of this user on this computer (:func:`key_path`,
made on first use), and an entry whose signature does not match is never unpickled: a cache
file that came with a folder copied from elsewhere — or was planted in it — only means the
rosters are checked again, never that its content is trusted.

The cache is an accelerator, never a source of truth: a folder that cannot be written, a
damaged cache file or a locked one, or no key, simply means the roster is checked again.
``XL_PENSION_NO_CACHE=1`` turns it off. The cache holds what the rosters beside it hold
(names, full ID numbers): it is as private as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import pickle
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ..core.errors import XlPensionError
from ..core.policy import Policy
from ..core.validation import Checked
from .checked import PACK_FORMAT, CheckedRoster, depends_on_the_day

CACHE_NAME = ".xl-pension-cache.sqlite"
OK, UNUSABLE = "ok", "unusable"
_SOURCES = ("core", "io", "app/checked.py", "app/cache.py")  # what a check depends on
_SCHEMA = """CREATE TABLE IF NOT EXISTS checked (
    name TEXT NOT NULL, fingerprint TEXT NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, valid_on TEXT NOT NULL,
    payload BLOB NOT NULL, PRIMARY KEY (name, fingerprint))"""
Outcome = tuple[str, object]  # (OK, CheckedRoster) or (UNUSABLE, (message, code))


def enabled() -> bool:
    """False when ``XL_PENSION_NO_CACHE`` is set to anything but 0 or empty."""
    return os.environ.get("XL_PENSION_NO_CACHE", "").strip() in ("", "0")


@lru_cache(maxsize=8)
def _code_digest() -> str:
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(str(PACK_FORMAT).encode())
    for source in _SOURCES:
        path = package / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(package).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def fingerprint(policy: Policy) -> str:
    """What a check depends on besides the file: the policy (its file's bytes, or its values
    when it was not loaded from a file) and the checking code."""
    digest = hashlib.sha256(_code_digest().encode())
    digest.update(policy.id.encode())
    try:
        digest.update(Path(policy.path).read_bytes())
    except OSError:
        digest.update(repr(policy).encode())
    return digest.hexdigest()


KEY_BYTES = 32


def key_path() -> Path:
    """Where this user's signing key lives: ``XL_PENSION_CACHE_KEY`` if set, else
    ``%LOCALAPPDATA%/xl-pension/cache.key`` (Windows) or ``~/.cache/xl-pension/cache.key``."""
    if os.environ.get("XL_PENSION_CACHE_KEY"):
        return Path(os.environ["XL_PENSION_CACHE_KEY"])
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME")
    return Path(base or Path.home() / ".cache") / "xl-pension" / "cache.key"


@lru_cache(maxsize=4)
def _key(path: Path) -> bytes | None:
    """The signing key at ``path``, made (readable by this user only) when there is none;
    ``None`` when it can be neither read nor made."""
    try:
        key = path.read_bytes()
        return key if len(key) == KEY_BYTES else None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        return _key.__wrapped__(path)
    except OSError:
        return None
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def signing_key() -> bytes | None:
    """This user's key for signing cache entries (``None``: no cache can be trusted)."""
    return _key(key_path())


def _signature(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def content_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _hide(file: Path) -> None:
    """Give the new cache file Windows' hidden attribute (a leading dot hides it elsewhere), so
    that a clerk browsing the village folder sees only the rosters."""
    if os.name == "nt":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.kernel32.SetFileAttributesW(str(file), 0x2)  # FILE_ATTRIBUTE_HIDDEN


@contextmanager
def _connect(folder: Path) -> Iterator[sqlite3.Connection]:
    """The folder's cache database, in one transaction, closed afterwards."""
    file = folder / CACHE_NAME
    new = not file.exists()
    db = sqlite3.connect(file, timeout=30)
    try:
        if new:  # write the schema first: the file exists on disk once it is committed
            with db:
                db.execute(_SCHEMA)
            _hide(file)
        with db:
            db.execute(_SCHEMA)
            yield db
    finally:
        db.close()


def lookup_payload(path: Path, print_: str) -> tuple[bytes | None, str]:
    """The stored, pickled :meth:`CheckedRoster.pack` of ``path`` under the rules ``print_``
    (None when there is none, it is stale or its signature is not this user's) and the file's
    content hash ('' when it could not be hashed). The payload is not unpickled here: a worker
    sends it on as it is."""
    try:
        stat = path.stat()
        digest = content_hash(path)
    except OSError:
        return None, ""
    db_file = path.parent / CACHE_NAME
    if not db_file.exists():
        return None, digest
    try:
        with _connect(path.parent) as db:
            row = db.execute(
                "SELECT size, sha256, valid_on, payload FROM checked "
                "WHERE name = ? AND fingerprint = ?",
                (path.name, print_),
            ).fetchone()
    except sqlite3.Error:
        return None, digest
    if row is None:
        return None, digest
    size, sha256, valid_on, payload = row
    if size != stat.st_size or sha256 != digest:
        return None, digest
    if valid_on and valid_on != dt.date.today().isoformat():
        return None, digest
    key, payload = signing_key(), bytes(payload)
    mac, data = payload[:KEY_BYTES], payload[KEY_BYTES:]
    if key is None or not hmac.compare_digest(mac, _signature(key, data)):
        return None, digest  # not signed by this user here: never unpickled
    return data, digest


def lookup(path: Path, print_: str) -> tuple[CheckedRoster | None, str]:
    """:func:`lookup_payload`, unpacked (None as well for an entry that cannot be read)."""
    payload, digest = lookup_payload(path, print_)
    if payload is None:
        return None, digest
    try:
        return unpickled(payload), digest
    except Exception:  # an entry this version cannot read: check again
        return None, digest


def pickled(checked: CheckedRoster) -> bytes:
    """The stored form of checked records: the pickle of their plain-tuple pack."""
    return pickle.dumps(checked.pack(), protocol=pickle.HIGHEST_PROTOCOL)


def unpickled(payload: bytes) -> CheckedRoster:
    """The inverse of :func:`pickled`."""
    return CheckedRoster.unpack(pickle.loads(payload))


def unpickled_checked(payload: bytes) -> Checked:
    """``unpickled(payload).checked()``, without making a record object a person."""
    return CheckedRoster.unpack_checked(pickle.loads(payload))


def store(
    path: Path, print_: str, digest: str, checked: CheckedRoster, payload: bytes | None = None
) -> None:
    """Keep ``checked`` (``payload``: its :func:`pickled` form, if made already) for ``path``
    (checked from content ``digest``); a folder that cannot be written is left without a
    cache."""
    key = signing_key()
    if key is None:
        return
    payload = payload if payload is not None else pickled(checked)
    valid_on = dt.date.today().isoformat() if depends_on_the_day(checked) else ""
    try:
        stat = path.stat()
        if content_hash(path) != digest:  # changed while it was being checked
            return
        with _connect(path.parent) as db:
            # entries of earlier rules (an upgrade, another policy file) are never looked up
            # again by this version: drop them so the cache does not grow with every upgrade
            db.execute(
                "DELETE FROM checked WHERE name = ? AND fingerprint <> ?", (path.name, print_)
            )
            db.execute(
                "INSERT OR REPLACE INTO checked VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    path.name,
                    print_,
                    stat.st_size,
                    stat.st_mtime_ns,
                    digest,
                    valid_on,
                    _signature(key, payload) + payload,
                ),
            )
    except (OSError, sqlite3.Error):
        return


def load_checker(paths: Sequence[Path] = (), policy: Policy | None = None) -> None:
    """Load the bulk check and what it loads (numpy, python-stdnum's area table: a few tenths
    of a second of CPU) in this process before a folder run forks its worker processes, so that
    they share it instead of each loading it again — unless every one of ``paths`` looks kept
    already under ``policy`` (:func:`looks_kept`: then no worker is likely to check anything)."""
    if policy is not None and paths and looks_kept(paths, policy):
        return
    from ..core import bulk_check  # noqa: F401


def looks_kept(paths: Sequence[Path], policy: Policy) -> bool:
    """True when the cache holds an entry under ``policy``'s rules for every one of ``paths``
    with the file's present size and modification time. Only a hint (whether to load the
    checker beforehand): whether an entry is used is decided by the content hash alone."""
    if not enabled():
        return False
    print_, today = fingerprint(policy), dt.date.today().isoformat()
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(path.parent, []).append(path)
    try:
        for folder, files in by_folder.items():
            if not (folder / CACHE_NAME).exists():
                return False
            with _connect(folder) as db:
                kept = {
                    name: (size, mtime_ns)
                    for name, size, mtime_ns, valid_on in db.execute(
                        "SELECT name, size, mtime_ns, valid_on FROM checked WHERE fingerprint = ?",
                        (print_,),
                    )
                    if not valid_on or valid_on == today
                }
            for file in files:
                stat = file.stat()
                if kept.get(file.name) != (stat.st_size, stat.st_mtime_ns):
                    return False
    except (OSError, sqlite3.Error):
        return False
    return True


def check_now(path: Path, policy: Policy) -> CheckedRoster:
    """Read and check a roster file now (raises :class:`XlPensionError` for a file that is not
    a usable roster): the bulk path, column-wise where the rows allow it (the same result as
    :func:`~xl_pension.core.validation.check_roster`)."""
    from ..core.bulk_check import check_roster_bulk
    from ..io.reader import read_roster

    return CheckedRoster.of(check_roster_bulk(read_roster(path), policy), policy)


def checked_once(path: str | Path, policy: Policy) -> CheckedRoster:
    """The checked records of a roster file: from the cache beside it when its content and
    the rules are unchanged, else read and checked now (and kept). A file that cannot be used
    raises :class:`XlPensionError` every time (nothing is kept of it: the fault may pass)."""
    path = Path(path)
    if not enabled():
        return check_now(path, policy)
    print_ = fingerprint(policy)
    found, digest = lookup(path, print_)
    if found is not None:
        return found
    checked = check_now(path, policy)
    if digest:
        store(path, print_, digest, checked)
    return checked


def check_once(path: str | Path, policy: Policy) -> Outcome:
    """:func:`checked_once` as an outcome: ``(OK, CheckedRoster)`` or ``(UNUSABLE, (message,
    code))``, for per-file workers."""
    try:
        return OK, checked_once(path, policy)
    except XlPensionError as exc:
        return UNUSABLE, (exc.message, exc.code)


def packed_once(path: str | Path, policy: Policy) -> bytes:
    """:func:`checked_once` in its :func:`pickled` form, without unpickling a stored entry
    (what a folder worker sends back)."""
    path = Path(path)
    if not enabled():
        return pickled(check_now(path, policy))
    print_ = fingerprint(policy)
    payload, digest = lookup_payload(path, print_)
    if payload is not None:
        return payload
    checked = check_now(path, policy)
    payload = pickled(checked)
    if digest:
        store(path, print_, digest, checked, payload)
    return payload


def check_once_packed(path: str | Path, policy: Policy) -> Outcome:
    """:func:`packed_once` as an outcome: ``(OK, bytes)`` or ``(UNUSABLE, (message, code))``."""
    try:
        return OK, packed_once(path, policy)
    except XlPensionError as exc:
        return UNUSABLE, (exc.message, exc.code)
