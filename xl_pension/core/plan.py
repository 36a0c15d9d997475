"""Cell plans: a change to a workbook, made once, applied to a file (io/) or to the open book (macros/).

A plan says *what* a workbook should hold after compute, remit, notice or annotate: sheets to
create or replace, cells of existing sheets to set, findings' marks, sheets to delete. It knows
nothing of any Excel library; the appliers translate it. What a sheet holds (its title, columns,
totals line, texts) is decided by the builder in ``reports/``; how it is written is decided by
the applier, so that a change to a sheet's content touches the builder only.

Rules every applier keeps:

- a ``str`` value is always stored as text, never as a formula, even when it starts with ``=``;
  ``int`` values are numbers, ``None`` empties a cell (keeping its style on existing sheets);
- a cell's :class:`Style` is written as given on a new sheet; on an existing sheet
  (:class:`SheetEdit`) ``style=None`` keeps the cell's own style, and a given style is
  emphasis an engine may leave out where it cannot change styles without rewriting the file;
- rows and columns are 1-based Excel numbers;
- a :class:`Formula` is the one way to plan a formula (with the result Python computed), and
  ``float``/date values, formulas, charts, autofilters and :class:`BulkRows` are for new
  workbooks (:mod:`xl_pension.io.new_workbook`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from .marking import MARKS_HEAD, MARKS_SHEET, NOTE_AUTHOR, NOTE_SEPARATOR

CellValue = int | str | None
TEXT_FORMAT = "@"  # number format of a text cell: what is typed stays text
THIN = "thin"  # the one border style used: a thin black line on all four sides


def column_letter(col: int) -> str:
    """Excel column letters of a 1-based column index (1 -> A, 27 -> AA)."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """A1 reference of a 1-based row and column."""
    return f"{column_letter(col)}{row}"


CJK_UNITS = 2.0  # a CJK character is about two column-width units at the same size


def wrapped_lines(text: str, width_units: float, scale: float = 1.0) -> int:
    """Estimated lines ``text`` wraps to in a cell ``width_units`` wide (Excel column-width
    units), its font ``scale`` times the sheet's body size: how tall a wrapped row is made."""
    units = sum((CJK_UNITS if ord(ch) > 0x2E80 else 1.1) * scale for ch in text)
    return max(1, math.ceil(units / max(width_units - 2, 1)))


@dataclass(frozen=True)
class Style:
    """How a cell looks. Colours are ``RRGGBB`` hex text; ``None``/``False`` means the default."""

    bold: bool = False
    size: float | None = None  # font size in points
    font: str | None = None  # font name
    color: str | None = None  # font colour
    underline: bool = False
    fill: str | None = None  # solid background colour
    number_format: str | None = None  # e.g. ``"0"``, :data:`TEXT_FORMAT`
    horizontal: str | None = None  # "left" | "center" | "right"
    vertical: str | None = None  # "top" | "center" | "bottom"
    wrap: bool = False
    indent: int = 0
    italic: bool = False
    border: str | None = None  # :data:`THIN` on all four sides


@dataclass(frozen=True)
class Link:
    """A link to a cell of the same workbook."""

    sheet: str
    row: int
    column: int

    @property
    def ref(self) -> str:
        """The target cell's A1 reference."""
        return cell_ref(self.row, self.column)

    @property
    def location(self) -> str:
        """``'sheet'!A1``: the workbook location Excel jumps to (quotes in the name doubled)."""
        return f"'{self.sheet.replace(chr(39), chr(39) * 2)}'!{self.ref}"


@dataclass(frozen=True)
class Url:
    """A link to another file (a path relative to the workbook's folder, ``#'sheet'!A1`` to
    open at a cell); ``tip`` is shown on hovering."""

    target: str
    tip: str | None = None


@dataclass(frozen=True)
class Formula:
    """A formula (``=SUM(A1:A3)``) and its cached result: what Python computed, so a reader
    that does not recalculate shows the same number (``""``: no result)."""

    text: str
    result: int | float | str = ""


Value = CellValue | float | dt.date | Formula  # what a cell of a new sheet may hold


@dataclass(frozen=True)
class Cell:
    """One cell to write: its value, style and (optionally) a link shown by that value."""

    value: Value = None
    style: Style | None = None
    link: Link | Url | None = None


@dataclass(frozen=True)
class Range:
    """A block of cells of a sheet, 1-based, both ends included (a chart's data)."""

    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True)
class Axis:
    """A chart axis: number format, fixed bounds, gridlines, a date axis, reversed order."""

    number_format: str | None = None
    min: float | None = None
    max: float | None = None
    gridlines: bool = False
    date_axis: bool = False
    reverse: bool = False


@dataclass(frozen=True)
class Series:
    """One data series of a chart; ``fill`` colours bars, ``line`` is (colour, width in pt)."""

    name: str
    categories: Range
    values: Range
    labels_format: str | None = None  # number format of value labels (None: no labels)
    fill: str | None = None
    line: tuple[str, float] | None = None


@dataclass(frozen=True)
class Chart:
    """A chart placed at a cell: ``kind`` is ``column``, ``bar`` or ``line``; no legend."""

    kind: str
    row: int
    column: int
    title: str
    series: tuple[Series, ...]
    title_font: str | None = None
    title_size: float | None = None
    x_axis: Axis | None = None
    y_axis: Axis | None = None
    scale: tuple[float, float] = (1.0, 1.0)  # x, y


@dataclass(frozen=True)
class Margins:
    """Page margins in inches (left and right the same)."""

    sides: float
    top: float
    bottom: float
    header: float = 0.3
    footer: float = 0.3


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: always A4, fitted to one page wide (as many pages tall as needed)."""

    landscape: bool = False
    title_rows: tuple[int, int] | None = None  # rows repeated at the top of every page
    area: tuple[int, int] | None = None  # (last row, last column) of the print area from A1
    margins: Margins | None = None  # None: the engine's default
    footer: str | None = None  # centre footer, Excel codes (&P page, &N pages)
    header: str | None = None  # centre header on every page, bold (e.g. 内部资料 不得公开)
    header_font: str | None = None  # its font name ("-": the sheet's); None: just bold
    header_size: float | None = 14
    footer_font: str | None = None
    footer_size: float | None = None
    center_horizontally: bool = False


@dataclass
class BulkRows:
    """Many plain rows of a sheet from ``first_row`` on, written in one pass: each row a
    sequence of ``str``/``int``/``float``/date/``None`` values (no :class:`Cell` per cell),
    column ``c`` (0-based) in ``styles[c]``, a ``str`` in ``text_style`` when given; ``None``
    is an empty cell in the column's style (``blanks``) or nothing."""

    first_row: int
    rows: Sequence[Sequence[object]]
    styles: tuple[Style, ...]
    text_style: Style | None = None
    blanks: bool = True


@dataclass
class SheetPlan:
    """A sheet to create, replacing a sheet of the same name if there is one.

    ``after`` names the sheet it follows; ``None`` puts it where the replaced sheet was, else
    at the end.
    """

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # column -> width (character units)
    heights: dict[int, float] = field(default_factory=dict)  # row -> height (points)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    freeze: tuple[int, int] | None = None  # the first cell that scrolls (row, column)
    autofilter: tuple[int, int, int, int] | None = None  # r1, c1, r2, c2 (new workbooks)
    column_styles: dict[int, Style] = field(default_factory=dict)  # column -> default style
    charts: list[Chart] = field(default_factory=list)
    bulk: BulkRows | None = None  # rows below the planned cells, written in one pass
    print_setup: PrintSetup | None = None
    gridlines: bool = True
    hidden: bool = False
    after: str | None = None

    def put(
        self,
        row: int,
        col: int,
        value: Value,
        style: Style | None = None,
    ) -> None:
        """Set one cell."""
        self.cells[(row, col)] = Cell(value, style)

    def put_row(
        self, row: int, values: Sequence[Value], style: Style | None = None, first_col: int = 1
    ) -> None:
        """Set a row of cells from ``first_col`` on, all with the same style."""
        for c, value in enumerate(values, start=first_col):
            self.cells[(row, c)] = Cell(value, style)

    @property
    def last_row(self) -> int:
        """The last row holding a planned cell (0 when none)."""
        return max((r for r, _ in self.cells), default=0)

    @property
    def last_col(self) -> int:
        """The last column holding a planned cell (0 when none)."""
        return max((c for _, c in self.cells), default=0)


@dataclass
class SheetEdit:
    """Cells to set on an existing sheet; everything else on it stays as it is."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class Mark:
    """A finding's mark on a cell of an existing sheet: a fill, and a note added to its own."""

    row: int
    column: int
    fill: str  # RRGGBB
    note: str


@dataclass
class Marks:
    """The marks of one check on one sheet, undoable.

    An applier first undoes the marks recorded in ``record_sheet`` by an earlier run (either
    front end's), then marks each cell: the fill replaces the cell's, the note is the cell's
    own note (if any), ``separator`` and ``Mark.note``. It records each marked cell's original
    fill and note in the hidden ``record_sheet`` (header row ``record_head``), so that the next
    run restores them exactly. An engine that cannot show notes still colours the cells.
    """

    sheet: str
    marks: list[Mark]
    record_sheet: str = MARKS_SHEET
    record_head: tuple[str, ...] = MARKS_HEAD
    author: str = NOTE_AUTHOR
    separator: str = NOTE_SEPARATOR
    note_size: tuple[int, int] = (320, 120)  # width, height in points


@dataclass
class WorkbookPlan:
    """Everything one write-back changes in a workbook (or writes into a new one)."""

    sheets: list[SheetPlan] = field(default_factory=list)
    edits: list[SheetEdit] = field(default_factory=list)
    marks: Marks | None = None
    delete: tuple[str, ...] = ()  # sheets removed when present
    activate: str | None = None  # the sheet shown when the workbook opens
    title: str | None = None  # document properties, for new workbooks
    created: dt.datetime | None = None
    comments: str | None = None

    def sheet(self, name: str) -> SheetPlan:
        """The planned sheet called ``name``."""
        return next(s for s in self.sheets if s.name == name)
