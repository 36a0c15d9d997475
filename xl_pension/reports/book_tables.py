"""The parts the township summary and the county workbook share, as cell plans.

Every total carries its values and, on a ``公式核对`` row, formulas (SUM over the rows; COUNTIFS /
SUMIFS over another sheet per row) whose cached result is the value Python computed, so Excel,
WPS or LibreOffice recalculating the book must arrive at the same numbers. The builders here
decide what the sheets hold (:mod:`xl_pension.core.plan`); ``io.new_workbook`` writes them.
Positions are 1-based rows and columns, as in the plan.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from .. import __version__
from ..core.findings import Severity
from ..core.plan import (
    THIN,
    Cell,
    Formula,
    Margins,
    PrintSetup,
    SheetPlan,
    Style,
    Url,
    Value,
    cell_ref,
    column_letter,
    wrapped_lines,
)
from ..core.policy import Policy
from ..core.schema import META_SHEET, TOWNSHIP_COLUMN, VILLAGE_COLUMN
from .summary import FileFinding, Measure
from .village import Tally

FONT = "等线"
TOTAL_LABEL, CHECK_LABEL, CHECK_HEADER = "合计", "公式核对", "核对"
SAME, DIFFERENT = "一致", "不一致"
MAX_LINKS = 65000  # Excel allows 65,530 hyperlinks per sheet
MEASURE_WIDTH = {"count": 6.5, "money": 9.5, "rate": 7.5}
PAGE_FOOTER = "第 &P 页，共 &N 页"
Label = tuple[str, float]  # header and width of a column

_PLAIN = Style(font=FONT, size=10, vertical="center")
_BASE = replace(_PLAIN, border=THIN)
TITLE = replace(_PLAIN, size=16, bold=True, horizontal="center")
HEADING = replace(_PLAIN, size=14, bold=True)
PARA = replace(_PLAIN, size=11, wrap=True, vertical="top")
NOTE = replace(_PLAIN, size=9, color="595959")
NOTE_PARA = replace(NOTE, wrap=True, vertical="top")
INTERNAL_STYLE = replace(_PLAIN, size=14, bold=True, color="C00000")
HEADER = replace(_BASE, bold=True, horizontal="center", wrap=True, fill="FCE4D6")
CHECK_HEADER_STYLE = replace(HEADER, fill="E2EFDA")
LINK = replace(_BASE, color="0563C1", underline=True)
WRAP = replace(_BASE, number_format="@", wrap=True)
_FORMATS = {"text": "@", "count": "0", "money": "#,##0", "rate": "0.0%", "date": "yyyy-mm-dd"}
CELL = {k: replace(_BASE, number_format=f) for k, f in _FORMATS.items()}
TOTAL = {k: replace(s, bold=True, fill="F2F2F2") for k, s in CELL.items()}
CHECK = {k: replace(s, italic=True, fill="E2EFDA", color="375623") for k, s in CELL.items()}


def report_sheet(name: str, *, landscape: bool = True, repeat: int | None = None) -> SheetPlan:
    """A new sheet for A4 printing: fitted to the page width, numbered pages, row ``repeat``
    repeated on every page."""
    setup = PrintSetup(
        landscape=landscape,
        title_rows=(repeat, repeat) if repeat is not None else None,
        margins=Margins(sides=0.4, top=0.6, bottom=0.6),
        footer=PAGE_FOOTER,
    )
    return SheetPlan(name, print_setup=setup)


def meta_sheet(kind: str, policy: Policy, **items: object) -> SheetPlan:
    """The hidden ``_meta`` sheet that marks the book as ours (never read as a roster)."""
    sheet = SheetPlan(META_SHEET, hidden=True)
    pairs = {"kind": kind, "generator": f"xl_pension {__version__}", "policy_id": policy.id}
    for r, (key, value) in enumerate({**pairs, "year": policy.year, **items}.items(), start=1):
        sheet.put_row(r, [key, str(value)])
    return sheet


def kind_of(value: object) -> str:
    """The cell kind (a key of :data:`CELL`) a value is shown as."""
    if isinstance(value, Fraction):
        return "rate"
    if isinstance(value, dt.date):
        return "date"
    return "count" if isinstance(value, int) else "text"


def value_of(value: object) -> Value:
    """A report value as a cell value (a rate as float; None: an empty, formatted cell)."""
    return float(value) if isinstance(value, Fraction) else value  # type: ignore[return-value]


def put_row(
    sheet: SheetPlan, r: int, values: Sequence[object], kinds: Sequence[str] = (), c0: int = 1
) -> None:
    """A row of cells from column ``c0``; each kind from ``kinds`` or from the value's type."""
    cells = sheet.cells
    for i, v in enumerate(values):
        kind = kinds[i] if i < len(kinds) and kinds[i] else kind_of(v)
        cells[(r, c0 + i)] = Cell(value_of(v), CELL["text" if isinstance(v, str) else kind])


def columns(
    sheet: SheetPlan, r: int, cols: Sequence[Label], c0: int = 1, check: bool = False
) -> None:
    """A header row with the columns' widths."""
    for i, (text, width) in enumerate(cols):
        sheet.put(r, c0 + i, text, CHECK_HEADER_STYLE if check else HEADER)
        if width:
            sheet.widths[c0 + i] = width


def paragraph(
    sheet: SheetPlan, r: int, last_col: int, text: str, width: float, style: Style = PARA
) -> None:
    """A wrapped paragraph merged over columns A..last_col, its row tall enough for the text."""
    sheet.merges.append((r, 1, r, last_col))
    sheet.put(r, 1, text, style)
    size = 9 if style is NOTE_PARA else 11
    sheet.heights[r] = size * 1.45 * wrapped_lines(text, width, size / 10) + 6


def cached(value: int | Fraction | None) -> float | int | str:
    """A formula's cached result as Python computed it (a rate as float, no rate as '')."""
    if value is None:
        return ""
    return float(value) if isinstance(value, Fraction) else value


def all_same(cells: Sequence[str]) -> str:
    """A formula saying 一致 when every comparison in ``cells`` holds."""
    return f'=IF(AND({",".join(cells)}),"{SAME}","{DIFFERENT}")'


def _total_labels(sheet: SheetPlan, r: int, labels: int) -> None:
    """The labels of the 合计 row ``r`` and of the 公式核对 row below it."""
    for c in range(1, labels + 1):
        sheet.put(r, c, TOTAL_LABEL if c == 1 else None, TOTAL["text"])
        sheet.put(r + 1, c, CHECK_LABEL if c == 1 else None, CHECK["text"])


@dataclass(frozen=True)
class Check:
    """A formula column beside a measure table: ``formula(row)`` recomputes the measure
    ``measure`` of that row from another sheet."""

    header: str
    measure: str
    formula: Callable[[int], str]


@dataclass(frozen=True)
class TablePos:
    """Where a measure table landed (1-based rows and columns)."""

    first_row: int
    last_row: int
    total_row: int
    col: dict[str, int]  # measure key -> column


def measure_table(
    sheet: SheetPlan,
    top: int,
    labels: Sequence[Label],
    measures_: Sequence[Measure],
    rows: Sequence[tuple[Sequence[object], Tally]],
    total: Tally,
    checks: Sequence[Check] = (),
) -> TablePos:
    """One row per village or township, a 合计 row of values and a 公式核对 row of formulas.

    Each check column holds per row a formula recomputing a measure from another sheet, and the
    last column 核对 says 一致 when they agree with the values; on the 公式核对 row, SUM formulas
    recompute the 合计 row and 核对 says whether they agree.
    """
    nl, by_key = len(labels), {m.key: m for m in measures_}
    col = {m.key: nl + 1 + i for i, m in enumerate(measures_)}
    columns(sheet, top, [*labels, *((m.header, MEASURE_WIDTH[m.kind]) for m in measures_)])
    sheet.heights[top] = 42
    cc = nl + len(measures_) + 1  # first check column
    # the 核对 column always has its header: the 公式核对 row writes 一致/不一致 in it
    columns(sheet, top, [(k.header, 9.5) for k in checks] + [(CHECK_HEADER, 7)], cc, True)
    first, last = top + 1, top + len(rows)
    for r, (label_values, tally) in enumerate(rows, start=first):
        put_row(sheet, r, label_values)
        for m in measures_:
            sheet.put(r, col[m.key], value_of(m.get(tally)), CELL[m.kind])
        same = []
        for k, chk in enumerate(checks):
            value = cached(by_key[chk.measure].get(tally))
            sheet.put(r, cc + k, Formula("=" + chk.formula(r), value), CHECK["count"])
            same.append(f"{cell_ref(r, col[chk.measure])}={cell_ref(r, cc + k)}")
        if checks:
            sheet.put(r, cc + len(checks), Formula(all_same(same), SAME), CHECK["text"])
    tr, fr = last + 1, last + 2  # 合计 and 公式核对 rows
    _total_labels(sheet, tr, nl)
    span = (first, max(last, first))
    summed: list[tuple[int, int | Fraction | None, str]] = [
        (col[m.key], m.get(total), m.kind) for m in measures_ if m.summable
    ]
    summed += [(cc + k, by_key[c.measure].get(total), "count") for k, c in enumerate(checks)]
    for c, value, kind in summed:
        sheet.put(tr, c, value_of(value), TOTAL[kind])
        cells = f"{cell_ref(span[0], c)}:{cell_ref(span[1], c)}"
        sheet.put(fr, c, Formula(f"=SUM({cells})", cached(value)), CHECK[kind])
    if "rate" in col:  # the total rate is paid / expected, not a sum of rates
        sheet.put(tr, col["rate"], value_of(total.rate), TOTAL["rate"])
        e, p = (cell_ref(fr, col[k]) for k in ("expected", "paid"))
        formula = Formula(f'=IF({e}=0,"",{p}/{e})', cached(total.rate))
        sheet.put(fr, col["rate"], formula, CHECK["rate"])
    compared = [f"{cell_ref(tr, c)}={cell_ref(fr, c)}" for c, _, _ in summed]
    sheet.put(tr, cc + len(checks), SAME if checks else None, TOTAL["text"])
    sheet.put(fr, cc + len(checks), Formula(all_same(compared), SAME), CHECK["text"])
    return TablePos(first, last, tr, col)


def count_table(
    sheet: SheetPlan,
    top: int,
    labels: Sequence[Label],
    headers: Sequence[str],
    rows: Sequence[tuple[Sequence[object], Sequence[int | None]]],
    summable: Sequence[bool],
) -> None:
    """A table of counts with a 合计 row (values) and a 公式核对 row (SUM formulas)."""
    nl = len(labels)
    columns(sheet, top, [*labels, *((h, 8) for h in headers)])
    first, last = top + 1, top + len(rows)
    totals = [0] * len(headers)
    for r, (label_values, values) in enumerate(rows, start=first):
        put_row(sheet, r, [*label_values, *values], [""] * nl + ["count"] * len(values))
        totals = [t + (v or 0) for t, v in zip(totals, values, strict=True)]
    _total_labels(sheet, last + 1, nl)
    for i, total in enumerate(totals):
        c, ok = nl + 1 + i, summable[i]
        sheet.put(last + 1, c, total if ok else None, TOTAL["count"])
        letter = column_letter(c)
        cells = f"{letter}{first}:{letter}{max(last, first)}"
        sheet.put(last + 2, c, Formula(f"=SUM({cells})", total) if ok else None, CHECK["count"])


def link_target(root: Path, file: str, out: Path) -> str:
    """The path from the output's folder to a roster ('/'-separated, relative when possible)."""
    target = (root / file).resolve()
    try:
        return os.path.relpath(target, out.resolve().parent).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return target.as_posix()


def put_link(sheet: SheetPlan, r: int, c: int, url: str) -> None:
    """An “打开” link to the file ``url`` (plain text beyond Excel's link limit)."""
    if r <= MAX_LINKS + 1:
        sheet.cells[(r, c)] = Cell("打开", LINK, Url(url, "打开花名册并定位到该行"))
    else:
        sheet.put(r, c, "", CELL["text"])


FINDINGS_SHEET = "问题清单"
_LEVEL = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.UNUSABLE: "无法读取"}


def findings_sheet(items: Sequence[FileFinding], root: Path, out: Path) -> SheetPlan:
    """The 问题清单 sheet: every finding with its file, place and a link that opens the cell
    (``root``: where the files' paths start; ``out``: the workbook, the links are relative to)."""
    sheet = report_sheet(FINDINGS_SHEET, repeat=1)
    cols = [("序号", 6), (TOWNSHIP_COLUMN.header, 10), (VILLAGE_COLUMN.header, 10), ("文件", 24),
            ("工作表", 8), ("行", 6), ("列", 10), ("级别", 7), ("代码", 17), ("内容", 16),
            ("说明", 58), ("打开", 6)]  # fmt: skip
    columns(sheet, 1, cols)
    sheet.column_styles[11] = WRAP
    targets: dict[str, str] = {}  # one path resolution a file, not one a finding
    for r, item in enumerate(items, start=2):
        f = item.finding
        values = [r - 1, item.township, item.village, item.file, f.sheet, f.row, f.column,
                  _LEVEL[f.severity], f.code, f.value]  # fmt: skip
        put_row(sheet, r, values)
        sheet.put(r, 11, f.message, WRAP)
        sheet.heights[r] = 14 * max(1, math.ceil(len(f.message) * 2.1 / 58)) + 2  # no autofit
        where = f"#'{f.sheet}'!{item.cell or f'A{f.row}'}" if f.row and f.sheet else ""
        target = targets.get(item.file)
        if target is None:
            target = targets[item.file] = link_target(root, item.file, out)
        put_link(sheet, r, 12, target + where)
    sheet.freeze = (2, 1)
    sheet.autofilter = (1, 1, max(len(items), 1) + 1, len(cols))
    return sheet
