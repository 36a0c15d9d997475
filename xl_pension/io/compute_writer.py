"""Write computed money columns and a totals line into a roster workbook, keeping the rest.

The cells to set are planned once (:func:`plan_cells`). They are written by editing the sheet's
XML directly (:mod:`.xlsx_patch`: fast, and every other part of the workbook — formulas' cached
values, notes, charts, images — stays byte for byte); when the sheet has a layout the patcher
does not edit, openpyxl writes the same plan.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path

from ..core.money import Money, Totals
from ..core.roster import Roster
from ..core.schema import BY_KEY, COLUMNS, TOTALS_LABEL, Kind
from .formats import editable_copy
from .xlsx_patch import CellValue, PatchUnsupported, patch_cells

COMPUTED_KEYS = tuple(c.key for c in COLUMNS if c.kind is Kind.COMPUTED)
# Money columns summed on the totals line: what was typed plus what was computed.
TOTALED_KEYS = ("amount", "backpay_amount", *COMPUTED_KEYS)


def _columns(roster: Roster) -> tuple[dict[str, int], dict[int, str]]:
    """Column of every key used, adding missing computed columns after the last header;
    returns the columns and the new header cells to write."""
    cols = dict(roster.columns)
    new_headers: dict[int, str] = {}
    last = max([*cols.values(), *roster.extra_headers])
    for key in COMPUTED_KEYS:
        if key not in cols:
            last += 1
            cols[key] = last
            new_headers[last] = BY_KEY[key].header
    return cols, new_headers


def plan_cells(
    roster: Roster, money_by_row: dict[int, Money | None], totals: Totals
) -> tuple[dict[tuple[int, int], CellValue], int]:
    """Every cell ``compute`` writes: (row, column) -> value, and the totals line's row."""
    cols, new_headers = _columns(roster)
    cells: dict[tuple[int, int], CellValue] = {
        (roster.header_row, c): h for c, h in new_headers.items()
    }
    label_col = cols.get("seq") or cols["name"]
    totals_keys = [k for k in ("group", *TOTALED_KEYS) if k in cols]
    for row in roster.totals_rows:  # an earlier totals line is cleared
        cells[(row, label_col)] = None
        for key in totals_keys:
            cells[(row, cols[key])] = None
    for row, money in money_by_row.items():
        for key in COMPUTED_KEYS:
            cells[(row, cols[key])] = getattr(money, key) if money is not None else None
    last = max([r.row for r in roster.records], default=roster.header_row)
    total_row = last + 1
    cells[(total_row, label_col)] = TOTALS_LABEL
    if "group" in cols and cols["group"] != label_col:
        cells[(total_row, cols["group"])] = f"{totals.people}人"
    sums = {
        "amount": totals.personal_due,
        "backpay_amount": totals.backpay,
        "government_paid": totals.government_paid,
        "personal_due": totals.personal_due,
        "subsidy": totals.subsidy,
        "credited": totals.credited,
    }
    for key in TOTALED_KEYS:
        if key in cols:
            cells[(total_row, cols[key])] = sums[key]
    return cells, total_row


def _write_with_openpyxl(
    src: Path, out: Path, sheet: str, cells: dict[tuple[int, int], CellValue], total_row: int
) -> None:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .atomic import atomic_path

    keep_vba = src.suffix.lower() == ".xlsm" and out.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(src, keep_vba=keep_vba, rich_text=True)  # src is .xlsx/.xlsm
    ws = wb[sheet]
    for (row, col), value in cells.items():
        cell = ws.cell(row, col)
        if not cell.has_style:  # a new cell takes its column's style
            dim = ws.column_dimensions[get_column_letter(col)]
            if dim.has_style:
                cell._style = copy(dim._style)
        cell.value = value
        if row == total_row and value is not None:
            cell.font = Font(bold=True)
    with atomic_path(out) as tmp:
        wb.save(tmp)


def write_money(
    src: str | Path,
    out: str | Path,
    roster: Roster,
    money_by_row: dict[int, Money | None],
    totals: Totals,
) -> Path:
    """Fill the computed columns of each record row (clearing rows without money), replace the
    totals line below the last person, and save atomically to ``out``."""
    src, out = Path(src), Path(out)
    cells, total_row = plan_cells(roster, money_by_row, totals)
    with editable_copy(src) as editable:  # an .xls/.ods input: a values copy, saved as .xlsx
        try:
            patch_cells(editable, out, roster.sheet, cells)
            return out
        except PatchUnsupported:
            pass  # e.g. a macro workbook saved as .xlsx: openpyxl sets the package type
        _write_with_openpyxl(editable, out, roster.sheet, cells, total_row)
    return out
