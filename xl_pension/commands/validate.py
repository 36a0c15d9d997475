"""``xl-pension validate``: findings for a roster, in the console, as JSON, or in the workbook."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..app.check import check_file
from ..io.formats import format_note, is_native, written_beside
from .common import add_write_back_arguments, chosen_output, policy_from, say, warn
from .console import describe, show_backups, waiting_notice

MAX_LISTED = 200


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("roster", metavar="ROSTER.xlsx", help="要校验的花名册")
    p.add_argument("--json", metavar="FILE", help="把校验结果另存为 JSON 文件")
    p.add_argument(
        "--annotate", action="store_true", help="在工作簿中标出问题（默认另存为 *_校验.xlsx）"
    )
    add_write_back_arguments(
        p, "标注后的工作簿保存位置", "直接标注原文件（先自动备份为 *.bak.xlsx）"
    )


def annotated_path(src: Path, args: argparse.Namespace) -> Path:
    """Where the annotated workbook goes."""
    chosen = chosen_output(src, args)
    if chosen is not None:
        return chosen
    if src.stem.endswith("_校验") and is_native(src):
        return src  # re-checking an annotated copy updates it (after a backup)
    return written_beside(src, "_校验")


def run(args: argparse.Namespace) -> int:
    """Validate one roster and report."""
    policy = policy_from(args)
    src = Path(args.roster)
    annotate = args.annotate or args.in_place or args.output
    done = check_file(
        src,
        policy,
        json_to=args.json,
        annotate_to=annotated_path(src, args) if annotate else None,
        on_wait=waiting_notice(src),
    )
    if done.error is not None:
        raise done.error
    findings, counts = done.findings, done.counts
    say(f"{src.name}：共 {done.rows} 人，错误 {counts['error']} 条，警告 {counts['warning']} 条。")
    for f in findings[:MAX_LISTED]:
        say(describe(f))
    if len(findings) > MAX_LISTED:
        say(f"  ……其余 {len(findings) - MAX_LISTED} 条见 --json 或 --annotate 的结果。")
    if done.json is not None:
        say(f"校验结果已写入 {args.json}")
    show_backups(done.backups)
    if done.annotated is not None:
        say(f"已在工作簿中标出问题：{done.annotated}")
        if note := format_note(src, done.annotated):
            say(note)
    if counts["error"]:
        warn("有错误，请改正后重新校验。")
    return done.exit_code
