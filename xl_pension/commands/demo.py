"""``xl-pension demo``: a generated sample county, written as standardized village rosters."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..progress import progress
from .common import policy_from, say

PLANTED_FILE = "planted.json"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("-o", "--output", metavar="DIR", default="demo-2024", help="输出文件夹")
    p.add_argument("--seed", type=int, default=2024, help="随机种子（相同种子生成相同数据）")


def run(args: argparse.Namespace) -> int:
    """Generate the sample county and write one roster per village."""
    from ..io.atomic import atomic_path
    from ..io.roster_writer import write_roster
    from ..sample import generate_county

    policy = policy_from(args)
    out = Path(args.output)
    county = generate_county(policy, seed=args.seed)
    say(f"示例县：{len(county.villages)} 个村，输出到 {out}/")
    for v in progress(county.villages, len(county.villages), "生成花名册"):
        write_roster(out / v.file, policy, v.township, v.village, v.records)
    with atomic_path(out / PLANTED_FILE) as tmp:
        tmp.write_text(
            json.dumps(
                {"seed": args.seed, "planted": [m.to_dict() for m in county.planted]},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    people = sum(len(v.records) for v in county.villages)
    say(f"{'乡镇':<8}{'村':<8}{'人数':>6}{'预置错误':>8}")
    for v in county.villages:
        planted = sum(1 for m in county.planted if m.file == v.file)
        say(f"{v.township.name:<8}{v.village:<8}{len(v.records):>6}{planted:>8}")
    say(f"共 {people} 人；预置的错误 {len(county.planted)} 处，记录在 {out / PLANTED_FILE}")
    return 0
