"""Use case *remit*: the village's cash remittance list (解缴清单), checked against the bank slip.

:func:`remit_roster` refuses a roster with errors unless ``skip_invalid``, writes the list of
offline payments and, given the amount on the bank's deposit slip, reconciles it. It returns a
:class:`RemitRun`; it never prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import EXIT_FINDINGS, EXIT_OK
from ..core.policy import Policy
from ..reports.remit import RemitList
from .check import UsableRoster, usable_roster

REMIT_SUFFIX = "_解缴清单"


def remit_path(src: Path) -> Path:
    """Where the remittance list of ``src`` goes by default (``<stem>_解缴清单.xlsx``)."""
    return src.with_name(f"{src.stem}{REMIT_SUFFIX}.xlsx")


@dataclass
class RemitRun:
    """What :func:`remit_roster` wrote: the list, the slip's amount (``None`` when not given),
    the rows left out (``skip_invalid``) and the files saved before being replaced."""

    source: Path
    output: Path
    remit: RemitList
    deposited: int | None
    skipped: list[int]
    backups: list[Path] = field(default_factory=list)

    @property
    def difference(self) -> int:
        """Slip minus list total (0 when no slip was given)."""
        return 0 if self.deposited is None else self.remit.difference(self.deposited)

    @property
    def exit_code(self) -> int:
        """1 when the slip does not match the list, else 0."""
        return EXIT_FINDINGS if self.difference else EXIT_OK


def remit_roster(
    src: str | Path,
    policy: Policy,
    *,
    deposited: int | None = None,
    output: str | Path | None = None,
    skip_invalid: bool,
) -> RemitRun:
    """Write the remittance list of one roster to ``output`` (default :func:`remit_path`)."""
    from ..io.atomic import backup

    src = Path(src)
    usable = usable_roster(src, policy, skip_invalid=skip_invalid)
    out = Path(output) if output is not None else remit_path(src)
    backups = [backup(out)] if out.exists() else []
    rl = write_remit(out, usable, policy, deposited)
    return RemitRun(src, out, rl, deposited, usable.skipped, backups)


def write_remit(
    out: Path, usable: UsableRoster, policy: Policy, deposited: int | None = None
) -> RemitList:
    """Write the remittance list of the offline payments in ``usable`` to ``out`` (with the
    slip's ``deposited`` amount when given) and return it. The one remit write-back of the
    command, the demo and the web service."""
    from ..io.new_workbook import write_workbook
    from ..reports.remit import remit_list
    from ..reports.remit_plan import remit_plan

    rl = remit_list(usable.checked.people, usable.money, policy)
    write_workbook(out, remit_plan(policy, usable.checked.roster, rl, deposited))
    return rl
