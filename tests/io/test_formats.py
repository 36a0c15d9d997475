"""Rosters saved as .xls and .ods (by LibreOffice, as WPS and old Excel do) are read like .xlsx,
and whatever is written from them is an .xlsx beside them, the original untouched."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import libreoffice_convert

from xl_pension.app.folders import find_rosters
from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster


def _person(i: int, **changes: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "seq": i + 1,
        "group": "一组",
        "name": ("王秀英", "李建国", "张桂兰", "刘洋")[i % 4],
        "id_number": idnum.make("371728", dt.date(1970, 1, 1) + dt.timedelta(days=97 * i), i),
        "enrollment": "续保",
        "category": "普通",
        "tier": 500,
        "method": "线下",
        "amount": 500,
        "receipt": f"DM-{i:04d}",
        "pay_date": dt.date(2024, 5, 6),
    }
    rec.update(changes)
    return rec


def _roster_with_mistakes(path: Path, policy) -> Path:
    """A standard roster with an error or a warning of several kinds, and clean rows."""
    bad_check = _person(1)["id_number"]
    bad_check = bad_check[:-1] + ("0" if bad_check[-1] != "0" else "1")
    records = [
        _person(0),
        _person(1, id_number=bad_check),
        _person(2, tier=450),
        _person(3, amount=300),
        _person(4, receipt="DM-0000"),
        _person(5, pay_date=dt.date(2024, 8, 1)),
        _person(6, name="Wang"),
        _person(7, method="线上", receipt=None),
    ]
    return write_roster(path, policy, policy.townships[0], "王庄村", records)


def _findings(path: Path, policy) -> list[tuple[object, ...]]:
    checked = check_roster(read_roster(path), policy)
    return [(f.code, f.severity, f.sheet, f.row, f.column, f.value) for f in checked.findings]


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory, policy) -> dict[str, Path]:
    """One roster as .xlsx and as LibreOffice's .xls and .ods of it."""
    d = tmp_path_factory.mktemp("twins")
    src = _roster_with_mistakes(d / "王庄村.xlsx", policy)
    out = {".xlsx": src}
    for fmt, suffix in (("xls:MS Excel 97", ".xls"), ("ods", ".ods")):
        converted = libreoffice_convert(src, fmt, d / suffix.strip("."))
        out[suffix] = converted
    return out


@pytest.mark.real_client
@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_an_xls_or_ods_roster_has_the_findings_of_its_xlsx_twin(twins, policy, suffix) -> None:
    expected = _findings(twins[".xlsx"], policy)
    assert {f[0] for f in expected} >= {
        "id.checksum",
        "tier.invalid",
        "amount.mismatch",
        "receipt.duplicate",
        "name.invalid",
    }
    assert _findings(twins[suffix], policy) == expected
    roster = read_roster(twins[suffix])
    assert roster.township == "城关街道" and roster.village == "王庄村"  # the hidden _meta


def _clean_roster_as_xls(tmp_path: Path, policy) -> Path:
    src = write_roster(
        tmp_path / "src" / "李庄村.xlsx",
        policy,
        policy.townships[0],
        "李庄村",
        [_person(i) for i in range(3)],
    )
    xls = libreoffice_convert(src, "xls:MS Excel 97", tmp_path / "conv")
    work = tmp_path / "work"
    work.mkdir()
    return Path(shutil.copy2(xls, work / xls.name))


@pytest.mark.real_client
def test_compute_on_an_xls_writes_an_xlsx_beside_it_and_says_so(tmp_path, policy, capsys):
    xls = _clean_roster_as_xls(tmp_path, policy)
    before = xls.read_bytes()
    assert main(["compute", str(xls)]) == 0
    out = xls.with_name("李庄村_计算.xlsx")
    said = capsys.readouterr().out
    assert out.name in said and ".xls" in said and "原文件未改动" in said
    assert xls.read_bytes() == before
    ws = openpyxl.load_workbook(out)["花名册"]
    heads = [c.value for c in ws[2]]
    subsidy = heads.index("政府补贴") + 1
    assert [ws.cell(r, subsidy).value for r in (3, 4, 5)] == [60, 60, 60]
    assert ws.cell(3, heads.index("身份证号码") + 1).data_type == "s"

    assert main(["compute", str(xls), "--in-place"]) == 0
    said = capsys.readouterr().out
    in_place = xls.with_name("李庄村.xlsx")
    assert in_place.name in said and xls.read_bytes() == before
    assert read_roster(in_place).records[0].get("subsidy") == 60
    # the folder now holds the .xls and its .xlsx: only the .xlsx is a roster
    assert find_rosters(xls.parent) == [in_place]


@pytest.mark.real_client
def test_annotate_on_an_xls_writes_the_marked_xlsx_beside_it(tmp_path, policy, capsys):
    xls = _clean_roster_as_xls(tmp_path, policy)
    before = xls.read_bytes()
    assert main(["validate", str(xls), "--annotate"]) == 0
    out = xls.with_name("李庄村_校验.xlsx")
    assert out.exists() and "原文件未改动" in capsys.readouterr().out
    assert xls.read_bytes() == before
    assert "校验结果" in openpyxl.load_workbook(out).sheetnames


def _list_csv(path: Path, rows: list[list[str]], encoding: str, id_as_formula: bool) -> Path:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow([f'="{v}"' if id_as_formula and len(v) == 18 else v for v in r])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "id_as_formula"), [("utf-8-sig", False), ("gb18030", True), ("utf-8", False)]
)
def test_a_csv_county_list_in_gbk_or_utf8_reads_like_the_workbook(
    tmp_path: Path, policy, encoding: str, id_as_formula: bool
) -> None:
    from xl_pension.io.county_list_reader import read_county_list

    people = [_person(i) for i in range(4)]
    rows = [["东明县2023年度缴费人员名单"], ["乡镇", "村", "姓名", "公民身份号码", "上年缴费档次"]]
    rows += [["城关街道", "王庄村", p["name"], p["id_number"], "300"] for p in people]
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(tmp_path / "名单.xlsx")
    expected = read_county_list(tmp_path / "名单.xlsx")
    got = read_county_list(_list_csv(tmp_path / "名单.csv", rows, encoding, id_as_formula))
    assert got.header_row == expected.header_row == 2
    assert [r.values for r in got.rows] == [r.values for r in expected.rows]
    assert [r.get("id_number") for r in got.rows] == [p["id_number"] for p in people]


def test_a_csv_in_an_unknown_encoding_is_refused_in_one_sentence(tmp_path: Path) -> None:
    from xl_pension.core.errors import UnusableInputError
    from xl_pension.io.county_list_reader import read_county_list

    path = tmp_path / "名单.csv"
    path.write_bytes("乡镇,村,姓名\n".encode("utf-16"))
    with pytest.raises(UnusableInputError) as err:
        read_county_list(path)
    assert "名单.csv" in err.value.message and "编码" in err.value.message
