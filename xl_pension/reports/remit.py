"""The village's 缴费人清单 of one deposit: the offline payments the operator declares from.

Seed 三(三): the village agent deposits the cash at the township finance account and hands in
the bank slip (缴款回单) with the payer list (缴费人清单); the tax operator keys each payment into
the e-tax bureau from it. So the list holds the payments whose method the policy marks
``declared_by = "operator"``, one line for this year (缴费类型 正常) and one per 补缴 year (the
same rows as the 批量申报清单, :func:`~.declare.payment_lines`), with the full ID number and the
receipt number: an internal document, never posted. Paid rows with a receipt that could not be
listed (errors) are named, so that a bank slip that does not match can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import idnum
from ..core.money import Money
from ..core.policy import Policy
from ..core.validation import Person
from .declare import REGULAR, payment_lines


@dataclass(frozen=True)
class RemitLine:
    """One declared payment of a receipt: this year's own share or one 补缴 year."""

    receipt: str
    name: str
    id_number: str  # full: the operator declares from this list
    group: str
    year: int
    kind: str  # REGULAR or BACKPAY (reports.declare)
    tier: int
    amount: int  # the cash of this line
    row: int

    @property
    def masked_id(self) -> str:
        """The ID number with the birth date hidden (for messages)."""
        return idnum.mask(self.id_number)

    @property
    def regular(self) -> bool:
        """True for this year's payment (缴费类型 正常)."""
        return self.kind == REGULAR


@dataclass(frozen=True)
class LeftOut:
    """A paid offline row with a receipt that is not on the list (it has errors)."""

    receipt: str
    row: int
    amount: int  # 实缴金额 + 补缴金额 as typed (yuan)


@dataclass(frozen=True)
class RemitList:
    """The offline payments of one village (one deposit)."""

    lines: tuple[RemitLine, ...]
    left_out: tuple[LeftOut, ...] = ()

    @property
    def count(self) -> int:
        """Number of receipts (payments) on the list."""
        return len({(line.receipt, line.row) for line in self.lines})

    @property
    def total(self) -> int:
        """Cash total (yuan)."""
        return sum(line.amount for line in self.lines)

    def difference(self, deposited: int) -> int:
        """Bank slip minus list total: positive = more deposited than listed."""
        return deposited - self.total


def remit_list(
    people: list[Person], money_by_row: dict[int, Money | None], policy: Policy
) -> RemitList:
    """Lines for every payment declared by the operator, in receipt order (this year first,
    then the 补缴 years), and the receipts of paid offline rows left out for their errors."""
    lines: list[RemitLine] = []
    left: list[LeftOut] = []
    for p in people:
        method = policy.method_by_name.get(p.method)
        if method is None or not method.declared_by_operator or not p.paid:
            continue
        m = money_by_row.get(p.row)
        if m is None or p.has_error:
            if p.receipt:
                left.append(LeftOut(p.receipt, p.row, (p.amount or 0) + (p.backpay_amount or 0)))
            continue
        for x in payment_lines(p, m, policy, "", ""):
            lines.append(
                RemitLine(p.receipt, p.name, p.id_number, p.group, x.year, x.kind, x.tier,
                          x.personal, p.row)
            )  # fmt: skip
    lines.sort(key=lambda x: (x.receipt, x.row, not x.regular, x.year))
    return RemitList(tuple(lines), tuple(sorted(left, key=lambda x: x.row)))


def remit_summary(rl: RemitList) -> str:
    """ "线下缴费 4 笔（6 行，含补缴 2 行），合计 2400 元"."""
    backpay = sum(1 for line in rl.lines if not line.regular)
    rows = f"（{len(rl.lines)} 行，含补缴 {backpay} 行）" if backpay else ""
    return f"线下缴费 {rl.count} 笔{rows}，合计 {rl.total} 元"


def left_out_line(rl: RemitList) -> str | None:
    """The receipts of offline payments left out for their errors, by roster row (``None``
    when none): printed under the list, so a receipt number never just jumps."""
    if not rl.left_out:
        return None
    named = "、".join(f"{x.receipt}（第 {x.row} 行，{x.amount} 元）" for x in rl.left_out)
    return f"有错误未列入清单的收据：{named}；改正后重新生成清单。"


def reconciliation_lines(rl: RemitList, deposited: int) -> list[str]:
    """The bank slip against the list, naming the receipts left out when they do not match."""
    diff = rl.difference(deposited)
    state = "相符" if diff == 0 else f"不符，回单{'多' if diff > 0 else '少'} {abs(diff)} 元"
    lines = [f"银行缴款回单金额：{deposited} 元；核对结果：{state}"]
    if diff and (left := left_out_line(rl)):
        lines.append(left)
    return lines
