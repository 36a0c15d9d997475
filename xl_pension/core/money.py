"""Money per person and per roster: 政府代缴, 个人应缴, 政府补贴, 记入个人账户 — whole yuan, ``int``.

The rules, all driven by the policy file:

- 代缴 (``government_paid``) is the category's government payment, at most the tier.
- 个人应缴 (``personal_due``) is the tier minus 代缴, never below 0.
- 政府补贴 (``subsidy``) follows the credited tier. When a category's
  ``subsidy_on_government_part`` is false, the part of the subsidy that belongs to the 代缴
  amount (the subsidy of the highest tier not above the 代缴 amount) is not granted.
- 补缴 earns no subsidy unless ``backpay.subsidy`` is true (then each year earns the subsidy of
  its per-year tier).
- 记入个人账户 (``credited``) = tier + subsidy + 补缴金额 (+ any 补缴 subsidy).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from .policy import Category, Policy

if TYPE_CHECKING:  # validation calls the amount-due rule below: no import at run time
    from .validation import Person


@dataclass(frozen=True)
class Money:
    """What one paying person's year adds up to (yuan)."""

    tier: int
    government_paid: int
    personal_due: int
    subsidy: int
    backpay: int
    credited: int

    @property
    def personal_total(self) -> int:
        """Everything the person pays this time: own share of the tier plus 补缴."""
        return self.personal_due + self.backpay


def government_part(category: Category, tier: int) -> int:
    """代缴: what the government pays of a ``tier`` (yuan) for ``category``, at most the tier."""
    return min(category.government_pays, tier)


def amount_due(category: Category, tier: int) -> int:
    """个人应缴: what a person of ``category`` pays themselves for ``tier`` (yuan), never below 0.

    The one amount-due rule: validation checks 实缴金额 against it, compute writes it.
    """
    return tier - government_part(category, tier)


def _subsidy_of_amount(policy: Policy, amount: int) -> int:
    """Subsidy of the highest tier whose amount is not above ``amount`` (0 if none)."""
    best = 0
    for t in policy.tiers:
        if t.amount <= amount:
            best = t.subsidy
    return best


def person_money(person: Person, policy: Policy) -> Money | None:
    """Money of one paid, valid person; ``None`` for unpaid people or unusable tiers."""
    if not person.paid or person.tier is None:
        return None
    tier = policy.tier_by_amount.get(person.tier)
    category = policy.category_by_name.get(person.category)
    if tier is None or category is None:
        return None
    government = government_part(category, tier.amount)
    personal = amount_due(category, tier.amount)
    subsidy = tier.subsidy
    if not category.subsidy_on_government_part and government:
        subsidy = max(subsidy - _subsidy_of_amount(policy, government), 0)
    backpay = person.backpay_amount or 0
    backpay_subsidy = 0
    if backpay and policy.backpay.subsidy and person.backpay_years:
        per_year = backpay // len(person.backpay_years)
        year_tier = policy.tier_by_amount.get(per_year)
        backpay_subsidy = year_tier.subsidy * len(person.backpay_years) if year_tier else 0
    return Money(
        tier=tier.amount,
        government_paid=government,
        personal_due=personal,
        subsidy=subsidy + backpay_subsidy,
        backpay=backpay,
        credited=tier.amount + subsidy + backpay_subsidy + backpay,
    )


@dataclass
class Totals:
    """Sums over many people (yuan) and the number of paying people."""

    people: int = 0
    tier: int = 0
    government_paid: int = 0
    personal_due: int = 0
    subsidy: int = 0
    backpay: int = 0
    credited: int = 0

    def add(self, m: Money) -> None:
        """Add one person's money."""
        self.people += 1
        for f in fields(Money):
            setattr(self, f.name, getattr(self, f.name) + getattr(m, f.name))

    def merge(self, other: Totals) -> None:
        """Add another set of totals (e.g. a village into its township)."""
        for f in fields(Totals):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def personal_total(self) -> int:
        """Everything the people paid themselves (own share plus 补缴)."""
        return self.personal_due + self.backpay


def totals_of(moneys: Iterable[Money | None]) -> Totals:
    """Totals of the given people's money (``None`` entries are skipped)."""
    t = Totals()
    for m in moneys:
        if m is not None:
            t.add(m)
    return t
