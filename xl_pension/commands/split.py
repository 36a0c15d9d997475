"""``xl-pension split``: the county's list of last year's payers -> one roster per village.

Output: ``DIR/<乡镇>/<村>.xlsx`` (pre-filled 续保 rosters) and, when some rows cannot be placed,
``DIR/拆分问题清单.xlsx``. Exit 0 when every row is placed, 1 when some rows were rejected,
2 when the list (or the output folder) cannot be used. The rosters are written in worker
processes, one village at a time each (:func:`xl_pension.app.parallel.map_files`).

Existing output: a non-empty ``DIR`` is refused unless ``--force``; with ``--force`` every file
that is about to be replaced is first copied to ``<name>.bak.xlsx`` beside it (a stale problem
list from an earlier run is backed up and removed), other files in ``DIR`` are left alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK
from .common import cached_policy, policy_from, say, warn

if TYPE_CHECKING:
    from ..reports.county_list import VillageKey

REPORT_FILE = "拆分问题清单.xlsx"
_BAD_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


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


def village_file_name(village: str) -> str:
    """A file name for a village roster: characters Windows forbids become ``_``."""
    name = _BAD_FILE_CHARS.sub("_", village).rstrip(". ") or "_"
    return f"{name}.xlsx"


def plan_paths(out: Path, keys: list[VillageKey]) -> dict[VillageKey, Path]:
    """Target path of each (township, village); distinct villages never share a file."""
    paths: dict[VillageKey, Path] = {}
    taken: set[str] = set()
    for township, village in keys:
        base = village_file_name(village)[: -len(".xlsx")]
        name, n = base, 1
        while f"{township.name}/{name}".casefold() in taken:
            n += 1
            name = f"{base}（{n}）"
        taken.add(f"{township.name}/{name}".casefold())
        paths[(township, village)] = out / township.name / f"{name}.xlsx"
    return paths


def _check_output(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise cat.OUTPUT_INVALID.error(out=out)
    if out.is_dir() and any(out.iterdir()) and not force:
        raise cat.OUTPUT_NOT_EMPTY.error(out=out)


# One village roster to write: (path, policy file or None, township code, village, records).
VillageJob = tuple[str, str | None, str, str, list[dict[str, object]]]


def write_village(job: VillageJob) -> int:
    """Worker: write one village's pre-filled roster; returns the number of records written.

    Runs in a worker process (see :func:`xl_pension.app.parallel.map_files`), so it takes only
    picklable values and loads the policy itself (once per process).
    """
    from ..io.roster_writer import write_roster

    path, policy_path, township_code, village, records = job
    policy = cached_policy(policy_path)
    township = next(t for t in policy.townships if t.code == township_code)
    write_roster(path, policy, township, village, records, lock_categories=True)
    return len(records)


def _backup_existing(paths: list[Path]) -> int:
    """Copy each existing file to ``<name>.bak.xlsx``; returns how many were backed up."""
    from ..io.atomic import backup

    n = 0
    for path in paths:
        if path.exists():
            backup(path)
            n += 1
    return n


def run(args: argparse.Namespace) -> int:
    """Read the list, place every row, write the rosters and the problem list, report counts."""
    from ..app.parallel import map_files
    from ..io.county_list_reader import read_county_list, write_split_report
    from ..io.roster_writer import write_roster  # noqa: F401  (imported before workers fork)
    from ..reports.county_list import place_rows

    policy = policy_from(args)
    out = Path(args.output)
    _check_output(out, args.force)
    source = read_county_list(args.list)
    list_name = Path(args.list).name
    if not source.rows:
        raise cat.LIST_EMPTY.error(file=list_name, sheet=source.sheet, header_row=source.header_row)
    say(
        f"读取 {list_name}：工作表“{source.sheet}”，表头在第 {source.header_row} 行，"
        f"共 {len(source.rows)} 行人员。"
    )
    result = place_rows(source.rows, policy)
    source = dataclasses.replace(source, rows=[])  # placed: free them before the writers start
    order = {t: i for i, t in enumerate(policy.townships)}
    keys = sorted(result.villages, key=lambda k: order[k[0]])  # stable: list order within
    paths = plan_paths(out, keys)
    report = out / REPORT_FILE
    if args.force:
        saved = _backup_existing([*paths.values(), report])
        if saved:
            say(f"已把将被覆盖的 {saved} 个原有文件备份为同名的 .bak.xlsx 文件。")
        if report.exists():
            report.unlink()  # backed up above; a new one is written below if needed
    jobs: list[VillageJob] = [
        (str(paths[key]), args.policy, key[0].code, key[1], result.villages[key]) for key in keys
    ]
    # The placed records stay alive until every roster is written: keep the garbage collector's
    # full passes (here and in the forked workers) off them.
    gc.freeze()
    try:
        for _ in map_files(write_village, jobs, "生成各村花名册"):  # written on every core
            pass
    finally:
        gc.unfreeze()
    listed = result.report_rows()
    if listed:
        write_split_report(report, source, listed)

    if not result.conserved:  # a bug, never the user's data: stop loudly
        raise RuntimeError(
            f"rows read {result.rows_read} != placed {result.placed} + rejected "
            f"{len(result.rejected)} + held {len(result.held)}"
        )
    for township, villages, people in result.by_township(policy):
        say(f"  {township.name}：{villages} 个村，{people} 人")
    held = f" + 非本年应缴人员 {len(result.held)} 行" if result.held else ""
    say(
        f"核对：读取 {result.rows_read} 行 = 放入花名册 {result.placed} 行 + "
        f"无法放入 {len(result.rejected)} 行{held}。"
    )
    say(f"各村花名册已生成在 {out}（每个乡镇一个文件夹）。")
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
    if not result.rejected and not result.unmapped:
        return EXIT_OK
    if not result.rejected:
        return EXIT_FINDINGS
    counts = "，".join(f"{label} {n} 行" for label, n in result.rejected_counts().items())
    say(f"无法放入 {len(result.rejected)} 行（{counts}），问题清单：{report}")
    warn("部分人员未放入花名册：请按问题清单改正名单后重新拆分（输出到原文件夹时加 --force）。")
    return EXIT_FINDINGS
