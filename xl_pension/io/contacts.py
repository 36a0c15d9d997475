"""The per-township contacts file (.xlsx or .csv): 村, 专员, 电话 (and optionally 乡镇).

The headers are matched through :func:`xl_pension.core.schema.contact_key` (aliases, full-width
characters and spaces tolerated); the header row may be below a title row. A file that cannot
be used is one Chinese sentence naming it (exit 2). :func:`write_contacts` writes one (the
demo's, or a blank list for a township to fill in).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..core import catalogue as cat
from ..core.schema import CONTACT_COLUMNS, VILLAGE_COLUMN, contact_key
from ..core.values import phone_text, text

HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000  # a township has a few dozen villages; a county a few hundred
_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel's "CSV UTF-8" and the Chinese-Windows default


@dataclass(frozen=True)
class ContactRow:
    """One row of the contacts file as typed (``row``: the row number the user sees)."""

    row: int
    township: str
    village: str
    name: str
    phone: str


@dataclass(frozen=True)
class ContactsFile:
    """The rows of a contacts file; ``has_township``: the file has a 乡镇 column."""

    path: Path
    rows: tuple[ContactRow, ...]
    has_township: bool


def _grid(path: Path) -> list[list[object]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        for encoding in _ENCODINGS:
            try:
                return list(csv.reader(data.decode(encoding).splitlines()))
            except UnicodeDecodeError:
                continue
        raise cat.CONTACTS_UNUSABLE.error("encoding", file=path.name)
    if suffix in (".xlsx", ".xlsm"):
        from .reader import open_workbook

        wb = open_workbook(path)
        return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    raise cat.CONTACTS_UNUSABLE.error("format", file=path.name)


def _header(path: Path, grid: list[list[object]]) -> tuple[int, dict[str, int]]:
    """The header row's index and the column of each key found in it."""
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for c, cell in enumerate(row):
            key = contact_key(cell)
            if key and key not in columns:
                columns[key] = c
        if VILLAGE_COLUMN.key in columns and len(columns) >= 2:
            return index, columns
    headers = "、".join(c.header for c in CONTACT_COLUMNS[1:])
    raise cat.CONTACTS_UNUSABLE.error(
        "no_header", file=path.name, rows=HEADER_SEARCH_ROWS, headers=headers
    )


def read_contacts(path: str | Path) -> ContactsFile:
    """The contact rows of the file's first sheet (or the CSV), empty rows skipped."""
    path = Path(path)
    if not path.is_file():
        raise cat.CONTACTS_UNUSABLE.error("missing", file=path)
    try:
        grid = _grid(path)
    except OSError as exc:
        raise cat.CONTACTS_UNUSABLE.error(
            "unreadable", file=path.name, reason=exc.strerror
        ) from None
    if len(grid) > MAX_ROWS:
        raise cat.CONTACTS_UNUSABLE.error("too_long", file=path.name, limit=MAX_ROWS)
    index, columns = _header(path, grid)

    def cell(row: list[object], key: str) -> str:
        c = columns.get(key)
        value = row[c] if c is not None and c < len(row) else None
        return phone_text(value) if key == "phone" else text(value)

    rows = []
    for offset, row in enumerate(grid[index + 1 :], start=index + 2):
        village = cell(row, "village")
        if not village and not cell(row, "specialist") and not cell(row, "phone"):
            continue
        rows.append(
            ContactRow(
                row=offset,
                township=cell(row, "township"),
                village=village,
                name=cell(row, "specialist"),
                phone=cell(row, "phone"),
            )
        )
    return ContactsFile(path=path, rows=tuple(rows), has_township="township" in columns)


def write_contacts(path: str | Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write a contacts workbook: rows of (乡镇, 村, 专员, 电话), every cell as text."""
    import xlsxwriter

    from .atomic import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        ws = wb.add_worksheet("专员名单")
        bold = wb.add_format({"bold": True})
        text_format = wb.add_format({"num_format": "@"})
        for c, column in enumerate(CONTACT_COLUMNS):
            ws.set_column(c, c, column.width, text_format)
            ws.write_string(0, c, column.header, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                ws.write_string(r, c, value)
        ws.freeze_panes(1, 0)
        wb.close()
    return path
