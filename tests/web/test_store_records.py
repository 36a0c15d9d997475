"""The stored form of checked records: one JSON document a submission that reads back as the
check made it, names its fields, and is read by the reports without checking anything again."""

from __future__ import annotations

import json
import zlib

import pytest

from tests.web.conftest import make_roster
from xl_pension.app import store_records
from xl_pension.app.cache import check_now
from xl_pension.core.errors import XlPensionError
from xl_pension.core.policy import Policy


def test_a_document_gives_back_the_checked_roster(policy: Policy, place, tmp_path) -> None:
    path = make_roster(policy, place.town_a, place.village_a1, 40, tmp_path, mistakes=0.2)
    checked = check_now(path, policy)
    assert any(r.person.findings for r in checked.records)  # planted mistakes
    assert any(r.person.birth_date and r.person.pay_date for r in checked.records)
    back = store_records.decode(store_records.encode(checked))
    assert back.file == path.name  # the name only: never the (temporary) folder it was in
    back.file = checked.file
    assert back == checked  # every value, finding and the money of each person
    assert back.checked() == checked.checked()


def test_a_document_names_its_fields_so_an_older_one_still_reads(
    policy: Policy, place, tmp_path
) -> None:
    checked = check_now(make_roster(policy, place.town_a, place.village_a1, 5, tmp_path), policy)
    document = json.loads(zlib.decompress(store_records.encode(checked)))
    gone = document["person_fields"].index("paid_years")  # as if written before it existed
    del document["person_fields"][gone]
    for values, _findings, _money in document["people"]:
        del values[gone]
    document["person_fields"].append("a_field_of_a_later_version")
    for values, _findings, _money in document["people"]:
        values.append("ignored")
    older = zlib.compress(json.dumps(document, ensure_ascii=False).encode())
    back = store_records.decode(older)
    assert [r.person.name for r in back.records] == [r.person.name for r in checked.records]
    assert [r.person.birth_date for r in back.records] == [
        r.person.birth_date for r in checked.records
    ]
    assert all(r.person.paid_years is None for r in back.records)  # the default
    document["format"] = store_records.FORMAT + 1
    with pytest.raises(XlPensionError) as newer:  # a Chinese sentence, never 内部错误
        store_records.decode(zlib.compress(json.dumps(document).encode()))
    assert newer.value.code == "store.newer_format" and "升级" in newer.value.message


def test_reports_from_the_store_check_and_compute_nothing_again(
    web, policy, place, tmp_path, monkeypatch
) -> None:
    county = web.client("county")
    ids = []
    for town, village, seed in (
        (place.town_a, place.village_a1, 41),
        (place.town_a, place.village_a2, 42),
        (place.town_b, place.village_b1, 43),
    ):
        path = make_roster(policy, town, village, 15, tmp_path, seed=seed)
        ids.append(web.upload(county, path).json()["submission"])
    before = {
        "merge": county.get("/api/county/merge?date=2024-07-01").json(),
        "summary": county.get(f"/api/townships/{place.town_a}/summary?date=2024-07-01").json(),
    }

    def refuse(*_args, **_kwargs):
        raise AssertionError("a report checked a roster or computed money again")

    import xl_pension.app.store_legacy as legacy
    import xl_pension.core.money as money
    import xl_pension.core.validation as validation
    import xl_pension.io.reader as reader

    monkeypatch.setattr(validation, "check_roster", refuse)
    monkeypatch.setattr(reader, "read_roster", refuse)
    monkeypatch.setattr(money, "person_money", refuse)
    monkeypatch.setattr(legacy, "person_from_json", refuse)
    merged = county.get("/api/county/merge?date=2024-07-02").json()  # another day: made again
    for part in ("ranking", "villages", "duplicates", "total", "listed", "conservation"):
        assert merged[part] == before["merge"][part], part
    summary = county.get(f"/api/townships/{place.town_a}/summary?date=2024-07-01").json()
    assert summary == before["summary"]
    for day, route in (("03", "merge.xlsx"), ("04", "declarations.zip")):
        assert county.get(f"/api/county/{route}?date=2024-07-{day}").status_code == 200, route
    for what in ("notice.html", "remit.xlsx", "computed.xlsx"):
        r = county.get(f"/api/submissions/{ids[0]}/{what}?skip_invalid=1")
        assert r.status_code == 200, what


def test_the_county_view_follows_each_new_upload(web, policy, place, tmp_path) -> None:
    county = web.client("county")
    first = make_roster(policy, place.town_a, place.village_a1, 12, tmp_path / "v1", seed=61)
    web.upload(county, first)
    rows = county.get("/api/county/merge?date=2024-07-01").json()["total"]["rows"]
    assert county.get("/api/county/merge?date=2024-07-01").json()["total"]["rows"] == rows == 12
    web.upload(county, make_roster(policy, place.town_b, place.village_b1, 7, tmp_path, seed=62))
    assert county.get("/api/county/merge?date=2024-07-01").json()["total"]["rows"] == 19
    again = make_roster(policy, place.town_a, place.village_a1, 20, tmp_path / "v2", seed=63)
    web.upload(county, again)  # a new version of the first village replaces it
    merged = county.get("/api/county/merge?date=2024-07-02").json()
    assert merged["total"]["rows"] == 27 and merged["conservation"]["ok"]
    assert county.get("/api/county/merge?date=2024-07-01").json()["total"]["rows"] == 27


def test_a_document_of_a_newer_version_is_a_sentence_not_an_internal_error(
    web, policy, place, tmp_path, monkeypatch
) -> None:
    county = web.client("county")
    web.upload(county, make_roster(policy, place.town_a, place.village_a1, 5, tmp_path, seed=71))
    monkeypatch.setattr(store_records, "FORMAT", 0)  # this server is older than the document
    r = county.get(f"/api/townships/{place.town_a}/summary?date=2024-07-01")
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "store.newer_format" and "升级" in r.json()["error"]
