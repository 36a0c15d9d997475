"""The village remittance list (解缴清单) of cash (offline) payments, reconciled with the bank slip."""

from __future__ import annotations

from dataclasses import dataclass

from ..core import idnum
from ..core.money import Money
from ..core.policy import Policy
from ..core.validation import Person


@dataclass(frozen=True)
class RemitLine:
    """One receipt: who paid how much in cash."""

    receipt: str
    name: str
    masked_id: str
    group: str
    tier: int
    amount: int  # own share of the tier plus 补缴: the cash handed over
    row: int


@dataclass(frozen=True)
class RemitList:
    """The cash payments of one village."""

    lines: tuple[RemitLine, ...]

    @property
    def count(self) -> int:
        """Number of receipts."""
        return len(self.lines)

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
    """Lines for every person who paid with a method that needs a receipt, in receipt order."""
    lines = []
    for p in people:
        m = money_by_row.get(p.row)
        method = policy.method_by_name.get(p.method)
        if m is None or method is None or not method.receipt_required or not m.personal_total:
            continue
        lines.append(
            RemitLine(
                receipt=p.receipt,
                name=p.name,
                masked_id=idnum.mask(p.id_number),
                group=p.group,
                tier=m.tier,
                amount=m.personal_total,
                row=p.row,
            )
        )
    lines.sort(key=lambda line: (line.receipt, line.row))
    return RemitList(tuple(lines))
