"""A thin adapter between an open ``xw.Book`` and the core: read value grids, write back.

Only the portable part of the xlwings API is used (``used_range``, ``.options(ndim=2).value``,
``.value``, ``.color``, notes, ``sheets.add``, ``app.alert``), so that every macro runs the same
on desktop Excel (COM) and on xlwings' remote engine. Where an engine cannot do something
(reading a fill colour or a note's text, the status bar), the adapter degrades
instead of failing: see :func:`optional` and :func:`cosmetic`.

xlwings itself is never imported here: the book object is passed in by the dispatcher.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..core.roster import Roster
from ..core.schema import META_SHEET, ROSTER_SHEET, normalize_header

Book = Any  # an xlwings.Book (desktop or remote); typed loosely so xlwings stays unimported
Sheet = Any
Grid = list[list[object]]

_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def optional(action: Callable[[], object], default: object = None) -> object:
    """Run an action that some engines do not support; ``default`` when unsupported."""
    try:
        return action()
    except NotImplementedError:
        return default


def cosmetic(action: Callable[[], object]) -> None:
    """Run a purely cosmetic action (width, bold, selection, status bar, opening a result):
    whatever goes wrong with it, the macro's real work and message go on."""
    with contextlib.suppress(Exception):
        action()


def parse_ref(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1 reference such as ``B7`` or ``$B$7``."""
    m = _A1.match(ref.strip().upper())
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return int(m[2]), col


def find_sheet(book: Book, name: str) -> Sheet | None:
    """The sheet whose name equals ``name`` after header normalisation (spaces, full-width)."""
    wanted = normalize_header(name)
    for sheet in book.sheets:
        if normalize_header(sheet.name) == wanted:
            return sheet
    return None


def grid(sheet: Sheet) -> Grid:
    """The sheet's values as a list of rows anchored at A1 (``None`` for empty cells)."""
    used = sheet.used_range
    values = used.options(ndim=2).value or [[]]
    top, left = used.row, used.column
    rows: Grid = [[] for _ in range(top - 1)]
    for row in values:
        rows.append([None] * (left - 1) + list(row))
    return rows


def read_meta(book: Book) -> dict[str, str]:
    """The hidden ``_meta`` sheet of the book ({} when absent)."""
    sheet = find_sheet(book, META_SHEET)
    from ..core.roster_grid import meta_from_rows

    return meta_from_rows(grid(sheet)) if sheet is not None else {}


def read_roster(book: Book) -> tuple[Roster, Sheet, Grid]:
    """The open workbook's ``花名册`` as a :class:`Roster`, its sheet and its value grid.

    Raises :class:`~xl_pension.core.errors.UnusableInputError` (``template.not_roster``) when the
    book is not a roster, before anything is written.
    """
    from ..core.roster_grid import not_roster, roster_from_rows

    sheet = find_sheet(book, ROSTER_SHEET)
    if sheet is None:
        raise not_roster(book.name, f"没有名为“{ROSTER_SHEET}”的工作表，不是标准花名册。")
    rows = grid(sheet)
    return roster_from_rows(book.name, sheet.name, rows, read_meta(book)), sheet, rows


def book_folder(book: Book) -> Path | None:
    """The folder of a saved workbook on this computer (``None`` for new or remote books)."""
    full = str(optional(lambda: book.fullname, "") or "")
    if not full or "://" in full:
        return None
    path = Path(full)
    return path.parent if path.is_absolute() and path.parent.is_dir() else None


def alert(book: Book, text: str, *, critical: bool = False) -> None:
    """A message box with the add-in's title."""
    book.app.alert(text, title="居民养老保险", mode="critical" if critical else "info")


def status(book: Book, text: str | None) -> None:
    """Show progress in the status bar (``None`` gives it back to Excel); no-op where absent."""

    def set_status() -> None:
        book.app.status_bar = text if text else False

    cosmetic(set_status)


def delete_sheet(book: Book, name: str) -> bool:
    """Delete the sheet with this exact name if it exists; True when one was deleted."""
    for sheet in book.sheets:
        if sheet.name == name:
            sheet.delete()
            return True
    return False


def fresh_sheet(book: Book, name: str, after: Sheet | None = None) -> Sheet:
    """A new empty sheet ``name`` (replacing an existing one), after ``after`` or at the end."""
    delete_sheet(book, name)
    if after is None:
        after = book.sheets[len(book.sheets) - 1]
    return book.sheets.add(name, after=after)


def write_rows(sheet: Sheet, row: int, col: int, rows: Sequence[Sequence[object]]) -> None:
    """Write a rectangular block of values with its top-left cell at (row, col), 1-based."""
    if not rows:
        return
    width = max(len(r) for r in rows)
    block = [list(r) + [None] * (width - len(r)) for r in rows]
    sheet.range((row, col), (row + len(block) - 1, col + width - 1)).value = block


def as_text_columns(sheet: Sheet, first_row: int, last_row: int, cols: Sequence[int]) -> None:
    """Format columns as text before writing, so that digits keep their zeros and ``=`` stays."""
    for c in cols:
        sheet.range((first_row, c), (max(first_row, last_row), c)).number_format = "@"


def hex_color(value: object) -> str | None:
    """``#RRGGBB`` of an xlwings colour (RGB tuple, hex text or int); ``None`` for no fill."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.lstrip("#")
        return f"#{text[-6:].upper()}" if re.fullmatch(r"[0-9A-Fa-f]{6,8}", text) else None
    if isinstance(value, int):  # Excel's BGR integer
        return f"#{value & 0xFF:02X}{(value >> 8) & 0xFF:02X}{(value >> 16) & 0xFF:02X}"
    try:
        r, g, b = value  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    return f"#{int(r):02X}{int(g):02X}{int(b):02X}"
