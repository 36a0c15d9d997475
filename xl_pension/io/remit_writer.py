"""Write the remittance list (解缴清单) as a print-ready A4 workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ..core.policy import Policy
from ..core.roster import Roster
from ..reports.remit import RemitList
from .atomic import atomic_path

SHEET = "解缴清单"
FONT = "等线"
COLUMNS = (
    ("序号", 6),
    ("收据号", 16),
    ("姓名", 10),
    ("身份证号码", 22),
    ("村民小组", 10),
    ("缴费档次", 10),
    ("缴款金额（元）", 14),
)


def write_remit(
    path: str | Path, policy: Policy, roster: Roster, rl: RemitList, deposited: int | None
) -> Path:
    """Write the list of cash receipts with count, total, reconciliation and signature lines."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp))
        wb.set_properties(
            {"title": SHEET, "author": "xl_pension", "created": dt.datetime(policy.year, 1, 1)}
        )
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        head = wb.add_format(
            {**base, "bold": True, "border": 1, "align": "center", "bg_color": "#F2F2F2"}
        )
        cell = wb.add_format({**base, "border": 1})
        num = wb.add_format({**base, "border": 1, "num_format": "0"})
        bold_num = wb.add_format({**base, "border": 1, "num_format": "0", "bold": True})
        bold = wb.add_format({**base, "bold": True, "border": 1})
        plain = wb.add_format(base)
        ws = wb.add_worksheet(SHEET)
        last = len(COLUMNS) - 1
        place = f"{roster.township}{roster.village}"
        ws.merge_range(0, 0, 0, last, f"{policy.year}年度城乡居民基本养老保险费解缴清单", title)
        ws.merge_range(
            1,
            0,
            1,
            last,
            f"{policy.county_name}{place}　线下缴费 {rl.count} 笔，合计 {rl.total} 元",
            plain,
        )
        for c, (h, w) in enumerate(COLUMNS):
            ws.write_string(2, c, h, head)
            ws.set_column(c, c, w)
        r = 3
        for i, line in enumerate(rl.lines, start=1):
            ws.write_number(r, 0, i, cell)
            ws.write_string(r, 1, line.receipt, cell)
            ws.write_string(r, 2, line.name, cell)
            ws.write_string(r, 3, line.masked_id, cell)
            ws.write_string(r, 4, line.group, cell)
            ws.write_number(r, 5, line.tier, num)
            ws.write_number(r, 6, line.amount, num)
            r += 1
        ws.merge_range(r, 0, r, 5, f"合计（{rl.count} 笔）", bold)
        ws.write_number(r, 6, rl.total, bold_num)
        r += 2
        if deposited is not None:
            diff = deposited - rl.total
            state = (
                "相符" if diff == 0 else f"不符，回单{'多' if diff > 0 else '少'} {abs(diff)} 元"
            )
            ws.write_string(r, 0, f"银行缴款回单金额：{deposited} 元；核对结果：{state}", plain)
            r += 2
        ws.write_string(r, 0, "村协办员（签字）：________________　　日期：________", plain)
        ws.write_string(
            r + 2, 0, "乡镇（街道）财政所经办人（签字）：________________　　日期：________", plain
        )
        ws.write_string(r + 4, 0, "附：银行缴款回单", plain)
        ws.set_paper(9)
        ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        ws.set_footer("&C第 &P 页 共 &N 页")
        wb.close()
    return path
