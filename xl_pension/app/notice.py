"""Use case *notice*: the village's 10-day public notice as a workbook and an HTML page.

One roster (:func:`notice_roster`): ``<stem>_公示.xlsx`` next to the roster is a new workbook
holding the notice only (one sheet ``公示``: no roster, no hidden sheet, nothing personal beyond
what the notice shows), so that it can be printed, posted and forwarded as "the 公示"; with
``in_place`` the ``公示`` sheet goes into the roster itself instead (after a backup: the roster is
the clerk's own internal copy). ``<stem>_公示.html`` is written beside it; ``output_dir`` puts
both there instead. A folder (:func:`notice_folder`):
every roster under it gets its notice, plus one combined ``公示汇总.html`` with each village on
its own pages — or, when the folder holds several township folders, one such page in each and
an index ``公示汇总.html`` linking them (no page holds the whole county); the villages are done
in worker processes (:func:`notice_file`, the checked records taken from the cache beside each
roster when it is unchanged) and reported in file order to the front end's ``on_village``
callback. ``format`` ``html`` writes only the HTML pages, ``sheet`` only the workbooks.
Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK, UnusableInputError, XlPensionError
from ..core.findings import Finding
from ..core.policy import Policy
from .cache import load_checker
from .check import RosterRefused, usable_roster
from .folders import cached_policy, find_rosters
from .notice_pages import CombinedPages, group_of
from .parallel import map_files
from .progress import Progress

if TYPE_CHECKING:
    from ..reports.notice import NoticeContext

NOTICE_SUFFIX = "_公示"
BOTH, HTML, SHEET = "both", "html", "sheet"  # what to write
MAKING = "生成公示"  # the progress label of a folder run


@dataclass(frozen=True)
class NoticeOptions:
    """How notices are made: first day, the phone for objections, where they go, what is
    written (``both``/``html``/``sheet``) and whether rows with errors are left out."""

    start: dt.date
    phone: str = ""
    output_dir: Path | None = None
    in_place: bool = False
    format: str = BOTH
    skip_invalid: bool = False


@dataclass
class Outputs:
    """Where one roster's notice goes (``None``: not written, see ``format``); ``in_place``: the
    workbook is the roster itself (the sheet is added to it), else a notice-only workbook."""

    workbook: Path | None
    html: Path | None
    in_place: bool = False


def outputs_for(src: Path, options: NoticeOptions, root: Path | None = None) -> Outputs:
    """Output paths of one roster (``root``: the folder of a folder run, mirrored under
    ``output_dir``). An ``.xls``/``.ods`` roster gets an ``.xlsx`` workbook beside it."""
    from ..io.formats import in_place_target, written_beside

    folder = src.parent
    if options.output_dir:
        folder = Path(options.output_dir)
        if root is not None:
            folder = folder / src.parent.relative_to(root)
    name = f"{src.stem}{NOTICE_SUFFIX}"
    workbook = (
        in_place_target(src)
        if options.in_place
        else folder / written_beside(src, NOTICE_SUFFIX).name
    )
    return Outputs(
        workbook=None if options.format == HTML else workbook,
        html=None if options.format == SHEET else folder / f"{name}.html",
        in_place=options.in_place,
    )


def write_outputs(src: Path, ctx: NoticeContext, out: Outputs) -> list[Path]:
    """Write the notice workbook (or the ``公示`` sheet into the roster, ``in_place``) and/or the
    HTML page of one village; returns the files saved (``*.bak.xlsx``) before being replaced."""
    from ..io.atomic import backup

    backups = []
    if out.workbook is not None:
        from ..io.new_workbook import write_workbook
        from ..io.notice_html import notice_texts
        from ..io.workbook_plan import apply_plan
        from ..reports.notice_plan import notice_plan

        # template errors before any file is touched
        plan = notice_plan(ctx, notice_texts(ctx.page()))
        if out.workbook.exists():
            backups.append(backup(out.workbook))
        if out.in_place:
            apply_plan(src, out.workbook, plan)
        else:
            write_workbook(out.workbook, plan)
    if out.html is not None:
        from ..io.notice_html import write_html

        write_html(out.html, [ctx.page()])
    return backups


@dataclass
class NoticeRun:
    """One village's notice: its context (rows, totals, period), where it went, the rows left
    out (``skip_invalid``) and the files saved before being replaced."""

    source: Path
    notice: NoticeContext
    outputs: Outputs
    skipped: list[int]
    backups: list[Path] = field(default_factory=list)


def notice_roster(
    src: str | Path, policy: Policy, options: NoticeOptions, root: Path | None = None
) -> NoticeRun:
    """Validate one roster (refusing one with errors unless ``skip_invalid``) and write its
    notice; ``root`` is the folder of a folder run."""
    from ..reports.notice import build_notice

    src = Path(src)
    usable = usable_roster(src, policy, skip_invalid=options.skip_invalid)
    ctx = build_notice(usable.checked, usable.money, policy, options.start, options.phone)
    out = outputs_for(src, options, root)
    backups = write_outputs(src, ctx, out)
    return NoticeRun(src, ctx, out, usable.skipped, backups)


# --- folder runs: one village per worker process ---------------------------------------------


class NoticeJob(NamedTuple):
    """One village of a folder run, as sent to a worker (small and picklable)."""

    src: str
    policy: str | None  # the policy file, None for the packaged policy
    start: dt.date
    phone: str
    format: str
    workbook: str | None  # output paths; None: not written
    html: str | None
    skip_invalid: bool
    in_place: bool = False


OK, UNUSABLE, REFUSED, FAILED = "ok", "unusable", "refused", "failed"


class NoticeResult(NamedTuple):
    """What a worker sends back for one village.

    ``status``: OK; UNUSABLE (not a roster: skipped); REFUSED (the roster has errors, listed in
    ``errors``); FAILED (any other error: it ends the run, as it would have in one process).
    ``notice`` is the context for the combined HTML (without its rows when no HTML is made).
    ``skipped`` and ``backups`` are the rows left out and the files saved, for the front end.
    """

    status: str
    message: str = ""
    code: str = ""
    error: type[XlPensionError] = XlPensionError  # the class of the error (its exit code)
    notice: NoticeContext | None = None
    people: int = 0
    skipped: tuple[int, ...] = ()
    backups: tuple[Path, ...] = ()
    errors: tuple[Finding, ...] = ()

    @property
    def exit_code(self) -> int:
        """The exit code of the error (from its class); 0 for a village done."""
        return self.error.exit_code if self.status != OK else EXIT_OK


def notice_file(job: NoticeJob) -> NoticeResult:
    """Worker: validate one roster and write its notice; errors come back as results."""
    src = Path(job.src)
    out = Outputs(
        workbook=Path(job.workbook) if job.workbook else None,
        html=Path(job.html) if job.html else None,
        in_place=job.in_place,
    )
    try:
        from ..reports.notice import build_notice

        policy = cached_policy(job.policy)
        usable = usable_roster(src, policy, skip_invalid=job.skip_invalid, once=True)
        ctx = build_notice(usable.checked, usable.money, policy, job.start, job.phone)
        backups = write_outputs(src, ctx, out)
    except RosterRefused as exc:
        return NoticeResult(REFUSED, exc.message, exc.code, type(exc), errors=tuple(exc.errors))
    except XlPensionError as exc:
        status = UNUSABLE if isinstance(exc, UnusableInputError) else FAILED
        return NoticeResult(status, exc.message, exc.code, type(exc))
    if job.format == SHEET:
        ctx = replace(ctx, rows=[])  # only the totals and period are needed
    return NoticeResult(
        OK,
        notice=ctx,
        people=ctx.totals.people,
        skipped=tuple(usable.skipped),
        backups=tuple(backups),
    )


@dataclass
class FolderNoticeRun:
    """A folder run: the villages done (file order; their contexts without rows), people, the
    combined page or index (``None`` when only sheets are written) and the files skipped (not
    rosters) or refused (errors).

    ``error`` is set (exit 2) when no file of the folder was a usable roster; the front end
    reports the run, then raises it.
    """

    done: list[NoticeContext] = field(default_factory=list)
    people: int = 0
    combined: Path | None = None
    not_rosters: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    error: XlPensionError | None = None

    @property
    def exit_code(self) -> int:
        """2 when nothing was usable, 1 when some rosters were refused, else 0."""
        if self.error is not None:
            return self.error.exit_code
        return EXIT_FINDINGS if self.refused else EXIT_OK


VillageDone = Callable[[Path, NoticeResult], None]  # (file relative to the folder, its result)


def notice_folder(
    root: str | Path,
    policy: Policy,
    options: NoticeOptions,
    *,
    progress: Progress | None = None,
    on_village: VillageDone | None = None,
) -> FolderNoticeRun:
    """Notices of every roster under ``root`` (on every core) and the combined HTML pages
    (:mod:`~xl_pension.app.notice_pages`: one page, or one per township folder and an index).

    ``on_village`` hears of each village's result in file order, before a FAILED one ends the
    run (its error is raised). Refused (exit 2): no roster file; none usable sets ``error``.
    """
    root = Path(root)
    out_root = Path(options.output_dir or root)
    files = find_rosters(root)
    if not files:
        raise cat.FILE_MISSING.error("folder", root=root)
    jobs = []
    for src in files:
        out = outputs_for(src, options, root)
        jobs.append(
            NoticeJob(
                src=str(src),
                policy=str(policy.path) if policy.path else None,
                start=options.start,
                phone=options.phone,
                format=options.format,
                workbook=str(out.workbook) if out.workbook else None,
                html=str(out.html) if out.html else None,
                skip_invalid=options.skip_invalid,
                in_place=out.in_place,
            )
        )
    run = FolderNoticeRun()
    groups = [group_of(src.relative_to(root)) for src in files]
    pages = None if options.format == SHEET else CombinedPages(out_root, groups)
    # closing(): an error that ends the run (FAILED) shuts the pool down, after the villages
    # already handed to it, before it is reported
    load_checker(files, policy)  # the workers check each roster once (app.cache): load it here
    with closing(map_files(notice_file, jobs, MAKING, progress=progress)) as results:
        for src, group, result in zip(files, groups, results, strict=True):
            rel = src.relative_to(root)
            if on_village is not None:
                on_village(rel, result)
            if result.status == UNUSABLE:
                run.not_rosters.append(str(rel))
            elif result.status == REFUSED:
                run.refused.append(str(rel))
            elif result.status == FAILED:
                raise result.error(result.message, code=result.code)
            elif result.notice is not None:
                if pages is not None:  # villages in file order, a township at a time
                    pages.add(group, result.notice)
                run.done.append(replace(result.notice, rows=[]))
                run.people += result.people
    if pages is not None:
        run.combined = pages.finish()
    if not run.done and not run.refused:
        run.error = cat.TEMPLATE_NOT_ROSTER.error("folder", root=root)
    return run
