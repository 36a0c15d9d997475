"""Write the standardized village roster workbook (empty template or pre-filled) with xlsxwriter.

Sheets: ``花名册`` (title row, header row with input messages, text-formatted ID column with a
length-18 rule, dropdowns fed from the policy, frozen header, print setup, sheet protection
without a password with input cells unlocked), ``填表说明`` (plain-Chinese guide with a worked
example), and the hidden ``_meta`` and ``_lists`` sheets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .. import __version__
from ..core.money import amount_due
from ..core.plan import wrapped_lines
from ..core.policy import Policy, Township
from ..core.policy_text import guide_lines
from ..core.schema import (
    BY_KEY,
    COLUMNS,
    DATA_START_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    IDENTITY_SHEET,
    LISTS_SHEET,
    META_SHEET,
    ROSTER_SHEET,
    TEMPLATE_VERSION,
    TITLE_ROW,
    Column,
    Kind,
    Required,
    Type,
)
from .atomic import atomic_path
from .print_layout import (
    FONT_SIZE,
    GUIDE_WIDTHS,
    LINE_HEIGHT,
    MARGIN_INCHES,
    REPEATED_COLUMNS,
    ROSTER_PRINT_SCALE,
    column_breaks,
)
from .xlsx_package import PlanWorkbook

PREPARED_ROWS = 2000  # rows below the header that carry dropdowns and rules in an empty roster
FONT = "等线"
COMPUTED_FILL = "#E7E6E6"
PREFILLED_FILL = "#DDEBF7"
HEADER_FILL = "#FCE4D6"
REQUIRED_FONT_COLOR = "#C00000"


def roster_title(policy: Policy, township: str, village: str) -> str:
    """The title line of a village roster."""
    place = f"{policy.county_name}{township}{village}"
    return f"{place} {policy.year}年度城乡居民基本养老保险缴费花名册"


def meta_items(
    policy: Policy, township: Township | None, village: str, extra: Mapping[str, object] = ()
) -> list[tuple[str, object]]:
    """The key/value pairs stored in the hidden ``_meta`` sheet."""
    items: list[tuple[str, object]] = [
        ("template_version", TEMPLATE_VERSION),
        ("generator", f"xl_pension {__version__}"),
        ("county_code", policy.county_code),
        ("county_name", policy.county_name),
        ("township_code", township.code if township else ""),
        ("township_name", township.name if township else ""),
        ("village", village),
        ("year", policy.year),
        ("policy_id", policy.id),
    ]
    items.extend(dict(extra).items())
    return items


class _Formats:
    """The cell formats of a roster workbook, one per column and role."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.header: dict[str, object] = {}
        self.cell: dict[str, object] = {}
        for col in COLUMNS:
            fill = {
                Kind.COMPUTED: COMPUTED_FILL,
                Kind.PREFILLED: PREFILLED_FILL,
            }.get(col.kind, HEADER_FILL)
            self.header[col.key] = wb.add_format(
                {
                    **base,
                    "bold": True,
                    "align": "center",
                    "text_wrap": True,
                    "border": 1,
                    "bg_color": fill,
                    "font_color": REQUIRED_FONT_COLOR
                    if col.required is not Required.NEVER
                    else "#000000",
                    "locked": True,
                }
            )
            cell_fmt: dict[str, object] = {
                **base,
                "num_format": col.number_format,
                "locked": col.kind is Kind.PREFILLED,
            }
            if col.kind is Kind.COMPUTED:
                cell_fmt["bg_color"] = COMPUTED_FILL
            elif col.kind is Kind.PREFILLED:
                cell_fmt["bg_color"] = PREFILLED_FILL
            self.cell[col.key] = wb.add_format(cell_fmt)
        # 人员类别 pre-filled from the county list: locked like the other pre-filled cells
        self.locked_category = wb.add_format(
            {
                **base,
                "num_format": BY_KEY["category"].number_format,
                "locked": True,
                "bg_color": PREFILLED_FILL,
            }
        )
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.bold = wb.add_format({**base, "bold": True})
        self.guide_header = wb.add_format(
            {**base, "bold": True, "border": 1, "bg_color": HEADER_FILL}
        )
        self.guide_cell = wb.add_format({**base, "text_wrap": True, "border": 1, "valign": "top"})
        self.guide_text = wb.add_format({**base, "text_wrap": True, "valign": "top"})
        self.text = wb.add_format({**base, "num_format": "@"})


def _list_sources() -> list[str]:
    return sorted({c.dropdown for c in COLUMNS if c.dropdown})


def list_ranges(policy: Policy) -> dict[str, str]:
    """Dropdown list name -> absolute range formula in the hidden ``_lists`` sheet."""
    ranges: dict[str, str] = {}
    for i, source in enumerate(_list_sources()):
        letter = xl_col_to_name(i)
        n = len(policy.dropdown(source))
        ranges[source] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${n + 1}"
    return ranges


def _lists_sheet(wb: xlsxwriter.Workbook, policy: Policy) -> None:
    """Write the hidden dropdown source lists (layout as in :func:`list_ranges`)."""
    ws = wb.add_worksheet(LISTS_SHEET)
    for i, source in enumerate(_list_sources()):
        ws.write_string(0, i, source)
        for j, v in enumerate(policy.dropdown(source), start=1):
            if source == "tiers":
                ws.write_number(j, i, int(v))
            else:
                ws.write_string(j, i, v)
    ws.hide()


def _validation(col: Column, policy: Policy, lists: dict[str, str]) -> dict[str, object]:
    """The data-validation options (rule + input message) of a column's data cells."""
    prompt = {
        "input_title": col.header[:32],
        "input_message": col.help[:255],
        "show_input": True,
    }
    if col.type is Type.ID:
        return {
            **prompt,
            "validate": "length",
            "criteria": "==",
            "value": 18,
            "error_title": "身份证号码位数不对",
            "error_message": "身份证号码应为 18 位（末位可为 X），请核对后重新输入。",
        }
    if col.dropdown:
        return {
            **prompt,
            "validate": "list",
            "source": lists[col.dropdown],
            "error_type": "warning",
            "error_title": f"{col.header}不在列表中",
            "error_message": "请从下拉列表中选择；如确需填写其他内容，请在备注中说明。",
        }
    if col.key == "pay_date":
        return {
            **prompt,
            "validate": "date",
            "criteria": "between",
            "minimum": dt.datetime.combine(policy.collection_start, dt.time()),
            "maximum": dt.datetime.combine(policy.collection_end, dt.time()),
            "error_type": "warning",
            "error_title": "缴费日期不在集中缴费期内",
            "error_message": (
                f"集中缴费期为 {policy.collection_start:%Y-%m-%d} 至 "
                f"{policy.collection_end:%Y-%m-%d}，请核对日期。"
            ),
        }
    return {**prompt, "validate": "any"}


def _roster_sheet(
    wb: xlsxwriter.Workbook,
    policy: Policy,
    township: Township | None,
    village: str,
    records: list[Mapping[str, object]],
    fmt: _Formats,
    lists: dict[str, str],
    lock_categories: bool = False,
) -> None:
    ws = wb.add_worksheet(ROSTER_SHEET)
    ws.activate()
    last_col = len(COLUMNS) - 1
    title_row, header_row, first = TITLE_ROW - 1, HEADER_ROW - 1, DATA_START_ROW - 1
    ws.merge_range(
        title_row,
        0,
        title_row,
        last_col,
        roster_title(policy, township.name if township else "", village),
        fmt.title,
    )
    ws.set_row(title_row, 30)
    ws.set_row(header_row, 36)
    last_row = first + max(len(records), 0) + PREPARED_ROWS - 1
    for c, col in enumerate(COLUMNS):
        ws.set_column(c, c, col.width, fmt.cell[col.key])
        ws.write_string(header_row, c, col.header, fmt.header[col.key])
        ws.data_validation(
            header_row,
            c,
            header_row,
            c,
            {"validate": "any", "input_title": col.header[:32], "input_message": col.help[:255]},
        )
        ws.data_validation(first, c, last_row, c, _validation(col, policy, lists))
    keys = [col.key for col in COLUMNS]
    formats = [
        fmt.locked_category if lock_categories and key == "category" else fmt.cell[key]
        for key in keys
    ]  # a locked format on the records' filled cells only: rows added below stay editable
    if records:  # rendered column by column (io/plan_sheet), empty cells left out
        ws.put_bulk(first, [[rec.get(k) for k in keys] for rec in records], formats, blanks=False)
    ws.freeze_panes(DATA_START_ROW - 1, 3)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    # Never shrink 23 columns onto one width: a fixed scale keeps text >= 8 pt on paper, the
    # columns go onto as many page widths as they need, and 序号/村民小组/姓名 repeat on each.
    ws.set_print_scale(ROSTER_PRINT_SCALE)
    ws.repeat_columns(0, REPEATED_COLUMNS - 1)
    first_computed = next(i for i, c in enumerate(COLUMNS) if c.kind is Kind.COMPUTED)
    widths = [c.width for c in COLUMNS]
    ws.set_v_pagebreaks(column_breaks(widths, ROSTER_PRINT_SCALE, first_computed))
    ws.repeat_rows(title_row, header_row)
    ws.set_margins(left=MARGIN_INCHES, right=MARGIN_INCHES, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页 共 &N 页")
    ws.protect(
        "",
        {
            "format_cells": True,
            "format_columns": True,
            "format_rows": True,
            "insert_rows": True,
            "delete_rows": True,
            "sort": True,
            "autofilter": True,
            "objects": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )


def _policy_examples(policy: Policy) -> dict[str, object]:
    """The worked example's tier and amount under ``policy``: an ordinary person on the lowest
    tier open to everybody (the schema's examples for every other column)."""
    ordinary = policy.category_by_name[policy.default_category]
    tier = next((t.amount for t in policy.tiers if t.allowed_for(ordinary.name)), None)
    return {} if tier is None else {"tier": tier, "amount": amount_due(ordinary, tier)}


def _example(col: Column, examples: Mapping[str, object]) -> str:
    value = examples.get(col.key, col.example)
    return "" if value is None else str(value)


def _guide_sheet(wb: xlsxwriter.Workbook, policy: Policy, fmt: _Formats) -> None:
    ws = wb.add_worksheet(GUIDE_SHEET)
    for c, width in enumerate(GUIDE_WIDTHS):
        ws.set_column(c, c, width)
    last = len(GUIDE_WIDTHS) - 1
    ws.merge_range(0, 0, 0, last, f"{policy.title}缴费花名册填表说明", fmt.title)
    ws.set_row(0, 30)

    def names(keys_or_cols: Iterable[Column]) -> str:
        return "、".join(c.header for c in keys_or_cols)

    always = names(c for c in COLUMNS if c.required is Required.ALWAYS)
    paid = names(c for c in COLUMNS if c.required is Required.PAID)
    computed = names(c for c in COLUMNS if c.kind is Kind.COMPUTED)
    start, end = policy.collection_start, policy.collection_end
    lines = [
        f"1. 集中缴费期：{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}。",
        f"2. 缴费年龄：在 {policy.age_reference_date:%Y年%m月%d日} 年满 {policy.age_min} 周岁、"
        f"未满 {policy.age_max + 1} 周岁。",
        f"3. 每人一行；红色表头为必填项：{always}必填，已缴费的人员还须填写{paid}。",
        f"4. {BY_KEY['id_number'].help}",
        f"5. 灰色列（{computed}）由“计算补贴”自动填写，无需手工填写。",
        f"6. 本年未缴费的人员，{paid}留空，并选择“{BY_KEY['unpaid_reason'].header}”。",
        f"7. {policy.source_note}",
    ]
    lines += [f"{i}. {text}" for i, text in enumerate(guide_lines(policy), start=len(lines) + 1)]
    total = sum(GUIDE_WIDTHS)
    for i, line in enumerate(lines, start=2):  # each line merged across the page, wrapped
        ws.merge_range(i, 0, i, last, line, fmt.guide_text)
        ws.set_row(i, LINE_HEIGHT * wrapped_lines(line, total))
    start = len(lines) + 3
    for c, h in enumerate(("列名", "填写人", "是否必填", "说明", "示例")):
        ws.write_string(start, c, h, fmt.guide_header)
    who = {
        Kind.INPUT: "村协办员",
        Kind.DERIVED: "可不填",
        Kind.PREFILLED: "县里下发",
        Kind.COMPUTED: "自动计算",
    }
    need = {Required.ALWAYS: "必填", Required.PAID: "缴费时必填", Required.NEVER: ""}
    examples = _policy_examples(policy)
    for i, col in enumerate(COLUMNS, start=start + 1):
        ws.write_string(i, 0, col.header, fmt.guide_cell)
        ws.write_string(i, 1, who[col.kind], fmt.guide_cell)
        ws.write_string(i, 2, need[col.required], fmt.guide_cell)
        ws.write_string(i, 3, col.help, fmt.guide_cell)
        example = _example(col, examples)
        ws.write_string(i, 4, example, fmt.guide_cell)
        rows = max(
            wrapped_lines(col.help, GUIDE_WIDTHS[3]), wrapped_lines(example, GUIDE_WIDTHS[4])
        )
        ws.set_row(i, LINE_HEIGHT * rows)
    # The worked example as a vertical list (one column name and its value a row), so it
    # prints on the portrait page instead of 23 columns shrunk onto one width.
    ex = start + len(COLUMNS) + 3
    ws.merge_range(ex - 1, 0, ex - 1, last, "填写示例（一个人）：", fmt.bold)
    for i, col in enumerate(COLUMNS, start=ex):
        ws.write_string(i, 0, col.header, fmt.guide_header)
        ws.merge_range(i, 1, i, last, _example(col, examples), fmt.guide_cell)
    ws.set_paper(9)
    ws.set_portrait()
    ws.set_margins(left=MARGIN_INCHES, right=MARGIN_INCHES, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)  # the five columns fit one portrait width at about 90 %
    ws.repeat_rows(start, start)
    ws.set_footer("&C第 &P 页 共 &N 页")


def _meta_sheet(wb: xlsxwriter.Workbook, items: Iterable[tuple[str, object]]) -> None:
    ws = wb.add_worksheet(META_SHEET)
    for r, (k, v) in enumerate(items):
        ws.write_string(r, 0, k)
        if isinstance(v, int):
            ws.write_number(r, 1, v)
        else:
            ws.write_string(r, 1, str(v))
    ws.hide()


def _identity_sheet(wb: xlsxwriter.Workbook, records: list[Mapping[str, object]]) -> None:
    """The hidden sheet of the county list's 人员类别 per 身份证号码 (pre-filled rows only)."""
    ws = wb.add_worksheet(IDENTITY_SHEET)
    ws.write_string(0, 0, BY_KEY["id_number"].header)
    ws.write_string(0, 1, BY_KEY["category"].header)
    pairs = [(str(rec["id_number"]), str(rec["category"])) for rec in records
             if rec.get("id_number") and rec.get("category")]  # fmt: skip
    ws.put_bulk(1, pairs, [None, None], blanks=False)
    ws.hide()


def write_roster(
    path: str | Path,
    policy: Policy,
    township: Township | None,
    village: str,
    records: Iterable[Mapping[str, object]] = (),
    *,
    extra_meta: Mapping[str, object] = (),
    lock_categories: bool = False,
) -> Path:
    """Write a standardized roster (empty, or with ``records`` keyed by schema column key).

    With ``lock_categories`` (``split``: the records come from the county list) each record's
    人员类别 cell is locked like 上年档次 and the county's 人员类别 per ID is kept in the hidden
    ``_identities`` sheet, so that validation can tell when it was changed. The file is written
    atomically: a crash never leaves a partial file at ``path``.
    """
    path = Path(path)
    rows = list(records)
    with atomic_path(path) as tmp:
        wb = PlanWorkbook({"strings_to_numbers": False, "strings_to_formulas": False})
        # Fixed document dates keep the output byte-for-byte reproducible.
        wb.set_properties(
            {
                "title": roster_title(policy, township.name if township else "", village),
                "author": "xl_pension",
                "created": dt.datetime(policy.year, 1, 1),
            }
        )
        fmt = _Formats(wb)
        lists = list_ranges(policy)
        _roster_sheet(wb, policy, township, village, rows, fmt, lists, lock_categories)
        _guide_sheet(wb, policy, fmt)
        _lists_sheet(wb, policy)
        _meta_sheet(wb, meta_items(policy, township, village, extra_meta))
        if lock_categories:
            _identity_sheet(wb, rows)
        wb.save(tmp)
    return path


def cell_ref(row: int, col: int) -> str:
    """A1 reference from 1-based row and column."""
    return xl_rowcol_to_cell(row - 1, col - 1)
