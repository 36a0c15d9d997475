"""``xl-pension compute``: fill 政府代缴, 个人应缴, 政府补贴, 记入个人账户 and a totals line."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..app.compute import compute_roster, computed_path
from ..io.formats import format_note
from .common import add_write_back_arguments, chosen_output, policy_from, say
from .console import refusals, show_backups, show_skipped, waiting_notice


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("roster", metavar="ROSTER.xlsx", help="已校验无误的花名册")
    add_write_back_arguments(
        p, "保存位置（默认另存为 *_计算.xlsx）", "直接写入原文件（先自动备份为 *.bak.xlsx）"
    )
    p.add_argument(
        "--skip-invalid", action="store_true", help="跳过有错误的行，只计算无误的行并列出跳过的行"
    )


def output_path(src: Path, args: argparse.Namespace) -> Path:
    """Where the computed workbook goes."""
    return chosen_output(src, args) or computed_path(src)


def run(args: argparse.Namespace) -> int:
    """Compute one roster."""
    policy = policy_from(args)
    src = Path(args.roster)
    with refusals():
        done = compute_roster(
            src,
            policy,
            output=output_path(src, args),
            skip_invalid=args.skip_invalid,
            on_wait=waiting_notice(src),
        )
    show_skipped(src.name, done.skipped)
    show_backups(done.backups)
    totals = done.totals
    say(
        f"{src.name}：缴费 {totals.people} 人，个人缴费 {totals.personal_due} 元，"
        f"政府代缴 {totals.government_paid} 元，政府补贴 {totals.subsidy} 元，"
        f"补缴 {totals.backpay} 元，记入个人账户 {totals.credited} 元。"
    )
    say(format_note(src, done.output) or f"已写入 {done.output}")
    return 0
