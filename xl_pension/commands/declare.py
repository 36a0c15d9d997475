"""``xl-pension declare``: per township the operator's 批量申报清单 and the 代缴申报表.

DIR is a county folder (``DIR/<乡镇>/<村>.xlsx``) or one township's folder of rosters. Output:
``OUTDIR/<乡镇>申报清单.xlsx`` per township with paid rows (full ID numbers: internal files, every
printed page headed 内部资料 不得公开). The conservation of every township is printed: rows paid =
declared by the operator + by the payer online + 代缴 only + held back, and money likewise.

Exit 0: clean. 1: rows held back (errors, duplicates, unknown places), unreadable files or a
conservation difference. 2: DIR unusable or an output cannot be written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK
from .common import policy_from, say, warn
from .console import ConsoleProgress, show_problems

if TYPE_CHECKING:
    from ..app.declare import DeclareResult


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument(
        "folder", metavar="DIR", help="各乡镇文件夹所在的文件夹，或一个乡镇的花名册文件夹"
    )
    p.add_argument("-o", "--output", metavar="OUTDIR", required=True, help="申报清单保存的文件夹")


def render(result: DeclareResult, say_line=say, warn_line=warn) -> int:
    """Print what ``declare`` wrote and the conservation of each township; the exit code."""
    for t, path in zip(result.townships, result.written, strict=True):
        lines, diffs = t.conservation()
        say_line(
            f"{t.township.name}：批量申报清单 {len(t.operator)} 行（{t.operator_people} 人），"
            f"代缴申报表 {len(t.government)} 人；已写入 {path}"
        )
        for line in lines:
            say_line(f"  核对：{line}")
        for d in diffs:
            warn_line(f"  守恒核对不一致：{d}")
        for h in sorted(t.held, key=lambda h: (h.file, h.row)):
            warn_line(f"  暂不申报：{h.file} 第 {h.row} 行（{h.reason}）")
    for h in result.unplaced:
        warn_line(f"暂不申报：{h.file} 第 {h.row} 行（{h.reason}）")
    if result.written:
        say_line("申报清单含完整身份证号码，属内部资料，不得公开或外传。")
    return EXIT_FINDINGS if result.differences or result.held else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Read the folder, account every paid row, write one declaration workbook per township."""
    from ..app.declare import declare_county
    from ..app.folders import roster_folder
    from ..app.merge import LAYOUT, merge_folder

    policy = policy_from(args)
    root = Path(args.folder)
    paths = roster_folder(root, Path(args.output), LAYOUT)
    county, _ours = merge_folder(root, paths, policy, ConsoleProgress())
    show_problems(county.problems)
    if county.rows_read == 0:
        raise cat.FOLDER_NO_ROSTERS.error("unreadable", root=root, problems=len(county.problems))
    out = Path(args.output)
    try:
        result = declare_county(county, out, policy)
    except OSError as exc:
        raise cat.OUTPUT_UNWRITABLE.error(out=out, reason=exc.strerror or exc) from None
    if not result.written:
        say("没有已缴费的人员，未生成申报清单。")
    code = render(result)
    return EXIT_FINDINGS if county.problems else code
