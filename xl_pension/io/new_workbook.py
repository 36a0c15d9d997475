"""Write a cell plan (:mod:`xl_pension.core.plan`) as a new workbook, with xlsxwriter.

xlsxwriter writes a fresh file fast and exactly as planned; every ``str`` value goes through
``write_string`` (never a formula), every ``int`` through ``write_number``.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..core.plan import Cell, PrintSetup, SheetPlan, Style, WorkbookPlan
from .atomic import atomic_path

A4 = 9  # xlsxwriter's paper code


class _Formats:
    """One xlsxwriter format per distinct style."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.formats: dict[Style, Format] = {}

    def of(self, style: Style | None) -> Format | None:
        if style is None:
            return None
        if style not in self.formats:
            props: dict[str, object] = {
                "font_name": style.font,
                "font_size": style.size,
                "bold": style.bold,
                "font_color": f"#{style.color}" if style.color else None,
                "underline": 1 if style.underline else 0,
                "bg_color": f"#{style.fill}" if style.fill else None,
                "num_format": style.number_format,
                "align": style.horizontal,
                "valign": {"center": "vcenter"}.get(style.vertical or "", style.vertical),
                "text_wrap": style.wrap,
                "indent": style.indent,
                "border": 1 if style.border else 0,
            }
            self.formats[style] = self.wb.add_format(
                {k: v for k, v in props.items() if v not in (None, False, 0)}
            )
        return self.formats[style]


def _write(ws: Worksheet, r: int, c: int, cell: Cell, fmt: Format | None) -> None:
    value = cell.value
    if cell.link is not None:
        ws.write_url(r, c, f"internal:{cell.link.location}", fmt, string=str(value or ""))
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, int):
        ws.write_number(r, c, value, fmt)
    elif fmt is not None:
        ws.write_blank(r, c, None, fmt)


def _print_setup(ws: Worksheet, p: PrintSetup) -> None:
    ws.set_paper(A4)
    if p.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    if p.title_rows:
        ws.repeat_rows(p.title_rows[0] - 1, p.title_rows[1] - 1)
    if p.area:
        ws.print_area(0, 0, p.area[0] - 1, p.area[1] - 1)
    if p.center_horizontally:
        ws.center_horizontally()
    if p.margins:
        m = p.margins
        ws.set_margins(left=m.sides, right=m.sides, top=m.top, bottom=m.bottom)
    if p.footer:
        font = f'&"{p.footer_font},Regular"' if p.footer_font else ""
        size = f"&{p.footer_size:g}" if p.footer_size else ""
        margin = {"margin": p.margins.footer} if p.margins else {}
        ws.set_footer(f"&C{font}{size}{p.footer}", margin)
    if p.header:
        ws.set_header(f"&C&B&14{p.header.replace('&', '&&')}")


def _sheet(wb: Workbook, formats: _Formats, plan: SheetPlan) -> Worksheet:
    ws = wb.add_worksheet(plan.name)
    for c, width in plan.widths.items():
        ws.set_column(c - 1, c - 1, width)
    for r, height in plan.heights.items():
        ws.set_row(r - 1, height)
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in plan.merges:
        anchor = plan.cells.get((r1, c1), Cell())
        ws.merge_range(
            r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", formats.of(anchor.style) or wb.add_format()
        )
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        _write(ws, r1 - 1, c1 - 1, anchor, formats.of(anchor.style))
    for (r, c), cell in sorted(plan.cells.items()):
        if (r, c) not in covered:
            _write(ws, r - 1, c - 1, cell, formats.of(cell.style))
    if plan.print_setup is not None:
        _print_setup(ws, plan.print_setup)
    if not plan.gridlines:
        ws.hide_gridlines(2)
    if plan.freeze is not None:
        ws.freeze_panes(plan.freeze[0] - 1, plan.freeze[1] - 1)
    if plan.hidden:
        ws.hide()
    return ws


def write_workbook(path: str | Path, plan: WorkbookPlan) -> Path:
    """Write ``plan``'s sheets, in order, as a new workbook at ``path`` (atomically)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        properties: dict[str, object] = {"author": "xl_pension"}
        if plan.title:
            properties["title"] = plan.title
        if plan.created:
            properties["created"] = plan.created
        wb.set_properties(properties)
        formats = _Formats(wb)
        sheets = {s.name: _sheet(wb, formats, s) for s in plan.sheets}
        if plan.activate in sheets and len(sheets) > 1:
            sheets[plan.activate].activate()
        wb.close()
    return path
