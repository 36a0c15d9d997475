"""Applying a plan to files: each writer stores every planned text as text, never a formula."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xl_pension.core.plan import (
    Cell,
    Link,
    PrintSetup,
    SheetEdit,
    SheetPlan,
    Style,
    WorkbookPlan,
)
from xl_pension.io.new_workbook import write_workbook
from xl_pension.io.workbook_plan import apply_plan

TEXTS = ["=1+1", '=HYPERLINK("http://x")', "+86 139", "000123", "@user", "-5"]


def sheet_plan(name: str = "表") -> SheetPlan:
    sheet = SheetPlan(name, widths={1: 12}, merges=[(1, 1, 1, 3)], freeze=(3, 1))
    sheet.put(1, 1, "标题", Style(bold=True, size=14))
    for r, text in enumerate(TEXTS, start=2):
        sheet.put(r, 1, text, Style(border="thin"))
        sheet.put(r, 2, r * 100, Style(number_format="0", fill="FF9999"))
    sheet.cells[(2, 3)] = Cell("A2", Style(underline=True), Link(name, 2, 1))
    sheet.print_setup = PrintSetup(landscape=True, title_rows=(1, 1), area=(7, 3))
    return sheet


def assert_texts(path: Path, name: str) -> None:
    ws = openpyxl.load_workbook(path)[name]
    for r, text in enumerate(TEXTS, start=2):
        cell = ws.cell(r, 1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert ws.cell(r, 2).value == r * 100
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    assert [row[0] for row in values[1:7]] == TEXTS


def test_a_new_workbook(tmp_path: Path) -> None:
    out = write_workbook(tmp_path / "new.xlsx", WorkbookPlan(sheets=[sheet_plan()], title="t"))
    assert_texts(out, "表")
    ws = openpyxl.load_workbook(out)["表"]
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert ws["C2"].hyperlink.location == "'表'!A2" and ws.freeze_panes == "A3"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "花名册"
    wb.active["A1"] = "姓名"
    wb.create_sheet("说明")["A1"] = "保留"
    wb.save(tmp_path / "in.xlsx")
    return tmp_path / "in.xlsx"


def test_sheets_added_to_an_existing_workbook(existing: Path, tmp_path: Path) -> None:
    hidden = SheetPlan("记录", hidden=True)
    hidden.put(1, 1, "=A1")
    plan = WorkbookPlan(sheets=[sheet_plan(), hidden], activate="表", delete=("说明",))
    out = apply_plan(existing, tmp_path / "out.xlsx", plan)
    assert_texts(out, "表")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["花名册", "表", "记录"] and wb.active.title == "表"
    assert wb["记录"].sheet_state == "hidden" and wb["记录"]["A1"].data_type == "s"
    assert wb["表"]["B2"].fill.fgColor.rgb == "FFFF9999"


def test_cells_set_on_an_existing_sheet_by_the_xml_patcher(existing: Path, tmp_path: Path) -> None:
    cells = {(r, 1): Cell(t) for r, t in enumerate(TEXTS, start=2)}
    cells |= {(r, 2): Cell(r * 100) for r in range(2, 8)}
    out = apply_plan(
        existing, tmp_path / "out.xlsx", WorkbookPlan(edits=[SheetEdit("花名册", cells)])
    )
    assert_texts(out, "花名册")
    assert openpyxl.load_workbook(out)["花名册"]["A1"].value == "姓名"


def test_a_new_workbook_with_dates_formulas_links_bulk_rows_and_a_chart(tmp_path: Path) -> None:
    import datetime as dt
    import zipfile

    from xl_pension.core.plan import BulkRows, Chart, Formula, Range, Series, Url

    sheet = SheetPlan("表", autofilter=(1, 1, 4, 3), column_styles={3: Style(wrap=True)})
    sheet.put_row(1, ["日期", "人数", "说明"])
    sheet.put(2, 1, dt.date(2024, 5, 6), Style(number_format="yyyy-mm-dd"))
    sheet.put(2, 2, Formula("=SUM(B3:B4)", 3))
    sheet.cells[(2, 3)] = Cell("打开", None, Url("其他.xlsx#'花名册'!A5", "打开花名册"))
    text, number = Style(number_format="@"), Style(number_format="0")
    rows = [(t, 1 + i, None) for i, t in enumerate(TEXTS[:2])]
    sheet.bulk = BulkRows(3, rows, (text, number, text))
    sheet.charts.append(
        Chart("column", 6, 1, "人数", (Series("人数", *[Range("表", 3, 1, 4, 2)] * 2),))
    )
    sheet.print_setup = PrintSetup(header="内部资料 A&B", header_font="等线")
    out = write_workbook(tmp_path / "new.xlsx", WorkbookPlan(sheets=[sheet], comments="内部"))
    ws = openpyxl.load_workbook(out)["表"]
    assert ws["A2"].value == dt.datetime(2024, 5, 6) and ws["B2"].value == "=SUM(B3:B4)"
    assert [(ws.cell(r, 1).data_type, ws.cell(r, 1).value) for r in (3, 4)] == [
        ("s", TEXTS[0]),
        ("s", TEXTS[1]),
    ]
    assert (ws["B4"].value, ws["C4"].value, ws["C4"].number_format) == (2, None, "@")
    link = ws["C2"].hyperlink
    assert (link.target, link.location, link.tooltip) == ("其他.xlsx", "'花名册'!A5", "打开花名册")
    assert ws.auto_filter.ref == "A1:C4"
    assert ws.oddHeader.center.text == "内部资料 A&&B" and ws.oddHeader.center.font == "等线,Bold"
    assert ws.column_dimensions["C"].alignment.wrap_text
    values = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("表").to_python()
    assert values[1][1] == 3  # the cached result, for readers that do not recalculate
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
