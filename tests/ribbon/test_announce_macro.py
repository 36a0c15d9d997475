"""The 缴费通知 button: the open roster's village gets its poster and leaflet, with the
specialist from the working folder's contacts file and the office phone from the settings."""

# ruff: noqa: F811  (the fixtures imported from test_macros are used by name)
from __future__ import annotations

import json

from tests.cli.test_announce_command import read_page, write_contacts
from tests.ribbon.test_macros import (  # noqa: F401 (fixtures)
    actions,
    book_of,
    clean_roster,
    not_rosters,
    payload_of,
    settings_file,
    the_alert,
    xw,
)
from xl_pension import macros
from xl_pension.core.schema import CONTACTS_FILE_NAME
from xl_pension.io.browser import BROWSER_ENV

OFFICE = "0530-7221234"


def test_announce_writes_the_villages_poster_and_leaflet(
    xw, clean_roster, tmp_path, settings_file, monkeypatch, policy
) -> None:
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-browser"))  # HTML only: fast
    folder = tmp_path / "work"
    folder.mkdir()
    write_contacts(
        folder / CONTACTS_FILE_NAME, [["王庄村", "张建国", "13805301234"], ["李庄村", "", ""]]
    )
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"folder": str(folder), "phone": OFFICE}), encoding="utf-8")
    book = book_of(xw, payload_of(clean_roster))
    assert macros.run("announce", book) == 0
    text = the_alert(actions(book))
    assert str(folder / "宣传材料") in text and "Chromium" in text
    out = folder / "宣传材料"
    assert sorted(p.name for p in out.iterdir()) == ["王庄村_明白纸.html", "王庄村_缴费通知.html"]
    flat = read_page(out / "王庄村_缴费通知.html").flat
    assert "张建国" in flat and OFFICE in flat and policy.townships[0].name in flat


def test_announce_needs_a_township(xw) -> None:
    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run("announce", book) == 2
    assert "乡镇" in the_alert(actions(book))
