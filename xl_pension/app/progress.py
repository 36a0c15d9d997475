"""A small progress display for work over many files (no dependency, stderr only)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], total: int, label: str, *, min_items: int = 5) -> Iterator[T]:
    """Yield ``items`` while showing ``label 12/48`` on stderr.

    On a terminal the line is redrawn in place; elsewhere one line is printed per quarter of the
    work. Nothing is shown for fewer than ``min_items`` items.
    """
    show = total >= min_items
    tty = sys.stderr.isatty()
    start = time.monotonic()
    step = max(total // 4, 1)
    done = 0
    for item in items:
        yield item
        done += 1
        if not show:
            continue
        if tty:
            width = 30
            filled = width * done // total
            bar = "█" * filled + "·" * (width - filled)
            print(f"\r{label} {bar} {done}/{total}", end="", file=sys.stderr, flush=True)
        elif done % step == 0 or done == total:
            print(f"{label} {done}/{total}", file=sys.stderr, flush=True)
    if show and tty:
        print(f"  用时 {time.monotonic() - start:.1f} 秒", file=sys.stderr, flush=True)
