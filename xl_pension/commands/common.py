"""Helpers shared by the commands: policy loading, output paths, console output."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..core import catalogue as cat
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


def add_folder_report_arguments(
    p: argparse.ArgumentParser, folder: str, workbook: str, default_output: str, day: str
) -> None:
    """``DIR``, ``-o FILE``, ``--date DATE`` and ``--png FILE`` of a folder report (summary,
    merge)."""
    p.add_argument("folder", metavar="DIR", help=folder)
    p.add_argument(
        "-o", "--output", metavar="FILE", help=f"{workbook}保存位置（默认 DIR/{default_output}）"
    )
    p.add_argument(
        "--date", type=date_argument, metavar="DATE", help=f"{day}日期，如 2024-05-06（默认今天）"
    )
    p.add_argument(
        "--png", metavar="FILE", help="同时生成进度图（PNG，约 1080 像素宽，可发到工作群）"
    )


def add_write_back_arguments(p: argparse.ArgumentParser, output: str, in_place: str) -> None:
    """``-o OUT`` or ``--in-place`` (never both) of a command that writes a roster back."""
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="OUT", help=output)
    out.add_argument("--in-place", action="store_true", help=in_place)


def chosen_output(src: Path, args: argparse.Namespace) -> Path | None:
    """The target of ``--in-place`` (an ``.xls``/``.ods`` is left as it is: ``<name>.xlsx``
    beside it) or ``-o OUT``; ``None`` when neither was given."""
    from ..io.formats import in_place_target

    if args.in_place:
        return in_place_target(src)
    return Path(args.output) if args.output else None


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
