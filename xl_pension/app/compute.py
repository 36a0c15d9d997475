"""Use case *compute*: fill 政府代缴, 个人应缴, 政府补贴, 记入个人账户 and a totals line.

:func:`compute_roster` refuses a roster with errors (:class:`~xl_pension.app.check.RosterRefused`)
unless ``skip_invalid``, writes the money into a copy (or the roster itself, after a backup)
and returns a :class:`ComputeRun`; it never prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core.money import Totals, totals_of
from ..core.policy import Policy
from .check import UsableRoster, usable_roster

COMPUTED_SUFFIX = "_计算"


def computed_path(src: Path) -> Path:
    """Where the computed copy of ``src`` goes by default (``<stem>_计算.xlsx``, an ``.xlsx``
    also for an ``.xls``/``.ods`` roster)."""
    from ..io.formats import written_beside

    return written_beside(src, COMPUTED_SUFFIX)


@dataclass
class ComputeRun:
    """What :func:`compute_roster` wrote: the workbook, its totals, the rows left out
    (``skip_invalid``) and the files saved before being replaced."""

    source: Path
    output: Path
    totals: Totals
    skipped: list[int]
    backups: list[Path] = field(default_factory=list)


def compute_roster(
    src: str | Path,
    policy: Policy,
    *,
    output: str | Path | None = None,
    skip_invalid: bool,
    on_wait: Callable[[], None] | None = None,
) -> ComputeRun:
    """Compute the money of one roster into ``output`` (default :func:`computed_path`; for an
    in-place run :func:`xl_pension.io.formats.in_place_target`, after a backup).

    The read and the write are one guarded scope (:func:`xl_pension.io.locks.guarded_write`):
    an output open in Excel/WPS is refused, and an in-place run waits for (``on_wait`` is told)
    another run on the same roster instead of losing its work.
    """
    from ..io.atomic import backup
    from ..io.locks import guarded_write

    src = Path(src)
    out = Path(output) if output is not None else computed_path(src)
    with guarded_write(src, out, on_wait=on_wait):
        usable = usable_roster(src, policy, skip_invalid=skip_invalid)
        backups = [backup(out)] if out.exists() else []
        totals = write_computed(src, out, usable)
    return ComputeRun(src, out, totals, usable.skipped, backups)


def write_computed(src: Path, out: Path, usable: UsableRoster) -> Totals:
    """Write the roster ``src`` to ``out`` with the money of ``usable`` (read from ``src``)
    filled in and its totals line; returns those totals. The one compute write-back of the
    command, the demo and the web service."""
    from ..io.workbook_plan import apply_plan
    from ..reports.compute_plan import compute_plan

    totals = totals_of(usable.money.values())
    apply_plan(
        src, out, compute_plan(usable.checked.roster, usable.money, totals, usable.checked.people)
    )
    return totals
