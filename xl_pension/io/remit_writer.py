"""Write the remittance list (解缴清单) as a print-ready A4 workbook.

The sheet is planned once (:func:`xl_pension.reports.remit_plan.remit_plan`) and written by
:func:`.new_workbook.write_workbook`; :func:`write_remit` is a transitional wrapper for the
commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core.policy import Policy
from ..core.roster import Roster
from .new_workbook import write_workbook

if TYPE_CHECKING:
    from ..reports.remit import RemitList


def write_remit(
    path: str | Path, policy: Policy, roster: Roster, rl: RemitList, deposited: int | None
) -> Path:
    """Write the list of cash receipts with count, total, reconciliation and signature lines."""
    from ..reports.remit_plan import remit_plan

    return write_workbook(path, remit_plan(policy, roster, rl, deposited))
