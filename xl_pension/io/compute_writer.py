"""Write computed money columns and a totals line into a roster workbook, keeping the rest.

The cells are planned once (:func:`xl_pension.reports.compute_plan.compute_plan`) and applied by
:func:`.workbook_plan.apply_plan`: by editing the sheet's XML directly (fast, and every other
part of the workbook stays byte for byte), or through openpyxl when the patcher does not edit
the sheet. :func:`write_money` is a transitional wrapper for the commands: a use case calls the
builder and the applier itself.
"""

from __future__ import annotations

from pathlib import Path

from ..core.money import Money, Totals
from ..core.roster import Roster
from .workbook_plan import apply_plan


def write_money(
    src: str | Path,
    out: str | Path,
    roster: Roster,
    money_by_row: dict[int, Money | None],
    totals: Totals,
) -> Path:
    """Fill the computed columns of each record row (clearing rows without money), replace the
    totals line below the last person, and save atomically to ``out``."""
    from ..reports.compute_plan import compute_plan

    return apply_plan(src, out, compute_plan(roster, money_by_row, totals))
