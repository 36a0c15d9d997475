"""Print layout of the roster workbook: never below 8 pt on paper.

The roster prints A4 landscape at a fixed scale (11 pt text prints at 8.8 pt) over as many page
widths as its columns need, with 序号/村民小组/姓名 repeated on each width and the computed columns
on a width of their own — instead of 23 columns shrunk onto one width (about 5.8 pt). The
填表说明 prints A4 portrait with its lines wrapped to the page width.
"""

from __future__ import annotations

FONT_SIZE = 11  # the workbook's text
ROSTER_PRINT_SCALE = 80  # percent: 11 pt prints at 8.8 pt
MIN_PRINTED_PT = 8
REPEATED_COLUMNS = 3  # 序号, 村民小组, 姓名 on every page width
MARGIN_INCHES = 0.4
# Column-width units across A4 landscape at 100 %, with the narrowest common default font
# metrics (LibreOffice without Calibri); Excel fits more, so pages are never too wide.
LANDSCAPE_UNITS = 100
GUIDE_WIDTHS = (11, 9, 9, 28, 16)  # 列名, 填写人, 是否必填, 说明, 示例: one A4 portrait width
LINE_HEIGHT = FONT_SIZE * 1.5  # points per wrapped line


def column_breaks(widths: list[float], scale: int, first_computed: int | None = None) -> list[int]:
    """0-based columns that start a new page width, so each width fits A4 landscape at
    ``scale`` percent (the repeated columns on later widths counted); the computed columns
    (from ``first_computed``) start a width of their own."""
    page = LANDSCAPE_UNITS * 100 / scale
    repeated = sum(widths[:REPEATED_COLUMNS])
    breaks, used = [], 0.0
    for c, w in enumerate(widths):
        if c > REPEATED_COLUMNS and (used + w > page or c == first_computed):
            breaks.append(c)
            used = repeated
        used += w
    return breaks
