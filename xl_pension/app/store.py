"""The checked-record store: accounts, sessions and every uploaded roster, checked once.

Each upload is a *submission* (who, when, where, file hash, policy id, counts) with its checked
records — the :class:`~xl_pension.app.checked.CheckedRoster` the check yielded, kept as one
document (:mod:`.store_records`: every parsed value, finding and the money of each person) —
so that summaries, merges, notices and declarations are computed from the database without
reading or checking any file again. What the service queries stays in columns: the counts per
submission, every finding (``findings``) and a few typed values a person (``records``: row, ID,
paid, errors, 记入个人账户). The original workbook is kept until ``keep_until`` (by default the end
of the collection year) so that annotated and computed copies can still be made; the county can
purge originals earlier. SQLite (a file in the data folder) or PostgreSQL, through SQLAlchemy
Core; the schema is migrated with Alembic when the store opens. Accounts and sessions:
:mod:`.store_accounts`; submissions of schema 0001: :mod:`.store_legacy`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..core import catalogue as cat
from ..core.findings import Finding, Severity
from ..core.roster import Record
from ..core.validation import Checked
from .checked import CheckedRoster
from .store_accounts import ROLES, AccountStore, User, utc_now
from .store_legacy import layout_json, legacy_checked, stored_finding
from .store_records import FORMAT, decode, encode
from .store_tables import checked_rosters, findings, migrate, records, submissions, users

__all__ = ["DB_FILE", "ROLES", "Store", "Submission", "User", "utc_now"]
DB_FILE = "xl_pension.db"


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


class Store(AccountStore):
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

    # --- submissions -----------------------------------------------------------------------

    def add_submission(
        self,
        user: User,
        checked: CheckedRoster,
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
        people = [r.person for r in checked.records]
        all_findings = [(f, False) for f in checked.head_findings]
        all_findings += [(f, True) for p in people for f in p.findings]
        errors = sum(1 for f, _ in all_findings if f.severity is not Severity.WARNING)
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
                    rows=len(people),
                    errors=errors,
                    warnings=len(all_findings) - errors,
                    layout=layout_json(checked),
                    original=original,
                    keep_until=keep_until,
                )
            ).inserted_primary_key[0]
            con.execute(
                checked_rosters.insert().values(
                    submission_id=sid, format=FORMAT, data=encode(checked)
                )
            )
            if people:
                con.execute(
                    records.insert(),
                    [
                        {
                            "submission_id": sid,
                            "row": r.person.row,
                            "id_number": r.person.id_number[:32],
                            "paid": r.person.paid,
                            "has_error": r.person.has_error,
                            "credited": r.money.credited if r.money else None,
                        }
                        for r in checked.records
                    ],
                )
            if all_findings:
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
                            "on_person": on_person,
                        }
                        for i, (f, on_person) in enumerate(all_findings)
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

    def metas(self, ids: Iterable[int]) -> dict[int, dict[str, str]]:
        """The roster ``_meta`` (township, village ...) of some submissions, without reading
        their records."""
        ids = list(ids)
        query = sa.select(submissions.c.id, submissions.c.layout).where(submissions.c.id.in_(ids))
        with self.engine.connect() as con:
            return {sid: json.loads(layout)["meta"] for sid, layout in con.execute(query)}

    def findings(self, sid: int) -> list[Finding]:
        """The findings of a submission, in the validator's order."""
        query = sa.select(findings).where(findings.c.submission_id == sid).order_by(findings.c.seq)
        with self.engine.connect() as con:
            return [stored_finding(r) for r in con.execute(query).mappings()]

    def checked(self, sid: int) -> Checked:
        """The stored checked roster of a submission, as the validator returned it, with the
        money of each row as it was computed when it was checked (the raw cell values are not
        kept: every parsed value is in its people). A submission of schema 0001 is read in its
        own form and has no money kept (the reports compute it)."""
        with self.engine.connect() as con:
            data = con.execute(
                sa.select(checked_rosters.c.data).where(checked_rosters.c.submission_id == sid)
            ).scalar()
            if data is None:
                return legacy_checked(con, sid)
        checked = decode(data).checked()
        checked.roster.records = [Record(p.row, {}) for p in checked.people]  # rows only
        return checked

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
