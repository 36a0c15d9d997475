"""Apply a cell plan (:mod:`xl_pension.core.plan`) to a workbook loaded with openpyxl.

The general applier behind :func:`.workbook_plan.apply_plan`: new sheets, sheet edits, marks,
deletions and the sheet shown on opening. Kept apart so a plan that only sets cells (compute,
through :mod:`.xlsx_patch`) never loads openpyxl. Every ``str`` value is stored as text.
"""

from __future__ import annotations

from copy import copy

from openpyxl.cell.cell import Cell as XlCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..core.plan import PrintSetup, SheetEdit, SheetPlan, Style, WorkbookPlan
from .annotate import apply_marks, remove_marks
from .cells import argb, set_text_safe


def _font(style: Style, base: Font | None = None) -> Font:
    font = copy(base) if base is not None else Font()
    font.name = style.font or font.name
    font.size = style.size or font.size
    font.b = style.bold or font.b
    font.u = "single" if style.underline else font.u
    if style.color:
        font.color = argb(style.color)
    return font


def style_cell(cell: XlCell, style: Style, keep_font: bool = False) -> None:
    """Give ``cell`` the parts of ``style`` that are set (``keep_font``: add to its own font)."""
    cell.font = _font(style, cell.font if keep_font else None)
    if style.fill:
        color = argb(style.fill)
        cell.fill = PatternFill(fill_type="solid", fgColor=color, bgColor=color)
    if style.border:
        side = Side(style=style.border, color="000000")
        cell.border = Border(left=side, right=side, top=side, bottom=side)
    if style.horizontal or style.vertical or style.wrap or style.indent:
        cell.alignment = Alignment(
            horizontal=style.horizontal,
            vertical=style.vertical,
            wrap_text=style.wrap or None,
            indent=style.indent,
        )
    if style.number_format:
        cell.number_format = style.number_format


class _Styles:
    """Each distinct style registered in the workbook once; cells copy its ids (setting fonts
    etc. cell by cell hashes the style objects every time, the bulk of the time)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.arrays: dict[Style, StyleArray] = {}

    def of(self, style: Style) -> StyleArray:
        if style not in self.arrays:
            proto = XlCell(self.ws, row=1, column=1)  # detached: only registers the style
            style_cell(proto, style, keep_font=True)  # on the workbook's default font
            self.arrays[style] = proto._style
        return copy(self.arrays[style])


def _print_setup(ws: Worksheet, p: PrintSetup) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if p.landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if p.title_rows:
        ws.print_title_rows = f"{p.title_rows[0]}:{p.title_rows[1]}"
    if p.area:
        ws.print_area = f"A1:{get_column_letter(p.area[1])}{p.area[0]}"
    if p.center_horizontally:
        ws.print_options.horizontalCentered = True
    if p.margins:
        m = p.margins
        ws.page_margins.left = ws.page_margins.right = m.sides
        ws.page_margins.top, ws.page_margins.bottom = m.top, m.bottom
        ws.page_margins.header, ws.page_margins.footer = m.header, m.footer
    if p.footer:
        ws.oddFooter.center.text = p.footer
        if p.footer_font:
            ws.oddFooter.center.font = p.footer_font
        if p.footer_size:
            ws.oddFooter.center.size = p.footer_size
    if p.header:
        ws.oddHeader.center.text = p.header.replace("&", "&&")
        ws.oddHeader.center.size = 14


def fill_sheet(ws: Worksheet, plan: SheetPlan) -> None:
    """Lay out a planned sheet on an empty worksheet."""
    styles = _Styles(ws)
    for c, width in plan.widths.items():
        ws.column_dimensions[get_column_letter(c)].width = width
    for (r, c), cell in plan.cells.items():
        xl = ws.cell(r, c)
        set_text_safe(xl, cell.value)
        if cell.style is not None:
            xl._style = styles.of(cell.style)
        if cell.link is not None:
            xl.hyperlink = Hyperlink(ref=xl.coordinate, location=cell.link.location)
    for r, height in plan.heights.items():
        ws.row_dimensions[r].height = height
    for r1, c1, r2, c2 in plan.merges:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    if plan.print_setup is not None:
        _print_setup(ws, plan.print_setup)
    if not plan.gridlines:
        ws.sheet_view.showGridLines = False
    if plan.freeze is not None:
        ws.freeze_panes = ws.cell(*plan.freeze)
    if plan.hidden:
        ws.sheet_state = "hidden"


def add_sheet(wb: Workbook, plan: SheetPlan) -> Worksheet:
    """Create the planned sheet, replacing a sheet of the same name (at its place)."""
    index = len(wb.sheetnames)
    if plan.name in wb.sheetnames:
        index = wb.sheetnames.index(plan.name)
        wb.remove(wb[plan.name])
    if plan.after is not None and plan.after in wb.sheetnames:
        index = wb.sheetnames.index(plan.after) + 1
    ws = wb.create_sheet(plan.name, index)
    fill_sheet(ws, plan)
    return ws


def edit_sheet(ws: Worksheet, edit: SheetEdit) -> None:
    """Set cells of an existing sheet; a new cell takes its column's style, a planned style
    is added to the cell's own (only where there is a value)."""
    for (row, col), cell in edit.cells.items():
        xl = ws.cell(row, col)
        if not xl.has_style:
            dim = ws.column_dimensions[get_column_letter(col)]
            if dim.has_style:
                xl._style = copy(dim._style)
        set_text_safe(xl, cell.value)
        if cell.style is not None and cell.value is not None:
            style_cell(xl, cell.style, keep_font=True)


def activate(wb: Workbook, name: str) -> None:
    """Make ``name`` the sheet shown on opening (and the only selected one)."""
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = False
    ws = wb[name]
    ws.sheet_view.tabSelected = True
    wb.active = wb.worksheets.index(ws)


def apply_to_workbook(wb: Workbook, plan: WorkbookPlan) -> None:
    """Apply ``plan`` to a workbook loaded with openpyxl."""
    if plan.marks is not None:
        remove_marks(wb)
    for name in plan.delete:
        if name in wb.sheetnames:
            del wb[name]
    for edit in plan.edits:
        edit_sheet(wb[edit.name], edit)
    for sheet in plan.sheets:
        add_sheet(wb, sheet)
    if plan.marks is not None:
        apply_marks(wb, plan.marks)
    if plan.activate is not None and plan.activate in wb.sheetnames:
        activate(wb, plan.activate)
