"""``xl-pension notice``: the village's 10-day public notice as a sheet ``公示`` and an HTML page.

One roster: the sheet is added to a copy ``<stem>_公示.xlsx`` next to the roster (or to the
roster itself with ``--in-place``, after a backup) and ``<stem>_公示.html`` is written beside
it; ``-o DIR`` puts both outputs in DIR instead. A folder: every roster under it gets its
notice, plus one combined ``公示汇总.html`` with each village on its own pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_FINDINGS, EXIT_OK, UnusableInputError, XlPensionError
from ..policy import Policy
from .common import checked_roster, find_rosters, keep_backup, policy_from, say, warn

if TYPE_CHECKING:
    from ..notice import NoticeContext

COMBINED_HTML = "公示汇总.html"
NOTICE_SUFFIX = "_公示"


# Files our commands write next to rosters; a folder run never treats them as rosters.
def _date(text: str) -> dt.date:
    from ..values import BadValue, parse_date

    try:
        day = parse_date(text)
    except BadValue:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 2024-05-06 的形式")
    return day


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument(
        "target", metavar="ROSTER.xlsx|DIR", help="已校验无误的花名册，或含各村花名册的文件夹"
    )
    p.add_argument(
        "--start", type=_date, metavar="DATE", help="公示开始日期，如 2024-05-06（默认今天）"
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


@dataclass
class Outputs:
    """Where one roster's notice goes."""

    workbook: Path
    html: Path


def outputs_for(src: Path, args: argparse.Namespace, root: Path | None = None) -> Outputs:
    """Output paths of one roster (``root``: the folder of a folder run, mirrored under -o)."""
    folder = src.parent
    if args.output_dir:
        folder = Path(args.output_dir)
        if root is not None:
            folder = folder / src.parent.relative_to(root)
    name = f"{src.stem}{NOTICE_SUFFIX}"
    workbook = src if args.in_place else folder / f"{name}{src.suffix}"
    return Outputs(workbook=workbook, html=folder / f"{name}.html")


def make_notice(
    src: Path, policy: Policy, args: argparse.Namespace, start: dt.date
) -> NoticeContext:
    """Validate one roster and build its notice context (refuses a roster with errors)."""
    from ..notice import build_notice

    checked, money = checked_roster(src, policy, skip_invalid=args.skip_invalid)
    return build_notice(checked, money, policy, start, args.phone)


def write_outputs(src: Path, ctx: NoticeContext, out: Outputs) -> None:
    """Write the workbook with its ``公示`` sheet and the HTML page of one village."""
    from ..io.notice_html import write_html
    from ..io.notice_sheet import write_notice_sheet

    keep_backup(out.workbook)
    write_notice_sheet(src, out.workbook, ctx)
    write_html(out.html, [ctx])


def _period_text(ctx: NoticeContext) -> str:
    from ..notice import chinese_date

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
    say(f"已写入 {out.workbook}（工作表“公示”）")
    say(f"已写入 {out.html}")
    return EXIT_OK


@dataclass
class _Batch:
    done: list[NoticeContext] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    not_rosters: list[str] = field(default_factory=list)


def run_folder(root: Path, policy: Policy, args: argparse.Namespace, start: dt.date) -> int:
    """Notices of every roster under ``root`` and the combined HTML."""
    from ..io.notice_html import write_html
    from ..progress import progress

    files = find_rosters(root)
    if not files:
        raise UnusableInputError(f"文件夹 {root} 中没有找到花名册（.xlsx）。", code="file.missing")
    batch = _Batch()
    for src in progress(files, len(files), "生成公示"):
        rel = src.relative_to(root)
        try:
            ctx = make_notice(src, policy, args, start)
        except UnusableInputError as exc:
            warn(f"跳过 {rel}：{exc.message.removeprefix(f'{src.name}：')}")
            batch.not_rosters.append(str(rel))
            continue
        except XlPensionError as exc:
            if exc.code != "roster.has_errors":
                raise
            warn(f"未生成 {rel} 的公示：花名册有错误，请改正后重新生成。")
            batch.refused.append(str(rel))
            continue
        write_outputs(src, ctx, outputs_for(src, args, root))
        batch.done.append(ctx)
    if batch.done:
        combined = Path(args.output_dir or root) / COMBINED_HTML
        write_html(combined, batch.done)
        people = sum(c.totals.people for c in batch.done)
        say(
            f"已生成 {len(batch.done)} 个村的公示，共 {people} 人，"
            f"公示期 {_period_text(batch.done[0])}。"
        )
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
        raise UnusableInputError(f"文件夹 {root} 中没有可用的花名册。", code="template.not_roster")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Notice of one roster or of every roster in a folder."""
    policy = policy_from(args)
    start = args.start or dt.date.today()
    target = Path(args.target)
    if args.phone:
        from ..values import phone_ok, phone_text

        if not phone_ok(phone_text(args.phone)):
            raise XlPensionError(
                f"监督电话“{args.phone}”不是 11 位手机号或带区号的固定电话（如 0530-7221234）。"
            )
    if target.is_dir():
        return run_folder(target, policy, args, start)
    return run_one(target, policy, args, start)
