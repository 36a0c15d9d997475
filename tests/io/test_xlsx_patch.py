"""Editing one sheet's XML: values land where asked, everything else stays byte for byte."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment

from tests.conftest import libreoffice_convert
from xl_pension.io.xlsx_patch import PatchUnsupported, patch_cells, patch_sheet_xml, sheet_part


def user_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["名称", "数量", "备注"])
    for i in range(1, 6):
        ws.append([f"项{i}", i * 10, None])
    ws["C2"] = "=B2*2"
    ws["C3"].comment = Comment("用户的批注", "村协办员")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=6), titles_from_data=True)
    ws.add_chart(chart, "E2")
    wb.create_sheet("其他")["A1"] = "不动"
    wb.save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_values_are_set_and_every_other_part_is_unchanged(tmp_path: Path) -> None:
    src = user_workbook(tmp_path / "a.xlsx")
    out = tmp_path / "b.xlsx"
    patch_cells(
        src,
        out,
        "数据",
        {(2, 4): 20, (3, 2): None, (9, 1): "合计 <&>", (9, 2): 150, (1, 4): "新列"},
    )
    ws = openpyxl.load_workbook(out)["数据"]
    assert ws["D2"].value == 20 and ws["B3"].value is None
    assert ws["A9"].value == "合计 <&>" and ws["B9"].value == 150 and ws["D1"].value == "新列"
    assert ws["C2"].value == "=B2*2"  # the user's formula
    assert ws["C3"].comment.text == "用户的批注"
    before, after = members(src), members(out)
    assert before.keys() == after.keys()
    with zipfile.ZipFile(src) as z:
        part = sheet_part(z, "数据")
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {part}


def test_rows_are_inserted_in_order_and_cells_sorted() -> None:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:C3"/><sheetData>'
        '<row r="1" spans="1:2"><c r="A1"><v>1</v></c><c r="C1"><v>3</v></c></row>'
        '<row r="3"><c r="A3" s="2"><v>9</v></c></row>'
        "</sheetData></worksheet>"
    )
    new = patch_sheet_xml(xml, {(1, 2): 2, (2, 1): "x", (5, 1): 5, (3, 1): None})
    assert '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c><c r="C1">' in new
    assert new.index('<row r="2">') < new.index('<row r="3"') < new.index('<row r="5">')
    assert '<c r="A3" s="2"/>' in new  # emptied, style kept
    assert '<dimension ref="A1:C5"/>' in new


_ROW_NUMBER = re.compile(r'<row r="(\d+)"')


_CELL_REF = re.compile(r'<c r="([A-Z]+)(\d+)"')


@given(
    existing=st.sets(st.integers(1, 60), max_size=25),
    wanted=st.dictionaries(
        st.integers(1, 70),
        st.dictionaries(st.sampled_from("BCD"), st.integers(0, 999)),
        max_size=30,
    ),
)
def test_any_mix_of_new_and_existing_rows_and_cells_comes_out_in_order(
    existing: set[int], wanted: dict[int, dict[str, int]]
) -> None:
    # existing rows: a value in A, a styled empty cell in C (set in place), nothing in B or D
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="C{r}" s="5"/></row>'
        for r in sorted(existing)
    )
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    values = {(r, "ABCD".index(c) + 1): v for r, cells in wanted.items() for c, v in cells.items()}
    new = patch_sheet_xml(xml, values)
    numbers = [int(n) for n in _ROW_NUMBER.findall(new)]
    assert numbers == sorted(existing | {r for r, _ in values})  # each row once, ascending
    refs = [(int(r), "ABCD".index(c)) for c, r in _CELL_REF.findall(new)]
    assert refs == sorted(set(refs))  # each cell once, rows and cells in order
    for r, cells in wanted.items():
        for c, v in cells.items():
            style = ' s="5"' if c == "C" and r in existing else ""
            assert f'<c r="{c}{r}"{style}><v>{v}</v></c>' in new
    for r in existing:
        assert f'<c r="A{r}"><v>{r}</v></c>' in new


def test_text_that_looks_like_a_reference_is_not_a_cell() -> None:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t> r="B1"</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    new = patch_sheet_xml(xml, {(1, 2): 7})
    assert '<t> r="B1"</t></is></c><c r="B1"><v>7</v></c></row>' in new


def test_an_empty_sheet_gets_its_first_rows() -> None:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData/></worksheet>"
    )
    new = patch_sheet_xml(xml, {(1, 1): 7})
    assert '<sheetData><row r="1"><c r="A1"><v>7</v></c></row></sheetData>' in new


def test_a_formula_is_never_overwritten_silently() -> None:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(PatchUnsupported):
        patch_sheet_xml(xml, {(1, 1): 5})


def test_package_type_must_match_the_extension(tmp_path: Path) -> None:
    src = user_workbook(tmp_path / "a.xlsx")
    with pytest.raises(PatchUnsupported):
        patch_cells(src, tmp_path / "b.xlsm", "数据", {(1, 1): 1})
    assert not (tmp_path / "b.xlsm").exists()


@pytest.mark.real_client
def test_libreoffice_opens_the_patched_workbook(tmp_path: Path) -> None:
    src = user_workbook(tmp_path / "a.xlsx")
    out = patch_cells(src, tmp_path / "b.xlsx", "数据", {(2, 4): 20, (9, 1): "合计"})
    back = libreoffice_convert(out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    ws = openpyxl.load_workbook(back)["数据"]
    assert ws["D2"].value == 20 and ws["A9"].value == "合计"
