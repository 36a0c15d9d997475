"""Editing one sheet's XML: values land where asked, everything else stays byte for byte."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

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


def test_other_members_are_copied_as_stored_not_deflated_again(tmp_path: Path) -> None:
    src = user_workbook(tmp_path / "a.xlsx")
    out = patch_cells(src, tmp_path / "b.xlsx", "数据", {(2, 4): 20})
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        part = sheet_part(a, "数据")
        assert b.testzip() is None
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for old, new in zip(a.infolist(), b.infolist(), strict=True):
            if old.filename == part:
                continue
            assert (old.CRC, old.compress_size, old.compress_type, old.date_time) == (
                new.CRC,
                new.compress_size,
                new.compress_type,
                new.date_time,
            )
            assert stored_bytes(src, old) == stored_bytes(out, new)


def stored_bytes(path: Path, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of one member, as they lie in the file."""
    with path.open("rb") as f:
        f.seek(info.header_offset + 26)
        name_length, extra_length = (
            int.from_bytes(f.read(2), "little"),
            int.from_bytes(f.read(2), "little"),
        )
        f.seek(info.header_offset + 30 + name_length + extra_length)
        return f.read(info.compress_size)


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


_ANY_CELL_REF = re.compile(r'<c\b[^>]*?\sr="([A-Z]+)(\d+)"')


_TAG_FORMS = {
    "plain": '<c r="{ref}" s="{s}"/>',  # what Excel, WPS, openpyxl and xlsxwriter write
    "style first": '<c s="{s}" r="{ref}"/>',  # legal too: found by its r wherever it stands
}


@given(
    form=st.sampled_from(sorted(_TAG_FORMS)),
    existing=st.sets(st.integers(1, 60), max_size=25),
    wanted=st.dictionaries(
        st.integers(1, 70),
        st.dictionaries(st.sampled_from("BCD"), st.integers(0, 999)),
        max_size=30,
    ),
)
def test_any_mix_of_new_and_existing_rows_and_cells_comes_out_in_order(
    form: str, existing: set[int], wanted: dict[int, dict[str, int]]
) -> None:
    # existing rows: a value in A, a styled empty cell in C (set in place), nothing in B or D
    c_cell = _TAG_FORMS[form]
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c>{c_cell.format(ref=f"C{r}", s=5)}</row>'
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
    refs = [(int(r), "ABCD".index(c)) for c, r in _ANY_CELL_REF.findall(new)]
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


def test_text_that_looks_like_a_reference_is_skipped_in_any_tag_form() -> None:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c t="inlineStr" r="A1"><is><t> r="B1" r="C1"</t></is></c>'
        '<c s="3" r="C1"><v>1</v></c></row></sheetData></worksheet>'
    )
    new = patch_sheet_xml(xml, {(1, 2): 7, (1, 3): 8})
    assert '<t> r="B1" r="C1"</t></is></c><c r="B1"><v>7</v></c><c r="C1" s="3"><v>8</v></c>' in new


def test_a_cell_without_its_reference_is_not_guessed_at() -> None:
    xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c><v>1</v></c><c><v>2</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(PatchUnsupported):
        patch_sheet_xml(xml, {(1, 2): 5})


@settings(max_examples=15, deadline=None)
@given(
    grid=st.dictionaries(
        st.tuples(st.integers(1, 30), st.integers(1, 8)),
        st.one_of(st.integers(-5, 10**6), st.text("甲乙 <&>x", min_size=1, max_size=4)),
        max_size=60,
    ),
    plan=st.dictionaries(
        st.tuples(st.integers(1, 35), st.integers(1, 10)),
        st.one_of(st.none(), st.integers(0, 10**6), st.text("男女-0<&", max_size=5)),
        max_size=60,
    ),
)
def test_a_patched_workbook_reads_back_cell_for_cell(
    tmp_path_factory: pytest.TempPathFactory,
    grid: dict[tuple[int, int], int | str],
    plan: dict[tuple[int, int], int | str | None],
) -> None:
    """A workbook written as the template is (xlsxwriter, styled columns, strings shared),
    patched, then read back with openpyxl and calamine: every cell is the plan's where planned,
    the workbook's own elsewhere, and a planned cell keeps the style it had."""
    folder = tmp_path_factory.mktemp("roundtrip")
    src, out = folder / "a.xlsx", folder / "b.xlsx"
    book = xlsxwriter.Workbook(src)
    sheet = book.add_worksheet("花名册")
    bold, money = book.add_format({"bold": True}), book.add_format({"num_format": "0"})
    sheet.set_column(6, 7, 12, money)  # G:H styled, as the template's money columns are
    for (r, c), value in grid.items():
        sheet.write(r - 1, c - 1, value, bold if c == 2 else None)
    book.close()
    patch_cells(src, out, "花名册", plan)

    expected: dict[tuple[int, int], object] = {**grid, **plan}
    ws = openpyxl.load_workbook(out)["花名册"]
    before = openpyxl.load_workbook(src)["花名册"]
    rows = max([r for r, _ in expected] + [1])
    cols = max([c for _, c in expected] + [1])
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            assert ws.cell(r, c).value == expected.get((r, c)), (r, c)
            if (r, c) in grid:
                assert ws.cell(r, c).font.b == before.cell(r, c).font.b, (r, c)
            if (r, c) in plan and (r, c) not in grid and c in (7, 8):
                assert ws.cell(r, c).number_format == "0", (r, c)  # the column's style
    read = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("花名册")
    values, (top, left) = read.to_python(), read.start or (0, 0)  # calamine: the used range
    for (r, c), value in expected.items():
        i, j = r - 1 - top, c - 1 - left
        got = values[i][j] if 0 <= i < len(values) and 0 <= j < len(values[i]) else ""
        want = "" if value is None else value
        assert (got == want) or (isinstance(want, int) and got == float(want)), (r, c, got)
