"""The buttons that work on the open village roster: 校验花名册, 计算补贴, 解缴清单.

Each takes the open ``xw.Book``, reads the ``花名册`` grid through the adapter, calls the
validation and money code on plain records, and writes back values, colours, notes and sheets.
A book that is not a roster raises ``template.not_roster`` before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.findings import count_by_severity
from ..core.schema import BY_KEY, COLUMNS, TOTALS_LABEL, Kind
from ._book import (
    Book,
    Grid,
    Sheet,
    alert,
    as_text_columns,
    bold,
    fresh_sheet,
    read_roster,
    status,
    widths,
    write_rows,
)
from .settings import load_policy_setting, load_settings

if TYPE_CHECKING:
    from ..core.money import Totals
    from ..core.policy import Policy
    from ..core.roster import Roster
    from ..core.validation import Checked

COMPUTED_KEYS = tuple(c.key for c in COLUMNS if c.kind is Kind.COMPUTED)
REMIT_SHEET = "解缴清单"
REMIT_HEAD = ["序号", "收据号", "姓名", "身份证号码", "村民小组", "缴费档次", "缴款金额（元）"]


def checked_book(book: Book) -> tuple[Checked, Sheet, Grid, Policy]:
    """Read and validate the open roster: (checked, sheet, grid, policy)."""
    from ..core.validation import check_roster

    policy = load_policy_setting(load_settings())
    roster, sheet, rows = read_roster(book)
    status(book, f"正在校验 {len(roster.records)} 行……")
    return check_roster(roster, policy), sheet, rows, policy


def refuse_errors(checked: Checked, what: str) -> None:
    """Stop (exit code 1, one message) when the roster has errors; ``what`` is the action."""
    errors = checked.errors
    if errors:
        raise cat.ROSTER_HAS_ERRORS.error("ribbon", errors=len(errors), action=what)


def validate(book: Book) -> None:
    """校验花名册: colour and annotate every problem cell and list them on ``校验结果``."""
    from .marks import mark_findings, remove_marks

    checked, sheet, _rows, _policy = checked_book(book)
    status(book, "正在标注问题单元格……")
    notes = remove_marks(book)
    findings = checked.findings
    mark_findings(book, sheet, checked.roster, findings, notes)
    counts = count_by_severity(findings)
    people = len(checked.roster.records)
    status(book, None)
    if counts["error"] or counts["warning"]:
        alert(
            book,
            f"校验完成：共 {people} 人，错误 {counts['error']} 条，警告 {counts['warning']} 条。"
            "出错的单元格已标红（警告标黄）并加了批注，明细见“校验结果”表。",
            critical=bool(counts["error"]),
        )
    else:
        alert(book, f"校验完成：共 {people} 人，没有发现问题。")


def _old_totals_rows(roster: Roster, rows: Grid, label_col: int) -> list[int]:
    """Excel rows below the header holding a previous totals line."""
    out = []
    for r in range(roster.header_row, len(rows)):
        row = rows[r]
        if label_col - 1 < len(row) and row[label_col - 1] == TOTALS_LABEL:
            out.append(r + 1)
    return out


def compute(book: Book) -> None:
    """计算补贴: fill 政府代缴, 个人应缴, 政府补贴, 记入个人账户 and a totals line."""
    from ..core.money import person_money, totals_of

    checked, sheet, rows, policy = checked_book(book)
    refuse_errors(checked, "计算")
    roster = checked.roster
    status(book, "正在计算补贴……")
    money = {p.row: person_money(p, policy) for p in checked.people}
    totals = totals_of(money.values())
    cols = dict(roster.columns)
    last_col = max([*cols.values(), *roster.extra_headers])
    for key in COMPUTED_KEYS:
        if key not in cols:
            last_col += 1
            cols[key] = last_col
            sheet.range((roster.header_row, last_col)).value = BY_KEY[key].header
            bold(sheet.range((roster.header_row, last_col)))
    label_col = cols.get("seq") or cols["name"]
    width = max(last_col, max((len(r) for r in rows), default=0))
    for r in _old_totals_rows(roster, rows, label_col):
        write_rows(sheet, r, 1, [[None] * width])
    by_row = {rec.row: rec for rec in roster.records}
    first = min(by_row, default=roster.header_row + 1)
    last = max(by_row, default=roster.header_row)
    attr = {"government_paid": "government_paid", "personal_due": "personal_due"}
    attr |= {"subsidy": "subsidy", "credited": "credited"}
    for key in COMPUTED_KEYS:
        block = []
        for r in range(first, last + 1):
            m = money.get(r)
            block.append([getattr(m, attr[key]) if m is not None else None])
        write_rows(sheet, first, cols[key], block)
    _totals_line(sheet, cols, label_col, last + 1, totals)
    status(book, None)
    alert(
        book,
        f"计算完成：缴费 {totals.people} 人，个人缴费 {totals.personal_due} 元，"
        f"政府代缴 {totals.government_paid} 元，政府补贴 {totals.subsidy} 元，"
        f"补缴 {totals.backpay} 元，记入个人账户 {totals.credited} 元。",
    )


def _totals_line(
    sheet: Sheet, cols: dict[str, int], label_col: int, row: int, totals: Totals
) -> None:
    sums = {
        "amount": totals.personal_due,
        "backpay_amount": totals.backpay,
        "government_paid": totals.government_paid,
        "personal_due": totals.personal_due,
        "subsidy": totals.subsidy,
        "credited": totals.credited,
    }
    sheet.range((row, label_col)).value = TOTALS_LABEL
    bold(sheet.range((row, label_col)))
    if "group" in cols and cols["group"] != label_col:
        sheet.range((row, cols["group"])).value = f"{totals.people}人"
    for key, value in sums.items():
        if key in cols:
            sheet.range((row, cols[key])).value = value
            bold(sheet.range((row, cols[key])))


def remit(book: Book) -> None:
    """解缴清单: the cash (线下) payments of the village on a new ``解缴清单`` sheet."""
    from ..core.money import person_money
    from ..reports.remit import remit_list

    checked, sheet, _rows, policy = checked_book(book)
    refuse_errors(checked, "生成解缴清单")
    roster = checked.roster
    money = {p.row: person_money(p, policy) for p in checked.people}
    rl = remit_list(checked.people, money, policy)
    ws = fresh_sheet(book, REMIT_SHEET, after=sheet)
    place = f"{policy.county_name}{roster.township}{roster.village}"
    head_row, first = 3, 4
    last = first + len(rl.lines)
    as_text_columns(ws, first, max(first, last - 1), (2, 3, 4, 5))
    lines = [
        [i, ln.receipt, ln.name, ln.masked_id, ln.group, ln.tier, ln.amount]
        for i, ln in enumerate(rl.lines, start=1)
    ]
    write_rows(
        ws,
        1,
        1,
        [
            [f"{policy.year}年度城乡居民基本养老保险费解缴清单"],
            [f"{place}　线下缴费 {rl.count} 笔，合计 {rl.total} 元"],
            REMIT_HEAD,
            *lines,
            [f"合计（{rl.count} 笔）", None, None, None, None, None, rl.total],
            [],
            ["村协办员（签字）：________________　　日期：________"],
            [],
            ["乡镇（街道）财政所经办人（签字）：________________　　日期：________"],
            [],
            ["附：银行缴款回单"],
        ],
    )
    bold(ws.range("A1"))
    bold(ws.range((head_row, 1), (head_row, len(REMIT_HEAD))))
    bold(ws.range((last, 1), (last, len(REMIT_HEAD))))
    widths(ws, (6, 16, 10, 22, 10, 10, 14))
    ws.activate()
    alert(
        book,
        f"解缴清单：线下缴费 {rl.count} 笔，合计 {rl.total} 元，已生成“{REMIT_SHEET}”表；"
        "请与银行缴款回单核对后签字上交。",
    )
