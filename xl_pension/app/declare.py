"""Use case ``declare``: per township the operator's 批量申报清单 and the 代缴申报表.

The county's rosters are read, checked and accounted as the county merge does (places,
duplicates across villages: :class:`~xl_pension.reports.merge.CountyMerge`, which accounts every
paid row in :mod:`xl_pension.reports.declare`); this use case writes one workbook per township
from that result and returns a :class:`DeclareResult`. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.policy import Policy
from ..reports.declare import HeldBack, TownshipDeclaration
from ..reports.merge import CountyResult


@dataclass(frozen=True)
class DeclareResult:
    """What ``declare`` wrote and how every paid row was accounted."""

    townships: list[TownshipDeclaration]
    written: list[Path]
    unplaced: list[HeldBack]  # paid rows of rosters whose township is unknown

    @property
    def differences(self) -> list[str]:
        """Conservation differences of every township ([] when each holds)."""
        return [d for t in self.townships for d in t.conservation()[1]]

    @property
    def held(self) -> int:
        """Paid rows declared nowhere (errors, duplicates, unknown places)."""
        return sum(len(t.held) for t in self.townships) + len(self.unplaced)


def declare_county(county: CountyResult, outdir: str | Path, policy: Policy) -> DeclareResult:
    """Write ``<乡镇>申报清单.xlsx`` into ``outdir`` for every township with paid rows."""
    from ..io.new_workbook import write_workbook
    from ..reports.declare_plan import declaration_file_name, declaration_plan

    outdir = Path(outdir)
    written = [
        write_workbook(outdir / declaration_file_name(t.township.name), declaration_plan(t, policy))
        for t in county.declarations
    ]
    return DeclareResult(list(county.declarations), written, list(county.unplaced))
