"""Mark findings in the roster workbook itself: cell fill, a note, and a ``校验结果`` sheet.

Every value, formula, fill, note, data validation and sheet the user had is kept. The original
fill and note of each marked cell are stored in a hidden sheet so that a re-run (or
:func:`remove_marks`) restores them exactly and removes only our own marks.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from copy import copy
from pathlib import Path

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from ..core.findings import Finding, Severity, count_by_severity
from ..core.marking import (
    ERROR_FILL,
    KEEP_NOTE,
    LEVEL,
    MARKS_SHEET,
    NOTE_AUTHOR,
    NOTE_SEPARATOR,
    RESULT_HEAD,
    RESULT_HINT,
    RESULT_SHEET,
    WARNING_FILL,
)
from ..core.roster import Roster
from ..core.schema import BY_KEY
from .atomic import atomic_path
from .formats import load_editable


def _fill_xml(fill: PatternFill) -> str:
    return ET.tostring(fill.to_tree(), encoding="unicode")


def _fill_from_xml(text: str) -> PatternFill:
    return PatternFill.from_tree(ET.fromstring(text))


def _text_cell(cell: Cell, value: object) -> None:
    """Store ``value``; text that starts with ``=`` stays text instead of becoming a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _inherited_style(ws: Worksheet, row: int, col: int):
    """The style an absent cell shows in Excel: its row's format, else its column's (or None)."""
    rd = ws.row_dimensions.get(row)
    if rd is not None and rd.has_style:
        return rd._style
    for cd in ws.column_dimensions.values():
        if cd.min is not None and cd.max is not None and cd.min <= col <= cd.max:
            return cd._style if cd.has_style else None
    return None


def _anchor(ws: Worksheet, ref: str) -> Cell:
    """The cell that holds ``ref``: the top-left cell of a merged range containing it, created
    (with the row or column format it shows, e.g. unlocked and text) when it does not exist."""
    row, col = coordinate_to_tuple(ref)
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            row, col = rng.min_row, rng.min_col
            break
    existed = (row, col) in ws._cells
    cell = ws.cell(row, col)
    if not existed:
        style = _inherited_style(ws, row, col)
        if style is not None:
            cell._style = copy(style)
    return cell


def remove_marks(wb: Workbook) -> int:
    """Undo a previous annotation: restore fills and notes, drop our sheets. Returns cells undone."""
    undone = 0
    if MARKS_SHEET in wb.sheetnames:
        for sheet, ref, fill_xml, note_text, note_author in wb[MARKS_SHEET].iter_rows(
            min_row=2, values_only=True
        ):
            if sheet not in wb.sheetnames or not ref:
                continue
            cell = _anchor(wb[sheet], ref)
            cell.fill = _fill_from_xml(fill_xml)
            if note_author == KEEP_NOTE:
                pass  # the note was never changed by the marking
            elif note_text:
                cell.comment = Comment(note_text, note_author or "")
            else:
                cell.comment = None
            undone += 1
        del wb[MARKS_SHEET]
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    return undone


def _column_of(roster: Roster, header: str) -> int | None:
    for key, col in roster.columns.items():
        if BY_KEY[key].header == header:
            return col
    return None


def mark_findings(wb: Workbook, roster: Roster, findings: Sequence[Finding]) -> None:
    """Fill and annotate each finding's cell and write the ``校验结果`` sheet."""
    ws = wb[roster.sheet]
    marks = wb.create_sheet(MARKS_SHEET)
    marks.append(["sheet", "cell", "fill", "note", "author"])
    marks.sheet_state = "hidden"
    by_cell: dict[str, list[Finding]] = {}
    refs: list[str | None] = []
    for f in findings:
        col = _column_of(roster, f.column) if f.row else None
        ref = _anchor(ws, f"{get_column_letter(col)}{f.row}").coordinate if col else None
        refs.append(ref)
        if ref:
            by_cell.setdefault(ref, []).append(f)
    for ref, items in by_cell.items():
        cell = ws[ref]
        old_note = cell.comment
        saved = [
            ws.title,
            ref,
            _fill_xml(cell.fill),
            old_note.text if old_note else None,
            old_note.author if old_note else None,
        ]
        mark_row = marks.max_row + 1
        for c, value in enumerate(saved, start=1):
            _text_cell(marks.cell(mark_row, c), value)
        worst = Severity.WARNING if all(f.severity is Severity.WARNING for f in items) else None
        color = WARNING_FILL if worst else ERROR_FILL
        cell.fill = PatternFill(fill_type="solid", fgColor=color, bgColor=color)
        text = "\n".join(f"【{LEVEL[f.severity]}】{f.message}" for f in items)
        if old_note:
            text = f"{old_note.text}{NOTE_SEPARATOR}{text}"
        note = Comment(text, NOTE_AUTHOR)
        note.width, note.height = 320, 120
        cell.comment = note
    _result_sheet(wb, roster, findings, refs)


def _result_sheet(
    wb: Workbook, roster: Roster, findings: Sequence[Finding], refs: Sequence[str | None]
) -> None:
    ws = wb.create_sheet(RESULT_SHEET, index=wb.sheetnames.index(roster.sheet) + 1)
    counts = count_by_severity(list(findings))
    ws["A1"] = f"校验结果：错误 {counts['error']} 条，警告 {counts['warning']} 条"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = RESULT_HINT
    head = list(RESULT_HEAD)
    ws.append([])
    ws.append(head)
    for c in range(1, len(head) + 1):
        ws.cell(4, c).font = Font(bold=True)
    for i, (f, ref) in enumerate(zip(findings, refs, strict=True), start=1):
        ws.append([i, LEVEL[f.severity], f.code, f.row, f.column, ref or ""])
        row = ws.max_row
        _text_cell(ws.cell(row, 7), f.value)
        _text_cell(ws.cell(row, 8), f.message)
        if ref:
            link = ws.cell(row, 6)
            sheet = roster.sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{ref}")
            link.font = Font(color="FF0563C1", underline="single")
        fill = WARNING_FILL if f.severity is Severity.WARNING else ERROR_FILL
        ws.cell(row, 2).fill = PatternFill(fill_type="solid", fgColor=fill, bgColor=fill)
    for letter, width in zip("ABCDEFGH", (6, 8, 20, 6, 12, 9, 22, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def annotate(src: str | Path, out: str | Path, roster: Roster, findings: Sequence[Finding]) -> Path:
    """Write a copy of ``src`` to ``out`` (atomically) with the findings marked."""
    src, out = Path(src), Path(out)
    wb = load_editable(src)  # an .xls/.ods input: a values copy, saved as .xlsx
    remove_marks(wb)
    mark_findings(wb, roster, findings)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
