"""``xl-pension template``: a new, empty standardized village roster."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core.places import township_named
from ..core.schema import TEMPLATE_FILE_NAME
from .common import keep_backup, policy_from, say


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("--township", metavar="NAME", help="乡镇（街道）名称或代码，如 城关街道")
    p.add_argument("--village", metavar="NAME", help="村（社区）名称，如 王庄村")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help=f"输出文件；默认“乡镇村花名册.xlsx”，都不指定时为通用模板 {TEMPLATE_FILE_NAME}",
    )


def run(args: argparse.Namespace) -> int:
    """Write the roster and say where it is."""
    from ..io.roster_writer import write_roster

    policy = policy_from(args)
    township = township_named(policy, args.township) if args.township else None
    village = (args.village or "").strip()
    if args.output:
        out = Path(args.output)
    elif township or village:
        out = Path(f"{township.name if township else ''}{village}花名册.xlsx")
    else:
        out = Path(TEMPLATE_FILE_NAME)
    keep_backup(out)
    write_roster(out, policy, township, village)
    say(f"已生成花名册：{out}")
    return 0
