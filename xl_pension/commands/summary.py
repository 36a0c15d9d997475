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

DEFAULT_OUTPUT = "乡镇汇总.xlsx"
OUR_KINDS = ("township_summary", "county_merge")
# Files our commands write next to rosters; a folder run never reads them as rosters.


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("folder", metavar="DIR", help="本乡镇各村花名册所在的文件夹（含子文件夹）")
    p.add_argument(
        "-o", "--output", metavar="FILE", help=f"汇总表保存位置（默认 DIR/{DEFAULT_OUTPUT}）"
    )
    p.add_argument(
        "--date", type=date_argument, metavar="DATE", help="日报日期，如 2024-05-06（默认今天）"
    )
    add_png_argument(p)


def is_our_output(path: Path) -> bool:
    """True for a summary or merge workbook written by this program (its ``_meta`` says so)."""
    from ..io.reader import open_workbook, read_meta

    try:
        return read_meta(open_workbook(path)).get("kind") in OUR_KINDS
    except Exception:  # unreadable: not ours; the caller reports it
        return False


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, '/'-separated."""
    return PurePosixPath(*path.relative_to(root).parts).as_posix()


def _township_of(meta: dict[str, str], file: str, policy: Policy) -> tuple[str, str]:
    from ..core.places import TownshipMatcher

    matcher = TownshipMatcher(policy)
    folder = PurePosixPath(file).parts[0] if len(PurePosixPath(file).parts) > 1 else ""
    for value in (meta.get("township_code"), meta.get("township_name"), folder):
        township = matcher.township(value)
        if township is not None:
            return township.name, township.code
    return meta.get("township_name", ""), ""


def collect(root: Path, paths: list[Path], policy: Policy):
    """Village results of the readable rosters and problems of the other files (files are read
    and checked on every core)."""
    from ..app.parallel import map_files
    from ..reports.summary import problem
    from ..reports.village import village_from, village_result

    results, problems, ours = [], [], 0
    jobs = [(str(path), policy.path) for path in paths]
    for path, (status, payload) in zip(
        paths, map_files(check_file, jobs, "读取花名册"), strict=True
    ):
        file = relative(path, root)
        if status != "ok":
            message, code = payload
            if is_our_output(path):
                ours += 1
            else:
                problems.append(problem(file, message, code))
            continue
        checked = payload
        meta = checked.roster.meta
        township, code = _township_of(meta, file, policy)
        village = village_from(meta.get("village", ""), file)
        results.append(
            village_result(
                checked,
                policy,
                file=file,
                township=township,
                township_code=code,
                village=village,
            )
        )
    return results, problems, ours


def run(args: argparse.Namespace) -> int:
    """Summarise the rosters under DIR into one workbook."""
    from ..io.summary_writer import render_report, write_township_summary
    from ..reports.summary import daily_context, rate_text, summarize

    policy, root, out, paths = folder_inputs(args, DEFAULT_OUTPUT, ".xlsx")
    results, problems, ours = collect(root, paths, policy)
    for p in problems:
        warn(f"无法读取 {p.file}：{p.finding.message}")
    if not results:
        raise cat.FOLDER_NO_ROSTERS.error("unreadable", root=root, problems=len(problems))
    report_date = args.date or dt.date.today()
    fallback = root.resolve().name
    summary = summarize(results, policy, report_date=report_date, problems=problems, place=fallback)
    report = render_report("daily.j2", daily_context(summary, policy))
    try:
        write_township_summary(out, summary, policy, report=report, root=root)
    except OSError as exc:
        raise cat.OUTPUT_UNWRITABLE.error(out=out, reason=exc.strerror or exc) from None
    t = summary.total
    people = sum(v.tally.rows for v in summary.villages)
    skipped = f"，跳过本程序生成的汇总表 {ours} 个" if ours else ""
    say(f"读取 {len(results)} 个花名册，共 {people} 人{skipped}。")
    say(report)
    say(
        f"合计：应缴 {t.expected} 人，已缴 {t.paid} 人，完成率 {rate_text(t.rate)}；"
        f"错误 {t.errors} 条，警告 {t.warnings} 条；无法读取的文件 {len(problems)} 个。"
    )
    say(f"已写入 {out}")
    if args.png:
        from ..app.pictures import township_picture

        write_picture(args.png, township_picture(summary))
    if t.errors or problems:
        warn("有错误或无法读取的文件，详见汇总表的“问题清单”工作表。")
        return EXIT_FINDINGS
    return EXIT_OK
