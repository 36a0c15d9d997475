"""``xl-pension notice``: the village's 10-day public notice as a workbook and an HTML page.

One roster: ``<stem>_公示.xlsx`` next to the roster holds the notice only (one sheet ``公示``;
with ``--in-place`` the sheet goes into the roster itself instead, after a backup) and
``<stem>_公示.html`` is written beside it; ``-o DIR`` puts both outputs in DIR instead. A folder: every roster under it gets its
notice, plus one combined ``公示汇总.html`` with each village on its own pages; the villages
are done in worker processes (:func:`xl_pension.app.notice.notice_file`), their messages shown
in file order.
``--format html`` writes only the HTML pages (no workbook copies), ``--format sheet`` only the
workbooks.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from ..app.notice import (
    BOTH,
    HTML,
    OK,
    REFUSED,
    SHEET,
    UNUSABLE,
    NoticeOptions,
    NoticeResult,
    notice_folder,
    notice_roster,
)
from ..core.errors import XlPensionError
from ..core.policy import Policy
from ..io.formats import format_note
from .common import date_argument, policy_from, say, warn
from .console import ConsoleProgress, refusals, show_backups, show_refused, show_skipped

if TYPE_CHECKING:
    from ..reports.notice import NoticeContext


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
        help="不另建公示工作簿，把“公示”工作表写入花名册本身（先自动备份为 *.bak.xlsx；"
        "花名册含完整身份证号，只能内部留存，张贴和转发请用 HTML 页面或另行生成的公示工作簿）",
    )
    p.add_argument(
        "--skip-invalid", action="store_true", help="跳过有错误的行，只公示无误的行并列出跳过的行"
    )
    p.add_argument(
        "--format",
        choices=(BOTH, HTML, SHEET),
        default=BOTH,
        help="生成哪些文件：both＝公示工作簿和 HTML 页面（默认）；"
        "html＝只生成 HTML 页面（文件夹仍生成公示汇总.html）；"
        "sheet＝只生成公示工作簿",
    )


def options_from(args: argparse.Namespace, start: dt.date) -> NoticeOptions:
    """The notice options given on the command line."""
    return NoticeOptions(
        start=start,
        phone=args.phone,
        output_dir=Path(args.output_dir) if args.output_dir else None,
        in_place=args.in_place,
        format=getattr(args, "format", None) or BOTH,
        skip_invalid=args.skip_invalid,
    )


def _period_text(ctx: NoticeContext) -> str:
    from ..reports.notice import chinese_date

    return f"{chinese_date(ctx.start)}至{chinese_date(ctx.end)}"


def run_one(src: Path, policy: Policy, args: argparse.Namespace, start: dt.date) -> int:
    """Notice of one roster."""
    with refusals():
        done = notice_roster(src, policy, options_from(args, start))
    ctx, out = done.notice, done.outputs
    show_skipped(src.name, done.skipped)
    if not ctx.rows:
        warn(f"{src.name} 中还没有已缴费的人员，公示表格为空。")
    show_backups(done.backups)
    say(
        f"{src.name}：公示 {ctx.totals.people} 人，公示期 {_period_text(ctx)}；"
        f"个人缴费 {ctx.totals.personal_due} 元，政府代缴 {ctx.totals.government_paid} 元，"
        f"政府补贴 {ctx.totals.subsidy} 元。"
    )
    if out.workbook is not None:
        if out.in_place:
            say(format_note(src, out.workbook) or f"已写入 {out.workbook}（工作表“公示”）")
        else:
            say(f"已写入 {out.workbook}（只含公示，可打印张贴）")
    if out.html is not None:
        say(f"已写入 {out.html}")
    return 0


def _village_done(root: Path):
    """The console report of each village of a folder run, in file order."""

    def report(rel: Path, result: NoticeResult) -> None:
        name = (root / rel).name
        if result.status == OK:
            show_skipped(name, list(result.skipped))
            show_backups(list(result.backups))
        elif result.status == UNUSABLE:
            warn(f"跳过 {rel}：{result.message.removeprefix(f'{name}：')}")
        elif result.status == REFUSED:
            show_refused(name, list(result.errors))
            warn(f"未生成 {rel} 的公示：花名册有错误，请改正后重新生成。")

    return report


def run_folder(root: Path, policy: Policy, args: argparse.Namespace, start: dt.date) -> int:
    """Notices of every roster under ``root`` (on every core) and the combined HTML."""
    options = options_from(args, start)
    run = notice_folder(
        root, policy, options, progress=ConsoleProgress(), on_village=_village_done(root)
    )
    if run.done:
        say(
            f"已生成 {len(run.done)} 个村的公示，共 {run.people} 人，"
            f"公示期 {_period_text(run.done[0])}。"
        )
        if run.combined is not None:
            say(f"汇总页面：{run.combined}")
    if run.not_rosters:
        warn(f"{len(run.not_rosters)} 个文件不是花名册，已跳过：{'、'.join(run.not_rosters)}")
    if run.refused:
        warn(
            f"{len(run.refused)} 个花名册有错误，未生成公示：{'、'.join(run.refused)}。"
            "请先用 xl-pension validate 查看并改正（或加 --skip-invalid 跳过出错的行）。"
        )
    if run.error is not None:
        raise run.error
    return run.exit_code


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
