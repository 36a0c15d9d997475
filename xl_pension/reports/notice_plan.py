"""The plan of the print-ready ``公示`` sheet: title, intro, the table, footer and sign-off.

A4 portrait, fitted to one page wide, the table's header row repeated on every printed page,
the village in the page header and "特此公示 第 &P 页 共 &N 页" in the footer of every page, the
title and paragraphs merged across the table, bordered cells, the village committee's sign-off
under the right half of the table. The table has the columns the policy shows
(:attr:`NoticeContext.columns`). Made once from the notice and its rendered texts; ``notice``
writes it as a workbook of its own (the notice only) and the ribbon's 生成公示
(``macros.notice_macros``) applies it to the open roster.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..core.plan import (
    TEXT_FORMAT,
    THIN,
    Cell,
    Margins,
    PrintSetup,
    SheetPlan,
    Style,
    WorkbookPlan,
    wrapped_lines,
)
from .notice import MONEY_KEYS, NOTICE_SHEET, NoticeContext

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
TABLE_WIDTH = sum(WIDTHS.values())  # a notice with fewer columns widens them to this width
INDENT = "\u3000\u3000"  # a paragraph's first-line indent
PAGE_NUMBERS = "第 &P 页 共 &N 页"  # Excel's page codes, after the page footer's text

PLAIN = Style(font=FONT_NAME, size=FONT_SIZE)
HEADER = Style(
    font=FONT_NAME, size=FONT_SIZE, bold=True, fill=HEADER_FILL, horizontal="center",
    vertical="center", wrap=True, border=THIN,
)  # fmt: skip
_BODY = dict(font=FONT_NAME, size=FONT_SIZE, border=THIN, vertical="center")
MONEY = Style(**_BODY, horizontal="right", indent=1, number_format="0")
CENTERED = Style(**_BODY, horizontal="center", wrap=True, number_format=TEXT_FORMAT)
SEQ = Style(**_BODY, horizontal="center", wrap=True, number_format="0")
TOTAL_MONEY = Style(font=FONT_NAME, size=FONT_SIZE, bold=True, horizontal="right",
                    vertical="center", indent=1, border=THIN)  # fmt: skip
TOTAL_TEXT = Style(font=FONT_NAME, size=FONT_SIZE, bold=True, horizontal="center",
                   vertical="center", wrap=True, border=THIN)  # fmt: skip
BORDER_ONLY = Style(border=THIN)


class NoticeTexts(Protocol):
    """The rendered texts of a notice (``io.notice_html.NoticeTexts``)."""

    title: str
    intro: Sequence[str]
    footer: Sequence[str]
    signoff: Sequence[str]
    page_header: str
    page_footer: str


def text_lines(text: str, width_units: float, size: float = FONT_SIZE) -> int:
    """Estimated number of wrapped lines of ``text`` in a merged cell ``width_units`` wide."""
    return wrapped_lines(text, width_units, size / FONT_SIZE)


def _merged_text(
    sheet: SheetPlan,
    row: int,
    text: str,
    keys: tuple[str, ...],
    *,
    bold: bool = False,
    horizontal: str = "left",
    size: float = FONT_SIZE,
    first_col: int = 1,
) -> int:
    """``text`` merged across the table (columns ``keys``) from ``first_col``; returns the next
    free row."""
    last = len(keys)
    if last > first_col:
        sheet.merges.append((row, first_col, row, last))
    style = Style(font=FONT_NAME, size=size, bold=bold, horizontal=horizontal,
                  vertical="center", wrap=True)  # fmt: skip
    sheet.put(row, first_col, text, style)
    width = sum(sheet.widths[c] for c in range(first_col, last + 1))
    sheet.heights[row] = text_lines(text, width, size) * LINE_HEIGHT * size / FONT_SIZE + 6
    return row + 1


def _table(sheet: SheetPlan, ctx: NoticeContext, top: int) -> int:
    """The header row at ``top``, one row a person, the totals line; returns the next row."""
    sheet.put_row(top, [head for _, head in ctx.columns], HEADER)
    sheet.heights[top] = ROW_HEIGHT + 4
    styles = [MONEY if key in MONEY_KEYS else SEQ if key == "seq" else CENTERED for key in ctx.keys]
    row = top
    for cells in ctx.table():
        row += 1
        for c, (style, value) in enumerate(zip(styles, cells, strict=True), 1):
            sheet.cells[(row, c)] = Cell(value, style)  # type: ignore[arg-type]
        sheet.heights[row] = ROW_HEIGHT
    row += 1
    c = 1
    for value, span in ctx.totals_line():
        for k in range(c + 1, c + span):
            sheet.put(row, k, None, BORDER_ONLY)
        style = TOTAL_MONEY if isinstance(value, int) else TOTAL_TEXT
        sheet.put(row, c, value if value != "" else None, style)  # type: ignore[arg-type]
        if span > 1:
            sheet.merges.append((row, c, row, c + span - 1))
        c += span
    sheet.heights[row] = ROW_HEIGHT + 2
    return row + 1


def excel_text(text: str) -> str:
    """Text for an Excel page header or footer: ``&`` doubled (it starts Excel's codes)."""
    return text.replace("&", "&&")


def notice_sheet(ctx: NoticeContext, texts: NoticeTexts) -> SheetPlan:
    """The ``公示`` sheet of one notice."""
    keys = ctx.keys
    sheet = SheetPlan(NOTICE_SHEET, gridlines=False)
    scale = TABLE_WIDTH / sum(WIDTHS[key] for key in keys)
    sheet.widths = {c: round(WIDTHS[key] * scale, 1) for c, key in enumerate(keys, start=1)}
    row = _merged_text(sheet, 1, texts.title, keys, bold=True, horizontal="center",
                       size=TITLE_SIZE)  # fmt: skip
    for para in texts.intro:
        row = _merged_text(sheet, row, INDENT + para, keys)
    header_row = row
    row = _table(sheet, ctx, header_row)
    for para in texts.footer:
        row = _merged_text(sheet, row, INDENT + para, keys)
    row += 1
    sheet.heights[row - 1] = LINE_HEIGHT
    signoff = max(1, len(keys) // 2 + 1)  # the sign-off stands under the right half
    for line in texts.signoff:
        row = _merged_text(sheet, row, line, keys, horizontal="center", first_col=signoff)
    sheet.print_setup = PrintSetup(
        title_rows=(header_row, header_row),
        area=(row - 1, len(keys)),
        margins=Margins(sides=0.5, top=0.6, bottom=0.75, footer=0.35),
        header=texts.page_header,
        footer=f"{excel_text(texts.page_footer)}\u3000{PAGE_NUMBERS}",
        footer_font=FONT_NAME,
        footer_size=FONT_SIZE,  # the sheet is fitted to the width: 9 pt printed below 8 pt
        center_horizontally=True,
    )
    sheet.freeze = (header_row + 1, 1)
    return sheet


def notice_plan(ctx: NoticeContext, texts: NoticeTexts) -> WorkbookPlan:
    """The ``公示`` sheet: added to (or replacing it in) the open roster by the ribbon, or the one
    sheet of the notice's own workbook (titled with the notice, nothing else in it)."""
    return WorkbookPlan(sheets=[notice_sheet(ctx, texts)], activate=NOTICE_SHEET, title=texts.title)
