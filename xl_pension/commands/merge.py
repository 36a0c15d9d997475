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
from pathlib import Path, PurePosixPath

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK
from ..core.policy import Policy
from .common import (
    add_png_argument,
    check_file,
    date_argument,
    folder_inputs,
    say,
    warn,
    write_picture,
)
from .summary import is_our_output, relative

DEFAULT_OUTPUT = "全县汇总.xlsx"
_UNKNOWN = "~"  # group of files whose township folder is not in the policy (merged last)
_ROOT = ""  # group of files directly in DIR (placed by their _meta)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("folder", metavar="DIR", help="各乡镇文件夹所在的文件夹（每个乡镇一个子文件夹）")
    p.add_argument(
        "-o", "--output", metavar="FILE", help=f"全县汇总表保存位置（默认 DIR/{DEFAULT_OUTPUT}）"
    )
    p.add_argument(
        "--date", type=date_argument, metavar="DATE", help="通报日期，如 2024-05-06（默认今天）"
    )
    p.add_argument(
        "--declare",
        metavar="OUTDIR",
        help="同时按乡镇生成批量申报清单和代缴申报表（含完整身份证号码，内部资料）到此文件夹",
    )
    add_png_argument(p)


def _group_of(file: str, policy: Policy) -> str:
    from ..core.places import TownshipMatcher

    parts = PurePosixPath(file).parts
    if len(parts) == 1:
        return _ROOT
    township = TownshipMatcher(policy).township(parts[0])
    return township.code if township is not None else _UNKNOWN


def merge_folder(root: Path, paths: list[Path], policy: Policy):
    """Read, check and merge every roster; returns the merge result and the number of our own
    output workbooks that were skipped."""
    from ..app.parallel import map_files
    from ..reports.merge import CountyMerge, RosterInput, place_order, resolve_place
    from ..reports.summary import problem

    merger = CountyMerge(policy)
    groups: dict[str, list[Path]] = {}
    for path in paths:
        groups.setdefault(_group_of(relative(path, root), policy), []).append(path)
    # Files directly in DIR are read first: their _meta says which township batch they join.
    order = [_ROOT, *sorted(k for k in groups if k not in (_ROOT, _UNKNOWN)), _UNKNOWN]
    plan = [(key, path) for key in order for path in groups.get(key, [])]
    pending: dict[str, list[RosterInput]] = {}  # township code (or _UNKNOWN) -> read rosters
    ours = 0

    def flush(upto: str) -> None:
        """Merge every pending batch whose township comes before ``upto`` (inclusive)."""
        for code in sorted(k for k in pending if k <= upto):
            for item in sorted(pending.pop(code), key=lambda i: place_order(i.place, i.file)):
                merger.add(item)

    current = None
    jobs = [(str(path), policy.path) for _, path in plan]
    outcomes = map_files(check_file, jobs, "读取花名册")  # read and checked on every core
    for (key, path), (status, payload) in zip(plan, outcomes, strict=True):
        if key != current and current not in (None, _ROOT):
            flush(current)
        current = key
        file = relative(path, root)
        if status != "ok":
            message, code = payload
            if is_our_output(path):
                ours += 1
            else:
                merger.add_problem(problem(file, message, code))
            continue
        checked = payload
        place = resolve_place(file, checked.roster.meta, policy)
        batch = place.township.code if place.known and place.township else _UNKNOWN
        pending.setdefault(batch, []).append(RosterInput(file, checked, place))
    flush(_UNKNOWN)
    return merger.result(), ours


def run(args: argparse.Namespace) -> int:
    """Merge the township folders under DIR into the county workbook."""
    from ..io.merge_writer import write_county
    from ..io.summary_writer import render_report
    from ..reports.merge import REASONS, bulletin_context, check_conservation
    from ..reports.summary import rate_text

    policy, root, out, paths = folder_inputs(args, DEFAULT_OUTPUT, "应为 DIR/<乡镇>/<村>.xlsx")
    result, ours = merge_folder(root, paths, policy)
    for p in result.problems:
        warn(f"无法读取 {p.file}：{p.finding.message}")
    if result.rows_read == 0 and not result.villages and not result.unknown:
        raise cat.FOLDER_NO_ROSTERS.error("unreadable", root=root, problems=len(result.problems))
    date = args.date or dt.date.today()
    conservation = check_conservation(result)
    report = render_report("county.j2", bulletin_context(result, policy, date))
    try:
        write_county(out, result, policy, conservation, report=report, root=root, date=date)
    except OSError as exc:
        raise cat.OUTPUT_UNWRITABLE.error(out=out, reason=exc.strerror or exc) from None
    skipped = f"，跳过本程序生成的汇总表 {ours} 个" if ours else ""
    rosters = len(result.villages) + len(result.unknown)
    say(f"读取 {rosters} 个花名册{skipped}。")
    say(report)
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

        write_picture(args.png, county_picture(result, policy, date))
    say(f"已写入 {out}（不含完整身份证号码；申报清单请用 --declare 或 xl-pension declare 生成）")
    declared = EXIT_OK
    if args.declare:
        from ..app.declare import declare_county
        from .declare import render

        target = Path(args.declare)
        try:
            declared = render(declare_county(result, target, policy))
        except OSError as exc:
            raise cat.OUTPUT_UNWRITABLE.error(out=target, reason=exc.strerror or exc) from None
    if not conservation.ok:
        for line in conservation.differences:
            warn(f"守恒核对不一致：{line}。")
        return EXIT_FINDINGS
    rejected = sum(result.rejected[k] for k in REASONS)
    if result.duplicates or rejected or result.problems:
        warn("有重复参保、暂不列入清单的行或无法读取的文件，详见“问题清单”和“重复参保”工作表。")
        return EXIT_FINDINGS
    return declared
