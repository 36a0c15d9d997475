"""``xl-pension validate``: findings for a roster, in the console, as JSON, or in the workbook."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, XlPensionError
from ..core.findings import Finding, Severity, count_by_severity
from ..io.formats import format_note, in_place_target, is_native, written_beside
from .common import keep_backup, policy_from, say, warn

MAX_LISTED = 200


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("roster", metavar="ROSTER.xlsx", help="要校验的花名册")
    p.add_argument("--json", metavar="FILE", help="把校验结果另存为 JSON 文件")
    p.add_argument(
        "--annotate", action="store_true", help="在工作簿中标出问题（默认另存为 *_校验.xlsx）"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="OUT", help="标注后的工作簿保存位置")
    out.add_argument(
        "--in-place", action="store_true", help="直接标注原文件（先自动备份为 *.bak.xlsx）"
    )


def write_json(path: str | Path, file: str, rows: int, findings: list[Finding]) -> None:
    """Write the findings JSON contract: file, rows, findings, counts."""
    from ..io.atomic import atomic_path

    data = {
        "file": file,
        "rows": rows,
        "findings": [f.to_dict() for f in findings],
        "counts": count_by_severity(findings),
    }
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def describe(f: Finding) -> str:
    """One console line for a finding."""
    level = "警告" if f.severity is Severity.WARNING else "错误"
    where = f"第 {f.row} 行 {f.column}" if f.row else (f.column or "全表")
    value = f"（{f.value}）" if f.value else ""
    return f"  [{level}] {where}{value}：{f.message} [{f.code}]"


def annotated_path(src: Path, args: argparse.Namespace) -> Path:
    """Where the annotated workbook goes."""
    if args.in_place:
        return in_place_target(src)  # an .xls/.ods is left as it is: <name>.xlsx beside it
    if args.output:
        return Path(args.output)
    if src.stem.endswith("_校验") and is_native(src):
        return src  # re-checking an annotated copy updates it (after a backup)
    return written_beside(src, "_校验")


def run(args: argparse.Namespace) -> int:
    """Validate one roster and report."""
    from ..core.validation import check_roster
    from ..io.reader import read_roster

    policy = policy_from(args)
    src = Path(args.roster)
    try:
        roster = read_roster(src)
    except XlPensionError as exc:
        if args.json:
            f = Finding(exc.code, Severity.UNUSABLE, "", None, "", "", exc.message)
            write_json(args.json, str(src), 0, [f])
        raise
    checked = check_roster(roster, policy)
    findings = checked.findings
    counts = count_by_severity(findings)
    say(
        f"{src.name}：共 {len(roster.records)} 人，错误 {counts['error']} 条，"
        f"警告 {counts['warning']} 条。"
    )
    for f in findings[:MAX_LISTED]:
        say(describe(f))
    if len(findings) > MAX_LISTED:
        say(f"  ……其余 {len(findings) - MAX_LISTED} 条见 --json 或 --annotate 的结果。")
    if args.json:
        write_json(args.json, str(src), len(roster.records), findings)
        say(f"校验结果已写入 {args.json}")
    if args.annotate or args.in_place or args.output:
        from ..io.annotate import annotate

        out = annotated_path(src, args)
        if out.exists() and out.resolve() == src.resolve():
            keep_backup(src)
        elif out.exists():
            keep_backup(out)
        annotate(src, out, roster, findings)
        say(f"已在工作簿中标出问题：{out}")
        if note := format_note(src, out):
            say(note)
    if counts["error"]:
        warn("有错误，请改正后重新校验。")
        return EXIT_FINDINGS
    return EXIT_OK if not any(f.severity is Severity.UNUSABLE for f in findings) else EXIT_UNUSABLE
