"""Money per person and per roster: 政府代缴, 个人应缴, 政府补贴, 记入个人账户 — whole yuan, ``int``.

The rules, all driven by the policy file (:func:`government_part` and :func:`amount_due` are
the one amount-due rule; validation and the sample call them):

- 代缴 (``government_paid``) is the category's government payment, at most the tier.
- 个人应缴 (``personal_due``): in the *inclusive* model the tier minus 代缴, never below 0; in the
  *additive* model the whole tier the person chose (代缴 comes on top), unless the tier is not
  above the 代缴 amount (then the government pays the tier and the person nothing).
- 政府补贴 (``subsidy``) follows the credited tier. When a category's
  ``subsidy_on_government_part`` is false, the part of the subsidy that belongs to the 代缴
  amount (the subsidy of the highest tier not above the 代缴 amount) is not granted.
- 补缴 earns no subsidy unless ``backpay.subsidy`` is true (then each year earns the subsidy of
  its per-year tier).
- 记入个人账户 (``credited``) = 个人应缴 + 代缴 + subsidy + 补缴金额 (+ any 补缴 subsidy); in the
  inclusive model 个人应缴 + 代缴 is the tier.
- 差额缴费 (top-up row, :attr:`Person.topup_from` set by validation): the row adds the
  difference between the final tier's money and the earlier tier's, and no person, so the two
  rows together hold the final tier's money once (one subsidy).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from .policy import Category, Policy

if TYPE_CHECKING:  # validation imports the amount-due rule from here
    from .validation import Person

MONEY_FIELDS = ("tier", "government_paid", "personal_due", "subsidy", "backpay", "credited")


@dataclass(frozen=True)
class Money:
    """What one paying person's year adds up to (yuan)."""

    tier: int
    government_paid: int
    personal_due: int
    subsidy: int
    backpay: int
    credited: int
    people: int = 1  # 0 on a 差额缴费 row: the person is counted on the first row

    @property
    def personal_total(self) -> int:
        """Everything the person pays this time: own share of the tier plus 补缴."""
        return self.personal_due + self.backpay


def government_part(category: Category, tier_amount: int) -> int:
    """政府代缴 of a person of ``category`` on a tier of ``tier_amount`` (both models)."""
    return min(category.government_pays, tier_amount)


def amount_due(category: Category, tier_amount: int) -> int:
    """个人应缴 of a person of ``category`` on a tier of ``tier_amount``: the rest of the tier
    (inclusive model) or the whole tier with 代缴 on top (additive model)."""
    government = government_part(category, tier_amount)
    if category.is_additive and tier_amount > government:
        return tier_amount
    return tier_amount - government


def _subsidy_of_amount(policy: Policy, amount: int) -> int:
    """Subsidy of the highest tier whose amount is not above ``amount`` (0 if none)."""
    best = 0
    for t in policy.tiers:
        if t.amount <= amount:
            best = t.subsidy
    return best


def tier_money(policy: Policy, category: Category, amount: int) -> tuple[int, int, int]:
    """(代缴, 个人应缴, subsidy) of this year's tier ``amount`` for ``category`` (both models):
    what a roster row of that tier is charged and credited (the poster's examples too)."""
    tier = policy.tier_by_amount[amount]
    government = government_part(category, amount)
    subsidy = tier.subsidy
    if not category.subsidy_on_government_part and government and not category.is_additive:
        subsidy = max(subsidy - _subsidy_of_amount(policy, government), 0)
    return government, amount_due(category, amount), subsidy


def _backpay_subsidy(person: Person, policy: Policy) -> int:
    """Subsidy earned by 补缴 (0 unless the policy grants one): each year its own tier's."""
    backpay = person.backpay_amount or 0
    if not (backpay and policy.backpay.subsidy and person.backpay_years):
        return 0
    per_year = backpay // len(person.backpay_years)
    tiers = [policy.backpay_tier(y, per_year) for y in person.backpay_years]
    return sum(t.subsidy for t in tiers if t is not None)


def person_money(person: Person, policy: Policy) -> Money | None:
    """Money of one paid, valid person; ``None`` for unpaid people or unusable tiers."""
    if not person.paid or person.tier is None:
        return None
    category = policy.category_by_name.get(person.category)
    if person.tier not in policy.tier_by_amount or category is None:
        return None
    government, personal, subsidy = tier_money(policy, category, person.tier)
    tier, people = person.tier, 1
    if person.topup_from is not None and person.topup_from in policy.tier_by_amount:
        before = tier_money(policy, category, person.topup_from)
        government, personal, subsidy = (
            government - before[0],
            personal - before[1],
            subsidy - before[2],
        )
        tier, people = person.tier - person.topup_from, 0
    backpay = person.backpay_amount or 0
    backpay_subsidy = _backpay_subsidy(person, policy)
    return Money(
        tier=tier,
        government_paid=government,
        personal_due=personal,
        subsidy=subsidy + backpay_subsidy,
        backpay=backpay,
        credited=personal + government + subsidy + backpay_subsidy + backpay,
        people=people,
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

    def add(self, m: Money, times: int = 1) -> None:
        """Add one person's money (a 差额缴费 row adds money but no person), ``times`` times
        (that many people with the same money)."""
        self.people += m.people * times
        for name in MONEY_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(m, name) * times)

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
