"""Mark findings in the open workbook: cell fill, a note, and the ``校验结果`` sheet.

The marks follow the command line's ``validate --annotate`` (``xl_pension.io.annotate``): the same
colours, note text, result sheet, and the same hidden ``_xlp_marks`` sheet recording each marked
cell's original fill and note, so that either front end undoes the other's marks on a re-run.

What an engine cannot read is handled conservatively: the remote engine cannot read a fill
colour (the cell is restored to no fill) nor a note's text (a note the clerk wrote is then left
as it is and the finding is shown by the colour and in ``校验结果`` only).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from ..core.findings import Finding, Severity, count_by_severity
from ..core.marking import (
    ERROR_FILL,
    KEEP_NOTE,
    LEVEL,
    MARKS_SHEET,
    NOTE_SEPARATOR,
    RESULT_HEAD,
    RESULT_HINT,
    RESULT_SHEET,
    WARNING_FILL,
)
from ..core.roster import Roster
from ..core.schema import BY_KEY
from ._book import (
    Book,
    Sheet,
    as_text_columns,
    bold,
    cell_ref,
    find_sheet,
    fresh_sheet,
    grid,
    hex_color,
    optional,
    parse_ref,
    widths,
    write_rows,
)

RESULT_FIRST_ROW = 5
_UNKNOWN = object()  # a note exists but this engine cannot read its text


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


def remove_marks(book: Book) -> dict[tuple[str, str], str | None]:
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
            rng.color = color_of_fill_xml(row[2])
            if row[4] == KEEP_NOTE:
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


def _column_of(roster: Roster, column_header: str) -> int | None:
    for key, col in roster.columns.items():
        if BY_KEY[key].header == column_header:
            return col
    return None


def mark_findings(
    book: Book,
    sheet: Sheet,
    roster: Roster,
    findings: Sequence[Finding],
    known_notes: dict[tuple[str, str], str | None] | None = None,
) -> None:
    """Colour and annotate each finding's cell, then write ``校验结果`` and ``_xlp_marks``.

    ``known_notes`` (from :func:`remove_marks`) tells the note of a cell where the engine
    cannot read one.
    """
    known_notes = known_notes or {}
    by_cell: dict[tuple[int, int], list[Finding]] = {}
    refs: list[str | None] = []
    for f in findings:
        col = _column_of(roster, f.column) if f.row else None
        if f.row and col:
            by_cell.setdefault((f.row, col), []).append(f)
            refs.append(cell_ref(f.row, col))
        else:
            refs.append(None)
    saved: list[list[object]] = []
    for (row, col), items in by_cell.items():
        ref = cell_ref(row, col)
        rng = sheet.range((row, col))
        old_color = hex_color(optional(lambda rng=rng: rng.color))
        old_note = _note_text(rng)
        if old_note is _UNKNOWN and (sheet.name, ref) in known_notes:
            old_note = known_notes[(sheet.name, ref)]
        warning_only = all(f.severity is Severity.WARNING for f in items)
        rng.color = "#" + (WARNING_FILL if warning_only else ERROR_FILL)[2:]
        text = "\n".join(f"【{LEVEL[f.severity]}】{f.message}" for f in items)
        if old_note is _UNKNOWN:  # the clerk's note, unreadable here: leave it as it is
            saved.append([sheet.name, ref, fill_xml(old_color), None, KEEP_NOTE])
            continue
        saved.append([sheet.name, ref, fill_xml(old_color), old_note, ""])
        if old_note is None:
            rng.add_note(text)
        else:
            rng.note.text = f"{old_note}{NOTE_SEPARATOR}{text}"
    result = _result_sheet(book, sheet, findings, refs)
    _marks_sheet(book, saved)
    result.activate()


def _marks_sheet(book: Book, saved: list[list[object]]) -> None:
    marks = fresh_sheet(book, MARKS_SHEET)
    as_text_columns(marks, 1, len(saved) + 1, range(1, 6))
    write_rows(marks, 1, 1, [["sheet", "cell", "fill", "note", "author"], *saved])
    marks.visible = False


def _result_sheet(
    book: Book, roster_sheet: Sheet, findings: Sequence[Finding], refs: Sequence[str | None]
) -> Sheet:
    ws = fresh_sheet(book, RESULT_SHEET, after=roster_sheet)
    counts = count_by_severity(list(findings))
    last = RESULT_FIRST_ROW + len(findings) - 1
    as_text_columns(ws, RESULT_FIRST_ROW, last, (3, 5, 7, 8))
    write_rows(
        ws,
        1,
        1,
        [
            [f"校验结果：错误 {counts['error']} 条，警告 {counts['warning']} 条"],
            [RESULT_HINT],
            [],
            list(RESULT_HEAD),
        ],
    )
    bold(ws.range("A1"))
    bold(ws.range((4, 1), (4, len(RESULT_HEAD))))
    sheet_name = roster_sheet.name.replace("'", "''")
    rows = []
    for i, (f, ref) in enumerate(zip(findings, refs, strict=True), start=1):
        link = f'=HYPERLINK("#\'{sheet_name}\'!{ref}","{ref}")' if ref else ""
        rows.append([i, LEVEL[f.severity], f.code, f.row, f.column, link, f.value, f.message])
    write_rows(ws, RESULT_FIRST_ROW, 1, rows)
    fills = [
        ["#" + (WARNING_FILL if f.severity is Severity.WARNING else ERROR_FILL)[2:]]
        for f in findings
    ]
    for start in range(0, len(fills), 5000):  # set_colors takes at most 10,000 cells a call
        chunk = fills[start : start + 5000]
        top = RESULT_FIRST_ROW + start
        ws.range((top, 2), (top + len(chunk) - 1, 2)).set_colors(chunk)
    widths(ws, (6, 8, 20, 6, 12, 9, 22, 70))
    return ws
