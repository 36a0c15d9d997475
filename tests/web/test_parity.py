"""The service's downloads are value-equal to the command line's outputs on the same rosters."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import python_calamine as calamine

from tests.web.conftest import make_roster
from xl_pension.cli import main

DAY = "2024-07-01"


def values(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's cell values."""
    wb = calamine.CalamineWorkbook.from_path(str(path))
    return {
        name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names
    }


def save(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_downloads_equal_the_commands_outputs(web, policy, place, tmp_path) -> None:
    folder = tmp_path / "county"
    rosters = [
        make_roster(policy, place.town_a, place.village_a1, 40, folder, seed=31),
        make_roster(policy, place.town_a, place.village_a2, 25, folder, seed=32),
        make_roster(policy, place.town_b, place.village_b1, 25, folder, seed=33),
    ]
    c = web.client("county")
    ids = [web.upload(c, p).json()["submission"] for p in rosters]
    src, sid = rosters[0], ids[0]
    out = tmp_path / "cli"
    out.mkdir()

    main(["validate", str(src), "--annotate", "-o", str(out / "a.xlsx")])
    web_file = save(tmp_path, "wa.xlsx", c.get(f"/api/submissions/{sid}/annotated.xlsx").content)
    assert values(web_file) == values(out / "a.xlsx")

    main(["compute", str(src), "-o", str(out / "c.xlsx"), "--skip-invalid"])
    web_file = save(
        tmp_path, "wc.xlsx", c.get(f"/api/submissions/{sid}/computed.xlsx?skip_invalid=1").content
    )
    assert values(web_file) == values(out / "c.xlsx")

    main(["remit", str(src), "-o", str(out / "r.xlsx"), "--skip-invalid"])
    web_file = save(
        tmp_path, "wr.xlsx", c.get(f"/api/submissions/{sid}/remit.xlsx?skip_invalid=1").content
    )
    assert values(web_file) == values(out / "r.xlsx")

    main(["notice", str(src), "--start", DAY, "--format", "html", "--skip-invalid", "-o", str(out)])
    page = c.get(f"/api/submissions/{sid}/notice.html?skip_invalid=1&start={DAY}").text
    assert page == (out / f"{src.stem}_公示.html").read_text(encoding="utf-8")

    main(["summary", str(folder / place.town_a), "-o", str(out / "s.xlsx"), "--date", DAY])
    web_file = save(
        tmp_path, "ws.xlsx", c.get(f"/api/townships/{place.town_a}/summary.xlsx?date={DAY}").content
    )
    assert values(web_file) == values(out / "s.xlsx")
    summary = c.get(f"/api/townships/{place.town_a}/summary?date={DAY}").json()
    assert {v["village"] for v in summary["villages"]} == {place.village_a1, place.village_a2}

    main(["merge", str(folder), "-o", str(out / "m.xlsx"), "--date", DAY])
    web_file = save(tmp_path, "wm.xlsx", c.get(f"/api/county/merge.xlsx?date={DAY}").content)
    assert values(web_file) == values(out / "m.xlsx")

    merged = c.get(f"/api/county/merge?date={DAY}").json()
    assert merged["conservation"]["ok"]
    by_town = {t["township"]: t for t in merged["ranking"]}
    assert merged["total"]["credited"] == sum(t["credited"] for t in by_town.values())
    assert merged["total"]["credited"] == web.config.store.credited_total(ids)
    assert dt.date.fromisoformat(summary["date"]) == dt.date(2024, 7, 1)

    main(["declare", str(folder), "-o", str(out / "declare")])
    zipped = zipfile.ZipFile(io.BytesIO(c.get(f"/api/county/declarations.zip?date={DAY}").content))
    written = sorted(p.name for p in (out / "declare").glob("*.xlsx"))
    assert sorted(zipped.namelist()) == written and written
    for name in written:
        web_file = save(tmp_path, f"wd-{name}", zipped.read(name))
        assert values(web_file) == values(out / "declare" / name), name
