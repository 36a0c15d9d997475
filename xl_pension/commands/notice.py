"""``xl-pension notice``: the village's 10-day public notice as a sheet ``公示`` and an HTML page.

One roster: the sheet is added to a copy ``<stem>_公示.xlsx`` next to the roster (or to the
roster itself with ``--in-place``, after a backup) and ``<stem>_公示.html`` is written beside
it; ``-o DIR`` puts both outputs in DIR instead. A folder: every roster under it gets its
notice, plus one combined ``公示汇总.html`` with each village on its own pages; the villages
are done in worker processes (:func:`notice_file`), their messages shown in file order.
``--format html`` writes only the HTML pages (no workbook copies), ``--format sheet`` only the
workbooks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from contextlib import closing, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK, FindingsError, UnusableInputError, XlPensionError
from ..core.policy import Policy
from ..io.formats import format_note, in_place_target, written_beside
from .common import (
    cached_policy,
    checked_roster,
    date_argument,
    find_rosters,
    keep_backup,
    policy_from,
    say,
    warn,
)

if TYPE_CHECKING:
    from ..reports.notice import NoticeContext

COMBINED_HTML = "公示汇总.html"
NOTICE_SUFFIX = "_公示"
BOTH, HTML, SHEET = "both", "html", "sheet"  # --format


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument(
        "target", metavar="ROSTER.xlsx|DIR", help="已校验无误的花名册，或含各村花名册的文件夹"
    )
    p.add_argument(
        "--start",
        type=date_argument,
        metavar="DATE",
        help="公示开始日期，如 2024-05-06（默认今天）",
    )
    p.add_argument(
        "--phone", metavar="PHONE", default="", help="受理异议的监督电话，如 0530-7221234"
    )
    p.add_argument(
        "-o", "--output-dir", metavar="DIR", help="输出文件夹（默认与花名册在同一文件夹）"
    )
    p.add_argument(
        "--in-place",
        action="store_true",
        help="把“公示”工作表直接写入花名册（先自动备份为 *.bak.xlsx）",
    )
    p.add_argument(
        "--skip-invalid", action="store_true", help="跳过有错误的行，只公示无误的行并列出跳过的行"
    )
    p.add_argument(
        "--format",
        choices=(BOTH, HTML, SHEET),
        default=BOTH,
        help="生成哪些文件：both＝“公示”工作表和 HTML 页面（默认）；"
        "html＝只生成 HTML 页面（不复制工作簿，文件夹仍生成公示汇总.html）；"
        "sheet＝只生成“公示”工作表",
    )


@dataclass
class Outputs:
    """Where one roster's notice goes (``None``: not written, see ``--format``)."""

    workbook: Path | None
    html: Path | None


def _format(args: argparse.Namespace) -> str:
    return getattr(args, "format", None) or BOTH


def outputs_for(src: Path, args: argparse.Namespace, root: Path | None = None) -> Outputs:
    """Output paths of one roster (``root``: the folder of a folder run, mirrored under -o)."""
    folder = src.parent
    if args.output_dir:
        folder = Path(args.output_dir)
        if root is not None:
            folder = folder / src.parent.relative_to(root)
    name = f"{src.stem}{NOTICE_SUFFIX}"
    fmt = _format(args)
    workbook = (
        in_place_target(src) if args.in_place else folder / written_beside(src, NOTICE_SUFFIX).name
    )
    return Outputs(
        workbook=None if fmt == HTML else workbook,
        html=None if fmt == SHEET else folder / f"{name}.html",
    )


def build_one(
    src: Path, policy: Policy, start: dt.date, phone: str, *, skip_invalid: bool
) -> NoticeContext:
    """Validate one roster and build its notice context (refuses a roster with errors)."""
    from ..reports.notice import build_notice

    checked, money = checked_roster(src, policy, skip_invalid=skip_invalid)
    return build_notice(checked, money, policy, start, phone)


def make_notice(
    src: Path, policy: Policy, args: argparse.Namespace, start: dt.date
) -> NoticeContext:
    """:func:`build_one` with the command's options."""
    return build_one(src, policy, start, args.phone, skip_invalid=args.skip_invalid)


def write_outputs(src: Path, ctx: NoticeContext, out: Outputs) -> None:
    """Write the workbook with its ``公示`` sheet and/or the HTML page of one village."""
    if out.workbook is not None:
        from ..io.notice_sheet import write_notice_sheet

        keep_backup(out.workbook)
        write_notice_sheet(src, out.workbook, ctx)
    if out.html is not None:
        from ..io.notice_html import write_html

        write_html(out.html, [ctx])


def _period_text(ctx: NoticeContext) -> str:
    from ..reports.notice import chinese_date

    return f"{chinese_date(ctx.start)}至{chinese_date(ctx.end)}"


def run_one(src: Path, policy: Policy, args: argparse.Namespace, start: dt.date) -> int:
    """Notice of one roster."""
    ctx = make_notice(src, policy, args, start)
    if not ctx.rows:
        warn(f"{src.name} 中还没有已缴费的人员，公示表格为空。")
    out = outputs_for(src, args)
    write_outputs(src, ctx, out)
    say(
        f"{src.name}：公示 {ctx.totals.people} 人，公示期 {_period_text(ctx)}；"
        f"个人缴费 {ctx.totals.personal_due} 元，政府代缴 {ctx.totals.government_paid} 元，"
        f"政府补贴 {ctx.totals.subsidy} 元。"
    )
    if out.workbook is not None:
        say(format_note(src, out.workbook) or f"已写入 {out.workbook}（工作表“公示”）")
    if out.html is not None:
        say(f"已写入 {out.html}")
    return EXIT_OK


# --- folder runs: one village per worker process ---------------------------------------------


class NoticeJob(NamedTuple):
    """One village of a folder run, as sent to a worker (small and picklable)."""

    src: str
    policy: str | None  # --policy, None for the packaged policy
    start: dt.date
    phone: str
    format: str
    workbook: str | None  # output paths; None: not written
    html: str | None
    skip_invalid: bool


OK, UNUSABLE, REFUSED, FAILED = "ok", "unusable", "refused", "failed"


class NoticeResult(NamedTuple):
    """What a worker sends back for one village.

    ``status``: OK; UNUSABLE (not a roster: skipped); REFUSED (the roster has errors); FAILED
    (any other error: it ends the run, as it would have in one process). ``notice`` is the
    context for the combined HTML (without its rows when no HTML is made). ``output`` is what
    the work printed, ``(1 or 2, text)`` for stdout or stderr, replayed by the parent in file
    order so that messages of different villages never interleave.
    """

    status: str
    message: str = ""
    code: str = ""
    error: type[XlPensionError] = XlPensionError  # the class of the error (its exit code)
    notice: NoticeContext | None = None
    people: int = 0
    output: tuple[tuple[int, str], ...] = ()

    @property
    def exit_code(self) -> int:
        """The exit code of the error (from its class); 0 for a village done."""
        return self.error.exit_code if self.status != OK else EXIT_OK


class _Recorder(io.TextIOBase):
    """A text stream that records what is written to it, tagged with the stream's number."""

    def __init__(self, log: list[tuple[int, str]], stream: int) -> None:
        super().__init__()
        self._log, self._stream = log, stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._log.append((self._stream, text))
        return len(text)


def notice_file(job: NoticeJob) -> NoticeResult:
    """Worker: validate one roster and write its notice; errors come back as results."""
    log: list[tuple[int, str]] = []
    src = Path(job.src)
    out = Outputs(
        workbook=Path(job.workbook) if job.workbook else None,
        html=Path(job.html) if job.html else None,
    )
    try:
        with redirect_stdout(_Recorder(log, 1)), redirect_stderr(_Recorder(log, 2)):
            policy = cached_policy(job.policy)
            ctx = build_one(src, policy, job.start, job.phone, skip_invalid=job.skip_invalid)
            write_outputs(src, ctx, out)
    except XlPensionError as exc:
        if isinstance(exc, UnusableInputError):
            status = UNUSABLE
        elif isinstance(exc, FindingsError):
            status = REFUSED
        else:
            status = FAILED
        return NoticeResult(status, exc.message, exc.code, type(exc), output=tuple(log))
    if job.format == SHEET:
        ctx = replace(ctx, rows=[])  # only the totals and period are needed
    return NoticeResult(OK, notice=ctx, people=ctx.totals.people, output=tuple(log))


def _replay(output: tuple[tuple[int, str], ...]) -> None:
    """Print what a worker printed, to the same streams."""
    for stream, text in output:
        (sys.stdout if stream == 1 else sys.stderr).write(text)
    if output:
        sys.stdout.flush()
        sys.stderr.flush()


@dataclass
class _Batch:
    done: list[NoticeContext] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    not_rosters: list[str] = field(default_factory=list)


def run_folder(root: Path, policy: Policy, args: argparse.Namespace, start: dt.date) -> int:
    """Notices of every roster under ``root`` (on every core) and the combined HTML."""
    from ..app.parallel import map_files
    from ..io.notice_html import write_html

    files = find_rosters(root)
    if not files:
        raise cat.FILE_MISSING.error("folder", root=root)
    fmt = _format(args)
    jobs = []
    for src in files:
        out = outputs_for(src, args, root)
        jobs.append(
            NoticeJob(
                src=str(src),
                policy=args.policy or None,
                start=start,
                phone=args.phone,
                format=fmt,
                workbook=str(out.workbook) if out.workbook else None,
                html=str(out.html) if out.html else None,
                skip_invalid=args.skip_invalid,
            )
        )
    batch = _Batch()
    people = 0
    # closing(): an error that ends the run (FAILED) shuts the pool down, after the villages
    # already handed to it, before it is reported
    with closing(map_files(notice_file, jobs, "生成公示")) as results:
        for src, result in zip(files, results, strict=True):
            _replay(result.output)
            rel = src.relative_to(root)
            if result.status == UNUSABLE:
                warn(f"跳过 {rel}：{result.message.removeprefix(f'{src.name}：')}")
                batch.not_rosters.append(str(rel))
            elif result.status == REFUSED:
                warn(f"未生成 {rel} 的公示：花名册有错误，请改正后重新生成。")
                batch.refused.append(str(rel))
            elif result.status == FAILED:
                raise result.error(result.message, code=result.code)
            elif result.notice is not None:
                batch.done.append(result.notice)
                people += result.people
    if batch.done:
        combined = None
        if fmt != SHEET:  # the combined page, villages in file order
            combined = Path(args.output_dir or root) / COMBINED_HTML
            write_html(combined, batch.done)
        say(
            f"已生成 {len(batch.done)} 个村的公示，共 {people} 人，"
            f"公示期 {_period_text(batch.done[0])}。"
        )
        if combined is not None:
            say(f"汇总页面：{combined}")
    if batch.not_rosters:
        warn(f"{len(batch.not_rosters)} 个文件不是花名册，已跳过：{'、'.join(batch.not_rosters)}")
    if batch.refused:
        warn(
            f"{len(batch.refused)} 个花名册有错误，未生成公示：{'、'.join(batch.refused)}。"
            "请先用 xl-pension validate 查看并改正（或加 --skip-invalid 跳过出错的行）。"
        )
        return EXIT_FINDINGS
    if not batch.done:
        raise cat.TEMPLATE_NOT_ROSTER.error("folder", root=root)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Notice of one roster or of every roster in a folder."""
    policy = policy_from(args)
    start = args.start or dt.date.today()
    target = Path(args.target)
    if args.phone:
        from ..core.values import phone_ok, phone_text

        if not phone_ok(phone_text(args.phone)):
            raise XlPensionError(
                f"监督电话“{args.phone}”不是 11 位手机号或带区号的固定电话（如 0530-7221234）。"
            )
    if target.is_dir():
        return run_folder(target, policy, args, start)
    return run_one(target, policy, args, start)
