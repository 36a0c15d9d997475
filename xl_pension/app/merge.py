"""Use case *merge*: the county workbook from the township folders of village rosters.

:func:`merge_county` reads and checks every roster (on every core, one township at a time so
that the whole county never sits in memory as parsed rows), places it by the one name matcher,
merges, checks conservation (rows read = listed + unpaid + rejected; the list's money equals
the sum of the township totals), renders the bulletin (通报) and writes the workbook. It
returns a :class:`MergeRun` and never prints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK
from ..core.places import TownshipMatcher
from ..core.policy import Policy
from ..reports.summary import FileFinding
from .bulk_objects import objects_in_bulk
from .folders import nothing_readable, relative, roster_folder
from .progress import Progress
from .summary import read_rosters

if TYPE_CHECKING:
    from ..reports.merge import Conservation, CountyResult, RosterInput

DEFAULT_OUTPUT = "全县汇总.xlsx"
LAYOUT = "应为 DIR/<乡镇>/<村>.xlsx"  # where a merge expects the rosters (said when none)
_UNKNOWN = "~"  # group of files whose township folder is not in the policy (merged last)
_ROOT = ""  # group of files directly in DIR (placed by their _meta)


def group_of(file: str, policy: Policy) -> str:
    """The batch a roster is read in: its township folder's code, ``""`` for a file directly
    in DIR, ``"~"`` for a folder that names no township."""
    parts = PurePosixPath(file).parts
    if len(parts) == 1:
        return _ROOT
    township = TownshipMatcher(policy).township(parts[0])
    return township.code if township is not None else _UNKNOWN


def _claim(item: RosterInput) -> tuple[str, str] | None:
    """The village a merge input claims (by ``_meta``; see :mod:`xl_pension.reports.claims`)."""
    from ..reports.claims import claim_of

    if not item.place.known or item.place.township is None:
        return None
    return claim_of(item.checked.roster.meta, item.place.village, item.place.township.code)


def _place_name(item: RosterInput) -> str:
    township = item.place.township.name if item.place.township else ""
    return f"{township}{item.place.village}"


def merge_folder(
    root: Path, paths: list[Path], policy: Policy, progress: Progress | None = None
) -> tuple[CountyResult, int]:
    """Read, check and merge every roster; returns the merge result and the number of our own
    output workbooks that were skipped."""
    from ..reports.claims import split_duplicate_claims
    from ..reports.merge import CountyMerge, RosterInput, place_order, resolve_place

    merger = CountyMerge(policy)
    groups: dict[str, list[Path]] = {}
    for path in paths:
        groups.setdefault(group_of(relative(path, root), policy), []).append(path)
    # Files directly in DIR are read first: their _meta says which township batch they join.
    order = [_ROOT, *sorted(k for k in groups if k not in (_ROOT, _UNKNOWN)), _UNKNOWN]
    plan = [(key, path) for key in order for path in groups.get(key, [])]
    pending: dict[str, list[RosterInput]] = {}  # township code (or _UNKNOWN) -> read rosters
    ours = 0

    def flush(upto: str) -> None:
        """Merge every pending batch whose township comes before ``upto`` (inclusive)."""
        for code in sorted(k for k in pending if k <= upto):
            # two files claiming one village share a batch (same township): neither is merged
            items, duplicates = split_duplicate_claims(
                pending.pop(code), claim=_claim, file=lambda i: i.file, place=_place_name
            )
            for dup in duplicates:
                merger.add_problem(dup)
            for item in sorted(items, key=lambda i: place_order(i.place, i.file)):
                merger.add(item)

    current = None
    outcomes = read_rosters(root, [path for _, path in plan], policy, progress)
    for (key, _), (file, checked) in zip(plan, outcomes, strict=True):
        if key != current and current not in (None, _ROOT):
            flush(current)
        current = key
        if checked is None:
            ours += 1  # our own summary or merge workbook
            continue
        if isinstance(checked, FileFinding):
            merger.add_problem(checked)
            continue
        place = resolve_place(file, checked.roster.meta, policy)
        batch = place.township.code if place.known and place.township else _UNKNOWN
        pending.setdefault(batch, []).append(RosterInput(file, checked, place))
    flush(_UNKNOWN)
    return merger.result(), ours


@dataclass
class MergeRun:
    """What :func:`merge_county` did: the merged county written to ``output``, its
    conservation check, the bulletin text and our own workbooks skipped in the folder."""

    output: Path
    result: CountyResult
    conservation: Conservation
    report: str
    ours_skipped: int

    @property
    def rosters(self) -> int:
        """Rosters read (placed or not)."""
        return len(self.result.villages) + len(self.result.unknown)

    @property
    def exit_code(self) -> int:
        """1 for a conservation mismatch, duplicates, withheld rows or unreadable files."""
        from ..reports.merge import REASONS

        r = self.result
        rejected = sum(r.rejected[k] for k in REASONS)
        clean = self.conservation.ok and not (r.duplicates or rejected or r.problems)
        return EXIT_OK if clean else EXIT_FINDINGS


def merge_county(
    root: str | Path,
    policy: Policy,
    *,
    output: str | Path | None = None,
    date: dt.date | None = None,
    progress: Progress | None = None,
) -> MergeRun:
    """Merge the township folders under ``root`` into ``output`` (default
    ``root/全县汇总.xlsx``); ``date`` is the bulletin's day (default today)."""
    from ..io.report_text import render_report
    from ..reports.merge import bulletin_context, check_conservation

    root = Path(root)
    out = Path(output) if output else root / DEFAULT_OUTPUT
    paths = roster_folder(root, out, LAYOUT)
    with objects_in_bulk():  # ~400k people, findings and money: no cycles among them
        result, ours = merge_folder(root, paths, policy, progress)
        if result.rows_read == 0 and not result.villages and not result.unknown:
            raise nothing_readable(root, result.problems)
        date = date or dt.date.today()
        conservation = check_conservation(result)
        report = render_report("county.j2", bulletin_context(result, policy, date))
        try:
            write_county(out, result, policy, conservation, report=report, root=root, date=date)
        except OSError as exc:
            raise cat.OUTPUT_UNWRITABLE.error(out=out, reason=exc.strerror or exc) from None
    return MergeRun(out, result, conservation, report, ours)


def write_county(
    path: str | Path,
    result: CountyResult,
    policy: Policy,
    conservation: Conservation,
    *,
    report: str,
    root: str | Path,
    date: dt.date,
) -> Path:
    """Write the county workbook atomically: planned by
    :func:`~xl_pension.reports.merge_plan.county_plan` (``report`` is the rendered 通报
    paragraph, ``root`` the merged folder, for the links to the rosters), written by
    :mod:`xl_pension.io.new_workbook`."""
    from ..io.new_workbook import write_workbook
    from ..reports.merge_plan import county_plan

    path = Path(path)
    plan = county_plan(
        result, policy, conservation, report=report, root=Path(root), out=path, date=date
    )
    return write_workbook(path, plan)
