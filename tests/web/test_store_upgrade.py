"""A store made at schema 0001, with a submission in it, upgrades when it opens and gives the
same checked records, summary and merge as the same rosters uploaded at the newest schema."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.web.conftest import fresh_pg_database, make_roster
from xl_pension.app.store import Store
from xl_pension.app.store_legacy import layout_json, person_to_json
from xl_pension.app.store_tables import findings, migrate, records, submissions, users
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.web import services

DAY = dt.date(2024, 7, 1)
KEEP = dt.date(2024, 12, 31)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The URL of a new empty database on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return fresh_pg_database(request.getfixturevalue("pg_url"))


def store_at_0001(url: str, checked, policy, place, path) -> None:
    """A database at schema 0001 holding one submission of ``checked``, as 0001 stored it."""
    engine = sa.create_engine(url)
    migrate(engine, "0001")
    people_findings = {id(f) for p in checked.people for f in p.findings}
    errors = len(checked.errors)
    with engine.begin() as con:
        uid = con.execute(
            users.insert().values(
                name="county", password_hash="x", role="county", township="", village="",
                created_at=dt.datetime.now(dt.UTC),
            )
        ).inserted_primary_key[0]  # fmt: skip
        sid = con.execute(
            submissions.insert().values(
                user_id=uid, uploaded_at=dt.datetime.now(dt.UTC), township=place.town_a,
                township_code=policy.townships[0].code, village=place.village_a1,
                file_name=path.name, sha256="0" * 64, policy_id=policy.id,
                rows=len(checked.people), errors=errors,
                warnings=len(checked.findings) - errors, layout=layout_json(checked.roster),
                original=path.read_bytes(), keep_until=KEEP,
            )
        ).inserted_primary_key[0]  # fmt: skip
        money = services.money_of(checked, policy)
        con.execute(
            records.insert(),
            [
                {
                    "submission_id": sid, "row": p.row, "id_number": p.id_number[:32],
                    "paid": p.paid, "has_error": p.has_error,
                    "credited": m.credited if (m := money[p.row]) else None,
                    "person": person_to_json(p),
                }
                for p in checked.people
            ],
        )  # fmt: skip
        con.execute(
            findings.insert(),
            [
                {
                    "submission_id": sid, "seq": i, "code": f.code, "severity": str(f.severity),
                    "sheet": f.sheet, "row": f.row, "column": f.column, "value": f.value,
                    "message": f.message, "on_person": id(f) in people_findings,
                }
                for i, f in enumerate(checked.findings)
            ],
        )  # fmt: skip
    engine.dispose()


def upload(store: Store, user, policy, town, path) -> int:
    """``path`` stored at the newest schema, as an upload is."""
    from xl_pension.web.uploads import Upload

    upload = Upload(path.name, "xlsx", path.read_bytes())
    return services.store_upload(store, user, upload, policy, KEEP).submission.id


def test_a_store_of_schema_0001_upgrades_and_reads_the_same(
    database_url, policy, place, tmp_path, password_hash
) -> None:
    old_path = make_roster(policy, place.town_a, place.village_a1, 30, tmp_path, seed=51)
    new_path = make_roster(policy, place.town_a, place.village_a2, 20, tmp_path, seed=52)
    old_checked = check_roster(read_roster(old_path), policy)
    store_at_0001(database_url, old_checked, policy, place, old_path)

    upgraded = Store(database_url)  # opening migrates to the newest schema
    fresh = Store.open(tmp_path / "fresh")
    try:
        county = upgraded.user(name="county")
        assert county is not None
        fresh_county = fresh.add_user("county", password_hash, "county", "", "")
        [old_sid] = [s.id for s in upgraded.submissions()]
        upload(upgraded, county, policy, place.town_a, new_path)  # both forms side by side
        fresh_ids = [
            upload(fresh, fresh_county, policy, place.town_a, p) for p in (old_path, new_path)
        ]

        back = upgraded.checked(old_sid)
        assert back.people == old_checked.people and back.findings == old_checked.findings
        assert upgraded.findings(old_sid) == old_checked.findings
        assert upgraded.credited_total([old_sid]) == fresh.credited_total(fresh_ids[:1])

        town = policy.townships[0]
        assert services.township_summary(upgraded, policy, town, DAY) == (
            services.township_summary(fresh, policy, town, DAY)
        )
        merged, conservation, report = services.county_merge(upgraded, policy, DAY)
        assert (merged, conservation, report) == services.county_merge(fresh, policy, DAY)
        assert conservation.ok and merged.total.rows == 50
    finally:
        upgraded.close()
        fresh.close()
