"""Write the print-ready sheet ``公示`` into a village workbook, keeping everything else.

The sheet is A4 portrait, fitted to one page wide, with the table's header row repeated on
every printed page, "第 &P 页 共 &N 页" in the footer, the title and intro merged across the
table, bordered cells and the village committee's sign-off below the table. An existing
``公示`` sheet is replaced in place; the written file replaces the target atomically.
"""

from __future__ import annotations

import math
from copy import copy
from pathlib import Path

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..reports.notice import MONEY_KEYS, NOTICE_COLUMNS, NOTICE_SHEET, NoticeContext
from .atomic import atomic_path
from .formats import load_editable
from .notice_html import NoticeTexts, notice_texts

FONT_NAME = "Noto Sans CJK SC"  # installed with fonts-noto-cjk; Excel/WPS substitute if missing
FONT_SIZE = 11
TITLE_SIZE = 16
HEADER_FILL = "E8E8E8"
ROW_HEIGHT = 20.0  # points
LINE_HEIGHT = 18.0  # points per wrapped line of intro/footer text
# Column widths (Excel character units) of the notice table, by column key.
WIDTHS = {
    "seq": 6.5,
    "group": 10.0,
    "name": 11.0,
    "id_number": 22.0,
    "tier": 10.0,
    "personal": 10.0,
    "government_paid": 10.0,
    "subsidy": 10.0,
}
CJK_UNITS = 2.0  # a CJK character is about two width units at the same size
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _lines(text: str, width_units: float, size: int = FONT_SIZE) -> int:
    """Estimated number of wrapped lines of ``text`` in a merged cell ``width_units`` wide."""
    scale = size / FONT_SIZE
    units = sum((CJK_UNITS if ord(ch) > 0x2E80 else 1.1) * scale for ch in text)
    return max(1, math.ceil(units / max(width_units - 2, 1)))


def _font(**kw: object) -> Font:
    return Font(name=FONT_NAME, size=kw.pop("size", FONT_SIZE), **kw)  # type: ignore[arg-type]


def _merged_text(
    ws: Worksheet,
    row: int,
    text: str,
    *,
    font: Font,
    horizontal: str = "left",
    size: int = FONT_SIZE,
    first_col: int = 1,
) -> int:
    """Write ``text`` merged across the table from ``first_col``; return the next free row."""
    last = len(NOTICE_COLUMNS)
    ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last)
    cell = ws.cell(row, first_col, text)
    cell.font = font
    cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
    width = sum(WIDTHS[k] for k, _ in NOTICE_COLUMNS[first_col - 1 :])
    lines = _lines(text, width, size)
    ws.row_dimensions[row].height = lines * LINE_HEIGHT * size / FONT_SIZE + 6
    return row + 1


def _header_and_rows(ws: Worksheet, ctx: NoticeContext, top: int) -> int:
    """The table: header row at ``top``, one row a person, the totals line; returns next row."""
    bold = _font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center", indent=1)
    for c, (_key, head) in enumerate(NOTICE_COLUMNS, start=1):
        cell = ws.cell(top, c, head)
        cell.font, cell.fill, cell.alignment, cell.border = bold, fill, center, BORDER
    ws.row_dimensions[top].height = ROW_HEIGHT + 4
    plain = _font()
    # Every body cell of a column has the same style: it is registered in the workbook once
    # (setting cell.font etc. hashes the style objects on every cell, the bulk of the time)
    # and its ids are copied to the other cells.
    column_styles: list[StyleArray] = []
    for c, (key, _head) in enumerate(NOTICE_COLUMNS, start=1):
        proto = Cell(ws, row=top + 1, column=c)  # detached: only registers the style
        proto.font, proto.border = plain, BORDER
        if key in MONEY_KEYS:
            proto.alignment, proto.number_format = right, "0"
        else:
            proto.alignment = center
            proto.number_format = "0" if key == "seq" else "@"
        column_styles.append(proto._style)
    row = top
    for r in ctx.rows:
        row += 1
        for c, (style, value) in enumerate(zip(column_styles, r.cells(), strict=True), 1):
            ws.cell(row, c, value)._style = copy(style)
        ws.row_dimensions[row].height = ROW_HEIGHT
    row += 1
    c = 1
    for value, span in ctx.totals_line():
        cell = ws.cell(row, c, value if value != "" else None)
        cell.font = bold
        cell.alignment = right if isinstance(value, int) else center
        for k in range(c, c + span):
            ws.cell(row, k).border = BORDER
        if span > 1:
            ws.merge_cells(start_row=row, start_column=c, end_row=row, end_column=c + span - 1)
        c += span
    ws.row_dimensions[row].height = ROW_HEIGHT + 2
    return row + 1


def _print_setup(ws: Worksheet, header_row: int, last_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(len(NOTICE_COLUMNS))}{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.75
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.35
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 9
    ws.sheet_view.showGridLines = False


def fill_notice_sheet(ws: Worksheet, ctx: NoticeContext, texts: NoticeTexts) -> None:
    """Lay out one notice on an empty worksheet."""
    for c, (key, _) in enumerate(NOTICE_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS[key]
    row = _merged_text(
        ws,
        1,
        texts.title,
        font=_font(bold=True, size=TITLE_SIZE),
        horizontal="center",
        size=TITLE_SIZE,
    )
    for para in texts.intro:
        row = _merged_text(ws, row, "\u3000\u3000" + para, font=_font())
    header_row = row
    row = _header_and_rows(ws, ctx, header_row)
    for para in texts.footer:
        row = _merged_text(ws, row, "\u3000\u3000" + para, font=_font())
    row += 1
    ws.row_dimensions[row - 1].height = LINE_HEIGHT
    first_col = 5  # the sign-off stands under the right half of the table
    for line in texts.signoff:
        row = _merged_text(ws, row, line, font=_font(), horizontal="center", first_col=first_col)
    _print_setup(ws, header_row, row - 1)
    ws.freeze_panes = ws.cell(header_row + 1, 1)


def add_notice_sheet(
    wb: Workbook, ctx: NoticeContext, texts: NoticeTexts | None = None
) -> Worksheet:
    """Add (or replace, at the same position) the ``公示`` sheet and make it the active one."""
    index = len(wb.sheetnames)
    if NOTICE_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(NOTICE_SHEET)
        wb.remove(wb[NOTICE_SHEET])
    ws = wb.create_sheet(NOTICE_SHEET, index)
    fill_notice_sheet(ws, ctx, texts or notice_texts(ctx))
    for other in wb.worksheets:
        other.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = wb.worksheets.index(ws)
    return ws


def write_notice_sheet(src: str | Path, out: str | Path, ctx: NoticeContext) -> Path:
    """Copy the workbook ``src`` to ``out`` (may be the same file) with the ``公示`` sheet."""
    src, out = Path(src), Path(out)
    texts = notice_texts(ctx)  # template errors surface before the workbook is loaded
    wb = load_editable(src)  # an .xls/.ods input: a values copy, saved as .xlsx
    add_notice_sheet(wb, ctx, texts)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
