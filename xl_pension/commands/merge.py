"""``xl-pension merge``: the county merge of the township folders.

DIR holds one folder per township (named as in the policy, or by its 9-digit code), each with
its village rosters (as ``split`` and ``demo`` write them: ``DIR/<乡镇>/<村>.xlsx``). A roster
directly in DIR is placed by its own ``_meta``. Output: the ranking (通报), one row per township
and per village, 重复参保 (masked) and 问题清单 — no full ID number — plus the conservation check
printed and written (rows read = declared + unpaid + rejected; the declared money equals the sum
of the township totals). With ``--declare OUTDIR`` the per-township declarations (批量申报清单,
代缴申报表: full IDs, internal) are written there too, as ``declare`` writes them.

Rosters are read one township at a time (townships by code) so that the whole county never sits
in memory as parsed rows.

Exit 0: clean. 1: duplicates, rows withheld (errors, unknown place), unreadable files, or a
conservation mismatch (named). 2: DIR unusable or the output cannot be written.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from ..app.merge import DEFAULT_OUTPUT, merge_county
from ..core.errors import EXIT_OK
from .common import add_folder_report_arguments, policy_from, say, warn, write_picture
from .console import ConsoleProgress, ours_skipped, show_problems, unreadable_folder

__all__ = ["DEFAULT_OUTPUT", "add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    folder = "各乡镇文件夹所在的文件夹（每个乡镇一个子文件夹）"
    add_folder_report_arguments(p, folder, "全县汇总表", DEFAULT_OUTPUT, "通报")
    p.add_argument(
        "--declare",
        metavar="OUTDIR",
        help="同时按乡镇生成批量申报清单和代缴申报表（含完整身份证号码，内部资料）到此文件夹",
    )


def run(args: argparse.Namespace) -> int:
    """Merge the township folders under DIR into the county workbook."""
    from ..reports.summary import rate_text

    policy = policy_from(args)
    with unreadable_folder():
        done = merge_county(
            args.folder, policy, output=args.output, date=args.date, progress=ConsoleProgress()
        )
    result, conservation, out = done.result, done.conservation, done.output
    show_problems(result.problems)
    say(f"读取 {done.rosters} 个花名册{ours_skipped(done.ours_skipped)}。")
    say(done.report)
    for rank, t in result.ranking():
        if t.reported:
            say(f"  第 {rank} 名 {t.township.name}：完成率 {rate_text(t.tally.rate)}"
                f"（应缴 {t.tally.expected} 人，已缴 {t.tally.paid} 人）")  # fmt: skip
    for d in result.duplicates:
        warn(
            f"重复参保 {d.masked_id}：{d.first.township}{d.first.village}（{d.first.file} 第 "
            f"{d.first.row} 行）与 {d.later.township}{d.later.village}（{d.later.file} 第 "
            f"{d.later.row} 行），后者暂不列入清单。"
        )
    for u in result.unknown:
        warn(f"村/乡镇未知：{u.file}（{u.rows} 行）：{u.problem}。")
    say("守恒核对：" + "；".join(conservation.lines) + "。")
    if args.png:
        from ..app.pictures import county_picture

        write_picture(args.png, county_picture(result, policy, args.date or dt.date.today()))
    say(f"已写入 {out}（不含完整身份证号码；申报清单请用 --declare 或 xl-pension declare 生成）")
    declared = EXIT_OK
    if args.declare:
        from ..app.declare import declare_county
        from ..core import catalogue as cat
        from .declare import render

        target = Path(args.declare)
        try:
            declared = render(declare_county(result, target, policy))
        except OSError as exc:
            raise cat.OUTPUT_UNWRITABLE.error(out=target, reason=exc.strerror or exc) from None
    if not conservation.ok:
        for line in conservation.differences:
            warn(f"守恒核对不一致：{line}。")
    elif done.exit_code:
        warn("有重复参保、暂不列入清单的行或无法读取的文件，详见“问题清单”和“重复参保”工作表。")
    return done.exit_code or declared
