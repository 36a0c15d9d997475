"""Progress of work over many items, reported to a callback the front end supplies.

The application layer never draws anything: a use case takes ``progress`` (a :data:`Progress`
callable or ``None``) and calls it with ``(done, total, label)``: once with ``done == 0``
before the first item, then after every item. The command line draws a bar on stderr
(:class:`xl_pension.commands.console.ConsoleProgress`), the ribbon writes the status bar, the
web service stores the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

Progress = Callable[[int, int, str], None]  # (done, total, label)


def tracked(items: Iterable[T], total: int, label: str, progress: Progress | None) -> Iterator[T]:
    """Yield ``items``, telling ``progress`` how many of ``total`` are done (nothing if None)."""
    if progress is None:
        yield from items
        return
    progress(0, total, label)
    for done, item in enumerate(items, start=1):
        yield item
        progress(done, total, label)
