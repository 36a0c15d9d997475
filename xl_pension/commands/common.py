"""Helpers shared by the commands: policy loading, output paths, console output."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from functools import lru_cache
from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import XlPensionError
from ..core.policy import Policy, load_policy
from ..io.atomic import backup


def policy_from(args: argparse.Namespace) -> Policy:
    """The policy named by ``--policy`` (or the packaged default)."""
    return load_policy(args.policy)


def keep_backup(path: Path) -> Path | None:
    """Back up an existing file before it is replaced; returns the backup path."""
    if path.exists():
        saved = backup(path)
        say(f"原文件已备份为 {saved.name}")
        return saved
    return None


def say(message: str) -> None:
    """Print a message for the user. A closed pipe (``| head``) does not stop the work."""
    try:
        print(message, flush=True)
    except BrokenPipeError:
        import os

        # Send further output nowhere; the command still finishes what it was asked to do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def warn(message: str) -> None:
    """Print a warning for the user on stderr."""
    print(message, file=sys.stderr, flush=True)


def checked_roster(path: str | Path, policy: Policy, *, skip_invalid: bool):
    """Read and validate a roster; refuse (exit 1, errors listed) when it has errors.

    With ``skip_invalid`` the rows with errors are listed and left out instead.
    Returns the :class:`~xl_pension.core.validation.Checked` result and the money of each usable row.
    """
    from ..core import catalogue as cat
    from ..core.money import person_money
    from ..core.validation import check_roster
    from ..io.reader import read_roster
    from .validate import describe

    checked = check_roster(read_roster(path), policy)
    errors = checked.errors
    if errors and not skip_invalid:
        warn(
            f"{Path(path).name} 有 {len(errors)} 条错误，未做任何修改；请先改正（或用 --skip-invalid 跳过出错的行）："
        )
        for f in errors[:50]:
            warn(describe(f))
        raise cat.ROSTER_HAS_ERRORS.error(file=Path(path).name)
    skipped = sorted({p.row for p in checked.people if p.has_error})
    if skipped:
        warn(
            f"{Path(path).name}：跳过有错误的 {len(skipped)} 行（第 {', '.join(map(str, skipped[:30]))}{' 等' if len(skipped) > 30 else ''} 行）。"
        )
    money = {p.row: (None if p.has_error else person_money(p, policy)) for p in checked.people}
    return checked, money


# Files our commands write next to rosters, and backups: never read back as rosters.
_OUTPUT_STEM = re.compile(r"(_公示|_计算|_校验|_解缴清单|_缴费人清单|申报清单|\.bak\d*)$")
_NOT_ROSTERS = frozenset({"拆分问题清单"})


def is_roster_candidate(path: Path, root: Path) -> bool:
    """True for an ``.xlsx``/``.xlsm``/``.xls``/``.ods`` under ``root`` that is not our own
    output, a backup, a lock file (``~$``) or hidden. An ``.xls``/``.ods`` with an ``.xlsx`` of
    the same name beside it is not one: that ``.xlsx`` is what compute or validate wrote from it."""
    from ..io.formats import ROSTER_SUFFIXES, is_native, written_beside

    rel = path.relative_to(root)
    if any(part.startswith((".", "~$")) for part in rel.parts):
        return False
    if not is_native(path) and written_beside(path).exists():
        return False
    return (
        path.suffix.lower() in ROSTER_SUFFIXES
        and not _OUTPUT_STEM.search(path.stem)
        and path.stem not in _NOT_ROSTERS
    )


def find_rosters(root: Path, *exclude: Path) -> list[Path]:
    """Roster candidates under ``root`` (recursively), in a stable order, without the
    ``exclude`` files (e.g. the summary being written into the same folder)."""
    skip = {p.resolve() for p in exclude}
    found = [
        p
        for p in root.rglob("*")
        if p.is_file() and is_roster_candidate(p, root) and p.resolve() not in skip
    ]
    return sorted(found, key=lambda p: p.relative_to(root).parts)


@lru_cache(maxsize=4)
def cached_policy(path: str | None) -> Policy:
    """The policy at ``path`` (``None``: the default), loaded once per process."""
    return load_policy(path or None)


def check_file(job: tuple[str, str | None]) -> tuple[str, object]:
    """Worker for folder commands: read and validate one roster file.

    ``job`` is (roster path, policy path). Returns ``("ok", Checked)`` — with the raw records
    dropped, the parsed people carry everything the summaries need — or ``("unusable",
    (message, code))`` for a file that is not a roster.
    """
    from ..core.validation import check_roster
    from ..io.reader import read_roster

    path, policy_path = job
    try:
        checked = check_roster(read_roster(path), cached_policy(policy_path))
    except XlPensionError as exc:
        return "unusable", (exc.message, exc.code)
    checked.roster.records = []
    return "ok", checked


def date_argument(text: str) -> dt.date:
    """An argparse type: a date such as 2024-05-06."""
    from ..core.values import BadValue, parse_date

    try:
        day = parse_date(text)
    except BadValue:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期，请写成 2024-05-06 的形式")
    return day


def folder_inputs(
    args: argparse.Namespace, default_output: str, layout: str
) -> tuple[Policy, Path, Path, list[Path]]:
    """Policy, folder, output file and roster files of a folder command (summary, merge).

    Refuses (exit 2) a missing folder, a file given as folder, or a folder without rosters;
    ``layout`` says in the message where rosters are expected.
    """
    from ..core import catalogue as cat

    policy = policy_from(args)
    root = Path(args.folder)
    if not root.exists():
        raise cat.FOLDER_MISSING.error(root=root)
    if not root.is_dir():
        raise cat.FOLDER_INVALID.error(root=root)
    out = Path(args.output) if args.output else root / default_output
    paths = find_rosters(root, out)
    if not paths:
        raise cat.FOLDER_NO_ROSTERS.error(root=root, layout=layout)
    return policy, root, out, paths


def add_png_argument(p: argparse.ArgumentParser) -> None:
    """``--png FILE``: also draw the progress picture for the work chat."""
    p.add_argument(
        "--png", metavar="FILE", help="同时生成进度图（PNG，约 1080 像素宽，可发到工作群）"
    )


def write_picture(path: str | Path, png: bytes) -> None:
    """Save the progress picture (atomically) and say where, with a warning when no CJK font."""
    from ..io.atomic import atomic_path
    from ..io.picture import font_warning

    try:
        with atomic_path(Path(path)) as tmp:
            tmp.write_bytes(png)
    except OSError as exc:
        raise cat.OUTPUT_UNWRITABLE.error(out=path, reason=exc.strerror or exc) from None
    if font_warning():
        warn(font_warning())
    say(f"进度图已写入 {path}")
