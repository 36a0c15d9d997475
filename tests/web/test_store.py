"""The checked-record store on SQLite and PostgreSQL: schema, round trip, versions, purge."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.web.conftest import make_roster
from xl_pension.app.checked import CheckedRoster
from xl_pension.app.store_tables import metadata
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.reports.village import village_result
from xl_pension.web.services import money_of


def test_migrations_build_exactly_the_tables_the_store_queries(any_store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with any_store.engine.connect() as con:
        diff = compare_metadata(MigrationContext.configure(con), metadata)
    assert diff == []
    any_store.__class__(any_store.url)  # migrating again on start is a no-op


def test_a_checked_roster_comes_back_as_it_was_stored(
    any_store, policy, place, tmp_path, password_hash
) -> None:
    path = make_roster(policy, place.town_a, place.village_a1, 60, tmp_path)
    checked = check_roster(read_roster(path), policy)
    user = any_store.add_user("clerk", password_hash, "township", place.town_a, "")
    money = money_of(checked, policy)
    s = any_store.add_submission(
        user, CheckedRoster.of(checked, policy), township=place.town_a, township_code=policy.townships[0].code,
        village=place.village_a1, file_name=path.name, original=path.read_bytes(),
        policy_id=policy.id, keep_until=dt.date(2024, 12, 31),
    )  # fmt: skip
    assert (s.rows, s.uploader, s.has_original) == (60, "clerk", True)
    assert s.errors == sum(1 for f in checked.findings if f.severity != "warning") > 0
    back = any_store.checked(s.id)
    assert back.people == checked.people  # every parsed value and each row's findings
    assert back.findings == checked.findings
    assert back.money == money  # kept, not computed again
    assert [r.row for r in back.roster.records] == [p.row for p in checked.people]
    assert back.roster.columns == checked.roster.columns and back.roster.meta == checked.roster.meta
    fresh = village_result(checked, policy, file=path.name, village=place.village_a1)
    stored = village_result(back, policy, file=path.name, village=place.village_a1)
    assert stored == fresh
    credited = sum(m.credited for m in money.values() if m)
    assert any_store.credited_total([s.id]) == credited == fresh.tally.totals.credited


def test_each_upload_is_a_version_and_the_newest_counts(
    any_store, policy, place, tmp_path, password_hash
) -> None:
    user = any_store.add_user("county", password_hash, "county", "", "")
    code_a = policy.townships[0].code
    ids = []
    for village, seed in ((place.village_a1, 1), (place.village_a2, 2), (place.village_a1, 3)):
        path = make_roster(policy, place.town_a, village, 10, tmp_path, seed=seed)
        checked = check_roster(read_roster(path), policy)
        ids.append(
            any_store.add_submission(
                user, CheckedRoster.of(checked, policy), township=place.town_a, township_code=code_a,
                village=village, file_name=path.name, original=path.read_bytes(), policy_id=policy.id,
                keep_until=dt.date(2024, 12, 31) if seed != 3 else dt.date(2099, 1, 1),
            ).id
        )  # fmt: skip
    assert [s.id for s in any_store.submissions(code_a)] == ids
    assert [(s.village, s.id) for s in any_store.latest(code_a)] == sorted(
        [(place.village_a1, ids[2]), (place.village_a2, ids[1])]
    )
    assert any_store.purge_originals(dt.date(2025, 1, 1)) == 2
    assert any_store.original(ids[0]) is None and any_store.original(ids[2]) is not None
    assert any_store.checked(ids[0]).people  # the checked records stay
    assert any_store.purge_originals(dt.date.max) == 1


def test_sessions_expire_and_end(any_store, password_hash) -> None:
    user = any_store.add_user("agent", password_hash, "village", "城关街道", "王庄村")
    token, csrf = any_store.start_session(user, dt.timedelta(hours=1))
    found = any_store.session(token)
    assert found is not None and found[0].name == "agent" and found[1] == csrf
    with any_store.engine.connect() as con:  # only a hash of the token is stored
        stored = con.execute(sa.text("select token_hash from sessions")).scalar_one()
    assert token not in stored
    any_store.end_session(token)
    assert any_store.session(token) is None
    old, _ = any_store.start_session(user, dt.timedelta(seconds=-1))
    assert any_store.session(old) is None
