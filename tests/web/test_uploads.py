"""Uploading rosters: the contract, places and roles, limits and hostile files, logs."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import replace

import pytest

from tests.web.conftest import make_roster
from xl_pension.cli import main
from xl_pension.web.uploads import Limits


@pytest.fixture(scope="module")
def rosters(tmp_path_factory, policy):
    """Rosters of villages A1, A2 (township A) and B1 (township B)."""
    folder = tmp_path_factory.mktemp("rosters")
    a, b = policy.townships[0].name, policy.townships[1].name
    return {
        "a1": make_roster(policy, a, "王庄村", 40, folder, seed=11),
        "a2": make_roster(policy, a, "李庄村", 30, folder, seed=12),
        "b1": make_roster(policy, b, "张楼村", 30, folder, seed=13),
    }


def test_upload_returns_the_findings_of_validate_json(web, rosters, tmp_path) -> None:
    r = web.upload(web.client("clerk_a"), rosters["a1"])
    assert r.status_code == 200
    body = r.json()
    assert {"submission", "township", "village", "rows", "findings", "counts"} <= set(body)
    assert main(["validate", str(rosters["a1"]), "--json", str(tmp_path / "v.json")]) == 1
    cli = json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))
    assert (body["rows"], body["findings"], body["counts"]) == (
        cli["rows"],
        cli["findings"],
        cli["counts"],
    )
    assert body["counts"]["error"] > 0 and body["village"] == "王庄村"
    shown = web.client("clerk_a").get(f"/api/submissions/{body['submission']}").json()
    assert shown["findings"] == cli["findings"]


@pytest.mark.parametrize(
    ("user", "roster", "status"),
    [
        ("agent_a1", "a1", 200), ("agent_a1", "a2", 403), ("agent_a1", "b1", 403),
        ("clerk_a", "a2", 200), ("clerk_a", "b1", 403), ("clerk_b", "a1", 403),
        ("county", "b1", 200),
    ],
)  # fmt: skip
def test_a_user_uploads_only_rosters_of_their_own_place(web, rosters, user, roster, status) -> None:
    r = web.upload(web.client(user), rosters[roster])
    assert r.status_code == status, r.text
    if status == 403:
        assert "只能上传" in r.json()["error"]
        assert web.config.store.submissions() == []


def test_a_zip_of_a_folder_stores_each_roster_and_names_the_refused(web, rosters) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("../../etc/王庄村.xlsx", rosters["a1"].read_bytes())  # never used as a path
        zf.writestr("乡镇/李庄村.xlsx", rosters["a2"].read_bytes())
        zf.writestr("乡镇/张楼村.xlsx", rosters["b1"].read_bytes())
        zf.writestr("说明.txt", "skipped")
    r = web.client("clerk_a").post("/api/rosters", files={"file": ("folder.zip", data.getvalue())})
    assert r.status_code == 200
    body = r.json()
    assert sorted(s["village"] for s in body["submissions"]) == ["李庄村", "王庄村"]
    assert [(f["file"], f["status"]) for f in body["failed"]] == [("张楼村.xlsx", 403)]
    assert {s["file"] for s in body["submissions"]} == {"王庄村.xlsx", "李庄村.xlsx"}


def test_over_the_size_limit_is_413_before_reading(web, rosters) -> None:
    web.config.limits = replace(web.config.limits, request_bytes=5_000)
    r = web.upload(web.client("clerk_a"), rosters["a1"])
    assert r.status_code == 413 and "超过 4 KB" in r.json()["error"]


def _zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", method) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return data.getvalue()


def test_hostile_files_are_refused_with_422_and_the_server_stays_up(web, rosters) -> None:
    web.config.limits = Limits(inflated_bytes=4 * 1024 * 1024)
    c = web.client("clerk_a")
    real = zipfile.ZipFile(rosters["a1"])
    parts = {n: real.read(n) for n in real.namelist()}
    bomb = _zip({**parts, "xl/media/padding.bin": b"\0" * (web.config.limits.inflated_bytes + 1)})
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><sst>&lol2;</sst>'
    xml_bomb = _zip({**parts, "xl/sharedStrings.xml": laughs})
    cases = {
        "bomb.xlsx": (bomb, "压缩炸弹"),
        "entities.xlsx": (xml_bomb, "XML 实体"),
        "renamed.xlsx": (b"%PDF-1.4 not a workbook", "按文件内容判断"),
        "empty.xlsx": (b"", "空文件"),
        "broken.xlsx": (b"PK\x03\x04" + b"\x00" * 100, "损坏"),
        "notes.xlsx": (_zip({"a.txt": b"x"}), "没有花名册"),
    }
    for name, (data, words) in cases.items():
        r = c.post("/api/rosters", files={"file": (name, data)})
        assert r.status_code == 422, name
        assert words in r.json()["error"], (name, r.json())
    assert web.upload(c, rosters["a1"]).status_code == 200  # still serving


def test_a_workbook_without_a_roster_sheet_is_422_with_the_chinese_message(web, tmp_path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(tmp_path / "其他.xlsx")
    r = web.upload(web.client("county"), tmp_path / "其他.xlsx")
    assert r.status_code == 422
    assert r.json()["code"] == "template.not_roster" and "花名册" in r.json()["error"]


def test_logs_hold_no_names_ids_or_phones(web, rosters, caplog) -> None:
    from xl_pension.core.validation import check_roster
    from xl_pension.io.reader import read_roster

    people = check_roster(read_roster(rosters["a1"]), web.config.policy).people
    with caplog.at_level(logging.DEBUG):
        c = web.client("clerk_a")
        sid = web.upload(c, rosters["a1"]).json()["submission"]
        c.get(f"/api/submissions/{sid}/annotated.xlsx")
        c.get(f"/submissions/{sid}")
    text = caplog.text
    assert "submission #" in text  # something was logged
    for p in people:
        for secret in (p.name, p.id_number, p.phone):
            if secret:
                assert secret not in text


def test_limits_are_checked_on_each_member_of_a_folder_zip(web, rosters) -> None:
    web.config.limits = Limits(file_bytes=5_000)
    data = _zip({"王庄村.xlsx": rosters["a1"].read_bytes()})
    r = web.client("clerk_a").post("/api/rosters", files={"file": ("f.zip", data)})
    assert r.status_code == 422 and "超过 4 KB" in r.json()["error"]
