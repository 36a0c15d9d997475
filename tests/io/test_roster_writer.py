"""The standardized roster workbook, as a user (and LibreOffice) sees it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import libreoffice_convert
from tests.io.test_plan_workbook_sameness import ReferenceWorkbook, assert_same_workbook
from xl_pension.core import idnum
from xl_pension.core.schema import (
    BY_KEY,
    COLUMNS,
    DATA_START_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    LISTS_SHEET,
    META_SHEET,
    ROSTER_SHEET,
    TEMPLATE_VERSION,
    Kind,
)
from xl_pension.io import roster_writer
from xl_pension.io.plan_sheet import PlanWorksheet
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.sample import generate_county


def col_letter(key: str) -> str:
    return openpyxl.utils.get_column_letter([c.key for c in COLUMNS].index(key) + 1)


@pytest.fixture
def template(tmp_path: Path, policy) -> Path:
    return write_roster(tmp_path / "t.xlsx", policy, policy.townships[0], "王庄村")


def dv_by_column(ws) -> dict[str, object]:
    """Data validation of the data cells (row DATA_START_ROW) by column letter."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_row == DATA_START_ROW:
                out[openpyxl.utils.get_column_letter(rng.min_col)] = dv
    return out


def test_header_row_is_the_schema(template: Path) -> None:
    ws = openpyxl.load_workbook(template)[ROSTER_SHEET]
    headers = [c.value for c in ws[HEADER_ROW]]
    assert headers == [c.header for c in COLUMNS]
    assert "王庄村" in ws.cell(1, 1).value and "城关街道" in ws.cell(1, 1).value


def test_id_column_is_text_with_length_rule(template: Path) -> None:
    ws = openpyxl.load_workbook(template)[ROSTER_SHEET]
    letter = col_letter("id_number")
    assert ws.column_dimensions[letter].number_format == "@"
    dv = dv_by_column(ws)[letter]
    assert dv.type == "textLength" and dv.operator == "equal" and dv.formula1 == "18"
    assert dv.showInputMessage and dv.prompt


def test_dropdowns_are_fed_from_the_policy(template: Path, policy) -> None:
    wb = openpyxl.load_workbook(template)
    ws, lists = wb[ROSTER_SHEET], wb[LISTS_SHEET]
    dvs = dv_by_column(ws)
    for col in COLUMNS:
        if not col.dropdown:
            continue
        dv = dvs[col_letter(col.key)]
        assert dv.type == "list"
        ref = dv.formula1.split("!")[1].replace("$", "")
        values = [str(c.value) for row in lists[ref] for c in row]
        assert values == policy.dropdown(col.dropdown), col.header
    assert wb[LISTS_SHEET].sheet_state == "hidden"


def test_every_header_has_an_input_message(template: Path) -> None:
    ws = openpyxl.load_workbook(template)[ROSTER_SHEET]
    prompts = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_row == HEADER_ROW:
                prompts[rng.min_col] = dv.prompt
    assert all(prompts.get(i + 1) == c.help for i, c in enumerate(COLUMNS))


def test_layout_protection_and_print_setup(template: Path) -> None:
    ws = openpyxl.load_workbook(template)[ROSTER_SHEET]
    assert ws.freeze_panes == "D3"
    assert ws.protection.sheet and not ws.protection.password
    # input cells unlocked, the prefilled column locked
    assert ws.column_dimensions[col_letter("name")].protection.locked is False
    assert ws.column_dimensions[col_letter("last_tier")].protection.locked is True
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    # #16: a fixed scale that keeps 11 pt text >= 8 pt, columns over several page widths with
    # 序号/村民小组/姓名 repeated (not 23 columns shrunk onto one width)
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.scale) * 11 / 100 >= 8
    assert ws.col_breaks.count >= 1 and ws.print_title_cols == "$A:$C"
    assert ws.print_title_rows == "$1:$2"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_computed_columns_are_marked(template: Path) -> None:
    ws = openpyxl.load_workbook(template)[ROSTER_SHEET]
    for col in COLUMNS:
        fill = ws.column_dimensions[col_letter(col.key)].fill.fgColor.rgb
        if col.kind is Kind.COMPUTED:
            assert fill.endswith("E7E6E6"), col.header
    computed = {c.header for c in COLUMNS if c.kind is Kind.COMPUTED}
    assert {"政府代缴", "政府补贴", "记入个人账户"} <= computed


def test_meta_and_guide(template: Path, policy) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[0] == ROSTER_SHEET
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows()}
    assert wb[META_SHEET].sheet_state == "hidden"
    assert meta["template_version"] == TEMPLATE_VERSION
    assert meta["county_code"] == "371728" and meta["township_code"] == "371728001"
    assert meta["village"] == "王庄村" and meta["year"] == 2024
    assert meta["policy_id"] == policy.id
    guide = wb[GUIDE_SHEET]
    texts = [c.value for row in guide.iter_rows() for c in row if c.value]
    for col in COLUMNS:
        assert col.help in texts
    example_id = BY_KEY["id_number"].example
    assert example_id in texts and idnum.is_valid(example_id)


def test_an_18_digit_id_typed_into_the_template_keeps_18_characters(
    template: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb[ROSTER_SHEET]
    ws[f"{col_letter('name')}3"] = "王秀英"
    ws[f"{col_letter('id_number')}3"] = "37172819680512002X"
    wb.save(tmp_path / "typed.xlsx")
    rec = read_roster(tmp_path / "typed.xlsx").records[0]
    assert rec.get("id_number") == "37172819680512002X"


def test_prefilled_records_are_written_with_their_types(tmp_path: Path, policy) -> None:
    rec = {
        "seq": 1,
        "name": "李强",
        "id_number": "371728199001011234",
        "tier": 300,
        "pay_date": dt.date(2024, 5, 6),
        "method": "线上",
    }
    path = write_roster(tmp_path / "r.xlsx", policy, policy.townships[1], "李寨村", [rec])
    got = read_roster(path).records[0]
    assert got.row == DATA_START_ROW
    assert got.get("id_number") == "371728199001011234"
    assert got.get("pay_date") == dt.date(2024, 5, 6)
    assert got.get("tier") == 300


def test_same_input_same_bytes(tmp_path: Path, policy) -> None:
    a = write_roster(tmp_path / "a.xlsx", policy, None, "")
    b = write_roster(tmp_path / "b.xlsx", policy, None, "")
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.real_client
def test_libreoffice_keeps_header_text_format_and_dropdowns(template: Path, tmp_path: Path) -> None:
    out = libreoffice_convert(template, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    wb = openpyxl.load_workbook(out)
    ws = wb[ROSTER_SHEET]
    assert [c.value for c in ws[HEADER_ROW]][: len(COLUMNS)] == [c.header for c in COLUMNS]
    id_col = col_letter("id_number")
    # LibreOffice writes the text format either on the column or on each prepared cell
    formats = {ws.column_dimensions[id_col].number_format, ws[f"{id_col}3"].number_format}
    assert "@" in formats
    types = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "textLength"} <= types
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == sum(1 for c in COLUMNS if c.dropdown)


# -- the fast path of the data rows ------------------------------------------------------------

ODD_VALUES: list[object] = [
    "王秀英",
    "A&B <c> \"q\" 'x'",
    "  leading and trailing  ",
    "ctrl\x01char",
    "多行\n文本",
    "emoji 😀",
    "姓名",  # also a header and a guide text: shared-string order matters
    "",
    0,
    -5,
    10**17,
    2**53 + 1,
    1.5,
    1e-7,
    123456789.123,
    True,
    False,
    dt.date(2024, 5, 6),
    dt.date(1900, 2, 28),
    dt.datetime(2024, 5, 6, 13, 30, 15),
    Decimal("1.50"),
    None,
]


def odd_records(n: int = 40) -> list[dict[str, object]]:
    """Records with every kind of value in every column, some rows empty or partial."""
    keys = [c.key for c in COLUMNS]
    records: list[dict[str, object]] = []
    for i in range(n):
        if i % 17 == 5:
            records.append({})  # an empty row in the middle
            continue
        rec: dict[str, object] = {"not_a_column": "ignored"}
        for c, key in enumerate(keys):
            if (i + c) % 3:
                rec[key] = ODD_VALUES[(i * 7 + c) % len(ODD_VALUES)]
        records.append(rec)
    return records


def write_both(tmp_path: Path, policy, records, monkeypatch) -> tuple[Path, Path, list[int]]:
    """The roster written as shipped (data rows rendered by ``PlanWorksheet.put_bulk``) and
    through xlsxwriter's ordinary ``write_*`` calls, and how many rows were rendered whole."""
    rendered: list[int] = []
    put_bulk = PlanWorksheet.put_bulk

    def spy(self, *args, **kwargs) -> None:
        put_bulk(self, *args, **kwargs)
        rendered.append(len(self._bulk_xml))

    tmp_path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, target, replacement in (("fast", PlanWorksheet, "put_bulk"),
                                      ("slow", roster_writer, "PlanWorkbook")):  # fmt: skip
        with monkeypatch.context() as m:
            m.setattr(target, replacement, spy if name == "fast" else ReferenceWorkbook)
            out = tmp_path / f"{name}.xlsx"
            args = (policy, policy.townships[0], "王庄村", records)
            written.append(write_roster(out, *args, lock_categories=True))
    fast, slow = written
    return fast, slow, rendered


def test_fast_data_rows_are_the_same_workbook_as_the_write_calls(
    tmp_path: Path, policy, monkeypatch
) -> None:
    county = generate_county(
        policy, townships=1, villages_per_township=1, min_people=60, max_people=60
    )
    for i, records in enumerate((odd_records(), county.villages[0].records, [{"name": "甲"}])):
        fast, slow, rendered = write_both(tmp_path / str(i), policy, records, monkeypatch)
        filled = [rec for rec in records if any(rec.get(c.key) is not None for c in COLUMNS)]
        assert rendered[0] == len(filled)  # every row with a value, rendered whole
        assert_same_workbook(fast, slow)


def test_values_beyond_excels_limits_are_written_as_before(
    tmp_path: Path, policy, monkeypatch
) -> None:
    records = odd_records(20)
    records[7]["remark"] = "长" * 40000  # over Excel's limit: truncated, as xlsxwriter does
    fast, slow, _ = write_both(tmp_path, policy, records, monkeypatch)
    assert_same_workbook(fast, slow)
    row = next(
        r for r in read_roster(tmp_path / "fast.xlsx").records if r.row == DATA_START_ROW + 7
    )
    got = row.get("remark")
    assert isinstance(got, str) and 16000 < len(got) < 40000

    with pytest.raises(TypeError):  # as write_number: NaN needs the nan_inf_to_errors option
        write_roster(tmp_path / "nan.xlsx", policy, None, "", [{"amount": float("nan")}])
    assert not (tmp_path / "nan.xlsx").exists()
