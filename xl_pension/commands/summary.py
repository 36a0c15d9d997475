"""``xl-pension summary``: the township summary of every village roster under a folder.

Reads every roster under DIR (recursively), validates it and writes one workbook: a row per
village (应缴/已缴/完成率, 续保/新增, 补缴, 线上/线下, money, findings), tiers, daily progress,
key groups (internal), every finding with a link to its cell, the payers' detail and two charts.
Rows with errors are reported and their money left out; the summary is still written. A file
that is not a roster is listed as a problem and skipped. The daily report paragraph (日报) is
printed and written above the table.

Exit 0: written, no errors. 1: written, but some rosters have errors or some files could not
be read. 2: DIR unusable (not a folder, no roster in it) or the output cannot be written.
"""

from __future__ import annotations

import argparse

from ..app.summary import DEFAULT_OUTPUT, summarize_folder
from .common import add_folder_report_arguments, policy_from, say, warn, write_picture
from .console import ConsoleProgress, ours_skipped, show_problems, unreadable_folder

__all__ = ["DEFAULT_OUTPUT", "add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    folder = "本乡镇各村花名册所在的文件夹（含子文件夹）"
    add_folder_report_arguments(p, folder, "汇总表", DEFAULT_OUTPUT, "日报")
    p.add_argument(
        "--population",
        metavar="FILE",
        help="户籍人口名单（.xlsx/.xls，含姓名、身份证号码和村）：据此统计“年满规定年龄未参保”人员"
        "（年龄见政策文件 key_groups）；不提供则该项无法统计",
    )


def run(args: argparse.Namespace) -> int:
    """Summarise the rosters under DIR into one workbook."""
    from ..reports.summary import rate_text

    policy = policy_from(args)
    with unreadable_folder():
        done = summarize_folder(
            args.folder,
            policy,
            output=args.output,
            report_date=args.date,
            population=args.population,
            progress=ConsoleProgress(),
        )
    show_problems(done.problems)
    t = done.summary.total
    say(f"读取 {done.rosters} 个花名册，共 {done.people} 人{ours_skipped(done.ours_skipped)}。")
    say(done.report)
    say(
        f"合计：应缴 {t.expected} 人，已缴 {t.paid} 人，完成率 {rate_text(t.rate)}；"
        f"错误 {t.errors} 条，警告 {t.warnings} 条；无法读取的文件 {len(done.problems)} 个。"
    )
    say(f"已写入 {done.output}")
    if args.png:
        from ..app.pictures import township_picture

        write_picture(args.png, township_picture(done.summary))
    if done.exit_code:
        warn("有错误或无法读取的文件，详见汇总表的“问题清单”工作表。")
    return done.exit_code
