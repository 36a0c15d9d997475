"""Console rendering shared by the commands: findings, refused rosters, skipped rows, progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.findings import Finding, Severity
from .common import say, warn

MAX_REFUSED_LISTED = 50  # errors listed when a write-back refuses a roster
MAX_SKIPPED_LISTED = 30  # row numbers listed when rows with errors are skipped


def describe(f: Finding) -> str:
    """One console line for a finding."""
    level = "警告" if f.severity is Severity.WARNING else "错误"
    where = f"第 {f.row} 行 {f.column}" if f.row else (f.column or "全表")
    value = f"（{f.value}）" if f.value else ""
    return f"  [{level}] {where}{value}：{f.message} [{f.code}]"


def refused_lines(file: str, errors: list[Finding]) -> list[str]:
    """What stderr shows when a write-back refuses a roster with errors (see
    :class:`xl_pension.app.check.RosterRefused`)."""
    head = (
        f"{file} 有 {len(errors)} 条错误，未做任何修改；"
        "请先改正（或用 --skip-invalid 跳过出错的行）："
    )
    return [head, *(describe(f) for f in errors[:MAX_REFUSED_LISTED])]


def skipped_line(file: str, rows: list[int]) -> str:
    """The warning for rows left out with ``--skip-invalid``."""
    shown = ", ".join(map(str, rows[:MAX_SKIPPED_LISTED]))
    more = " 等" if len(rows) > MAX_SKIPPED_LISTED else ""
    return f"{file}：跳过有错误的 {len(rows)} 行（第 {shown}{more} 行）。"


def show_refused(file: str, errors: list[Finding]) -> None:
    """Print :func:`refused_lines` on stderr."""
    for line in refused_lines(file, errors):
        warn(line)


@contextmanager
def refusals() -> Iterator[None]:
    """Around a write-back use case: a refused roster's errors are listed on stderr, then the
    refusal ends the command (exit 1) as usual."""
    from ..app.check import RosterRefused

    try:
        yield
    except RosterRefused as exc:
        show_refused(exc.file, exc.errors)
        raise


def show_skipped(file: str, rows: list[int]) -> None:
    """Print :func:`skipped_line` on stderr when rows were skipped."""
    if rows:
        warn(skipped_line(file, rows))


def show_backups(backups: list[Path]) -> None:
    """Say which files were saved before being replaced."""
    for saved in backups:
        say(f"原文件已备份为 {saved.name}")


def waiting_notice(src: Path) -> Callable[[], None]:
    """The ``on_wait`` callback of an in-place use case: says that another run holds ``src``."""
    return lambda: warn(f"{src.name} 正被另一个操作修改，等待其完成……")


def show_problems(problems: list) -> None:
    """Warn about each file of a folder run that could not be read (file findings)."""
    for p in problems:
        warn(f"无法读取 {p.file}：{p.finding.message}")


@contextmanager
def unreadable_folder() -> Iterator[None]:
    """Around a folder use case (summary, merge): when no roster at all could be read, the
    files that could not be read are listed on stderr, then the error ends the command (exit 2)
    as usual."""
    from ..app.folders import NoReadableRoster

    try:
        yield
    except NoReadableRoster as exc:
        show_problems(exc.problems)
        raise


def ours_skipped(count: int) -> str:
    """The words added to "读取 N 个花名册" for the workbooks of this program a folder run
    passed over (nothing when none)."""
    return f"，跳过本程序生成的汇总表 {count} 个" if count else ""


class ConsoleProgress:
    """A :data:`~xl_pension.app.progress.Progress` callback drawing ``label 12/48`` on stderr.

    On a terminal the line is redrawn in place (with the time taken at the end); elsewhere one
    line is printed per quarter of the work. Nothing is shown for fewer than ``min_items``.
    """

    def __init__(self, *, min_items: int = 5) -> None:
        self.min_items = min_items
        self.start = time.monotonic()

    def __call__(self, done: int, total: int, label: str) -> None:
        """Show that ``done`` of ``total`` items are done."""
        if total < self.min_items:
            return
        if done == 0:
            self.start = time.monotonic()
            return
        if sys.stderr.isatty():
            width = 30
            filled = width * done // total
            bar = "█" * filled + "·" * (width - filled)
            print(f"\r{label} {bar} {done}/{total}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(f"  用时 {time.monotonic() - self.start:.1f} 秒", file=sys.stderr, flush=True)
        elif done % max(total // 4, 1) == 0 or done == total:
            print(f"{label} {done}/{total}", file=sys.stderr, flush=True)
