"""Write the township summary workbook (乡镇汇总) and the parts the county workbook shares.

Written with xlsxwriter (fast, and it stores a formula's cached result): every total carries
its values and, on a ``公式核对`` row, formulas (SUM over the rows; COUNTIFS / SUMIFS over the
detail sheet per village) whose cached result is the value Python computed, so Excel, WPS or
LibreOffice recalculating the book must arrive at the same numbers. The report paragraph comes
from the county-editable jinja2 template ``templates/report/daily.j2``.

Sheets: 汇总 (report paragraph, one row per village, totals), 图表 (completion rate by village,
cumulative payers by day), 档次分布, 日进度, 重点人群 (internal), 问题清单 (with links to the
rosters' cells), 明细 (one row per payer: the data the SUMIFS read), and a hidden ``_meta``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import jinja2
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .. import __version__
from ..core import catalogue as cat
from ..core.findings import Severity
from ..core.paths import templates_dir
from ..core.plan import wrapped_lines
from ..core.policy import Policy
from ..core.schema import BY_KEY, META_SHEET, TOWNSHIP_COLUMN, VILLAGE_COLUMN
from ..reports.summary import (
    FileFinding,
    Measure,
    TownshipSummary,
    chinese_day,
    measures,
    unenrolled_text,
)
from ..reports.village import GROUP_GOVERNMENT, GROUP_NEAR, Tally
from .atomic import atomic_path
from .bulk_rows import BulkRowsWorksheet

FONT = "等线"
SUMMARY_SHEET, CHART_SHEET, TIER_SHEET, DAY_SHEET = "汇总", "图表", "档次分布", "日进度"
KEY_SHEET, FINDINGS_SHEET, DETAIL_SHEET = "重点人群", "问题清单", "明细"
INTERNAL = "内部资料，不得张贴公示"
TOTAL_LABEL, CHECK_LABEL, CHECK_HEADER = "合计", "公式核对", "核对"
SAME, DIFFERENT = "一致", "不一致"
KIND_SUMMARY = "township_summary"
MAX_LINKS = 65000  # Excel allows 65,530 hyperlinks per sheet
CHART_RATE_TITLE, CHART_DAYS_TITLE = "各村缴费完成率", "累计缴费人数（按缴费日期）"
COUNTED = "是"  # 明细: the row's money is counted
_FORMATS = {"text": "@", "count": "0", "money": "#,##0", "rate": "0.0%", "date": "yyyy-mm-dd"}
MEASURE_WIDTH = {"count": 6.5, "money": 9.5, "rate": 7.5}
_LEVEL = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.UNUSABLE: "无法读取"}
Label = tuple[str, float]  # header and width of a column


def render_report(name: str, variables: dict[str, object]) -> str:
    """Render ``templates/report/<name>`` to one paragraph (its lines joined)."""
    folder = templates_dir() / "report"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder, encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        text = env.get_template(name).render(variables)
    except jinja2.TemplateNotFound:
        raise cat.REPORT_TEMPLATE_MISSING.error(name=name, folder=folder) from None
    except (jinja2.TemplateSyntaxError, jinja2.UndefinedError) as exc:
        raise cat.REPORT_TEMPLATE_INVALID.error(name=name, reason=exc.message) from None
    return "".join(line.strip() for line in text.splitlines())


class Book:
    """An xlsxwriter workbook with the formats of our reports."""

    def __init__(self, path: Path, title: str) -> None:
        options = {"strings_to_numbers": False, "strings_to_formulas": False}
        self.wb = xlsxwriter.Workbook(str(path), {**options, "strings_to_urls": False})
        self.wb.set_properties({"title": title, "author": "xl_pension"})
        add = self.wb.add_format
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "border": 1}
        plain = {**base, "border": 0}
        self.title = add({**plain, "font_size": 16, "bold": True, "align": "center"})
        self.heading = add({**plain, "font_size": 14, "bold": True})
        self.para = add({**plain, "font_size": 11, "text_wrap": True, "valign": "top"})
        self.note = add({**plain, "font_size": 9, "font_color": "#595959"})
        self.note_para = add(
            {**plain, "font_size": 9, "font_color": "#595959", "text_wrap": True, "valign": "top"}
        )
        self.internal = add({**plain, "font_size": 14, "bold": True, "font_color": "#C00000"})
        head = {**base, "bold": True, "align": "center", "text_wrap": True}
        self.header = add({**head, "bg_color": "#FCE4D6"})
        self.check_header = add({**head, "bg_color": "#E2EFDA"})
        self.link = add({**base, "font_color": "#0563C1", "underline": 1})
        self.wrap = add({**base, "num_format": "@", "text_wrap": True})
        self.cell, self.total, self.check = {}, {}, {}
        check = {"italic": True, "bg_color": "#E2EFDA", "font_color": "#375623"}
        for kind, number_format in _FORMATS.items():
            f = {**base, "num_format": number_format}
            self.cell[kind] = add(f)
            self.total[kind] = add({**f, "bold": True, "bg_color": "#F2F2F2"})
            self.check[kind] = add({**f, **check})

    def sheet(
        self,
        name: str,
        *,
        landscape: bool = True,
        repeat: int | None = None,
        worksheet_class: type[Worksheet] | None = None,
    ) -> Worksheet:
        """A new sheet for A4 printing: fitted to the page width, numbered pages, row
        ``repeat`` (0-based) repeated on every page (``worksheet_class``: xlsxwriter's, or
        :class:`~xl_pension.io.bulk_rows.BulkRowsWorksheet` for a sheet of many rows)."""
        ws = self.wb.add_worksheet(name, worksheet_class=worksheet_class)
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        if repeat is not None:
            ws.repeat_rows(repeat)
        return ws

    def meta(self, kind: str, policy: Policy, **items: object) -> None:
        """The hidden ``_meta`` sheet that marks the book as ours (never read as a roster)."""
        ws = self.wb.add_worksheet(META_SHEET)
        pairs = {"kind": kind, "generator": f"xl_pension {__version__}", "policy_id": policy.id}
        for r, (key, value) in enumerate({**pairs, "year": policy.year, **items}.items()):
            ws.write_string(r, 0, key)
            ws.write_string(r, 1, str(value))
        ws.hide()


def _kind(value: object) -> str:
    if isinstance(value, Fraction):
        return "rate"
    if isinstance(value, dt.date):
        return "date"
    return "count" if isinstance(value, int) else "text"


def put(ws: Worksheet, r: int, c: int, value: object, fmt: object) -> None:
    """Write a value of any of our types (None: an empty, formatted cell)."""
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
    else:
        ws.write_number(r, c, float(value) if isinstance(value, Fraction) else value, fmt)


def write_row(
    book: Book, ws: Worksheet, r: int, values: Sequence[object], kinds: Sequence[str] = ()
) -> None:
    """A row of cells from column A; each kind from ``kinds`` or from the value's type."""
    for c, v in enumerate(values):
        kind = kinds[c] if c < len(kinds) and kinds[c] else _kind(v)
        put(ws, r, c, v, book.cell["text" if isinstance(v, str) else kind])


def columns(
    book: Book, ws: Worksheet, r: int, cols: Sequence[Label], c0: int = 0, check: bool = False
) -> None:
    """A header row with the columns' widths."""
    for i, (text, width) in enumerate(cols):
        ws.write_string(r, c0 + i, text, book.check_header if check else book.header)
        if width:
            ws.set_column(c0 + i, c0 + i, width)


def paragraph(
    book: Book, ws: Worksheet, r: int, last_col: int, text: str, width: float, fmt: object = None
) -> None:
    """A wrapped paragraph merged over columns A..last_col, its row tall enough for the text."""
    fmt = fmt or book.para
    ws.merge_range(r, 0, r, last_col, text, fmt)
    size = 9 if fmt is book.note_para else 11
    ws.set_row(r, size * 1.45 * wrapped_lines(text, width, size / 10) + 6)


def cached(value: int | Fraction | None) -> float | int | str:
    """A formula's cached result as Python computed it (a rate as float, no rate as '')."""
    if value is None:
        return ""
    return float(value) if isinstance(value, Fraction) else value


def _all_same(cells: Sequence[str]) -> str:
    return f'=IF(AND({",".join(cells)}),"{SAME}","{DIFFERENT}")'


def _total_labels(book: Book, ws: Worksheet, r: int, labels: int) -> None:
    """The labels of the 合计 row ``r`` and of the 公式核对 row below it."""
    for c in range(labels):
        put(ws, r, c, TOTAL_LABEL if c == 0 else None, book.total["text"])
        put(ws, r + 1, c, CHECK_LABEL if c == 0 else None, book.check["text"])


@dataclass(frozen=True)
class Check:
    """A formula column beside a measure table: ``formula(excel_row)`` recomputes the measure
    ``measure`` of that row from another sheet."""

    header: str
    measure: str
    formula: Callable[[int], str]


@dataclass(frozen=True)
class TablePos:
    """Where a measure table landed (0-based rows and columns)."""

    first_row: int
    last_row: int
    total_row: int
    col: dict[str, int]  # measure key -> column


def write_measure_table(
    book: Book,
    ws: Worksheet,
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
    col = {m.key: nl + i for i, m in enumerate(measures_)}
    columns(book, ws, top, [*labels, *((m.header, MEASURE_WIDTH[m.kind]) for m in measures_)])
    ws.set_row(top, 42)
    cc = nl + len(measures_)  # first check column
    # the 核对 column always has its header: the 公式核对 row writes 一致/不一致 in it
    columns(book, ws, top, [(k.header, 9.5) for k in checks] + [(CHECK_HEADER, 7)], cc, True)
    first, last = top + 1, top + len(rows)
    for r, (label_values, tally) in enumerate(rows, start=first):
        write_row(book, ws, r, label_values)
        for m in measures_:
            put(ws, r, col[m.key], m.get(tally), book.cell[m.kind])
        same = []
        for k, chk in enumerate(checks):
            value = cached(by_key[chk.measure].get(tally))
            ws.write_formula(r, cc + k, "=" + chk.formula(r + 1), book.check["count"], value)
            same.append(f"{xl_rowcol_to_cell(r, col[chk.measure])}={xl_rowcol_to_cell(r, cc + k)}")
        if checks:
            ws.write_formula(r, cc + len(checks), _all_same(same), book.check["text"], SAME)
    tr, fr = last + 1, last + 2  # 合计 and 公式核对 rows
    _total_labels(book, ws, tr, nl)
    span = (first, max(last, first))
    summed: list[tuple[int, int | Fraction | None, str]] = [
        (col[m.key], m.get(total), m.kind) for m in measures_ if m.summable
    ]
    summed += [(cc + k, by_key[c.measure].get(total), "count") for k, c in enumerate(checks)]
    for c, value, kind in summed:
        put(ws, tr, c, value, book.total[kind])
        cells = f"{xl_rowcol_to_cell(span[0], c)}:{xl_rowcol_to_cell(span[1], c)}"
        ws.write_formula(fr, c, f"=SUM({cells})", book.check[kind], cached(value))
    if "rate" in col:  # the total rate is paid / expected, not a sum of rates
        put(ws, tr, col["rate"], total.rate, book.total["rate"])
        e, p = (xl_rowcol_to_cell(fr, col[k]) for k in ("expected", "paid"))
        formula = f'=IF({e}=0,"",{p}/{e})'
        ws.write_formula(fr, col["rate"], formula, book.check["rate"], cached(total.rate))
    compared = [f"{xl_rowcol_to_cell(tr, c)}={xl_rowcol_to_cell(fr, c)}" for c, _, _ in summed]
    put(ws, tr, cc + len(checks), SAME if checks else None, book.total["text"])
    ws.write_formula(fr, cc + len(checks), _all_same(compared), book.check["text"], SAME)
    return TablePos(first, last, tr, col)


def write_count_table(
    book: Book,
    ws: Worksheet,
    top: int,
    labels: Sequence[Label],
    headers: Sequence[str],
    rows: Sequence[tuple[Sequence[object], Sequence[int | None]]],
    summable: Sequence[bool],
) -> None:
    """A table of counts with a 合计 row (values) and a 公式核对 row (SUM formulas)."""
    nl = len(labels)
    columns(book, ws, top, [*labels, *((h, 8) for h in headers)])
    first, last = top + 1, top + len(rows)
    totals = [0] * len(headers)
    for r, (label_values, values) in enumerate(rows, start=first):
        write_row(book, ws, r, [*label_values, *values], [""] * nl + ["count"] * len(values))
        totals = [t + (v or 0) for t, v in zip(totals, values, strict=True)]
    _total_labels(book, ws, last + 1, nl)
    for c, total in enumerate(totals, start=nl):
        ok = summable[c - nl]
        put(ws, last + 1, c, total if ok else None, book.total["count"])
        cells = f"{xl_col_to_name(c)}{first + 1}:{xl_col_to_name(c)}{max(last, first) + 1}"
        if ok:
            ws.write_formula(last + 2, c, f"=SUM({cells})", book.check["count"], total)
        else:
            ws.write_blank(last + 2, c, None, book.check["count"])


def link_target(root: Path, file: str, out: Path) -> str:
    """The path from the output's folder to a roster ('/'-separated, relative when possible)."""
    target = (root / file).resolve()
    try:
        return os.path.relpath(target, out.resolve().parent).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return target.as_posix()


def write_link(book: Book, ws: Worksheet, r: int, c: int, url: str) -> None:
    """An “打开” link to ``external:`` ``url`` (plain text beyond Excel's link limit)."""
    if r <= MAX_LINKS:
        ws.write_url(r, c, "external:" + url, book.link, "打开", "打开花名册并定位到该行")
    else:
        ws.write_string(r, c, "", book.cell["text"])


def write_findings(book: Book, items: Sequence[FileFinding], root: Path, out: Path) -> None:
    """The 问题清单 sheet: every finding with its file, place and a link that opens the cell."""
    ws = book.sheet(FINDINGS_SHEET, repeat=0)
    cols = [("序号", 6), (TOWNSHIP_COLUMN.header, 10), (VILLAGE_COLUMN.header, 10), ("文件", 24),
            ("工作表", 8), ("行", 6), ("列", 10), ("级别", 7), ("代码", 17), ("内容", 16),
            ("说明", 58), ("打开", 6)]  # fmt: skip
    columns(book, ws, 0, cols)
    ws.set_column(10, 10, 58, book.wrap)
    for r, item in enumerate(items, start=1):
        f = item.finding
        values = [r, item.township, item.village, item.file, f.sheet, f.row, f.column,
                  _LEVEL[f.severity], f.code, f.value]  # fmt: skip
        write_row(book, ws, r, values)
        ws.write_string(r, 10, f.message, book.wrap)
        ws.set_row(r, 14 * max(1, math.ceil(len(f.message) * 2.1 / 58)) + 2)  # no autofit in print
        where = f"#'{f.sheet}'!{item.cell or f'A{f.row}'}" if f.row and f.sheet else ""
        write_link(book, ws, r, 11, link_target(root, item.file, out) + where)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(items), 1), len(cols) - 1)


def _h(key: str) -> str:
    return BY_KEY[key].header


def _names(s: TownshipSummary) -> list[str]:
    several = len({v.township for v in s.villages}) > 1
    return [f"{v.township}{v.label}" if several else v.label for v in s.villages]


# 明细: (key, header or schema key, width); the measure keys are the Money fields summed by SUMIFS.
_MONEY_KEYS = ("personal_due", "government_paid", "subsidy", "backpay", "credited")
_DETAIL = [("index", "村序号", 6), ("township", TOWNSHIP_COLUMN.header, 10),
           ("village", VILLAGE_COLUMN.header, 10), ("group", _h("group"), 9),
           ("name", _h("name"), 9), ("id", _h("id_number"), 21), ("tier", _h("tier"), 9),
           ("method", _h("method"), 9), ("date", _h("pay_date"), 11), ("counted", "计入金额", 8),
           *((k, "", 10) for k in _MONEY_KEYS), ("file", "文件", 24), ("row", "行", 6)]  # fmt: skip
_DETAIL_LETTER = {key: xl_col_to_name(i) for i, (key, _, _) in enumerate(_DETAIL)}


def _summary_sheet(
    book: Book, s: TownshipSummary, policy: Policy, report: str, detail_last: int
) -> TablePos:
    ws = book.sheet(SUMMARY_SHEET, repeat=4)
    ms = measures(policy)
    header = {m.key: m.header for m in ms}
    labels: list[Label] = [("序号", 5), (TOWNSHIP_COLUMN.header, 10), (VILLAGE_COLUMN.header, 12)]
    last_col = len(labels) + len(ms) - 1

    def rng(key: str) -> str:
        letter = _DETAIL_LETTER[key]
        return f"'{DETAIL_SHEET}'!${letter}$2:${letter}${detail_last}"

    def sumifs(key: str) -> Callable[[int], str]:
        return lambda r: f"SUMIFS({rng(key)},{rng('index')},$A{r})"

    counted = f'{rng("counted")},"{COUNTED}"'
    checks = [
        Check("明细·已缴人数", "paid", lambda r: f"COUNTIFS({rng('index')},$A{r})"),
        Check(
            "明细·金额计入人数", "counted", lambda r: f"COUNTIFS({rng('index')},$A{r},{counted})"
        ),
        *(Check(f"明细·{header[k]}", k, sumifs(k)) for k in _MONEY_KEYS),
    ]
    title = f"{policy.county_name}{s.place} {s.year}年度城乡居民基本养老保险征缴汇总表"
    ws.merge_range(0, 0, 0, last_col, title, book.title)
    ws.set_row(0, 26)
    width = sum(w for _, w in labels) + sum(MEASURE_WIDTH[m.kind] for m in ms)
    paragraph(book, ws, 1, last_col, report, width)
    note = (
        f"日报日期：{chinese_day(s.report_date)}。人数按花名册所填统计（有错误的行也计入已缴人数）；"
        "金额只计没有错误的行（金额计入人数）。右侧绿色各列用 COUNTIFS/SUMIFS 从“明细”表重算，"
        "“公式核对”行用 SUM 重算合计，“核对”应全部为“一致”。"
    )
    paragraph(book, ws, 2, last_col, note, width, book.note_para)
    rows = [([i + 1, v.township, v.label], v.tally) for i, v in enumerate(s.villages)]
    pos = write_measure_table(book, ws, 4, labels, ms, rows, s.total, checks)
    ws.freeze_panes(5, 3)
    ws.print_area(0, 0, pos.total_row + 1, last_col)  # the formula columns are for the screen
    return pos


def _chart(book: Book, kind: str, title: str, series: dict, axis: dict) -> object:
    chart = book.wb.add_chart({"type": kind})
    chart.add_series(series)
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 14}})
    (chart.set_y_axis if kind == "column" else chart.set_x_axis)(axis)
    chart.set_legend({"none": True})
    return chart


def _chart_sheet(book: Book, s: TownshipSummary, policy: Policy, pos: TablePos) -> None:
    ws = book.sheet(CHART_SHEET)
    title = f"{policy.county_name}{s.place} {s.year}年度征缴进度图（{chinese_day(s.report_date)}）"
    ws.write_string(0, 0, title, book.heading)
    size = {"x_scale": 2.0, "y_scale": 1.25}
    rate, first, last = pos.col["rate"], pos.first_row, pos.last_row
    series = {
        "name": "完成率",
        "categories": [SUMMARY_SHEET, first, 2, last, 2],
        "values": [SUMMARY_SHEET, first, rate, last, rate],
        "data_labels": {"value": True, "num_format": "0.0%"},
        "fill": {"color": "#4472C4"},
    }
    axis = {"num_format": "0%", "min": 0, "max": 1, "major_gridlines": {"visible": True}}
    ws.insert_chart(2, 0, _chart(book, "column", CHART_RATE_TITLE, series, axis), size)
    if s.days.days:  # 日进度: days from row 3, 累计合计 after the villages and 当日合计
        last, col = 1 + len(s.days.days), len(s.villages) + 2
        series = {
            "name": "累计缴费人数",
            "categories": [DAY_SHEET, 2, 0, last, 0],
            "values": [DAY_SHEET, 2, col, last, col],
            "line": {"color": "#C00000", "width": 2.25},
        }
        axis = {"date_axis": True, "num_format": "m月d日"}
        ws.insert_chart(22, 0, _chart(book, "line", CHART_DAYS_TITLE, series, axis), size)


def _tier_sheet(book: Book, s: TownshipSummary) -> None:
    ws = book.sheet(TIER_SHEET, repeat=1)
    ws.write_string(0, 0, f"{s.place} 已缴人员缴费档次分布（人）", book.heading)
    headers = [f"{t}元" if t is not None else "其他/未填" for t in s.tiers] + [TOTAL_LABEL]
    rows = []
    for i, (counts, name) in enumerate(zip(s.tier_counts, _names(s), strict=True)):
        rows.append(([i + 1, name], [*counts, sum(counts)]))
    labels = [("序号", 5), (VILLAGE_COLUMN.header, 14)]
    write_count_table(book, ws, 1, labels, headers, rows, [True] * len(headers))
    ws.freeze_panes(2, 2)


def _day_sheet(book: Book, s: TownshipSummary) -> None:
    ws = book.sheet(DAY_SHEET, repeat=1)
    ws.write_string(0, 0, f"{s.place} 每日缴费人数（集中缴费期内有缴费的日子）", book.heading)
    names, t = _names(s), s.days
    n, cumulative = len(names), t.cumulative
    per_village = [t.village_cumulative(i) for i in range(n)]
    rows: list[tuple[list[object], list[int | None]]] = [
        ([day], [*t.counts[i], sum(t.counts[i]), cumulative[i], *(c[i] for c in per_village)])
        for i, day in enumerate(t.days)
    ]
    for label, values in (("集中缴费期外", t.outside), ("日期未填或有误", t.undated)):
        rows.append(([label], [*values, sum(values), None, *([None] * n)]))
    headers = [*names, "当日合计", "累计合计", *(f"{name}累计" for name in names)]
    summable = [True] * (n + 1) + [False] * (n + 1)
    write_count_table(book, ws, 1, [("缴费日期", 12)], headers, rows, summable)
    ws.freeze_panes(2, 1)


def _key_sheet(book: Book, s: TownshipSummary, policy: Policy) -> None:
    ws = book.sheet(KEY_SHEET, repeat=2)
    ws.set_header(f'&C&"-,Bold"{INTERNAL}')
    ws.write_string(0, 0, f"{INTERNAL}（重点人群工作台账）", book.internal)
    c = s.key_counts
    rules = policy.key_group_rules
    text = (
        f"按 {policy.age_reference_date:%Y-%m-%d} 的年龄：{GROUP_NEAR}（{rules.near_pension_years} "
        f"年内年满 {policy.pension.age} 周岁）{c.get(GROUP_NEAR, 0)} 人；{GROUP_GOVERNMENT} "
        f"{c.get(GROUP_GOVERNMENT, 0)} 人；{unenrolled_text(s, policy)}"
        "未缴原因为死亡、迁出等不计应缴的人员不列入。"
    )
    cols = [("序号", 5), ("重点类别", 22), (TOWNSHIP_COLUMN.header, 10), (VILLAGE_COLUMN.header, 10),
            (_h("group"), 9), (_h("name"), 9), (_h("id_number"), 21), ("年龄", 6),
            (_h("category"), 12), (_h("unpaid_reason"), 14), ("文件", 24), ("行", 6)]  # fmt: skip
    paragraph(book, ws, 1, len(cols) - 1, text, sum(w for _, w in cols), book.note_para)
    columns(book, ws, 2, cols)
    rows: list[list[object]] = []
    for k in s.key_people:
        p = k.person
        rows.append([ "、".join(p.groups), k.township, k.village, p.group, p.name, p.masked_id,
                     p.age, p.category, p.unpaid_reason, k.file, p.row])  # fmt: skip
    if s.unenrolled is not None:
        group = s.unenrolled.group
        for u in s.unenrolled.people:
            rows.append([group, u.township, u.village, u.group, u.name, u.masked_id, u.age,
                         "", "", s.unenrolled.file, u.row])  # fmt: skip
    reason_width = cols[1][1]
    for i, values in enumerate(rows):
        write_row(book, ws, 3 + i, [i + 1, *values])
        put(ws, 3 + i, 1, values[0], book.wrap)  # 重点类别 wraps instead of being cut
        lines = wrapped_lines(str(values[0]), reason_width)
        if lines > 1:
            ws.set_row(3 + i, 14 * lines + 2)
    ws.freeze_panes(3, 0)


def _detail_sheet(book: Book, s: TownshipSummary, policy: Policy) -> None:
    ws = book.sheet(DETAIL_SHEET, repeat=0, worksheet_class=BulkRowsWorksheet)
    header = {m.key: m.header for m in measures(policy)}
    columns(book, ws, 0, [(h or header[k], w) for k, h, w in _DETAIL])
    kinds = ["count", "", "", "", "", "", "count", "", "date", "", *(["money"] * 5), "", "count"]
    rows = list(_detail_rows(s))
    formats = [book.cell[kind or "text"] for kind in kinds]
    if not ws.store_rows(1, rows, formats, string_format=book.cell["text"], blanks=True):
        for r, values in enumerate(rows, start=1):
            write_row(book, ws, r, values, kinds)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(_DETAIL) - 1)


def _detail_rows(s: TownshipSummary) -> Iterator[list[object]]:
    """The 明细 rows: one a person of every village (plain str/int/date/None values)."""
    for i, v in enumerate(s.villages, start=1):
        for d in v.details:
            m = d.money
            money = [getattr(m, k) for k in _MONEY_KEYS] if m else [None] * len(_MONEY_KEYS)
            counted = COUNTED if m else "否（有错误）"
            day = d.pay_date.date() if isinstance(d.pay_date, dt.datetime) else d.pay_date
            yield [i, v.township, v.label, d.group, d.name, d.masked_id, d.tier, d.method,
                   day, counted, *money, v.file, d.row]  # fmt: skip


def write_township_summary(
    path: str | Path,
    summary: TownshipSummary,
    policy: Policy,
    *,
    report: str,
    root: str | Path,
    charts: bool = True,
) -> Path:
    """Write the township summary workbook atomically; ``report`` is the rendered daily
    paragraph, ``root`` the folder the rosters' relative paths start from (for the links)."""
    path, root = Path(path), Path(root)
    detail_last = max(1 + sum(len(v.details) for v in summary.villages), 2)
    with atomic_path(path) as tmp:
        book = Book(tmp, f"{summary.place}{summary.year}年度征缴汇总")
        pos = _summary_sheet(book, summary, policy, report, detail_last)
        if charts:
            _chart_sheet(book, summary, policy, pos)
        _tier_sheet(book, summary)
        _day_sheet(book, summary)
        _key_sheet(book, summary, policy)
        write_findings(book, summary.findings, root, path)
        _detail_sheet(book, summary, policy)
        date = summary.report_date.isoformat()
        book.meta(KIND_SUMMARY, policy, place=summary.place, report_date=date)
        book.wb.close()
    return path
