"""``xl-pension remit``: the village's cash remittance list (解缴清单), checked against the bank slip."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..app.remit import remit_path, remit_roster
from ..core.errors import EXIT_OK, XlPensionError
from ..core.values import BadValue, parse_money
from ..reports.remit import reconciliation_lines, remit_summary
from .common import policy_from, say, warn
from .console import refusals, show_backups, show_skipped


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("roster", metavar="ROSTER.xlsx", help="花名册")
    p.add_argument("--deposited", metavar="AMOUNT", help="银行缴款回单上的金额（元），用于核对")
    p.add_argument("-o", "--output", metavar="FILE", help="保存位置（默认 *_解缴清单.xlsx）")
    p.add_argument("--skip-invalid", action="store_true", help="跳过有错误的行")


def run(args: argparse.Namespace) -> int:
    """Write the list and reconcile it."""
    policy = policy_from(args)
    src = Path(args.roster)
    deposited = None
    if args.deposited is not None:
        try:
            deposited = parse_money(args.deposited)
        except BadValue:
            deposited = None
        if deposited is None:
            raise XlPensionError(f"--deposited 应为整数金额（元），收到“{args.deposited}”。")
    out = Path(args.output) if args.output else remit_path(src)
    with refusals():
        done = remit_roster(
            src, policy, deposited=deposited, output=out, skip_invalid=args.skip_invalid
        )
    show_skipped(src.name, done.skipped)
    show_backups(done.backups)
    rl = done.remit
    say(
        f"缴费人清单：{remit_summary(rl)}；已写入 {done.output}（含完整身份证号码，内部资料，不得公开）"
    )
    if deposited is None:
        return EXIT_OK
    diff = done.difference
    if diff:
        more = "多" if diff > 0 else "少"
        warn(
            f"核对不符：缴款回单 {deposited} 元，清单合计 {rl.total} 元，回单{more} {abs(diff)} 元。"
        )
        for line in reconciliation_lines(rl, deposited)[1:]:
            warn(line)
        return done.exit_code
    say(f"核对相符：缴款回单 {deposited} 元与清单合计一致。")
    return EXIT_OK
