"""Write the print-ready sheet ``公示`` into a village workbook, keeping everything else.

The sheet is planned once (:func:`xl_pension.reports.notice_plan.notice_plan`) from the notice
and its texts (rendered from the jinja2 templates by :mod:`.notice_html`) and applied by
:func:`.workbook_plan.apply_plan`. An existing ``公示`` sheet is replaced in place; the written
file replaces the target atomically. :func:`write_notice_sheet` is a transitional wrapper for
the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .notice_html import notice_texts
from .workbook_plan import apply_plan

if TYPE_CHECKING:
    from ..reports.notice import NoticeContext


def write_notice_sheet(src: str | Path, out: str | Path, ctx: NoticeContext) -> Path:
    """Copy the workbook ``src`` to ``out`` (may be the same file) with the ``公示`` sheet."""
    from ..reports.notice_plan import notice_plan

    texts = notice_texts(ctx)  # template errors surface before the workbook is loaded
    return apply_plan(src, out, notice_plan(ctx, texts))
