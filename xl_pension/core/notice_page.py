"""What one village's notice page shows, as plain values: built by ``reports/``, rendered by ``io/``.

The notice's content (who is listed, which columns, the totals line, the period) is decided in
:mod:`xl_pension.reports.notice`; :meth:`~xl_pension.reports.notice.NoticeContext.page` turns it
into a :class:`NoticePage`, and :mod:`xl_pension.io.notice_html` renders that with the county's
jinja2 templates (the text templates read :attr:`NoticePage.variables`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .money import Totals


@dataclass(frozen=True)
class NoticePage:
    """One village's notice for the templates: texts' variables, table columns, rows, totals."""

    county: str
    township: str
    village: str
    year: int
    variables: Mapping[str, object]  # what the text templates (title, intro, ...) may use
    columns: tuple[tuple[str, str], ...]  # (key, header) of the shown columns, left to right
    rows: list[tuple[object, ...]] = field(default_factory=list)  # cells in the shown columns
    totals: Totals = field(default_factory=Totals)
    totals_line: tuple[tuple[object, int], ...] = ()  # (value, columns spanned)
