"""The checked-record store: accounts, sessions and every uploaded roster, checked once.

Each upload is a *submission* (who, when, where, file hash, policy id, counts) with one row per
person holding every parsed value (:class:`~xl_pension.core.validation.Person`) and its
findings, so that summaries, merges and declarations are computed from the database without
reading any file again. The original workbook is kept until ``keep_until`` (by default the end
of the collection year) so that annotated and computed copies can still be made; the county can
purge originals earlier. SQLite (a file in the data folder) or PostgreSQL, through SQLAlchemy
Core; the schema is migrated with Alembic when the store opens.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..core import catalogue as cat
from ..core.findings import Finding, Severity
from ..core.money import Money
from ..core.roster import Record, Roster
from ..core.validation import Checked, Person
from .store_tables import findings, migrate, records, sessions, submissions, users

ROLES = ("village", "township", "county")
DB_FILE = "xl_pension.db"
_DATE_FIELDS = ("birth_date", "pay_date")


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


@dataclass(frozen=True)
class Submission:
    """One stored upload (without its rows)."""

    id: int
    user_id: int
    uploader: str
    uploaded_at: dt.datetime
    township: str
    township_code: str
    village: str
    file_name: str
    sha256: str
    policy_id: str
    rows: int
    errors: int
    warnings: int
    keep_until: dt.date
    has_original: bool


def person_to_json(person: Person) -> str:
    """A person's parsed values as JSON (its findings are stored in their own table)."""
    data = {f.name: getattr(person, f.name) for f in dataclasses.fields(Person)}
    data.pop("findings")
    for key in _DATE_FIELDS:
        data[key] = data[key].isoformat() if data[key] else None
    data["backpay_years"] = list(person.backpay_years)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def person_from_json(text: str, person_findings: list[Finding]) -> Person:
    """The :class:`Person` stored by :func:`person_to_json`, with its findings."""
    data = json.loads(text)
    for key in _DATE_FIELDS:
        data[key] = dt.date.fromisoformat(data[key]) if data[key] else None
    data["backpay_years"] = tuple(data["backpay_years"])
    return Person(**data, findings=person_findings)


def _layout(roster: Roster) -> str:
    return json.dumps(
        {
            "file": Path(roster.file).name,
            "sheet": roster.sheet,
            "header_row": roster.header_row,
            "columns": roster.columns,
            "extra_headers": {str(k): v for k, v in roster.extra_headers.items()},
            "meta": roster.meta,
            "last_row": roster.last_row,
            "totals_rows": roster.totals_rows,
        },
        ensure_ascii=False,
    )


def _roster(layout: str, rows: Iterable[int]) -> Roster:
    data = json.loads(layout)
    return Roster(
        file=data["file"],
        sheet=data["sheet"],
        header_row=data["header_row"],
        columns=data["columns"],
        extra_headers={int(k): v for k, v in data["extra_headers"].items()},
        meta=data["meta"],
        records=[Record(row, {}) for row in rows],  # values stay in the people
        last_row=data["last_row"],
        totals_rows=data["totals_rows"],
    )


def _finding(row: Mapping) -> Finding:
    return Finding(
        row["code"],
        Severity(row["severity"]),
        row["sheet"],
        row["row"],
        row["column"],
        row["value"],
        row["message"],
    )


def _submission(row: Mapping) -> Submission:
    uploaded = row["uploaded_at"]
    if uploaded.tzinfo is None:  # SQLite gives naive datetimes back
        uploaded = uploaded.replace(tzinfo=dt.UTC)
    return Submission(
        id=row["id"],
        user_id=row["user_id"],
        uploader=row["uploader"],
        uploaded_at=uploaded,
        township=row["township"],
        township_code=row["township_code"],
        village=row["village"],
        file_name=row["file_name"],
        sha256=row["sha256"],
        policy_id=row["policy_id"],
        rows=row["rows"],
        errors=row["errors"],
        warnings=row["warnings"],
        keep_until=row["keep_until"],
        has_original=row["has_original"],
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Store:
    """The database behind the web service (one per process; thread-safe through the engine)."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.engine = sa.create_engine(url, connect_args={"timeout": 60})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)
        migrate(self.engine)

    @classmethod
    def open(cls, data: str | Path | None = None, db: str | None = None) -> Store:
        """The store at ``db`` (a SQLAlchemy URL) or in the folder ``data`` (SQLite)."""
        if db:
            if db.startswith("postgresql://"):  # psycopg 3 is the driver we install
                db = "postgresql+psycopg://" + db.removeprefix("postgresql://")
            try:
                return cls(db)
            except (sa.exc.SQLAlchemyError, ImportError) as exc:  # say what, never the password
                raise cat.STORE_UNREACHABLE.error(reason=type(exc).__name__) from None
        folder = Path(data or "xl-pension-data")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise cat.STORE_UNREACHABLE.error(
                "folder", folder=folder, reason=exc.strerror
            ) from None
        return cls(f"sqlite:///{(folder / DB_FILE).resolve()}")

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # --- accounts and sessions -------------------------------------------------------------

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

    # --- submissions -----------------------------------------------------------------------

    def add_submission(
        self,
        user: User,
        checked: Checked,
        money_by_row: Mapping[int, Money | None],
        *,
        township: str,
        township_code: str,
        village: str,
        file_name: str,
        original: bytes,
        policy_id: str,
        keep_until: dt.date,
    ) -> Submission:
        """Store one checked roster as a new version of its village, in one transaction."""
        person_rows = {id(f) for p in checked.people for f in p.findings}
        errors = sum(1 for f in checked.findings if f.severity is not Severity.WARNING)
        with self.engine.begin() as con:
            sid = con.execute(
                submissions.insert().values(
                    user_id=user.id,
                    uploaded_at=utc_now(),
                    township=township,
                    township_code=township_code,
                    village=village,
                    file_name=file_name[:255],
                    sha256=hashlib.sha256(original).hexdigest(),
                    policy_id=policy_id,
                    rows=len(checked.people),
                    errors=errors,
                    warnings=len(checked.findings) - errors,
                    layout=_layout(checked.roster),
                    original=original,
                    keep_until=keep_until,
                )
            ).inserted_primary_key[0]
            if checked.people:
                con.execute(
                    records.insert(),
                    [
                        {
                            "submission_id": sid,
                            "row": p.row,
                            "id_number": p.id_number[:32],
                            "paid": p.paid,
                            "has_error": p.has_error,
                            "credited": m.credited if (m := money_by_row.get(p.row)) else None,
                            "person": person_to_json(p),
                        }
                        for p in checked.people
                    ],
                )
            if checked.findings:
                con.execute(
                    findings.insert(),
                    [
                        {
                            "submission_id": sid,
                            "seq": i,
                            "code": f.code,
                            "severity": str(f.severity),
                            "sheet": f.sheet,
                            "row": f.row,
                            "column": f.column,
                            "value": f.value,
                            "message": f.message,
                            "on_person": id(f) in person_rows,
                        }
                        for i, f in enumerate(checked.findings)
                    ],
                )
        found = self.submission(sid)
        assert found is not None
        return found

    def _select_submissions(self) -> sa.Select:
        return sa.select(
            *(c for c in submissions.c if c.name not in ("original", "layout")),
            users.c.name.label("uploader"),
            submissions.c.original.is_not(None).label("has_original"),
        ).join(users, users.c.id == submissions.c.user_id)

    def submission(self, sid: int) -> Submission | None:
        """One submission, or ``None``."""
        with self.engine.connect() as con:
            row = (
                con.execute(self._select_submissions().where(submissions.c.id == sid))
                .mappings()
                .first()
            )
        return _submission(row) if row else None

    def submissions(
        self, township_code: str | None = None, village: str | None = None
    ) -> list[Submission]:
        """Every version (oldest first), optionally of one township and village."""
        query = self._select_submissions().order_by(submissions.c.id)
        if township_code is not None:
            query = query.where(submissions.c.township_code == township_code)
        if village is not None:
            query = query.where(submissions.c.village == village)
        with self.engine.connect() as con:
            return [_submission(r) for r in con.execute(query).mappings()]

    def latest(
        self, township_code: str | None = None, village: str | None = None
    ) -> list[Submission]:
        """The newest version of each village (by township code, then village)."""
        newest: dict[tuple[str, str], Submission] = {}
        for s in self.submissions(township_code, village):
            newest[(s.township_code, s.village)] = s
        return [newest[k] for k in sorted(newest)]

    def findings(self, sid: int) -> list[Finding]:
        """The findings of a submission, in the validator's order."""
        query = sa.select(findings).where(findings.c.submission_id == sid).order_by(findings.c.seq)
        with self.engine.connect() as con:
            return [_finding(r) for r in con.execute(query).mappings()]

    def checked(self, sid: int) -> Checked:
        """The stored checked roster of a submission, as the validator returned it (the raw
        cell values are not kept: every parsed value is in its people)."""
        with self.engine.connect() as con:
            layout = con.execute(
                sa.select(submissions.c.layout).where(submissions.c.id == sid)
            ).scalar_one()
            frows = list(
                con.execute(
                    sa.select(findings)
                    .where(findings.c.submission_id == sid)
                    .order_by(findings.c.seq)
                ).mappings()
            )
            prows = con.execute(
                sa.select(records.c.row, records.c.person)
                .where(records.c.submission_id == sid)
                .order_by(records.c.id)
            ).all()
        all_findings, by_row = [], {}
        for r in frows:
            f = _finding(r)
            all_findings.append(f)
            if r["on_person"]:
                by_row.setdefault(f.row, []).append(f)
        people = [person_from_json(text, by_row.get(row, [])) for row, text in prows]
        return Checked(_roster(layout, (p.row for p in people)), people, all_findings)

    def original(self, sid: int) -> bytes | None:
        """The uploaded workbook, or ``None`` once purged."""
        with self.engine.connect() as con:
            return con.execute(
                sa.select(submissions.c.original).where(submissions.c.id == sid)
            ).scalar()

    def purge_originals(self, before: dt.date | None = None) -> int:
        """Drop the originals kept until before ``before`` (default: today), or every original
        when ``before`` is ``dt.date.max``; returns how many were dropped."""
        before = before or dt.date.today()
        with self.engine.begin() as con:
            result = con.execute(
                submissions.update()
                .where(submissions.c.original.is_not(None), submissions.c.keep_until < before)
                .values(original=None)
            )
        return result.rowcount

    def credited_total(self, ids: Iterable[int]) -> int:
        """记入个人账户 summed in the database over the rows of some submissions (a cross-check
        of the totals computed from the people)."""
        ids = list(ids)
        if not ids:
            return 0
        query = sa.select(sa.func.coalesce(sa.func.sum(records.c.credited), 0)).where(
            records.c.submission_id.in_(ids)
        )
        with self.engine.connect() as con:
            return int(con.execute(query).scalar_one())


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL journal and a busy timeout: readers never block the one writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
