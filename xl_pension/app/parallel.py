"""Per-file work on every core: a process pool that keeps memory bounded and reports progress.

Each worker handles one file at a time and returns a small result, so the parent never holds
more than the results. With one core, few items, or ``XL_PENSION_JOBS=1`` the work runs in this
process (same results, simpler tracebacks for debugging).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from .progress import Progress, tracked

T = TypeVar("T")
R = TypeVar("R")
MIN_PARALLEL_ITEMS = 4


def jobs() -> int:
    """Worker processes to use: ``XL_PENSION_JOBS`` or the number of usable cores."""
    env = os.environ.get("XL_PENSION_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_files(
    func: Callable[[T], R],
    items: Sequence[T],
    label: str,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Iterator[R]:
    """Yield ``func(item)`` for every item, in order, telling ``progress`` (``label``) how far.

    ``func`` must be a module-level function (it is sent to worker processes by name).
    Workers run with the cyclic garbage collector on, even when the parent has paused it
    (:func:`~.bulk_objects.objects_in_bulk`) before they were forked.
    """
    n = workers if workers is not None else jobs()
    if n <= 1 or len(items) < MIN_PARALLEL_ITEMS:
        yield from tracked((func(item) for item in items), len(items), label, progress)
        return
    with ProcessPoolExecutor(max_workers=min(n, len(items)), initializer=gc.enable) as pool:
        results = pool.map(func, items, chunksize=1)
        yield from tracked(results, len(items), label, progress)
