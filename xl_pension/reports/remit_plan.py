"""The plan of the 缴费人清单 (sheet 解缴清单): a print-ready A4 sheet of the village's cash receipts,
one line per year paid (正常 and each 补缴 year), full ID numbers, 内部资料 on every page.

Title, the village and its count and total, one row a receipt, the totals line, the
reconciliation with the bank slip (when its amount is known) and the signature lines. Made once
from the :class:`~xl_pension.reports.remit.RemitList`; ``remit`` writes it as a new workbook
(``io.new_workbook.write_workbook``), the ribbon's 解缴清单 as a sheet of the open roster.
"""

from __future__ import annotations

import datetime as dt

from ..core.plan import THIN, Margins, PrintSetup, SheetPlan, Style, WorkbookPlan
from ..core.policy import Policy
from ..core.roster import Roster
from ..core.schema import REMIT_COLUMNS, REMIT_SHEET
from .remit import RemitList, left_out_line, reconciliation_lines, remit_summary

FONT = "等线"
_BASE = dict(font=FONT, size=11, vertical="center")
TITLE = Style(**_BASE | {"size": 16}, bold=True, horizontal="center")
HEAD = Style(**_BASE, bold=True, border=THIN, horizontal="center", fill="F2F2F2")
CELL = Style(**_BASE, border=THIN)
NUMBER = Style(**_BASE, border=THIN, number_format="0")
TOTAL = Style(**_BASE, bold=True, border=THIN)
TOTAL_NUMBER = Style(**_BASE, bold=True, border=THIN, number_format="0")
PLAIN = Style(**_BASE)
SIGNATURES = (
    "村协办员（签字）：________________　　日期：________",
    "乡镇（街道）财政所经办人（签字）：________________　　日期：________",
    "附：银行缴款回单",
)
HEAD_ROW = 3


def remit_sheet(
    policy: Policy, roster: Roster, rl: RemitList, deposited: int | None = None
) -> SheetPlan:
    """The ``解缴清单`` sheet, placed after the roster when added to it."""
    sheet = SheetPlan(REMIT_SHEET, after=roster.sheet)
    width, d = len(REMIT_COLUMNS), policy.declaration
    place = f"{policy.county_name}{roster.township}{roster.village}"
    sheet.put(1, 1, f"{policy.year}年度城乡居民基本养老保险费缴费人清单（解缴清单）", TITLE)
    sheet.merges.append((1, 1, 1, width))
    sheet.put(2, 1, f"{place}　{remit_summary(rl)}", PLAIN)
    sheet.merges.append((2, 1, 2, width))
    sheet.put_row(HEAD_ROW, [c.header for c in REMIT_COLUMNS], HEAD)
    row = HEAD_ROW
    for i, line in enumerate(rl.lines, start=1):
        row += 1
        sheet.put(row, 1, i, CELL)
        kind = d.regular if line.regular else d.backpay
        sheet.put_row(row, [line.receipt, line.name, line.id_number, line.group, kind], CELL, 2)
        sheet.put_row(row, [line.year, line.tier, line.amount], NUMBER, 7)
    row += 1
    sheet.put(row, 1, f"合计（{rl.count} 笔，{len(rl.lines)} 行）", TOTAL)
    sheet.put_row(row, [None] * (width - 2), TOTAL, 2)
    sheet.merges.append((row, 1, row, width - 1))
    sheet.put(row, width, rl.total, TOTAL_NUMBER)
    row += 2
    left = left_out_line(rl)
    if left:  # the rows skipped for errors are named on the printed list
        sheet.put(row, 1, left, PLAIN)
        row += 2
    if deposited is not None:
        for text in reconciliation_lines(rl, deposited):
            if text != left:
                sheet.put(row, 1, text, PLAIN)
                row += 1
        row += 1
    for i, text in enumerate(SIGNATURES):
        sheet.put(row + 2 * i, 1, text, PLAIN)
    sheet.widths = {c: col.width for c, col in enumerate(REMIT_COLUMNS, start=1)}
    sheet.print_setup = PrintSetup(
        landscape=True,  # nine columns (full IDs, 缴费类型, 缴费年度): portrait printed below 8 pt
        title_rows=(HEAD_ROW, HEAD_ROW),
        margins=Margins(sides=0.5, top=0.7, bottom=0.7),
        footer="第 &P 页 共 &N 页",
        header=d.restricted_header,  # full ID numbers: an internal list
    )
    return sheet


def remit_plan(
    policy: Policy, roster: Roster, rl: RemitList, deposited: int | None = None
) -> WorkbookPlan:
    """The remittance list as a workbook of its own (or a sheet added to the roster)."""
    return WorkbookPlan(
        sheets=[remit_sheet(policy, roster, rl, deposited)],
        activate=REMIT_SHEET,
        title=REMIT_SHEET,
        created=dt.datetime(policy.year, 1, 1),
    )
