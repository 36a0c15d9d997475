"""Check once: a roster's checked records are kept beside it and reused while its content and
the rules are unchanged; any change of content (whatever its modification time) checks again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from xl_pension.app import cache
from xl_pension.app.checked import CheckedRoster
from xl_pension.cli import main
from xl_pension.core.policy import Policy
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.sample import generate_county


@pytest.fixture
def folder(tmp_path: Path, policy: Policy) -> Path:
    """A township folder of three generated rosters, with mistakes in them."""
    county = generate_county(
        policy, seed=5, mistake_rate=0.1, townships=1, villages_per_township=3, min_people=20,
        max_people=30,
    )  # fmt: skip
    for v in county.villages:
        write_roster(tmp_path / v.file, policy, v.township, v.village, v.records)
    return tmp_path / county.villages[0].township.name


def _fresh(path: Path, policy: Policy):
    checked = check_roster(read_roster(path), policy)
    checked.roster.records = []
    return checked


def test_stored_records_give_back_exactly_a_fresh_check(folder: Path, policy: Policy) -> None:
    for path in sorted(folder.glob("*.xlsx")):
        fresh = _fresh(path, policy)
        assert fresh.findings  # the generated mistakes are there
        assert cache.check_once(path, policy)[0] == cache.OK  # checked now, stored
        stored = cache.checked_once(path, policy)  # from the cache
        again = stored.checked()
        assert again.people == fresh.people and again.findings == fresh.findings
        assert again.roster == fresh.roster
        assert CheckedRoster.unpack(stored.pack()).checked() == again
        assert CheckedRoster.unpack_checked(stored.pack()) == again  # what folder runs take
        money = stored.money()
        assert any(m is not None for m in money.values())
        assert all(money[p.row] is None for p in again.people if p.has_error)
    assert (folder / cache.CACHE_NAME).exists()


def test_a_warm_run_reads_no_roster(
    folder: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for path in folder.glob("*.xlsx"):
        cache.checked_once(path, policy)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("a roster was read again")

    monkeypatch.setattr("xl_pension.io.reader.read_roster", no_reading)
    for path in folder.glob("*.xlsx"):
        assert cache.checked_once(path, policy).records


def test_changed_content_is_checked_again_even_with_the_old_mtime(
    folder: Path, policy: Policy
) -> None:
    path = sorted(folder.glob("*.xlsx"))[0]
    before = cache.checked_once(path, policy)
    stat = path.stat()
    wb = openpyxl.load_workbook(path)
    ws = wb["花名册"]
    ws.cell(row=3, column=before.columns["name"], value="张三")  # same-looking size, new name
    wb.save(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # the old modification time
    after = cache.checked_once(path, policy)
    assert after.records[0].person.name == "张三"
    assert after.checked().people == _fresh(path, policy).people


def test_other_rules_do_not_share_entries(folder: Path, policy: Policy, tmp_path: Path) -> None:
    from dataclasses import replace

    path = sorted(folder.glob("*.xlsx"))[0]
    cache.checked_once(path, policy)
    other = replace(policy, id="other-2024", path=str(tmp_path / "none.toml"))
    assert cache.fingerprint(other) != cache.fingerprint(policy)
    assert cache.lookup(path, cache.fingerprint(other))[0] is None
    assert cache.lookup(path, cache.fingerprint(policy))[0] is not None


def test_storing_under_new_rules_drops_the_entries_of_earlier_ones(
    folder: Path, policy: Policy, tmp_path: Path
) -> None:
    """An upgrade (new code) or another policy file leaves no dead entry behind: the cache
    keeps one entry a roster and does not grow with every version."""
    import sqlite3
    from dataclasses import replace

    path = sorted(folder.glob("*.xlsx"))[0]
    cache.checked_once(path, policy)
    other = replace(policy, id="other-2024", path=str(tmp_path / "none.toml"))
    cache.checked_once(path, other)
    db = sqlite3.connect(folder / cache.CACHE_NAME)
    rows = db.execute("SELECT fingerprint FROM checked WHERE name = ?", (path.name,)).fetchall()
    db.close()
    assert rows == [(cache.fingerprint(other),)]
    assert cache.lookup(path, cache.fingerprint(policy))[0] is None


def test_files_that_are_not_rosters_are_reported_every_time(tmp_path: Path, policy: Policy) -> None:
    bad = tmp_path / "说明.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "这不是花名册"
    wb.save(bad)
    status, (message, code) = cache.check_once(bad, policy)
    assert status == cache.UNUSABLE and code == "template.not_roster" and "说明.xlsx" in message
    assert cache.lookup(bad, cache.fingerprint(policy))[0] is None
    assert cache.check_once(bad, policy) == (status, (message, code))


def test_an_unwritable_or_damaged_cache_only_means_checking_again(
    folder: Path, policy: Policy
) -> None:
    path = sorted(folder.glob("*.xlsx"))[0]
    (folder / cache.CACHE_NAME).write_bytes(b"not a database")
    value = cache.checked_once(path, policy)
    assert value.checked().people == _fresh(path, policy).people


def _same_values(a_path: Path, b_path: Path) -> None:
    a, b = openpyxl.load_workbook(a_path), openpyxl.load_workbook(b_path)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        values = [list(r) for r in a[name].iter_rows(values_only=True)]
        assert values == [list(r) for r in b[name].iter_rows(values_only=True)], name


def _nothing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on in this process: no roster read, no money computed (it is kept)."""

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("done again although kept")

    monkeypatch.setenv("XL_PENSION_JOBS", "1")  # the workers are this process
    monkeypatch.setattr("xl_pension.io.reader.read_roster", fail)
    monkeypatch.setattr("xl_pension.core.money.person_money", fail)


def test_summary_warm_equals_cold(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold, warm = tmp_path / "cold.xlsx", tmp_path / "warm.xlsx"
    assert main(["summary", str(folder), "-o", str(cold), "--date", "2024-05-06"]) == 1
    assert (folder / cache.CACHE_NAME).exists()
    _nothing_again(monkeypatch)
    assert main(["summary", str(folder), "-o", str(warm), "--date", "2024-05-06"]) == 1
    _same_values(cold, warm)
    shutil.rmtree(folder)


def test_merge_warm_equals_cold(
    folder: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path_factory.mktemp("merged")
    cold, warm = out / "cold.xlsx", out / "warm.xlsx"
    county = folder.parent
    assert main(["merge", str(county), "-o", str(cold), "--date", "2024-05-06"]) == 1
    _nothing_again(monkeypatch)
    assert main(["merge", str(county), "-o", str(warm), "--date", "2024-05-06"]) == 1
    _same_values(cold, warm)


def test_folder_workers_send_the_stored_records_and_read_no_roster_when_warm(
    folder: Path, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xl_pension.app.folders import check_job, checked_of

    paths = sorted(folder.glob("*.xlsx"))
    cold = [check_job((str(p), None)) for p in paths]
    monkeypatch.setattr("xl_pension.io.reader.read_roster", lambda *a, **k: 1 / 0)
    warm = [check_job((str(p), None)) for p in paths]
    assert [status for status, _ in warm] == [cache.OK] * len(paths)
    for path, (_, a), (_, b) in zip(paths, cold, warm, strict=True):
        assert checked_of(a) == checked_of(b)
        monkeypatch.undo()
        fresh = _fresh(path, policy)
        assert checked_of(b).people == fresh.people and checked_of(b).findings == fresh.findings
        monkeypatch.setattr("xl_pension.io.reader.read_roster", lambda *a, **k: 1 / 0)


PLANTED: list[str] = []


class _Planted:
    """What a cache file planted in a roster folder could hold: unpickling it runs code."""

    def __reduce__(self):
        return (PLANTED.append, ("code ran",))


def test_an_entry_not_signed_here_is_never_unpickled(folder: Path, policy: Policy) -> None:
    import pickle
    import sqlite3

    path = sorted(folder.glob("*.xlsx"))[0]
    cache.checked_once(path, policy)  # a real entry, signed with this run's key
    db = sqlite3.connect(folder / cache.CACHE_NAME)
    evil = pickle.dumps(_Planted())
    for payload in (evil, b"\0" * cache.KEY_BYTES + evil):  # unsigned; signed by another key
        db.execute("UPDATE checked SET payload = ?", (payload,))
        db.commit()
        assert cache.lookup(path, cache.fingerprint(policy)) == (None, cache.content_hash(path))
        value = cache.checked_once(path, policy)  # checked again, and stored signed again
        assert value.checked().people == _fresh(path, policy).people
    db.close()
    assert PLANTED == []
    assert cache.lookup(path, cache.fingerprint(policy))[0] is not None


def test_the_key_is_made_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "keys" / "cache.key"
    monkeypatch.setenv("XL_PENSION_CACHE_KEY", str(key_file))
    key = cache.signing_key()
    assert key is not None and len(key) == cache.KEY_BYTES
    assert key_file.read_bytes() == key and cache.signing_key() == key
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o077 == 0


def test_looks_kept_only_when_every_roster_has_an_entry_of_its_present_size_and_time(
    folder: Path, policy: Policy
) -> None:
    """The hint that spares a warm folder run loading the checker (numpy, pyarrow) beforehand."""
    paths = sorted(folder.glob("*.xlsx"))
    assert not cache.looks_kept(paths, policy)  # no cache yet
    cache.checked_once(paths[0], policy)
    assert cache.looks_kept(paths[:1], policy)
    assert not cache.looks_kept(paths, policy)  # the others are not kept
    for path in paths[1:]:
        cache.checked_once(path, policy)
    assert cache.looks_kept(paths, policy)
    stat = paths[1].stat()
    os.utime(paths[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert not cache.looks_kept(paths, policy)  # touched since: a worker will hash it
