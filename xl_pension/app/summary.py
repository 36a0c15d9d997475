"""Use case *summary*: the township summary workbook of every village roster under a folder.

:func:`summarize_folder` reads and validates every roster (on every core), summarises the
villages, renders the daily report (日报) and writes the workbook. It returns a
:class:`SummaryRun`; it never prints. A file that is not a roster is a problem of the result;
the summary is still written. Refused (exit 2): an unusable folder, no readable roster, an
output that cannot be written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK
from ..core.places import TownshipMatcher
from ..core.policy import Policy
from ..reports.summary import FileFinding
from .bulk_objects import objects_in_bulk
from .cache import load_checker
from .folders import check_job, checked_of, nothing_readable, relative, roster_folder
from .parallel import map_files
from .progress import Progress

if TYPE_CHECKING:
    from ..core.validation import Checked
    from ..reports.population import Unenrolled
    from ..reports.summary import TownshipSummary
    from ..reports.village import VillageResult

DEFAULT_OUTPUT = "乡镇汇总.xlsx"
OUR_KINDS = ("township_summary", "county_merge")  # _meta kinds of the workbooks we write
READING = "读取花名册"  # the progress label while rosters are read


def is_our_output(path: Path) -> bool:
    """True for a summary or merge workbook written by this program (its ``_meta`` says so)."""
    from ..io.reader import open_workbook, read_meta

    try:
        return read_meta(open_workbook(path)).get("kind") in OUR_KINDS
    except Exception:  # unreadable: not ours; the caller reports it
        return False


def read_rosters(
    root: Path, paths: list[Path], policy: Policy, progress: Progress | None
) -> Iterator[tuple[str, Checked | FileFinding | None]]:
    """Read and check ``paths`` on every core (each once: unchanged rosters come from the
    cache beside them); yield, in order, each file (relative to
    ``root``) with its checked roster, the problem of a file that is not a readable roster, or
    ``None`` for one of our own summary or merge workbooks (skipped, not a problem)."""
    from ..reports.summary import problem

    jobs = [(str(path), policy.path) for path in paths]
    load_checker(paths, policy)
    outcomes = map_files(check_job, jobs, READING, progress=progress)
    for path, (status, payload) in zip(paths, outcomes, strict=True):
        file = relative(path, root)
        if status == "ok":
            yield file, checked_of(payload)
        elif is_our_output(path):
            yield file, None
        else:
            message, code = payload
            yield file, problem(file, message, code)


def township_of(meta: dict[str, str], file: str, policy: Policy) -> tuple[str, str]:
    """(name, code) of a roster's township: its ``_meta`` code or name, else its folder (any
    spelling the name matcher accepts); else the ``_meta`` name and no code."""
    matcher = TownshipMatcher(policy)
    folder = PurePosixPath(file).parts[0] if len(PurePosixPath(file).parts) > 1 else ""
    for value in (meta.get("township_code"), meta.get("township_name"), folder):
        township = matcher.township(value)
        if township is not None:
            return township.name, township.code
    return meta.get("township_name", ""), ""


def collect(
    root: Path, paths: list[Path], policy: Policy, progress: Progress | None = None
) -> tuple[list[VillageResult], list[FileFinding], int]:
    """Village results of the readable rosters, problems of the other files, and how many of
    our own output workbooks were skipped (files are read and checked on every core)."""
    from ..reports.claims import claim_of, split_duplicate_claims
    from ..reports.village import village_from, village_result

    results: list[VillageResult] = []
    problems: list[FileFinding] = []
    claims: dict[int, tuple[str, str] | None] = {}
    ours = 0
    for file, checked in read_rosters(root, paths, policy, progress):
        if checked is None or isinstance(checked, FileFinding):
            ours += checked is None
            problems += [checked] if checked else []
            continue
        meta = checked.roster.meta
        township, code = township_of(meta, file, policy)
        village = village_from(meta.get("village", ""), file)
        result = village_result(
            checked, policy, file=file, township=township, township_code=code, village=village
        )
        claims[id(result)] = claim_of(meta, village, code or township)
        results.append(result)
    # one roster per village: files claiming the same village are reported, none is summed
    results, duplicates = split_duplicate_claims(
        results,
        claim=lambda r: claims[id(r)],
        file=lambda r: r.file,
        place=lambda r: f"{r.township}{r.village}",
    )
    return results, [*problems, *duplicates], ours


def unenrolled_of(path: Path, summary: TownshipSummary, policy: Policy) -> Unenrolled:
    """The 45+ 未参保 people of the population list at ``path`` (read through io/) against
    every roster of the summary."""
    from ..io.population_reader import read_population
    from ..reports.population import unenrolled

    listed = read_population(path)
    townships = {v.township for v in summary.villages if v.township} or {summary.place}
    return unenrolled(
        listed.rows,
        summary.rostered_ids(),
        policy,
        file=path.name,
        townships=townships,
        villages=[v.village for v in summary.villages if v.village],
    )


@dataclass
class SummaryRun:
    """What :func:`summarize_folder` did.

    ``summary`` is the :class:`~xl_pension.reports.summary.TownshipSummary` written to
    ``output``; ``report`` the daily report text; ``rosters`` the rosters read; ``problems``
    the files that could not be read (as file findings); ``ours_skipped`` our own workbooks
    found in the folder and left out.
    """

    output: Path
    summary: TownshipSummary
    report: str
    rosters: int
    people: int
    problems: list[FileFinding]
    ours_skipped: int

    @property
    def exit_code(self) -> int:
        """1 when some rosters have errors or some files could not be read, else 0."""
        return EXIT_FINDINGS if self.summary.total.errors or self.problems else EXIT_OK


def summarize_folder(
    root: str | Path,
    policy: Policy,
    *,
    output: str | Path | None = None,
    report_date: dt.date | None = None,
    population: str | Path | None = None,
    progress: Progress | None = None,
) -> SummaryRun:
    """Summarise the rosters under ``root`` into ``output`` (default ``root/乡镇汇总.xlsx``).

    ``report_date`` is the day of the daily report (default today); ``population`` the
    population list (户籍人口名单) the 45+ 未参保 group is counted from (without it the group is
    said to be uncounted); ``progress`` is told how many rosters are read.
    """
    from ..io.report_text import render_report
    from ..reports.summary import daily_context, summarize

    root = Path(root)
    out = Path(output) if output else root / DEFAULT_OUTPUT
    paths = roster_folder(root, out, ".xlsx")
    with objects_in_bulk():  # a township's people, findings and money: no cycles among them
        results, problems, ours = collect(root, paths, policy, progress)
        if not results:
            raise nothing_readable(root, problems)
        fallback = root.resolve().name
        summary = summarize(
            results,
            policy,
            report_date=report_date or dt.date.today(),
            problems=problems,
            place=fallback,
        )
        if population is not None:
            summary.unenrolled = unenrolled_of(Path(population), summary, policy)
        report = render_report("daily.j2", daily_context(summary, policy))
        try:
            write_township_summary(out, summary, policy, report=report, root=root)
        except OSError as exc:
            raise cat.OUTPUT_UNWRITABLE.error(out=out, reason=exc.strerror or exc) from None
    people = sum(v.tally.rows for v in summary.villages)
    return SummaryRun(out, summary, report, len(results), people, problems, ours)


def write_township_summary(
    path: str | Path,
    summary: TownshipSummary,
    policy: Policy,
    *,
    report: str,
    root: str | Path,
    charts: bool = True,
) -> Path:
    """Write the township summary workbook atomically: planned by
    :func:`~xl_pension.reports.summary_plan.township_summary_plan` (``report`` is the rendered
    daily paragraph, ``root`` the folder the rosters' relative paths start from, for the links),
    written by :mod:`xl_pension.io.new_workbook`."""
    from ..io.new_workbook import write_workbook
    from ..reports.summary_plan import township_summary_plan

    path = Path(path)
    plan = township_summary_plan(
        summary, policy, report=report, root=Path(root), out=path, charts=charts
    )
    return write_workbook(path, plan)
