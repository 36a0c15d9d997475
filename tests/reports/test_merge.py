"""The county merge: places, duplicates across townships, declarations, conservation, LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import need_program
from tests.lo_recalc import assert_formulas_match, recalc
from xl_pension.app.folders import find_rosters
from xl_pension.app.merge import merge_folder
from xl_pension.cli import main
from xl_pension.core import idnum, schema
from xl_pension.core.policy import Policy
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.reports.merge import (
    REASON_DUPLICATE,
    REASON_ERRORS,
    REASON_PLACE,
    CountyMerge,
    RosterInput,
    check_conservation,
    resolve_place,
)
from xl_pension.reports.merge_plan import CHART_TITLE, TOWNSHIP_SHEET
from xl_pension.sample import SampleVillage, excel_row, generate_county

DAY = dt.date(2024, 5, 6)
UNKNOWN_VILLAGE_FILE = "新建 Microsoft Excel 工作表.xlsx"
UNKNOWN_FOLDER = "某某乡"


def _clean_paid(village: SampleVillage, planted_rows: set[int]) -> dict[str, object]:
    return next(
        r
        for i, r in enumerate(village.records)
        if "tier" in r and "receipt" not in r and excel_row(i) not in planted_rows
    )


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> dict:
    """Two townships of three villages; one person also in a village of the other township, one
    roster without village (generic file name), one in a folder that is not a township."""
    root = tmp_path_factory.mktemp("county")
    county = generate_county(
        policy, seed=5, townships=3, villages_per_township=3, min_people=30, max_people=60,
        mistake_rate=0.03,
    )  # fmt: skip
    t1, t2, t3 = policy.townships[:3]
    villages = [v for v in county.villages if v.township in (t1, t2)]
    extra = [v for v in county.villages if v.township == t3]
    planted = {(m.file, m.row) for m in county.planted}
    source = next(v for v in villages if v.township == t2)
    person = _clean_paid(source, {r for f, r in planted if f == source.file})
    target = next(v for v in villages if v.township == t1)
    target.records.append({**person, "seq": len(target.records) + 1})
    for v in villages:
        write_roster(root / v.file, policy, v.township, v.village, v.records)
    write_roster(root / t1.name / UNKNOWN_VILLAGE_FILE, policy, t1, "", extra[0].records)
    write_roster(root / UNKNOWN_FOLDER / "张庄村.xlsx", policy, None, "张庄村", extra[1].records)
    return {
        "root": root,
        "duplicate": str(person["id_number"]),
        "first": target,
        "later": source,
        "rows": sum(len(v.records) for v in villages)
        + len(extra[0].records)
        + len(extra[1].records),
        "unknown_ids": {str(r["id_number"]) for v in extra[:2] for r in v.records},
    }


@pytest.fixture(scope="module")
def merged(county: dict, policy: Policy):
    """The merge result of the county folder (pure path of the command)."""
    root = county["root"]
    result, _ = merge_folder(root, find_rosters(root), policy)
    return result


@pytest.fixture(scope="module")
def written(county: dict) -> Path:
    """The county workbook written by the command."""
    out = county["root"].parent / "全县汇总.xlsx"
    assert main(["merge", str(county["root"]), "-o", str(out), "--date", DAY.isoformat()]) == 1
    return out


def declared_ids(merged) -> set[str]:
    """Full ID numbers on any declaration line (operator's list or 代缴申报表)."""
    return {x.id_number for t in merged.declarations for x in (*t.operator, *t.government)}


def test_resolve_place(policy: Policy) -> None:
    t = policy.townships[0]
    assert resolve_place(f"{t.name}/李集村.xlsx", {}, policy).township == t
    assert resolve_place(f"{t.code}/李集村.xlsx", {"village": "李集"}, policy).village == "李集"
    meta = {"township_name": t.name, "village": "李集村"}
    assert resolve_place("李集村.xlsx", meta, policy).township == t
    assert not resolve_place("李集村.xlsx", {}, policy).known
    assert not resolve_place(f"{UNKNOWN_FOLDER}/李集村.xlsx", meta, policy).known
    assert not resolve_place(f"{t.name}/{UNKNOWN_VILLAGE_FILE}", {"village": ""}, policy).known
    other = policy.townships[1]
    mismatch = resolve_place(f"{t.name}/李集村.xlsx", {"township_name": other.name}, policy)
    assert mismatch.township == t and other.name in mismatch.note


def test_duplicate_across_townships_is_listed_once(merged, county: dict) -> None:
    assert len(merged.duplicates) == 1
    d = merged.duplicates[0]
    assert d.masked_id == idnum.mask(county["duplicate"])
    assert (d.first.township, d.first.village) == (
        county["first"].township.name,
        county["first"].village,
    )
    assert (d.later.township, d.later.village) == (
        county["later"].township.name,
        county["later"].village,
    )
    held = [
        (t.township.name, h.file, h.row)
        for t in merged.declarations
        for h in t.held
        if h.reason == REASON_DUPLICATE
    ]
    assert held == [(d.later.township, d.later.file, d.later.row)]
    first = next(t for t in merged.declarations if t.township.name == d.first.township)
    assert [h for h in first.held if h.file == d.first.file and h.row == d.first.row] == []
    assert merged.rejected[REASON_DUPLICATE] == 1


def test_unknown_places_are_rejected(merged, county: dict) -> None:
    assert sorted(u.file for u in merged.unknown) == sorted(
        [f"{county['first'].township.name}/{UNKNOWN_VILLAGE_FILE}", f"{UNKNOWN_FOLDER}/张庄村.xlsx"]
    )
    assert merged.rejected[REASON_PLACE] == sum(u.rows for u in merged.unknown)
    assert not county["unknown_ids"] & declared_ids(merged)
    assert merged.unplaced and {h.file for h in merged.unplaced} <= {u.file for u in merged.unknown}
    codes = {f.finding.code for f in merged.findings}
    assert {"place.unknown", "id.duplicate"} <= codes


def test_conservation_holds(merged, county: dict) -> None:
    assert merged.rows_read == county["rows"]
    rejected = sum(merged.rejected.values())
    assert merged.rows_read == merged.listed + merged.unpaid + rejected
    assert merged.rejected[REASON_ERRORS] > 0
    assert check_conservation(merged).ok
    total = merged.total
    for field in ("personal_due", "government_paid", "subsidy", "credited", "people"):
        assert getattr(total.totals, field) == sum(
            getattr(t.tally.totals, field) for t in merged.townships
        )
    for t in merged.townships:
        assert t.tally.paid == sum(v.tally.paid for v in t.villages)
    assert total.totals.personal_due == sum(t.personal_due_total for t in merged.declarations)
    for t in merged.declarations:
        assert t.conservation()[1] == []


def test_conservation_names_the_difference(merged) -> None:
    d = merged.declarations[0]
    d.self_people += 1  # one row and 300 yuan declared that no roster holds
    d.personal_due_total += 300
    try:
        cons = check_conservation(merged)
    finally:
        d.self_people -= 1
        d.personal_due_total -= 300
    assert not cons.ok
    assert any("相差 -1 行" in d for d in cons.differences)  # read - accounted
    assert any("个人缴费" in d and "相差 300 元" in d for d in cons.differences)


def test_mismatch_exits_1_with_the_difference(
    county: dict, tmp_path: Path, monkeypatch, capsys
) -> None:
    from xl_pension.reports.declare import Declarations

    add = Declarations.add

    def skewed(self, person, money, *args):
        if money is not None:
            money = money.__class__(**{**money.__dict__, "personal_due": money.personal_due + 1})
        return add(self, person, money, *args)

    monkeypatch.setattr(Declarations, "add", skewed)  # the list path only
    assert main(["merge", str(county["root"]), "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "守恒核对不一致：金额不守恒：个人缴费" in capsys.readouterr().err


def test_rosters_must_come_in_place_order(county: dict, policy: Policy) -> None:
    root = county["root"]
    items = []
    for path in find_rosters(root)[:2]:
        file = path.relative_to(root).as_posix()
        checked = check_roster(read_roster(path), policy)
        items.append(RosterInput(file, checked, resolve_place(file, checked.roster.meta, policy)))
    merger = CountyMerge(policy)
    merger.add(max(items, key=lambda i: i.file))
    with pytest.raises(ValueError):
        merger.add(min(items, key=lambda i: i.file))


def _rows(ws, start: int) -> list[tuple]:
    return [
        r for r in ws.iter_rows(min_row=start, values_only=True) if any(v is not None for v in r)
    ]


def test_workbook(written: Path, merged, county: dict) -> None:
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames[:5] == ["通报", TOWNSHIP_SHEET, "村汇总", "重复参保", "问题清单"]
    assert "批量申报清单" not in wb.sheetnames
    # the county workbook carries no full ID number anywhere (declarations are per township)
    full = [
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
        and any(idnum.is_valid(w) for w in re.findall(r"\d{17}[\dX]", c.value))
    ]
    assert full == []
    assert merged.listed > 0
    dup = _rows(wb["重复参保"], 3)
    assert len(dup) == 1
    first, later = county["first"], county["later"]
    assert dup[0][1] == idnum.mask(county["duplicate"])
    assert dup[0][3:5] == (first.township.name, first.village)
    assert dup[0][9:11] == (later.township.name, later.village)
    assert wb["重复参保"].cell(3, 8).hyperlink.location.startswith(f"'{schema.ROSTER_SHEET}'!A")
    ranking = _rows(wb["通报"], 5)
    assert [r[0] for r in ranking[:2]] == [1, 2] and ranking[0][7] >= ranking[1][7]


def test_county_total_is_the_sum_of_township_totals(written: Path) -> None:
    ws = openpyxl.load_workbook(written, data_only=True)[TOWNSHIP_SHEET]
    headers = [c.value for c in ws[3]]
    rows, r = [], 4
    while ws.cell(r, 1).value != "合计":
        rows.append([c.value for c in ws[r]])
        r += 1
    total, check = [c.value for c in ws[r]], [c.value for c in ws[r + 1]]
    assert len(rows) == 14
    for c, h in enumerate(headers):
        if h in ("序号", "乡镇代码", "乡镇", "完成率"):
            continue
        if h == "核对":  # no per-row check here: the 公式核对 row compares the 合计 row
            assert check[c] == "一致"
        else:
            assert total[c] == sum(x[c] for x in rows) == check[c], h


def test_every_column_with_values_has_a_header(written: Path) -> None:
    wb = openpyxl.load_workbook(written, data_only=True)
    for name, header_row in ((TOWNSHIP_SHEET, 3), ("村汇总", 2)):
        ws = wb[name]
        headers = [c.value for c in ws[header_row]]
        for r in ws.iter_rows(min_row=header_row + 1, values_only=True):
            unlabelled = [v for h, v in zip(headers, r, strict=False) if v is not None and not h]
            assert unlabelled == [], (name, r)


def test_clean_county_exits_0(tmp_path: Path, policy: Policy) -> None:
    county = generate_county(policy, seed=9, mistake_rate=0, townships=2, villages_per_township=2,
                             min_people=20, max_people=30)  # fmt: skip
    for v in county.villages:
        write_roster(tmp_path / "in" / v.file, policy, v.township, v.village, v.records)
    assert main(["merge", str(tmp_path / "in"), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert main(["merge", str(tmp_path / "nope")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["merge", str(tmp_path / "empty")]) == 2


@pytest.mark.real_client
def test_libreoffice_recalculates_the_same_numbers(written: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "全县.pdf"
    lo = recalc([(written, pdf)], tmp_path / "lo")
    # the SUM and check formulas (the COUNTIFS/SUMIFS over the full-ID list left with that list)
    assert assert_formulas_match(written, lo) > 30
    text = subprocess.run(
        [need_program("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert CHART_TITLE in text and "征缴进度通报" in text
