"""The buttons that work on the open village roster: 校验花名册, 计算补贴, 解缴清单.

Each takes the open ``xw.Book``, reads the ``花名册`` grid through the adapter, calls the
validation and money code on plain records, gets the write-back's plan from ``reports/`` (the
same plan the command line writes to a file) and applies it to the book (:mod:`.apply`).
A book that is not a roster raises ``template.not_roster`` before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.findings import count_by_severity
from ..core.marking import MARKS_SHEET, RESULT_SHEET
from ..core.schema import REMIT_SHEET
from ._book import Book, Grid, Sheet, alert, read_roster, status
from .settings import load_policy_setting, load_settings

if TYPE_CHECKING:
    from ..core.money import Money
    from ..core.policy import Policy
    from ..core.validation import Checked
    from .apply import Applied

# What the message box adds when the engine could not do part of a plan.
LEFT_OUT = {
    "notes": "这个版本的 Excel 不能添加批注，问题单元格只标了颜色，说明请看“校验结果”表。",
    "hidden": f"这个版本的 Excel 不能隐藏工作表：“{MARKS_SHEET}”表记录了标注前的样子，"
    "下次校验时用来还原，请不要修改。",
}


def left_out_text(applied: Applied) -> str:
    """The sentences saying what the engine could not do (empty when it did everything)."""
    return "".join(LEFT_OUT[k] for k in sorted(applied.left_out) if k in LEFT_OUT)


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


def money_of(checked: Checked, policy: Policy) -> dict[int, Money | None]:
    """Each paying person's money, by Excel row."""
    from ..core.money import person_money

    return {p.row: person_money(p, policy) for p in checked.people}


def validate(book: Book) -> None:
    """校验花名册: colour and annotate every problem cell and list them on ``校验结果``."""
    from ..reports.marks_plan import marks_plan
    from .apply import apply_plan

    checked, _sheet, _rows, _policy = checked_book(book)
    status(book, "正在标注问题单元格……")
    findings = checked.findings
    applied = apply_plan(book, marks_plan(checked.roster, findings))
    counts = count_by_severity(findings)
    people = len(checked.roster.records)
    status(book, None)
    if counts["error"] or counts["warning"]:
        noted = "" if "notes" in applied.left_out else "并加了批注"
        alert(
            book,
            f"校验完成：共 {people} 人，错误 {counts['error']} 条，警告 {counts['warning']} 条。"
            f"出错的单元格已标红（警告标黄）{noted}，明细见“{RESULT_SHEET}”表。"
            + left_out_text(applied),
            critical=bool(counts["error"]),
        )
    else:
        alert(book, f"校验完成：共 {people} 人，没有发现问题。" + left_out_text(applied))


def compute(book: Book) -> None:
    """计算补贴: fill 政府代缴, 个人应缴, 政府补贴, 记入个人账户 and a totals line."""
    from ..core.money import totals_of
    from ..reports.compute_plan import compute_plan
    from .apply import apply_plan

    checked, _sheet, _rows, policy = checked_book(book)
    refuse_errors(checked, "计算")
    status(book, "正在计算补贴……")
    money = money_of(checked, policy)
    totals = totals_of(money.values())
    apply_plan(book, compute_plan(checked.roster, money, totals, checked.people))
    status(book, None)
    alert(
        book,
        f"计算完成：缴费 {totals.people} 人，个人缴费 {totals.personal_due} 元，"
        f"政府代缴 {totals.government_paid} 元，政府补贴 {totals.subsidy} 元，"
        f"补缴 {totals.backpay} 元，记入个人账户 {totals.credited} 元。",
    )


def remit(book: Book) -> None:
    """解缴清单: the cash (线下) payments of the village on a new ``解缴清单`` sheet."""
    from ..reports.remit import remit_list
    from ..reports.remit_plan import remit_plan
    from .apply import apply_plan

    checked, _sheet, _rows, policy = checked_book(book)
    refuse_errors(checked, "生成解缴清单")
    rl = remit_list(checked.people, money_of(checked, policy), policy)
    apply_plan(book, remit_plan(policy, checked.roster, rl))
    alert(
        book,
        f"解缴清单：线下缴费 {rl.count} 笔，合计 {rl.total} 元，已生成“{REMIT_SHEET}”表；"
        "请与银行缴款回单核对后签字上交。",
    )
