"""Write the county workbook (全县汇总) with xlsxwriter.

Sheets: 通报 (paragraph from ``templates/report/county.j2``, townships ranked by completion rate
with 名次, a chart), 乡镇汇总 (one row per township with the village measures; COUNTIFS/SUMIFS
over the batch list beside them; the conservation check), 村汇总 (every village of the county),
重复参保 (both places of every ID found twice, masked), 问题清单 (every finding, linked) and a
hidden ``_meta``. No full ID number: the declarations are written per township by ``declare``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from ..core.policy import Policy
from ..core.schema import ROSTER_SHEET, TOWNSHIP_COLUMN, VILLAGE_COLUMN
from ..reports.merge import REASONS, Conservation, CountyResult
from ..reports.summary import chinese_day, measures
from .atomic import atomic_path
from .summary_writer import (
    CHECK_HEADER,
    DIFFERENT,
    FONT,
    SAME,
    Book,
    columns,
    link_target,
    paragraph,
    write_findings,
    write_link,
    write_measure_table,
    write_row,
)

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


def _bulletin(book: Book, result: CountyResult, policy: Policy, report: str, date: dt.date) -> None:
    ws = book.sheet(BULLETIN_SHEET, landscape=False, repeat=3)
    cols = [("名次", 6), ("乡镇代码", 11), (TOWNSHIP, 11), ("村数", 6), ("应缴人数", 9),
            ("已缴人数", 9), ("未缴人数", 9), ("完成率", 9), ("备注", 10)]  # fmt: skip
    last_col = len(cols) - 1
    title = (
        f"{policy.county_name}{policy.year}年度城乡居民养老保险征缴进度通报（{chinese_day(date)}）"
    )
    ws.merge_range(0, 0, 0, last_col, title, book.title)
    ws.set_row(0, 26)
    paragraph(book, ws, 1, last_col, report, sum(w for _, w in cols))
    columns(book, ws, 3, cols)
    ranked = result.ranking()
    for r, (rank, t) in enumerate(ranked, start=4):
        tally = t.tally
        values = [rank if rank is not None else "—", t.township.code, t.township.name,
                  len(t.villages), tally.expected, tally.paid, tally.unpaid,
                  tally.rate if t.reported else None, "" if t.reported else NOT_REPORTED]  # fmt: skip
        write_row(book, ws, r, values, ["", "", "", "", "", "", "", "rate"])
    reported = sum(1 for _, t in ranked if t.reported)
    if reported:
        chart = book.wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": "完成率",
            "categories": [BULLETIN_SHEET, 4, 2, 3 + reported, 2],
            "values": [BULLETIN_SHEET, 4, 7, 3 + reported, 7],
            "data_labels": {"value": True, "num_format": "0.0%"},
            "fill": {"color": "#4472C4"},
        })  # fmt: skip
        chart.set_title({"name": CHART_TITLE, "name_font": {"name": FONT, "size": 13}})
        chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        ws.insert_chart(5 + len(ranked), 0, chart, {"x_scale": 1.45, "y_scale": 1.2})


def _township_sheet(book: Book, result: CountyResult, policy: Policy, cons: Conservation) -> None:
    ws = book.sheet(TOWNSHIP_SHEET, repeat=2)
    ms = measures(policy)
    labels = [("序号", 5), ("乡镇代码", 11), (TOWNSHIP, 11)]
    last_col = len(labels) + len(ms) - 1
    title = f"{policy.county_name}{policy.year}年度城乡居民基本养老保险征缴汇总（按乡镇）"
    ws.merge_range(0, 0, 0, last_col, title, book.title)
    note = (
        "人数按花名册所填统计；金额只计没有错误、没有重复的行，与各乡镇申报清单（xl-pension "
        "declare）的合计一致。本表不含完整身份证号码。"
    )
    ws.write_string(1, 0, note, book.note)
    rows = [
        ([i + 1, t.township.code, t.township.name], t.tally) for i, t in enumerate(result.townships)
    ]
    pos = write_measure_table(book, ws, 2, labels, ms, rows, result.total)
    ws.freeze_panes(3, 3)
    end = _conservation_block(book, ws, pos.total_row + 3, result, cons)
    ws.print_area(0, 0, end, last_col)


def _conservation_block(
    book: Book, ws: Worksheet, top: int, result: CountyResult, cons: Conservation
) -> int:
    """Rows read = declared + unpaid + rejected, with a formula that checks it; returns the last
    row written."""
    ws.write_string(top, 0, "数据守恒核对", book.internal)
    names = ["读取行数", "申报", "未缴", *REASONS, CHECK_HEADER]
    columns(book, ws, top + 1, [(n, 0) for n in names], 1)
    ws.set_row(top + 1, 30)
    values = [
        result.rows_read,
        result.listed,
        result.unpaid,
        *(result.rejected[k] for k in REASONS),
    ]
    r, n = top + 2, len(values)
    for c, v in enumerate(values, start=1):
        ws.write_number(r, c, v, book.cell["count"])
    parts = "+".join(xl_rowcol_to_cell(r, 1 + c) for c in range(1, n))
    read = xl_rowcol_to_cell(r, 1)
    formula = f'=IF({read}={parts},"{SAME}","{DIFFERENT}")'
    ws.write_formula(r, 1 + n, formula, book.check["text"], SAME if cons.ok else DIFFERENT)
    lines = [*cons.lines, *cons.differences]
    for i, line in enumerate(lines, start=1):
        ws.write_string(r + i, 1, line, book.note)
    return r + len(lines)


def _village_sheet(book: Book, result: CountyResult, policy: Policy) -> None:
    ws = book.sheet(VILLAGE_SHEET, repeat=1)
    title = f"{policy.county_name}{policy.year}年度各村（社区）征缴情况"
    ws.write_string(0, 0, title, book.heading)
    labels = [("序号", 5), (TOWNSHIP, 10), (VILLAGE, 12), ("文件", 22)]
    rows = [([i + 1, v.township, v.label, v.file], v.tally) for i, v in enumerate(result.villages)]
    write_measure_table(book, ws, 1, labels, measures(policy), rows, result.total)
    ws.freeze_panes(2, 3)


def _duplicate_sheet(book: Book, result: CountyResult, root: Path, out: Path) -> None:
    ws = book.sheet(DUPLICATE_SHEET, repeat=1)
    title = (
        "重复参保：同一身份证号码出现在两个村，保留前者、后者暂不申报，请两村核实后删除其中一处。"
    )
    ws.write_string(0, 0, title, book.heading)
    place = [(TOWNSHIP, 10), (VILLAGE, 10), ("文件", 22), ("行", 5), ("打开", 6)]
    cols = [
        ("序号", 5),
        ("身份证号码", 21),
        ("保留：姓名", 11),
        *place,
        ("暂不列入：姓名", 14),
        *place,
    ]
    columns(book, ws, 1, cols)
    if not result.duplicates:
        ws.write_string(2, 0, "未发现重复参保。", book.note)
    for r, d in enumerate(result.duplicates, start=2):
        f, s = d.first, d.later
        write_row(book, ws, r, [r - 1, d.masked_id, f.name, f.township, f.village, f.file, f.row,
                                None, s.name, s.township, s.village, s.file, s.row])  # fmt: skip
        for c, occ in ((7, f), (13, s)):
            write_link(
                book, ws, r, c, f"{link_target(root, occ.file, out)}#'{ROSTER_SHEET}'!A{occ.row}"
            )
    ws.freeze_panes(2, 0)


def write_county(
    path: str | Path,
    result: CountyResult,
    policy: Policy,
    conservation: Conservation,
    *,
    report: str,
    root: str | Path,
    date: dt.date,
) -> Path:
    """Write the county workbook atomically; ``report`` is the rendered 通报 paragraph, ``root``
    the merged folder (for the links to the rosters)."""
    path, root = Path(path), Path(root)
    with atomic_path(path) as tmp:
        book = Book(tmp, f"{policy.county_name}{policy.year}年度征缴汇总")
        _bulletin(book, result, policy, report, date)
        _township_sheet(book, result, policy, conservation)
        _village_sheet(book, result, policy)
        _duplicate_sheet(book, result, root, path)
        write_findings(book, result.findings, root, path)
        book.meta(KIND_MERGE, policy, date=date.isoformat())
        book.wb.close()
    return path
