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
