"""Write one township's declaration workbook: 批量申报清单, 代缴申报表 and 核对 (xlsxwriter).

Full ID numbers as text: an internal file, so every printed page is headed with the policy's
``restricted_header`` (内部资料 不得公开). Columns, their order and the codes come from the policy's
``[declaration]``; while it is not verified against the official import template, the sheets
begin with a line that says so (and the 核对 sheet repeats it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..core.policy import Policy
from ..core.policy_intake import Declaration
from ..core.schema import DeclarationColumn
from ..reports.declare import TownshipDeclaration
from .atomic import atomic_path

FONT = "等线"
CHECK_SHEET = "核对"
KIND_DECLARATION = "declaration"


def declaration_file_name(township: str) -> str:
    """The file name of a township's declaration workbook."""
    return f"{township}申报清单.xlsx"


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        self.header = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#FCE4D6"})
        self.text = wb.add_format({**base, "border": 1, "num_format": "@"})
        self.number = wb.add_format({**base, "border": 1, "num_format": "0"})
        self.date = wb.add_format({**base, "border": 1, "num_format": "yyyy-mm-dd"})
        self.note = wb.add_format({**base, "bold": True, "font_color": "#C00000"})
        self.plain = wb.add_format(base)


def _sheet(wb: xlsxwriter.Workbook, name: str, declaration: Declaration) -> Worksheet:
    ws = wb.add_worksheet(name)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.8, bottom=0.6)
    header = declaration.restricted_header.replace("&", "&&")
    ws.set_header(f'&C&"{FONT},Bold"&14{header}')
    ws.set_footer("&C第 &P 页，共 &N 页")
    return ws


def _put(ws: Worksheet, r: int, c: int, value: object, fmt: _Formats) -> None:
    if value is None or value == "":
        ws.write_blank(r, c, None, fmt.text)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt.text)  # never a formula, never a number
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt.date)
    else:
        ws.write_number(r, c, value, fmt.number)


def _table(
    ws: Worksheet,
    fmt: _Formats,
    declaration: Declaration,
    cols: Sequence[DeclarationColumn],
    lines: Sequence[object],
) -> None:
    top = 0
    if not declaration.verified:
        ws.write_string(0, 0, declaration.note, fmt.note)
        top = 1
    for c, col in enumerate(cols):
        ws.write_string(top, c, col.header, fmt.header)
        ws.set_column(c, c, col.width)
    for r, line in enumerate(lines, start=top + 1):
        for c, col in enumerate(cols):
            _put(ws, r, c, line.cell(col.key, declaration), fmt)  # type: ignore[attr-defined]
    ws.repeat_rows(top)
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + max(len(lines), 1), len(cols) - 1)


def write_declaration(path: str | Path, decl: TownshipDeclaration, policy: Policy) -> Path:
    """Write the township's declaration workbook atomically."""
    path = Path(path)
    d = policy.declaration
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        name = decl.township.name
        wb.set_properties(
            {
                "title": f"{policy.county_name}{name}{policy.year}年度申报清单",
                "author": "xl_pension",
                "comments": d.restricted_header,
                "created": dt.datetime(policy.year, 1, 1),
            }
        )
        fmt = _Formats(wb)
        batch = sorted(decl.operator, key=lambda x: (x.village, x.receipt, x.row, x.year))
        _table(_sheet(wb, d.batch_sheet, d), fmt, d, d.batch_columns, batch)
        gov = sorted(decl.government, key=lambda x: (x.village, x.row))
        _table(_sheet(wb, d.government_sheet, d), fmt, d, d.government_columns, gov)
        ws = _sheet(wb, CHECK_SHEET, d)
        ws.set_column(0, 0, 110)
        lines, diffs = decl.conservation()
        texts = [
            f"{policy.county_name}{name} {policy.year} 年度申报核对（{d.restricted_header}）",
            *lines,
            *(f"不守恒：{x}" for x in diffs),
            "核对相符。" if not diffs else "核对不符，请勿申报，并把本文件交技术人员。",
            f"“{d.batch_sheet}”只列缴费方式由税务专管员申报的缴费（线下），每人本年一行、"
            "每个补缴年度一行；线上缴费由本人申报，不在其中。",
            f"“{d.government_sheet}”列出政府代缴的人员，由人社部门向财政申报。",
            *([] if d.verified else [d.note]),
        ]
        for r, text in enumerate(texts):
            ws.write_string(
                r, 0, text, fmt.note if r == 0 or text.startswith("不守恒") else fmt.plain
            )
        held = sorted(decl.held, key=lambda h: (h.file, h.row))
        if held:
            r = len(texts) + 1
            ws.write_string(r, 0, "暂不申报的行（改正后重新生成）：", fmt.note)
            for i, h in enumerate(held, start=r + 1):
                ws.write_string(i, 0, f"{h.file} 第 {h.row} 行：{h.reason}", fmt.plain)
        meta = wb.add_worksheet("_meta")
        for r, (k, v) in enumerate(
            (("kind", KIND_DECLARATION), ("township_code", decl.township.code),
             ("township_name", name), ("policy_id", policy.id), ("year", str(policy.year)))
        ):  # fmt: skip
            meta.write_string(r, 0, k)
            meta.write_string(r, 1, v)
        meta.hide()
        wb.close()
    return path
