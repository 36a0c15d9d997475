"""The plan of one township's declaration workbook: 批量申报清单, 代缴申报表 and 核对.

Full ID numbers as text: an internal file, so every printed page is headed with the policy's
``restricted_header`` (内部资料 不得公开). Columns, their order and the codes come from the policy's
``[declaration]``; while it is not verified against the official import template, the sheets
begin with a line that says so (and the 核对 sheet repeats it). ``io.new_workbook`` writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from ..core.plan import TEXT_FORMAT, THIN, Margins, PrintSetup, SheetPlan, Style, WorkbookPlan
from ..core.policy import Policy
from ..core.policy_intake import Declaration
from ..core.schema import META_SHEET, DeclarationColumn
from .declare import DeclaredLine, TownshipDeclaration

FONT = "等线"
CHECK_SHEET = "核对"
KIND_DECLARATION = "declaration"

_BASE = Style(font=FONT, size=10, vertical="center")
HEADER = Style(font=FONT, size=10, vertical="center", bold=True, border=THIN, fill="FCE4D6")
TEXT = Style(font=FONT, size=10, vertical="center", border=THIN, number_format=TEXT_FORMAT)
NUMBER = Style(font=FONT, size=10, vertical="center", border=THIN, number_format="0")
DATE = Style(font=FONT, size=10, vertical="center", border=THIN, number_format="yyyy-mm-dd")
NOTE = Style(font=FONT, size=10, vertical="center", bold=True, color="C00000")


def declaration_file_name(township: str) -> str:
    """The file name of a township's declaration workbook."""
    return f"{township}申报清单.xlsx"


def _sheet(name: str, declaration: Declaration) -> SheetPlan:
    setup = PrintSetup(
        landscape=True,
        margins=Margins(sides=0.4, top=0.8, bottom=0.6),
        footer="第 &P 页，共 &N 页",
        header=declaration.restricted_header,
        header_font=FONT,
    )
    return SheetPlan(name, print_setup=setup)


def _styled(value: object) -> tuple[object, Style]:
    """A declaration cell's value and style: text stays text, a date is a date."""
    if value is None or value == "":
        return None, TEXT
    if isinstance(value, str):
        return value, TEXT
    if isinstance(value, dt.date):
        return value, DATE
    return value, NUMBER


def _table(
    sheet: SheetPlan,
    declaration: Declaration,
    cols: Sequence[DeclarationColumn],
    lines: Sequence[DeclaredLine],
) -> SheetPlan:
    top = 1
    if not declaration.verified:
        sheet.put(1, 1, declaration.note, NOTE)
        top = 2
    for c, col in enumerate(cols, start=1):
        sheet.put(top, c, col.header, HEADER)
        sheet.widths[c] = col.width
    for r, line in enumerate(lines, start=top + 1):
        for c, col in enumerate(cols, start=1):
            value, style = _styled(line.cell(col.key, declaration))
            sheet.put(r, c, value, style)  # type: ignore[arg-type]
    if sheet.print_setup is not None:
        sheet.print_setup = replace(sheet.print_setup, title_rows=(top, top))
    sheet.freeze = (top + 1, 1)
    sheet.autofilter = (top, 1, top + max(len(lines), 1), len(cols))
    return sheet


def _check_sheet(decl: TownshipDeclaration, policy: Policy) -> SheetPlan:
    d = policy.declaration
    sheet = _sheet(CHECK_SHEET, d)
    sheet.widths[1] = 110
    lines, diffs = decl.conservation()
    texts = [
        f"{policy.county_name}{decl.township.name} {policy.year} 年度申报核对（{d.restricted_header}）",
        *lines,
        *(f"不守恒：{x}" for x in diffs),
        "核对相符。" if not diffs else "核对不符，请勿申报，并把本文件交技术人员。",
        f"“{d.batch_sheet}”只列缴费方式由税务专管员申报的缴费（线下），每人本年一行、"
        "每个补缴年度一行；线上缴费由本人申报，不在其中。",
        f"“{d.government_sheet}”列出政府代缴的人员，由人社部门向财政申报。",
        *([] if d.verified else [d.note]),
    ]
    for r, text in enumerate(texts, start=1):
        sheet.put(r, 1, text, NOTE if r == 1 or text.startswith("不守恒") else _BASE)
    held = sorted(decl.held, key=lambda h: (h.file, h.row))
    if held:
        r = len(texts) + 2
        sheet.put(r, 1, "暂不申报的行（改正后重新生成）：", NOTE)
        for i, h in enumerate(held, start=r + 1):
            sheet.put(i, 1, f"{h.file} 第 {h.row} 行：{h.reason}", _BASE)
    return sheet


def declaration_plan(decl: TownshipDeclaration, policy: Policy) -> WorkbookPlan:
    """The township's declaration workbook: the two lists, the 核对 sheet and a hidden _meta."""
    d = policy.declaration
    name = decl.township.name
    batch = sorted(decl.operator, key=lambda x: (x.village, x.receipt, x.row, x.year))
    gov = sorted(decl.government, key=lambda x: (x.village, x.row))
    meta = SheetPlan(META_SHEET, hidden=True)
    items = (("kind", KIND_DECLARATION), ("township_code", decl.township.code),
             ("township_name", name), ("policy_id", policy.id), ("year", str(policy.year)))  # fmt: skip
    for r, (key, value) in enumerate(items, start=1):
        meta.put_row(r, [key, value])
    return WorkbookPlan(
        sheets=[
            _table(_sheet(d.batch_sheet, d), d, d.batch_columns, batch),
            _table(_sheet(d.government_sheet, d), d, d.government_columns, gov),
            _check_sheet(decl, policy),
            meta,
        ],
        title=f"{policy.county_name}{name}{policy.year}年度申报清单",
        comments=d.restricted_header,
        created=dt.datetime(policy.year, 1, 1),
    )
