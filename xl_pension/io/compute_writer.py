"""Write computed money columns and a totals line into a roster workbook, keeping the rest."""

from __future__ import annotations

from copy import copy
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..money import Money, Totals
from ..roster import Roster
from ..schema import BY_KEY, COLUMNS, TOTALS_LABEL, Kind
from .atomic import atomic_path

COMPUTED_KEYS = tuple(c.key for c in COLUMNS if c.kind is Kind.COMPUTED)
# Money columns summed on the totals line: what was typed plus what was computed.
TOTALED_KEYS = ("amount", "backpay_amount", *COMPUTED_KEYS)
_MONEY_ATTR = {
    "government_paid": "government_paid",
    "personal_due": "personal_due",
    "subsidy": "subsidy",
    "credited": "credited",
}


def _styled(ws: Worksheet, row: int, col: int):
    """The cell, given the column's style when it has none of its own (new cells)."""
    cell = ws.cell(row, col)
    if not cell.has_style:
        dim = ws.column_dimensions[get_column_letter(col)]
        if dim.has_style:
            cell._style = copy(dim._style)
    return cell


def _ensure_columns(ws: Worksheet, roster: Roster) -> dict[str, int]:
    """Column index of every computed column, adding missing ones after the last header."""
    cols = dict(roster.columns)
    last = max([*cols.values(), *roster.extra_headers])
    for key in COMPUTED_KEYS:
        if key not in cols:
            last += 1
            cell = ws.cell(roster.header_row, last, BY_KEY[key].header)
            cell.font = Font(bold=True)
            cols[key] = last
    return cols


def _clear_old_totals(ws: Worksheet, roster: Roster, cols: dict[str, int]) -> None:
    label_col = cols.get("seq") or cols["name"]
    for row in range(roster.header_row + 1, ws.max_row + 1):
        if ws.cell(row, label_col).value == TOTALS_LABEL:
            for c in range(1, ws.max_column + 1):
                ws.cell(row, c).value = None


def write_money(
    src: str | Path,
    out: str | Path,
    roster: Roster,
    money_by_row: dict[int, Money | None],
    totals: Totals,
) -> Path:
    """Fill the computed columns of each record row (clearing rows without money), add a totals
    line below the last person, and save atomically to ``out``."""
    src, out = Path(src), Path(out)
    # Macros are kept only when the output is a macro workbook too: an .xlsx carrying the
    # macro-enabled content type is refused by Excel ("file format or extension not valid").
    keep_vba = src.suffix.lower() == ".xlsm" and out.suffix.lower() == ".xlsm"
    wb = openpyxl.load_workbook(src, keep_vba=keep_vba, rich_text=True)
    ws = wb[roster.sheet]
    cols = _ensure_columns(ws, roster)
    _clear_old_totals(ws, roster, cols)
    for row, money in money_by_row.items():
        for key in COMPUTED_KEYS:
            value = getattr(money, _MONEY_ATTR[key]) if money is not None else None
            _styled(ws, row, cols[key]).value = value
    last = max([r.row for r in roster.records], default=roster.header_row)
    total_row = last + 1
    label_col = cols.get("seq") or cols["name"]
    bold = Font(bold=True)
    label = _styled(ws, total_row, label_col)
    label.value, label.font = TOTALS_LABEL, bold
    if "group" in cols and cols["group"] != label_col:
        _styled(ws, total_row, cols["group"]).value = f"{totals.people}人"
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
            cell = _styled(ws, total_row, cols[key])
            cell.value, cell.font = sums[key], bold
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
