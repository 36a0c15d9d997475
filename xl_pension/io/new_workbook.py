"""Write a cell plan (:mod:`xl_pension.core.plan`) as a new workbook, with xlsxwriter.

Every ``str`` value is stored as text (never a formula), every number as a number, a date as a
date serial; only a :class:`~xl_pension.core.plan.Formula` is written as a formula (with its
cached result). Columns, row heights, merges, charts, print setup, panes and the autofilter
are set through xlsxwriter's API; the cells themselves are rendered straight to XML by
:class:`~xl_pension.io.plan_sheet.PlanWorksheet` (a sheet's
:class:`~xl_pension.core.plan.BulkRows` column by column) and the file packaged by
:class:`~xl_pension.io.xlsx_package.PlanWorkbook`: the workbook xlsxwriter's ``write_*`` calls
made, four to five times faster (``tests/io/test_plan_workbook_sameness.py`` reads both back
cell by cell).
"""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..core.plan import (
    Axis,
    Cell,
    Chart,
    PrintSetup,
    Range,
    SheetPlan,
    Style,
    WorkbookPlan,
)
from .atomic import atomic_path
from .plan_sheet import PlanWorksheet
from .xlsx_package import PlanWorkbook

A4 = 9  # xlsxwriter's paper code
# text is text: xlsxwriter never turns a string into a number, formula or link by itself
_NO_GUESSING = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


class _Formats:
    """One xlsxwriter format per distinct style."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.formats: dict[Style, Format] = {}
        self.by_id: dict[int, tuple[Style, Format]] = {}

    def of(self, style: Style | None) -> Format | None:
        """The format of ``style`` (``None``: no format); the same object for equal styles."""
        if style is None:
            return None
        seen = self.by_id.get(id(style))
        if seen is not None and seen[0] is style:  # styles are shared constants: skip hashing
            return seen[1]
        if style not in self.formats:
            props: dict[str, object] = {
                "font_name": style.font,
                "font_size": style.size,
                "bold": style.bold,
                "italic": style.italic,
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
        self.by_id[id(style)] = (style, self.formats[style])
        return self.formats[style]


def _range(r: Range) -> list[object]:
    return [r.sheet, r.first_row - 1, r.first_col - 1, r.last_row - 1, r.last_col - 1]


def _axis(a: Axis) -> dict[str, object]:
    options: dict[str, object] = {}
    if a.number_format:
        options["num_format"] = a.number_format
    if a.min is not None:
        options["min"] = a.min
    if a.max is not None:
        options["max"] = a.max
    if a.gridlines:
        options["major_gridlines"] = {"visible": True}
    if a.date_axis:
        options["date_axis"] = True
    if a.reverse:
        options["reverse"] = True
    return options


def _chart(wb: Workbook, ws: Worksheet, chart: Chart) -> None:
    xl = wb.add_chart({"type": chart.kind})
    for s in chart.series:
        series: dict[str, object] = {
            "name": s.name,
            "categories": _range(s.categories),
            "values": _range(s.values),
        }
        if s.labels_format:
            series["data_labels"] = {"value": True, "num_format": s.labels_format}
        if s.fill:
            series["fill"] = {"color": f"#{s.fill}"}
        if s.line:
            series["line"] = {"color": f"#{s.line[0]}", "width": s.line[1]}
        xl.add_series(series)
    font = {k: v for k, v in (("name", chart.title_font), ("size", chart.title_size)) if v}
    xl.set_title({"name": chart.title, **({"name_font": font} if font else {})})
    if chart.x_axis is not None:
        xl.set_x_axis(_axis(chart.x_axis))
    if chart.y_axis is not None:
        xl.set_y_axis(_axis(chart.y_axis))
    xl.set_legend({"none": True})
    scale = {"x_scale": chart.scale[0], "y_scale": chart.scale[1]}
    ws.insert_chart(chart.row - 1, chart.column - 1, xl, scale)


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
        font = f'&"{p.header_font},Bold"' if p.header_font else "&B"
        size = f"&{p.header_size:g}" if p.header_size else ""
        ws.set_header(f"&C{font}{size}{p.header.replace('&', '&&')}")


def _sheet(wb: Workbook, formats: _Formats, plan: SheetPlan) -> Worksheet:
    ws: PlanWorksheet = wb.add_worksheet(plan.name)
    for c, width in plan.widths.items():
        ws.set_column(c - 1, c - 1, width, formats.of(plan.column_styles.get(c)))
    for c, style in plan.column_styles.items():
        if c not in plan.widths:
            ws.set_column(c - 1, c - 1, None, formats.of(style))
    for r, height in plan.heights.items():
        ws.set_row(r - 1, height)
    covered: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in plan.merges:
        anchor = plan.cells.get((r1, c1), Cell())
        ws.merge_range(
            r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", formats.of(anchor.style) or wb.add_format()
        )
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        covered.discard((r1, c1))  # the anchor is written over the merge's blank
    ws.put_cells(plan.cells, formats.of, covered)  # type: ignore[arg-type]
    if plan.bulk is not None:
        bulk = plan.bulk
        text = formats.of(bulk.text_style) if bulk.text_style is not None else None
        styles = [formats.of(s) for s in bulk.styles]
        ws.put_bulk(bulk.first_row - 1, bulk.rows, styles, text_format=text, blanks=bulk.blanks)
    for chart in plan.charts:
        _chart(wb, ws, chart)
    if plan.print_setup is not None:
        _print_setup(ws, plan.print_setup)
    if not plan.gridlines:
        ws.hide_gridlines(2)
    if plan.freeze is not None:
        ws.freeze_panes(plan.freeze[0] - 1, plan.freeze[1] - 1)
    if plan.autofilter is not None:
        r1, c1, r2, c2 = plan.autofilter
        ws.autofilter(r1 - 1, c1 - 1, r2 - 1, c2 - 1)
    if plan.hidden:
        ws.hide()
    return ws


def write_workbook(path: str | Path, plan: WorkbookPlan) -> Path:
    """Write ``plan``'s sheets, in order, as a new workbook at ``path`` (atomically)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = PlanWorkbook(_NO_GUESSING)
        properties: dict[str, object] = {"author": "xl_pension"}
        if plan.title:
            properties["title"] = plan.title
        if plan.comments:
            properties["comments"] = plan.comments
        if plan.created:
            properties["created"] = plan.created
        wb.set_properties(properties)
        formats = _Formats(wb)
        sheets = {s.name: _sheet(wb, formats, s) for s in plan.sheets}
        if plan.activate in sheets and len(sheets) > 1:
            sheets[plan.activate].activate()
        wb.save(tmp)
    return path
