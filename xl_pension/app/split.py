"""Use case *split*: the county's list of last year's payers -> one pre-filled roster per village.

:func:`split_list` reads the list, places every row (or rejects it with its reasons), writes
``DIR/<乡镇>/<村>.xlsx`` in worker processes (one village at a time each) and, when some rows
cannot be placed, ``DIR/拆分问题清单.xlsx``. It returns a :class:`SplitRun` (rows read = placed
+ rejected) and never prints. A non-empty ``DIR`` is refused unless ``force``; with ``force``
every file about to be replaced is first copied to ``<name>.bak.xlsx`` (a stale problem list is
backed up and removed), other files in ``DIR`` are left alone.
"""

from __future__ import annotations

import dataclasses
import gc
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK
from ..core.paths import safe_file_stem
from ..core.policy import Policy
from .folders import cached_policy
from .parallel import map_files
from .progress import Progress

if TYPE_CHECKING:
    from ..reports.county_list import SplitResult, VillageKey

REPORT_FILE = "拆分问题清单.xlsx"
WRITING = "生成各村花名册"  # the progress label while rosters are written


def village_file_name(village: str) -> str:
    """A safe file name for a village roster (see :func:`~xl_pension.core.paths.safe_file_stem`);
    the real name stays in the roster's ``_meta``."""
    return f"{safe_file_stem(village)}.xlsx"


def plan_paths(out: Path, keys: list[VillageKey]) -> dict[VillageKey, Path]:
    """Target path of each (township, village); distinct villages never share a file."""
    paths: dict[VillageKey, Path] = {}
    taken: set[str] = set()
    for township, village in keys:
        base = village_file_name(village)[: -len(".xlsx")]
        name, n = base, 1
        while f"{township.name}/{name}".casefold() in taken:
            n += 1
            name = f"{base}（{n}）"
        taken.add(f"{township.name}/{name}".casefold())
        paths[(township, village)] = out / safe_file_stem(township.name) / f"{name}.xlsx"
    return paths


def _check_output(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise cat.OUTPUT_INVALID.error(out=out)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise cat.OUTPUT_NOT_EMPTY.error(out=out)


# One village roster to write: (path, policy file or None, township code, village, records).
VillageJob = tuple[str, str | None, str, str, list[dict[str, object]]]


def write_village(job: VillageJob) -> int:
    """Worker: write one village's pre-filled roster; returns the number of records written.

    Runs in a worker process (see :func:`xl_pension.app.parallel.map_files`), so it takes only
    picklable values and loads the policy itself (once per process).
    """
    from ..io.roster_writer import write_roster

    path, policy_path, township_code, village, records = job
    policy = cached_policy(policy_path)
    township = next(t for t in policy.townships if t.code == township_code)
    write_roster(path, policy, township, village, records, lock_categories=True)
    return len(records)


def _backup_existing(paths: list[Path]) -> int:
    """Copy each existing file to ``<name>.bak.xlsx``; returns how many were backed up."""
    from ..io.atomic import backup

    n = 0
    for path in paths:
        if path.exists():
            backup(path)
            n += 1
    return n


@dataclass
class SplitRun:
    """What :func:`split_list` did: the list's sheet and header row, the placement
    (:class:`~xl_pension.reports.county_list.SplitResult`: rows read, placed, rejected), where
    the rosters went, how many existing files were backed up (``force``) and the problem list
    (``None`` when every row was placed as it was)."""

    list_name: str
    sheet: str
    header_row: int
    rows: int
    result: SplitResult
    output: Path
    backed_up: int
    report: Path | None

    @property
    def exit_code(self) -> int:
        """1 when some rows were rejected or placed without a category, else 0."""
        return EXIT_FINDINGS if self.result.rejected or self.result.unmapped else EXIT_OK


def split_list(
    list_path: str | Path,
    policy: Policy,
    output: str | Path,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> SplitRun:
    """Split the county list at ``list_path`` into village rosters under ``output``."""
    from ..io.county_list_reader import read_county_list, write_split_report
    from ..io.roster_writer import write_roster  # noqa: F401  (imported before workers fork)
    from ..reports.county_list import place_rows

    out = Path(output)
    _check_output(out, force)
    source = read_county_list(list_path)
    list_name = Path(list_path).name
    if not source.rows:
        raise cat.LIST_EMPTY.error(file=list_name, sheet=source.sheet, header_row=source.header_row)
    rows = len(source.rows)
    result = place_rows(source.rows, policy)
    source = dataclasses.replace(source, rows=[])  # placed: free them before the writers start
    order = {t: i for i, t in enumerate(policy.townships)}
    keys = sorted(result.villages, key=lambda k: order[k[0]])  # stable: list order within
    paths = plan_paths(out, keys)
    report = out / REPORT_FILE
    saved = 0
    if force:
        saved = _backup_existing([*paths.values(), report])
        if report.exists():
            report.unlink()  # backed up above; a new one is written below if needed
    policy_file = str(policy.path) if policy.path else None
    jobs: list[VillageJob] = [
        (str(paths[key]), policy_file, key[0].code, key[1], result.villages[key]) for key in keys
    ]
    # The placed records stay alive until every roster is written: keep the garbage collector's
    # full passes (here and in the forked workers) off them.
    gc.freeze()
    try:
        for _ in map_files(write_village, jobs, WRITING, progress=progress):  # on every core
            pass
    finally:
        gc.unfreeze()
    listed = result.report_rows()
    if listed:
        write_split_report(report, source, listed)
    if not result.conserved:  # a bug, never the user's data: stop loudly
        raise RuntimeError(
            f"rows read {result.rows_read} != placed {result.placed} + rejected "
            f"{len(result.rejected)} + held {len(result.held)}"
        )
    return SplitRun(
        list_name,
        source.sheet,
        source.header_row,
        rows,
        result,
        out,
        saved,
        report if listed else None,
    )
