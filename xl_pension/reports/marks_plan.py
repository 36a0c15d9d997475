"""The plan of a check's marks: each finding's cell coloured and noted, and the ``校验结果`` sheet.

Made once from the findings; ``validate --annotate`` (``io.annotate``) and the ribbon's
校验花名册 (``macros.marks``) apply it, so either front end undoes the other's marks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.findings import Finding, Severity, count_by_severity
from ..core.marking import (
    ERROR_FILL,
    LEVEL,
    RESULT_HEAD,
    RESULT_HINT,
    RESULT_SHEET,
    WARNING_FILL,
)
from ..core.plan import (
    TEXT_FORMAT,
    Cell,
    Link,
    Mark,
    Marks,
    PrintSetup,
    SheetPlan,
    Style,
    WorkbookPlan,
)
from ..core.roster import Roster
from ..core.schema import BY_KEY

RESULT_FIRST_ROW = 5  # the first finding's row on 校验结果
RESULT_WIDTHS = (6, 8, 20, 6, 12, 9, 22, 70)
TEXT = Style(number_format=TEXT_FORMAT)
LINK = Style(color="0563C1", underline=True)
BOLD = Style(bold=True)


def fill_of(severity: Severity) -> str:
    """The mark colour (RRGGBB) of a finding's severity."""
    return (WARNING_FILL if severity is Severity.WARNING else ERROR_FILL)[2:]


def _column_of(roster: Roster, header: str) -> int | None:
    for key, col in roster.columns.items():
        if BY_KEY[key].header == header:
            return col
    return None


Anchor = Callable[[int, int], tuple[int, int]]


def same_cell(row: int, col: int) -> tuple[int, int]:
    """The anchor of an engine that cannot see merged ranges: the cell itself."""
    return row, col


def finding_cells(
    roster: Roster, findings: Sequence[Finding], anchor: Anchor = same_cell
) -> list[tuple[int, int] | None]:
    """The (row, column) each finding is marked on in the roster (``None`` for a whole-file
    one): ``anchor`` maps a cell to the top-left cell of a merged range holding it."""
    out: list[tuple[int, int] | None] = []
    for f in findings:
        col = _column_of(roster, f.column) if f.row else None
        out.append(anchor(f.row, col) if f.row and col else None)
    return out


def _marks(roster: Roster, findings: Sequence[Finding], cells: list) -> Marks:
    by_cell: dict[tuple[int, int], list[Finding]] = {}
    for f, cell in zip(findings, cells, strict=True):
        if cell is not None:
            by_cell.setdefault(cell, []).append(f)
    marks = []
    for (row, col), items in by_cell.items():
        warning_only = all(f.severity is Severity.WARNING for f in items)
        text = "\n".join(f"【{LEVEL[f.severity]}】{f.message}" for f in items)
        fill = fill_of(Severity.WARNING if warning_only else Severity.ERROR)
        marks.append(Mark(row, col, fill, text))
    return Marks(roster.sheet, marks)


def result_sheet(roster: Roster, findings: Sequence[Finding], cells: list) -> SheetPlan:
    """``校验结果``: counts, a hint, and one row a finding linking to its cell."""
    sheet = SheetPlan(RESULT_SHEET, after=roster.sheet)
    counts = count_by_severity(list(findings))
    sheet.put(1, 1, f"校验结果：错误 {counts['error']} 条，警告 {counts['warning']} 条",
              Style(bold=True, size=14))  # fmt: skip
    sheet.put(2, 1, RESULT_HINT)
    sheet.put_row(4, list(RESULT_HEAD), BOLD)
    for i, (f, cell) in enumerate(zip(findings, cells, strict=True)):
        row = RESULT_FIRST_ROW + i
        sheet.put(row, 1, i + 1)
        sheet.put(row, 2, LEVEL[f.severity], Style(fill=fill_of(f.severity)))
        sheet.put(row, 3, f.code, TEXT)
        sheet.put(row, 4, f.row)
        sheet.put(row, 5, f.column, TEXT)
        if cell is not None:
            link = Link(roster.sheet, *cell)
            sheet.cells[(row, 6)] = Cell(link.ref, LINK, link)
        sheet.put(row, 7, f.value, TEXT)
        sheet.put(row, 8, f.message, TEXT)
    sheet.widths = dict(enumerate(RESULT_WIDTHS, start=1))
    sheet.freeze = (RESULT_FIRST_ROW, 1)
    sheet.print_setup = PrintSetup(landscape=True, title_rows=(4, 4))
    return sheet


def marks_plan(
    roster: Roster, findings: Sequence[Finding], anchor: Anchor = same_cell
) -> WorkbookPlan:
    """Mark every finding's cell and list the findings on ``校验结果`` (shown first).

    ``anchor`` tells where a cell is shown: the top-left cell of its merged range, if any.
    """
    cells = finding_cells(roster, findings, anchor)
    return WorkbookPlan(
        sheets=[result_sheet(roster, findings, cells)],
        marks=_marks(roster, findings, cells),
        activate=RESULT_SHEET,
    )
