"""``xl-pension demo``: the year on a generated sample county, from rosters to money totals."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..findings import count_by_severity
from ..progress import progress
from .common import policy_from, say

PLANTED_FILE = "planted.json"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("-o", "--output", metavar="DIR", default="demo-2024", help="输出文件夹")
    p.add_argument("--seed", type=int, default=2024, help="随机种子（相同种子生成相同数据）")


def run(args: argparse.Namespace) -> int:
    """Generate the sample county, then validate, compute and list cash for every village."""
    from ..io.atomic import atomic_path
    from ..io.compute_writer import write_money
    from ..io.reader import read_roster
    from ..io.remit_writer import write_remit
    from ..io.roster_writer import write_roster
    from ..money import Totals, person_money, totals_of
    from ..remit import remit_list
    from ..sample import generate_county
    from ..validation import check_roster

    policy = policy_from(args)
    out = Path(args.output)
    county = generate_county(policy, seed=args.seed)
    say(f"1. 生成示例县：{len(county.villages)} 个村，{county.people} 人，输出到 {out}/")
    for v in progress(county.villages, len(county.villages), "生成花名册"):
        write_roster(out / v.file, policy, v.township, v.village, v.records)
    with atomic_path(out / PLANTED_FILE) as tmp:
        planted = {"seed": args.seed, "planted": [m.to_dict() for m in county.planted]}
        tmp.write_text(json.dumps(planted, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"   示例数据中预置了 {len(county.planted)} 处错误，清单见 {out / PLANTED_FILE}")

    say("2. 校验、计算补贴（跳过有错误的行）、生成解缴清单：")
    say(
        f"   {'乡镇':<6}{'村':<6}{'人数':>5}{'错误':>5}{'警告':>5}{'缴费':>5}"
        f"{'个人缴费':>9}{'政府代缴':>8}{'政府补贴':>8}{'记入账户':>9}{'线下现金':>9}"
    )
    county_totals = Totals()
    cash = 0
    for v in progress(county.villages, len(county.villages), "校验计算"):
        path = out / v.file
        roster = read_roster(path)
        checked = check_roster(roster, policy)
        counts = count_by_severity(checked.findings)
        money = {p.row: None if p.has_error else person_money(p, policy) for p in checked.people}
        totals = totals_of(money.values())
        write_money(path, path, roster, money, totals)
        rl = remit_list(checked.people, money, policy)
        write_remit(path.with_name(f"{path.stem}_解缴清单.xlsx"), policy, roster, rl, None)
        county_totals.merge(totals)
        cash += rl.total
        say(
            f"   {v.township.name:<6}{v.village:<6}{len(v.records):>5}{counts['error']:>5}"
            f"{counts['warning']:>5}{totals.people:>5}{totals.personal_due:>9}"
            f"{totals.government_paid:>8}{totals.subsidy:>8}{totals.credited:>9}{rl.total:>9}"
        )
    t = county_totals
    say(
        f"   全县合计：缴费 {t.people} 人，个人缴费 {t.personal_due} 元，政府代缴 {t.government_paid} 元，"
        f"政府补贴 {t.subsidy} 元，补缴 {t.backpay} 元，记入个人账户 {t.credited} 元；"
        f"线下现金 {cash} 元。"
    )
    say(f"完成。各村花名册（已填计算列）和解缴清单在 {out}/ 下。")
    return 0
