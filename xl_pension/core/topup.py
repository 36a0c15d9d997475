"""差额缴费 (top-up): a second row of the same person that raises this year's tier.

Where the policy allows it (``[topup] allowed``), a row whose 参保类型 is the policy's top-up mark
and whose ID appeared on an earlier, ordinary paid row is not a duplicate: its 缴费档次 is the final
tier, its 实缴金额 the difference of what the person owes on the two tiers, and the subsidy
follows the final tier (money adds only the differences, see :mod:`money`). Anything else stays
``id.duplicate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import catalogue as cat
from .findings import Finding
from .money import amount_due
from .policy import Policy

if TYPE_CHECKING:
    from .validation import Person


def is_topup(person: Person, policy: Policy) -> bool:
    """True when the row is marked as a top-up and the policy allows top-ups."""
    return policy.topup.allowed and person.enrollment == policy.topup.enrollment_type


def lone_topup(sheet: str, person: Person, policy: Policy) -> Finding:
    """The finding of a top-up row with no earlier paid row of the same person."""
    mark = policy.topup.enrollment_type
    return cat.TOPUP_INVALID.at(sheet, person.row, mark, variant="lone", mark=mark)


def link_topup(sheet: str, base: Person, row: Person, policy: Policy) -> list[Finding]:
    """Check a top-up ``row`` against the person's earlier ``base`` row; on success the row's
    :attr:`Person.topup_from` is the base tier. Returns the findings (empty when it is fine)."""
    if not base.paid or base.tier not in policy.tier_by_amount:
        return [lone_topup(sheet, row, policy)]
    if row.tier is None or row.tier not in policy.tier_by_amount:
        return []  # tier.invalid / required.missing already said so on this row
    # what both findings of a top-up checked against its base row name
    against = {"base_row": base.row, "base_tier": base.tier, "tier": row.tier}
    if row.tier <= base.tier:
        return [
            cat.TOPUP_INVALID.at(
                sheet, row.row, str(row.tier), key="tier", variant="not_higher", **against
            )
        ]
    category = policy.category_by_name.get(base.category)
    if category is None:
        return []
    due = amount_due(category, row.tier) - amount_due(category, base.tier)
    if row.amount is not None and row.amount != due:
        return [
            cat.AMOUNT_MISMATCH.at(
                sheet,
                row.row,
                str(row.amount),
                variant="topup",
                due=due,
                amount=row.amount,
                **against,
            )
        ]
    row.topup_from = base.tier
    row.category = base.category
    return []
