"""Mark findings in the roster workbook itself: cell fill, a note, and a ``校验结果`` sheet.

The marks are planned once (:func:`xl_pension.reports.marks_plan.marks_plan`); this module is
the openpyxl side of applying them (:func:`.workbook_plan.apply_planned` loads the book, lets
the caller plan against its merged cells with :func:`merged_anchor`, and saves). Every value, formula, fill, note, data validation and sheet
the user had is kept. The original fill and note of each marked cell are stored in a hidden
sheet so that a re-run (or :func:`remove_marks`) restores them exactly and removes only our own
marks, whichever front end made them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from copy import copy

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..core.marking import (
    ERROR_FILL,
    KEEP_NOTE,
    MARKS_SHEET,
    NOTE_SEPARATOR,
    RESULT_SHEET,
    WARNING_FILL,
)
from ..core.plan import Marks
from .cells import argb, set_text_safe

__all__ = ["ERROR_FILL", "MARKS_SHEET", "NOTE_SEPARATOR", "RESULT_SHEET", "WARNING_FILL"]


def _fill_xml(fill: PatternFill) -> str:
    return ET.tostring(fill.to_tree(), encoding="unicode")


def _fill_from_xml(text: str) -> PatternFill:
    return PatternFill.from_tree(ET.fromstring(text))


def _inherited_style(ws: Worksheet, row: int, col: int):
    """The style an absent cell shows in Excel: its row's format, else its column's (or None)."""
    rd = ws.row_dimensions.get(row)
    if rd is not None and rd.has_style:
        return rd._style
    for cd in ws.column_dimensions.values():
        if cd.min is not None and cd.max is not None and cd.min <= col <= cd.max:
            return cd._style if cd.has_style else None
    return None


def merged_anchor(ws: Worksheet, row: int, col: int) -> tuple[int, int]:
    """The top-left cell of the merged range holding (row, col), or the cell itself."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.min_row, rng.min_col
    return row, col


def _anchor(ws: Worksheet, row: int, col: int) -> Cell:
    """The cell that holds (row, col), created (with the row or column format it shows, e.g.
    unlocked and text) when it does not exist."""
    row, col = merged_anchor(ws, row, col)
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
            cell = _anchor(wb[sheet], *coordinate_to_tuple(ref))
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


def apply_marks(wb: Workbook, marks: Marks) -> None:
    """Fill and note each planned cell, recording its original fill and note in the hidden
    record sheet."""
    ws = wb[marks.sheet]
    record = wb.create_sheet(marks.record_sheet)
    record.append(list(marks.record_head))
    record.sheet_state = "hidden"
    for mark in marks.marks:
        cell = _anchor(ws, mark.row, mark.column)
        old_note = cell.comment
        saved = [
            ws.title,
            cell.coordinate,
            _fill_xml(cell.fill),
            old_note.text if old_note else None,
            old_note.author if old_note else None,
        ]
        row = record.max_row + 1
        for c, value in enumerate(saved, start=1):
            set_text_safe(record.cell(row, c), value)
        color = argb(mark.fill)
        cell.fill = PatternFill(fill_type="solid", fgColor=color, bgColor=color)
        text = f"{old_note.text}{marks.separator}{mark.note}" if old_note else mark.note
        note = Comment(text, marks.author)
        note.width, note.height = marks.note_size
        cell.comment = note
