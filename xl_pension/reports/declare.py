"""Who declares what: the operator's 批量申报清单 and the 代缴申报表, one per township (pure core).

Seed 三(三) and policy-facts.md "Who declares what": only payments made with a method the policy
marks ``declared_by = "operator"`` (offline cash handed in with the 缴费人清单) are keyed in by the
tax operator; online payers declare themselves and appear in the counts only; what the
government pays (代缴) goes to 人社 / 财政 on a separate list. A payment is declared as one row
for this year (缴费类型 正常) and one row per 补缴 year (缴费类型 补缴, that year's amount).

The builder is a function of checked records — a :class:`~xl_pension.core.validation.Person`
with its :class:`~xl_pension.core.money.Money` — fed one at a time, so that it runs on freshly
checked rosters or on stored checked records alike. Every paid row ends up in exactly one place
(operator, self, 代缴-only or held back with a reason) and :meth:`TownshipDeclaration.conservation`
proves it, for rows and for money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from ..core.money import Money
from ..core.policy import Policy, Township
from ..core.policy_intake import Declaration
from ..core.validation import Person

REGULAR, BACKPAY = "regular", "backpay"  # 缴费类型 (shown as the policy's 正常 / 补缴)
HELD_ERRORS = "有错误"
HELD_NO_MONEY = "档次或人员类别无法计算"
HELD_METHOD = "缴费方式不在政策中"


def declared_cell(line: DeclaredLine, key: str, declaration: Declaration) -> object:
    """What every declaration line answers: the value of a ``[declaration]`` column, by key
    (the policy's 证件类型 for ``id_type``, the policy's 正常 / 补缴 for a payment's ``kind``,
    else the line's own field of that name)."""
    if key == "id_type":
        return declaration.id_type
    if key == "kind" and isinstance(line, PaymentLine):
        return declaration.regular if line.kind == REGULAR else declaration.backpay
    return getattr(line, key)


# The lines are named tuples: a county declares some 335,000 payments, and a frozen dataclass
# costs ten times as much to make.
class PaymentLine(NamedTuple):
    """One declared payment: this year's (正常) or one 补缴 year's, with the full ID number."""

    id_number: str
    name: str
    year: int
    kind: str  # REGULAR or BACKPAY
    tier: int  # the year's tier (a 补缴 year: its per-year amount)
    personal: int  # what the person paid for that year (yuan)
    receipt: str
    pay_date: dt.date | None
    township: str
    village: str
    file: str
    row: int

    def cell(self, key: str, declaration: Declaration) -> object:
        """The value of a declaration column (``[declaration]`` key) on this line."""
        return declared_cell(self, key, declaration)


class GovernmentLine(NamedTuple):
    """One person the government pays for (代缴申报表), with the full ID number."""

    id_number: str
    name: str
    category: str
    government_paid: int
    township: str
    village: str
    file: str
    row: int

    def cell(self, key: str, declaration: Declaration) -> object:
        """The value of a declaration column (``[declaration]`` key) on this line."""
        return declared_cell(self, key, declaration)


DeclaredLine = PaymentLine | GovernmentLine  # what a declaration sheet lists


class HeldBack(NamedTuple):
    """A paid row declared nowhere, and why (no ID number: this is shown in messages)."""

    file: str
    row: int
    reason: str
    personal: int  # the money as typed (实缴金额 + 补缴金额), yuan
    government_paid: int


def payment_lines(
    person: Person, money: Money, policy: Policy, township: str, village: str, file: str = ""
) -> list[PaymentLine]:
    """The declared rows of one payment: this year's own share (when above 0) and one row per
    补缴 year (the 补缴 amount split evenly over the years; a remainder goes to the first)."""
    who = (person.id_number, person.name)
    where = (person.receipt, person.pay_date, township, village, file, person.row)
    lines = []
    if money.personal_due > 0:
        lines.append(
            PaymentLine(*who, policy.year, REGULAR, money.tier, money.personal_due, *where)
        )
    years = sorted(person.backpay_years)
    if money.backpay and years:
        per_year, rest = divmod(money.backpay, len(years))
        for i, year in enumerate(years):
            amount = per_year + (rest if i == 0 else 0)
            lines.append(PaymentLine(*who, year, BACKPAY, amount, amount, *where))
    return lines


@dataclass
class TownshipDeclaration:
    """One township's declaration lists and where each of its paid rows went."""

    township: Township
    operator: list[PaymentLine] = field(default_factory=list)
    government: list[GovernmentLine] = field(default_factory=list)
    held: list[HeldBack] = field(default_factory=list)
    paid: int = 0  # paid rows fed
    paid_personal: int = 0  # what they paid themselves (this year + 补缴), yuan
    paid_government: int = 0  # 代缴 of the paid rows, yuan
    operator_people: int = 0
    self_people: int = 0
    self_personal: int = 0
    government_only: int = 0  # rows the government paid in full (nothing of their own)
    tier_total: int = 0  # sums over the declared (not held) rows, for the merge's checks
    personal_due_total: int = 0

    @property
    def operator_personal(self) -> int:
        """Money on the operator's list (yuan)."""
        return sum(line.personal for line in self.operator)

    @property
    def government_total(self) -> int:
        """Money on the 代缴申报表 (yuan)."""
        return sum(line.government_paid for line in self.government)

    @property
    def declared(self) -> int:
        """Paid rows declared somewhere (operator, self or 代缴-only)."""
        return self.operator_people + self.self_people + self.government_only

    def held_counts(self) -> dict[str, int]:
        """Held-back rows by reason (first-seen order)."""
        counts: dict[str, int] = {}
        for h in self.held:
            counts[h.reason] = counts.get(h.reason, 0) + 1
        return counts

    def conservation(self) -> tuple[list[str], list[str]]:
        """(lines, differences): rows paid = operator + self + 代缴-only + held, and money
        likewise (own money and 代缴); ``differences`` is empty when it holds."""
        held_personal = sum(h.personal for h in self.held)
        held_government = sum(h.government_paid for h in self.held)
        reasons = "、".join(f"{k} {n}" for k, n in self.held_counts().items()) or "无"
        rows = self.declared + len(self.held)
        own = self.operator_personal + self.self_personal + held_personal
        gov = self.government_total + held_government
        lines = [
            f"缴费 {self.paid} 人 = 专管员申报 {self.operator_people} 人 + 本人线上申报 "
            f"{self.self_people} 人 + 仅政府代缴 {self.government_only} 人 + 暂不申报 "
            f"{len(self.held)} 人（{reasons}）",
            f"个人缴费 {self.paid_personal} 元 = 批量申报清单 {self.operator_personal} 元 + "
            f"本人线上申报 {self.self_personal} 元 + 暂不申报 {held_personal} 元",
            f"政府代缴 {self.paid_government} 元 = 代缴申报表 {self.government_total} 元 + "
            f"暂不申报 {held_government} 元",
        ]
        diffs = []
        if rows != self.paid:
            diffs.append(f"{self.township.name}：缴费 {self.paid} 人，各去向合计 {rows} 人")
        if own != self.paid_personal:
            diffs.append(
                f"{self.township.name}：个人缴费 {self.paid_personal} 元，各去向合计 {own} 元"
            )
        if gov != self.paid_government:
            diffs.append(
                f"{self.township.name}：政府代缴 {self.paid_government} 元，各去向合计 {gov} 元"
            )
        return lines, diffs


def _typed_money(person: Person) -> int:
    return (person.amount or 0) + (person.backpay_amount or 0)


class Declarations:
    """Accumulates checked records into per-township declarations (see the module docstring)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.townships: dict[str, TownshipDeclaration] = {}
        self.unplaced: list[HeldBack] = []  # paid rows of rosters whose township is unknown
        self._last: TownshipDeclaration | None = None  # rows come a roster at a time

    def add(
        self,
        person: Person,
        money: Money | None,
        township: Township | None,
        village: str,
        file: str,
        held: str = "",
    ) -> None:
        """Account one row; ``held`` is the caller's reason to declare it nowhere (a duplicate
        across villages, an unknown place). Unpaid rows are ignored."""
        if not person.paid:
            return
        policy = self.policy
        method = policy.method_by_name.get(person.method)
        if not held:
            if person.has_error:
                held = HELD_ERRORS
            elif money is None:
                held = HELD_NO_MONEY
            elif method is None and money.personal_total:  # 代缴 only needs no method
                held = HELD_METHOD
        if township is None:
            self.unplaced.append(
                HeldBack(file, person.row, held or "村/乡镇未知", _typed_money(person), 0)
            )
            return
        t = self._last
        if t is None or t.township is not township:
            t = self.townships.get(township.code)
            if t is None:
                t = self.townships[township.code] = TownshipDeclaration(township)
            self._last = t
        t.paid += 1
        if held or money is None:
            own = money.personal_total if money is not None else _typed_money(person)
            gov = money.government_paid if money is not None else 0
            t.paid_personal += own
            t.paid_government += gov
            t.held.append(HeldBack(file, person.row, held, own, gov))
            return
        personal, government = money.personal_total, money.government_paid
        t.paid_personal += personal
        t.paid_government += government
        t.tier_total += money.tier
        t.personal_due_total += money.personal_due
        if government:
            t.government.append(
                GovernmentLine(
                    person.id_number,
                    person.name,
                    person.category,
                    government,
                    township.name,
                    village,
                    file,
                    person.row,
                )
            )
        if personal == 0:
            t.government_only += 1
        elif method is not None and method.declared_by_operator:
            t.operator_people += 1
            t.operator += payment_lines(person, money, policy, township.name, village, file)
        else:
            t.self_people += 1
            t.self_personal += personal

    def result(self) -> list[TownshipDeclaration]:
        """The townships with paid rows, in policy order."""
        order = {t.code: i for i, t in enumerate(self.policy.townships)}
        return sorted(self.townships.values(), key=lambda t: order[t.township.code])
