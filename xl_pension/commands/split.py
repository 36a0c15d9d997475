"""``xl-pension split``: the county's list of last year's payers -> one roster per village.

Output: ``DIR/<乡镇>/<村>.xlsx`` (pre-filled 续保 rosters) and, when some rows cannot be placed,
``DIR/拆分问题清单.xlsx``. Exit 0 when every row is placed, 1 when some rows were rejected,
2 when the list (or the output folder) cannot be used. The work is
:func:`xl_pension.app.split.split_list`; this module parses and reports.

Existing output: a non-empty ``DIR`` is refused unless ``--force``; with ``--force`` every file
that is about to be replaced is first copied to ``<name>.bak.xlsx`` beside it (a stale problem
list from an earlier run is backed up and removed), other files in ``DIR`` are left alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..app.split import REPORT_FILE, split_list
from .common import policy_from, say, warn
from .console import ConsoleProgress

__all__ = ["REPORT_FILE", "add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument(
        "list", metavar="LIST", help="县里下发的上年缴费人员名单（.xlsx、.xls、.ods 或 .csv）"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        required=True,
        help="输出文件夹：每个乡镇一个子文件夹，每个村一个花名册",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="输出文件夹不是空的也继续；将被覆盖的文件先备份为 .bak.xlsx",
    )


def run(args: argparse.Namespace) -> int:
    """Read the list, place every row, write the rosters and the problem list, report counts."""
    policy = policy_from(args)
    done = split_list(args.list, policy, args.output, force=args.force, progress=ConsoleProgress())
    result, out = done.result, Path(args.output)
    say(
        f"读取 {done.list_name}：工作表“{done.sheet}”，表头在第 {done.header_row} 行，"
        f"共 {done.rows} 行人员。"
    )
    if done.backed_up:
        say(f"已把将被覆盖的 {done.backed_up} 个原有文件备份为同名的 .bak.xlsx 文件。")
    for township, villages, people in result.by_township(policy):
        say(f"  {township.name}：{villages} 个村，{people} 人")
    held = f" + 非本年应缴人员 {len(result.held)} 行" if result.held else ""
    say(
        f"核对：读取 {result.rows_read} 行 = 放入花名册 {result.placed} 行 + "
        f"无法放入 {len(result.rejected)} 行{held}。"
    )
    say(f"各村花名册已生成在 {out}（每个乡镇一个文件夹）。")
    report = out / REPORT_FILE
    if result.held:
        statuses = "，".join(f"{k} {n} 人" for k, n in result.held_counts().items())
        say(
            f"参保状态或缴费状态为暂停、终止等的 {len(result.held)} 人（{statuses}）不是本年应缴人员，"
            f"未放入花名册，已列入问题清单：{report}"
        )
    if result.unmapped:
        say(
            f"参保身份无法对应人员类别的 {len(result.unmapped)} 人已放入花名册，人员类别留空，"
            f"请核实后填写（见问题清单：{report}）。"
        )
    if not result.rejected:
        return done.exit_code
    counts = "，".join(f"{label} {n} 行" for label, n in result.rejected_counts().items())
    say(f"无法放入 {len(result.rejected)} 行（{counts}），问题清单：{report}")
    warn("部分人员未放入花名册：请按问题清单改正名单后重新拆分（输出到原文件夹时加 --force）。")
    return done.exit_code
