"""The combined HTML pages of a folder notice run, written one township at a time.

With one township folder (or none) the folder gets one combined page (:data:`COMBINED_HTML`)
holding every village. With several township folders, each gets its own combined page (the
rosters directly in the folder one of their own, :data:`LOOSE_HTML`) and the folder's combined
page becomes an index linking them, so that no page holds the whole county and only one
township's rows are kept in memory at a time.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..reports.notice import NoticeContext

COMBINED_HTML = "公示汇总.html"
LOOSE_HTML = "公示汇总_本文件夹.html"  # rosters directly in the folder, beside township folders


def group_of(rel: Path) -> str:
    """The township folder of a roster (its first folder under the run's folder; '' for a
    roster directly in it)."""
    return rel.parts[0] if len(rel.parts) > 1 else ""


class CombinedPages:
    """Collects the villages' notices of a folder run (grouped by township folder, in file
    order) and writes each township's combined page as soon as the next township starts."""

    def __init__(self, out_root: Path, groups: list[str]) -> None:
        self.out_root = out_root
        self.several = len(set(groups) - {""}) > 1  # township folders, not files in the folder
        self.key: str | None = None
        self.contexts: list[NoticeContext] = []
        self.loose: list[NoticeContext] = []  # rosters directly in the folder, written last
        self.pages: list[tuple[str, Path, int, int, NoticeContext]] = []

    def add(self, group: str, ctx: NoticeContext) -> None:
        """One village's notice; ``group`` is its :func:`group_of`."""
        if not self.several:
            group = ""
        elif not group:
            self.loose.append(ctx)
            return
        if group != self.key:
            self._flush()
            self.key = group
        self.contexts.append(ctx)

    def _flush(self) -> None:
        """Write the pending township's combined page and forget its rows."""
        from ..io.notice_html import write_html

        if not self.contexts:
            return
        key = self.key or ""
        if not self.several:
            path = self.out_root / COMBINED_HTML
        elif key:
            path = self.out_root / key / COMBINED_HTML
        else:
            path = self.out_root / LOOSE_HTML
        write_html(path, [c.page() for c in self.contexts])
        people = sum(c.totals.people for c in self.contexts)
        first = replace(self.contexts[0], rows=[])
        self.pages.append((key or self.out_root.name, path, len(self.contexts), people, first))
        self.contexts = []

    def finish(self) -> Path | None:
        """Write the last township's page and, with several townships, the index; returns the
        page to open first (``None`` when nothing was written)."""
        from ..io.notice_html import IndexEntry, combined_title, write_index

        self._flush()
        if self.loose:
            self.key, self.contexts, self.loose = "", self.loose, []
            self._flush()
        if not self.pages:
            return None
        if not self.several:
            return self.pages[0][1]
        entries = [
            IndexEntry(label, path.relative_to(self.out_root).as_posix(), villages, people)
            for label, path, villages, people, _ in self.pages
        ]
        title = combined_title([first.page() for *_, first in self.pages])
        return write_index(self.out_root / COMBINED_HTML, title, entries)
