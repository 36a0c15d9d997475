"""Mark findings in the open workbook: the xlwings side of applying a marks plan.

The marks are planned once (:func:`xl_pension.reports.marks_plan.marks_plan`), as for the command
line's ``validate --annotate`` (``xl_pension.io.annotate``): the same colours, note text, result
sheet, and the same hidden ``_xlp_marks`` sheet recording each marked cell's original fill and
note, so that either front end undoes the other's marks on a re-run.

What an engine cannot do is handled conservatively: the remote engine cannot read a fill
colour (the cell is restored to no fill) nor a note's text (a note the clerk wrote is then left
as it is and the finding is shown by the colour and in ``校验结果`` only); an engine without
notes (Office.js before ExcelApi 1.18, the basic remote clients) marks by colour only.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from ..core.marking import (
    ERROR_FILL,
    KEEP_NOTE,
    MARKS_SHEET,
    NOTE_SEPARATOR,
    RESULT_HEAD,
    RESULT_SHEET,
    WARNING_FILL,
)
from ..core.plan import Marks, cell_ref
from ..reports.marks_plan import RESULT_FIRST_ROW
from ._book import (
    Book,
    as_text_columns,
    find_sheet,
    fresh_sheet,
    grid,
    hex_color,
    optional,
    parse_ref,
    write_rows,
)

if TYPE_CHECKING:
    from .apply import Applied, Engine

__all__ = ["ERROR_FILL", "NOTE_SEPARATOR", "RESULT_FIRST_ROW", "RESULT_HEAD", "WARNING_FILL"]

_UNKNOWN = object()  # a note exists but this engine cannot read its text
NO_FILL_STANDIN = "#FFFFFF"  # what "no fill" becomes where only a colour can be set


def fill_xml(color: str | None) -> str:
    """The ``_xlp_marks`` fill of a cell: openpyxl's PatternFill XML for a solid colour or none."""
    if color is None:
        return "<fill><patternFill /></fill>"
    rgb = "FF" + color.lstrip("#").upper()[-6:]
    return (
        f'<fill><patternFill patternType="solid"><fgColor rgb={quoteattr(rgb)} />'
        f"<bgColor rgb={quoteattr(rgb)} /></patternFill></fill>"
    )


def color_of_fill_xml(text: object) -> str | None:
    """``#RRGGBB`` of a recorded solid fill; ``None`` for no fill, theme colours or bad XML."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    pattern = root if root.tag.endswith("patternFill") else root.find("patternFill")
    if pattern is None or pattern.get("patternType") in (None, "none"):
        return None
    fg = pattern.find("fgColor")
    rgb = fg.get("rgb") if fg is not None else None
    return f"#{rgb[-6:].upper()}" if rgb and len(rgb) >= 6 else None


def _note_text(rng: object) -> object:
    """A cell's note: its text, ``None`` when there is none, ``_UNKNOWN`` when unreadable."""
    note = rng.note  # type: ignore[attr-defined]
    if note is None:
        return None
    return optional(lambda: note.text, _UNKNOWN)


def remove_marks(book: Book, engine: Engine) -> dict[tuple[str, str], str | None]:
    """Undo a previous run's marks (ours or the command line's).

    Returns the note each restored cell has now, by (sheet, cell): its text, or ``None`` for no
    note; cells whose note was left untouched are not listed.
    """
    marks = find_sheet(book, MARKS_SHEET)
    notes: dict[tuple[str, str], str | None] = {}
    if marks is not None:
        names = {s.name for s in book.sheets}
        for row in grid(marks)[1:]:
            row = [*row, None, None, None, None, None][:5]
            if row[0] not in names or not isinstance(row[1], str):
                continue
            try:
                rng = book.sheets[row[0]].range(parse_ref(row[1]))
            except ValueError:
                continue
            color = color_of_fill_xml(row[2])
            rng.color = color if color or engine.clears_fill else NO_FILL_STANDIN
            if row[4] == KEEP_NOTE or not engine.notes:
                continue
            old = row[3] if isinstance(row[3], str) and row[3] else None
            note = rng.note
            if old is not None:
                if note is None:
                    rng.add_note(old)
                else:
                    note.text = old
            elif note is not None:
                note.delete()
            notes[(row[0], cell_ref(*parse_ref(row[1])))] = old
        marks.delete()
    result = find_sheet(book, RESULT_SHEET)
    if result is not None:
        result.delete()
    return notes


def apply_marks(
    book: Book,
    marks: Marks,
    engine: Engine,
    known_notes: dict[tuple[str, str], str | None],
    applied: Applied,
) -> None:
    """Colour and note each planned cell, then record the originals on the hidden sheet.

    ``known_notes`` (from :func:`remove_marks`) tells the note of a cell where the engine
    cannot read one. Without notes, the cells are coloured only and ``applied`` says so.
    """
    sheet = find_sheet(book, marks.sheet)
    saved: list[list[object]] = []
    for mark in marks.marks:
        ref = cell_ref(mark.row, mark.column)
        rng = sheet.range((mark.row, mark.column))
        old_color = hex_color(optional(lambda rng=rng: rng.color))
        rng.color = f"#{mark.fill}"
        if not engine.notes:
            applied.left_out.add("notes")
            saved.append([sheet.name, ref, fill_xml(old_color), None, KEEP_NOTE])
            continue
        old_note = _note_text(rng)
        if old_note is _UNKNOWN and (sheet.name, ref) in known_notes:
            old_note = known_notes[(sheet.name, ref)]
        if old_note is _UNKNOWN:  # the clerk's note, unreadable here: leave it as it is
            saved.append([sheet.name, ref, fill_xml(old_color), None, KEEP_NOTE])
            continue
        try:
            if old_note is None:
                rng.add_note(mark.note)
            else:
                rng.note.text = f"{old_note}{marks.separator}{mark.note}"
        except NotImplementedError:  # this sheet's notes are out of the engine's reach
            applied.left_out.add("notes")
            saved.append([sheet.name, ref, fill_xml(old_color), None, KEEP_NOTE])
            continue
        saved.append([sheet.name, ref, fill_xml(old_color), old_note, ""])
    record = fresh_sheet(book, marks.record_sheet)
    as_text_columns(record, 1, len(saved) + 1, range(1, len(marks.record_head) + 1))
    write_rows(record, 1, 1, [list(marks.record_head), *saved])
    if engine.can("setSheetVisibility"):
        record.visible = False
    else:
        applied.left_out.add("hidden")
