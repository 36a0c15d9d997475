"""The plan of the township summary workbook (乡镇汇总).

Sheets: 汇总 (report paragraph, one row per village, totals), 图表 (completion rate by village,
cumulative payers by day), 档次分布, 日进度, 重点人群 (internal), 问题清单 (with links to the
rosters' cells), 明细 (one row per payer: the data the SUMIFS read; bulk rows, no cell object
per cell) and a hidden ``_meta``. The report paragraph is rendered by the caller (from the
county-editable ``templates/report/daily.j2``); ``io.new_workbook`` writes the plan.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from ..core.plan import (
    Axis,
    BulkRows,
    Chart,
    Range,
    Series,
    SheetPlan,
    WorkbookPlan,
    column_letter,
    wrapped_lines,
)
from ..core.policy import Policy
from ..core.schema import BY_KEY, TOWNSHIP_COLUMN, VILLAGE_COLUMN
from .book_tables import (
    CELL,
    FONT,
    HEADING,
    INTERNAL_STYLE,
    MEASURE_WIDTH,
    NOTE_PARA,
    TITLE,
    TOTAL_LABEL,
    WRAP,
    Check,
    Label,
    TablePos,
    columns,
    count_table,
    findings_sheet,
    measure_table,
    meta_sheet,
    paragraph,
    put_row,
    report_sheet,
)
from .summary import TownshipSummary, chinese_day, measures, unenrolled_text
from .village import GROUP_GOVERNMENT, GROUP_NEAR

SUMMARY_SHEET, CHART_SHEET, TIER_SHEET, DAY_SHEET = "汇总", "图表", "档次分布", "日进度"
KEY_SHEET, DETAIL_SHEET = "重点人群", "明细"
INTERNAL = "内部资料，不得张贴公示"
KIND_SUMMARY = "township_summary"
CHART_RATE_TITLE, CHART_DAYS_TITLE = "各村缴费完成率", "累计缴费人数（按缴费日期）"
COUNTED = "是"  # 明细: the row's money is counted


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
_DETAIL_LETTER = {key: column_letter(i) for i, (key, _, _) in enumerate(_DETAIL, start=1)}
_DETAIL_KINDS = [
    "count",
    "",
    "",
    "",
    "",
    "",
    "count",
    "",
    "date",
    "",
    *(["money"] * 5),
    "",
    "count",
]


def _summary_sheet(
    s: TownshipSummary, policy: Policy, report: str, detail_last: int
) -> tuple[SheetPlan, TablePos]:
    sheet = report_sheet(SUMMARY_SHEET, repeat=5)
    ms = measures(policy)
    header = {m.key: m.header for m in ms}
    labels: list[Label] = [("序号", 5), (TOWNSHIP_COLUMN.header, 10), (VILLAGE_COLUMN.header, 12)]
    last_col = len(labels) + len(ms)

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
    sheet.merges.append((1, 1, 1, last_col))
    sheet.put(1, 1, title, TITLE)
    sheet.heights[1] = 26
    width = sum(w for _, w in labels) + sum(MEASURE_WIDTH[m.kind] for m in ms)
    paragraph(sheet, 2, last_col, report, width)
    note = (
        f"日报日期：{chinese_day(s.report_date)}。人数按花名册所填统计（有错误的行也计入已缴人数）；"
        "金额只计没有错误的行（金额计入人数）。右侧绿色各列用 COUNTIFS/SUMIFS 从“明细”表重算，"
        "“公式核对”行用 SUM 重算合计，“核对”应全部为“一致”。"
    )
    paragraph(sheet, 3, last_col, note, width, NOTE_PARA)
    rows = [([i + 1, v.township, v.label], v.tally) for i, v in enumerate(s.villages)]
    pos = measure_table(sheet, 5, labels, ms, rows, s.total, checks)
    sheet.freeze = (6, 4)
    if sheet.print_setup is not None:  # the formula columns are for the screen
        sheet.print_setup = replace(sheet.print_setup, area=(pos.total_row + 1, last_col))
    return sheet, pos


def _chart(kind: str, at: int, title: str, series: Series, axis: Axis) -> Chart:
    axes = {"y_axis": axis} if kind == "column" else {"x_axis": axis}
    return Chart(kind, at, 1, title, (series,), FONT, 14, scale=(2.0, 1.25), **axes)


def _chart_sheet(s: TownshipSummary, policy: Policy, pos: TablePos) -> SheetPlan:
    sheet = report_sheet(CHART_SHEET)
    title = f"{policy.county_name}{s.place} {s.year}年度征缴进度图（{chinese_day(s.report_date)}）"
    sheet.put(1, 1, title, HEADING)
    rate, first, last = pos.col["rate"], pos.first_row, pos.last_row
    series = Series(
        "完成率",
        Range(SUMMARY_SHEET, first, 3, last, 3),
        Range(SUMMARY_SHEET, first, rate, last, rate),
        labels_format="0.0%",
        fill="4472C4",
    )
    axis = Axis(number_format="0%", min=0, max=1, gridlines=True)
    sheet.charts.append(_chart("column", 3, CHART_RATE_TITLE, series, axis))
    if s.days.days:  # 日进度: days from row 3, 累计合计 after the villages and 当日合计
        last, col = 2 + len(s.days.days), len(s.villages) + 3
        series = Series(
            "累计缴费人数",
            Range(DAY_SHEET, 3, 1, last, 1),
            Range(DAY_SHEET, 3, col, last, col),
            line=("C00000", 2.25),
        )
        axis = Axis(number_format="m月d日", date_axis=True)
        sheet.charts.append(_chart("line", 23, CHART_DAYS_TITLE, series, axis))
    return sheet


def _tier_sheet(s: TownshipSummary) -> SheetPlan:
    sheet = report_sheet(TIER_SHEET, repeat=2)
    sheet.put(1, 1, f"{s.place} 已缴人员缴费档次分布（人）", HEADING)
    headers = [f"{t}元" if t is not None else "其他/未填" for t in s.tiers] + [TOTAL_LABEL]
    rows = []
    for i, (counts, name) in enumerate(zip(s.tier_counts, _names(s), strict=True)):
        rows.append(([i + 1, name], [*counts, sum(counts)]))
    labels = [("序号", 5), (VILLAGE_COLUMN.header, 14)]
    count_table(sheet, 2, labels, headers, rows, [True] * len(headers))
    sheet.freeze = (3, 3)
    return sheet


def _day_sheet(s: TownshipSummary) -> SheetPlan:
    sheet = report_sheet(DAY_SHEET, repeat=2)
    sheet.put(1, 1, f"{s.place} 每日缴费人数（集中缴费期内有缴费的日子）", HEADING)
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
    count_table(sheet, 2, [("缴费日期", 12)], headers, rows, summable)
    sheet.freeze = (3, 2)
    return sheet


def _key_sheet(s: TownshipSummary, policy: Policy) -> SheetPlan:
    sheet = report_sheet(KEY_SHEET, repeat=3)
    if sheet.print_setup is not None:
        setup = sheet.print_setup
        sheet.print_setup = replace(setup, header=INTERNAL, header_font="-", header_size=None)
    sheet.put(1, 1, f"{INTERNAL}（重点人群工作台账）", INTERNAL_STYLE)
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
    paragraph(sheet, 2, len(cols), text, sum(w for _, w in cols), NOTE_PARA)
    columns(sheet, 3, cols)
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
        r = 4 + i
        put_row(sheet, r, [i + 1, *values])
        sheet.put(r, 2, values[0], WRAP)  # type: ignore[arg-type]  # 重点类别 wraps, not cut
        lines = wrapped_lines(str(values[0]), reason_width)
        if lines > 1:
            sheet.heights[r] = 14 * lines + 2
    sheet.freeze = (4, 1)
    return sheet


def _detail_sheet(s: TownshipSummary, policy: Policy) -> SheetPlan:
    sheet = report_sheet(DETAIL_SHEET, repeat=1)
    header = {m.key: m.header for m in measures(policy)}
    columns(sheet, 1, [(h or header[k], w) for k, h, w in _DETAIL])
    rows = list(_detail_rows(s))
    styles = tuple(CELL[kind or "text"] for kind in _DETAIL_KINDS)
    sheet.bulk = BulkRows(2, rows, styles, text_style=CELL["text"], blanks=True)
    sheet.freeze = (2, 1)
    sheet.autofilter = (1, 1, max(len(rows), 1) + 1, len(_DETAIL))
    return sheet


def _detail_rows(s: TownshipSummary) -> Iterator[tuple[object, ...]]:
    """The 明细 rows: one a person of every village (plain str/int/date/None values)."""
    money_of, no_money = operator.attrgetter(*_MONEY_KEYS), (None,) * len(_MONEY_KEYS)
    for i, v in enumerate(s.villages, start=1):
        township, label, file = v.township, v.label, v.file
        for d in v.details:
            m = d.money
            day = d.pay_date.date() if isinstance(d.pay_date, dt.datetime) else d.pay_date
            yield (i, township, label, d.group, d.name, d.masked_id, d.tier, d.method, day,
                   COUNTED if m else "否（有错误）", *(money_of(m) if m else no_money), file,
                   d.row)  # fmt: skip


def township_summary_plan(
    summary: TownshipSummary,
    policy: Policy,
    *,
    report: str,
    root: Path,
    out: Path,
    charts: bool = True,
) -> WorkbookPlan:
    """The township summary workbook; ``report`` is the rendered daily paragraph, ``root`` the
    folder the rosters' relative paths start from and ``out`` the workbook (for the links)."""
    detail_last = max(1 + sum(len(v.details) for v in summary.villages), 2)
    main, pos = _summary_sheet(summary, policy, report, detail_last)
    sheets = [main, *([_chart_sheet(summary, policy, pos)] if charts else [])]
    sheets += [_tier_sheet(summary), _day_sheet(summary), _key_sheet(summary, policy)]
    sheets += [findings_sheet(summary.findings, root, out), _detail_sheet(summary, policy)]
    date = summary.report_date.isoformat()
    sheets.append(meta_sheet(KIND_SUMMARY, policy, place=summary.place, report_date=date))
    return WorkbookPlan(sheets=sheets, title=f"{summary.place}{summary.year}年度征缴汇总")
