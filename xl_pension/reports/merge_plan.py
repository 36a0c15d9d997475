"""The plan of the county workbook (全县汇总).

Sheets: 通报 (paragraph from ``templates/report/county.j2``, townships ranked by completion rate
with 名次, a chart), 乡镇汇总 (one row per township with the village measures; the conservation
check), 村汇总 (every village of the county), 重复参保 (both places of every ID found twice,
masked), 问题清单 (every finding, linked) and a hidden ``_meta``. No full ID number: the
declarations are written per township by ``declare``. ``io.new_workbook`` writes the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from ..core.plan import Axis, Chart, Formula, Range, Series, SheetPlan, WorkbookPlan, cell_ref
from ..core.policy import Policy
from ..core.schema import ROSTER_SHEET, TOWNSHIP_COLUMN, VILLAGE_COLUMN
from .book_tables import (
    CELL,
    CHECK,
    CHECK_HEADER,
    DIFFERENT,
    FONT,
    HEADING,
    INTERNAL_STYLE,
    NOTE,
    SAME,
    TITLE,
    columns,
    findings_sheet,
    link_target,
    measure_table,
    meta_sheet,
    paragraph,
    put_link,
    put_row,
    report_sheet,
)
from .merge import REASONS, Conservation, CountyResult
from .summary import chinese_day, measures

BULLETIN_SHEET, TOWNSHIP_SHEET, VILLAGE_SHEET, DUPLICATE_SHEET = (
    "通报",
    "乡镇汇总",
    "村汇总",
    "重复参保",
)
KIND_MERGE = "county_merge"
CHART_TITLE = "各乡镇缴费完成率"
NOT_REPORTED = "未报送"
TOWNSHIP, VILLAGE = TOWNSHIP_COLUMN.header, VILLAGE_COLUMN.header


def _bulletin(result: CountyResult, policy: Policy, report: str, date: dt.date) -> SheetPlan:
    sheet = report_sheet(BULLETIN_SHEET, landscape=False, repeat=4)
    cols = [("名次", 6), ("乡镇代码", 11), (TOWNSHIP, 11), ("村数", 6), ("应缴人数", 9),
            ("已缴人数", 9), ("未缴人数", 9), ("完成率", 9), ("备注", 10)]  # fmt: skip
    last_col = len(cols)
    title = (
        f"{policy.county_name}{policy.year}年度城乡居民养老保险征缴进度通报（{chinese_day(date)}）"
    )
    sheet.merges.append((1, 1, 1, last_col))
    sheet.put(1, 1, title, TITLE)
    sheet.heights[1] = 26
    paragraph(sheet, 2, last_col, report, sum(w for _, w in cols))
    columns(sheet, 4, cols)
    ranked = result.ranking()
    for r, (rank, t) in enumerate(ranked, start=5):
        tally = t.tally
        values = [rank if rank is not None else "—", t.township.code, t.township.name,
                  len(t.villages), tally.expected, tally.paid, tally.unpaid,
                  tally.rate if t.reported else None, "" if t.reported else NOT_REPORTED]  # fmt: skip
        put_row(sheet, r, values, ["", "", "", "", "", "", "", "rate"])
    reported = sum(1 for _, t in ranked if t.reported)
    if reported:
        series = Series(
            "完成率",
            Range(BULLETIN_SHEET, 5, 3, 4 + reported, 3),
            Range(BULLETIN_SHEET, 5, 8, 4 + reported, 8),
            labels_format="0.0%",
            fill="4472C4",
        )
        chart = Chart(
            "bar",
            6 + len(ranked),
            1,
            CHART_TITLE,
            (series,),
            FONT,
            13,
            x_axis=Axis(number_format="0%", min=0, max=1),
            y_axis=Axis(reverse=True),
            scale=(1.45, 1.2),
        )
        sheet.charts.append(chart)
    return sheet


def _township_sheet(result: CountyResult, policy: Policy, cons: Conservation) -> SheetPlan:
    sheet = report_sheet(TOWNSHIP_SHEET, repeat=3)
    ms = measures(policy)
    labels = [("序号", 5), ("乡镇代码", 11), (TOWNSHIP, 11)]
    last_col = len(labels) + len(ms)
    title = f"{policy.county_name}{policy.year}年度城乡居民基本养老保险征缴汇总（按乡镇）"
    sheet.merges.append((1, 1, 1, last_col))
    sheet.put(1, 1, title, TITLE)
    note = (
        "人数按花名册所填统计；金额只计没有错误、没有重复的行，与各乡镇申报清单（xl-pension "
        "declare）的合计一致。本表不含完整身份证号码。"
    )
    sheet.put(2, 1, note, NOTE)
    rows = [
        ([i + 1, t.township.code, t.township.name], t.tally) for i, t in enumerate(result.townships)
    ]
    pos = measure_table(sheet, 3, labels, ms, rows, result.total)
    sheet.freeze = (4, 4)
    end = _conservation_block(sheet, pos.total_row + 3, result, cons)
    if sheet.print_setup is not None:
        sheet.print_setup = replace(sheet.print_setup, area=(end, last_col))
    return sheet


def _conservation_block(
    sheet: SheetPlan, top: int, result: CountyResult, cons: Conservation
) -> int:
    """Rows read = declared + unpaid + rejected, with a formula that checks it; returns the last
    row written."""
    sheet.put(top, 1, "数据守恒核对", INTERNAL_STYLE)
    names = ["读取行数", "申报", "未缴", *REASONS, CHECK_HEADER]
    columns(sheet, top + 1, [(n, 0) for n in names], 2)
    sheet.heights[top + 1] = 30
    values = [
        result.rows_read,
        result.listed,
        result.unpaid,
        *(result.rejected[k] for k in REASONS),
    ]
    r, n = top + 2, len(values)
    for c, v in enumerate(values, start=2):
        sheet.put(r, c, v, CELL["count"])
    parts = "+".join(cell_ref(r, 2 + c) for c in range(1, n))
    read = cell_ref(r, 2)
    formula = f'=IF({read}={parts},"{SAME}","{DIFFERENT}")'
    sheet.put(r, 2 + n, Formula(formula, SAME if cons.ok else DIFFERENT), CHECK["text"])
    lines = [*cons.lines, *cons.differences]
    for i, line in enumerate(lines, start=1):
        sheet.put(r + i, 2, line, NOTE)
    return r + len(lines)


def _village_sheet(result: CountyResult, policy: Policy) -> SheetPlan:
    sheet = report_sheet(VILLAGE_SHEET, repeat=2)
    title = f"{policy.county_name}{policy.year}年度各村（社区）征缴情况"
    sheet.put(1, 1, title, HEADING)
    labels = [("序号", 5), (TOWNSHIP, 10), (VILLAGE, 12), ("文件", 22)]
    rows = [([i + 1, v.township, v.label, v.file], v.tally) for i, v in enumerate(result.villages)]
    measure_table(sheet, 2, labels, measures(policy), rows, result.total)
    sheet.freeze = (3, 4)
    return sheet


def _duplicate_sheet(result: CountyResult, root: Path, out: Path) -> SheetPlan:
    sheet = report_sheet(DUPLICATE_SHEET, repeat=2)
    title = (
        "重复参保：同一身份证号码出现在两个村，保留前者、后者暂不申报，请两村核实后删除其中一处。"
    )
    sheet.put(1, 1, title, HEADING)
    place = [(TOWNSHIP, 10), (VILLAGE, 10), ("文件", 22), ("行", 5), ("打开", 6)]
    cols = [
        ("序号", 5),
        ("身份证号码", 21),
        ("保留：姓名", 11),
        *place,
        ("暂不列入：姓名", 14),
        *place,
    ]
    columns(sheet, 2, cols)
    if not result.duplicates:
        sheet.put(3, 1, "未发现重复参保。", NOTE)
    for r, d in enumerate(result.duplicates, start=3):
        f, s = d.first, d.later
        put_row(sheet, r, [r - 2, d.masked_id, f.name, f.township, f.village, f.file, f.row,
                           None, s.name, s.township, s.village, s.file, s.row])  # fmt: skip
        for c, occ in ((8, f), (14, s)):
            put_link(sheet, r, c, f"{link_target(root, occ.file, out)}#'{ROSTER_SHEET}'!A{occ.row}")
    sheet.freeze = (3, 1)
    return sheet


def county_plan(
    result: CountyResult,
    policy: Policy,
    conservation: Conservation,
    *,
    report: str,
    root: Path,
    out: Path,
    date: dt.date,
) -> WorkbookPlan:
    """The county workbook; ``report`` is the rendered 通报 paragraph, ``root`` the merged
    folder and ``out`` the workbook (for the links to the rosters)."""
    sheets = [
        _bulletin(result, policy, report, date),
        _township_sheet(result, policy, conservation),
        _village_sheet(result, policy),
        _duplicate_sheet(result, root, out),
        findings_sheet(result.findings, root, out),
        meta_sheet(KIND_MERGE, policy, date=date.isoformat()),
    ]
    return WorkbookPlan(sheets=sheets, title=f"{policy.county_name}{policy.year}年度征缴汇总")
