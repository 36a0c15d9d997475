"""One village's result from its checked roster: counts, money, tiers, days, key groups, detail.

Pure domain code (no Excel library). The rules, used by the township summary and the county
merge alike:

- 花名册人数 (``rows``): every person row of the roster.
- 应缴人数 (``expected``): everyone except unpaid people whose 未缴原因 the policy marks
  ``excluded_from_expected`` (died, moved away, already drawing a pension, ...). A person who
  paid is always expected, whatever reason is typed beside the payment.
- 已缴人数 (``paid``): rows that record a payment (:attr:`Person.paid`), **with or without
  errors**: the village has collected the money, the errors are for it to correct. The splits
  among them (续保/新增, 线上/线下, 档次, 缴费日期) count the same rows.
- Money (个人缴费, 政府代缴, 政府补贴, 补缴, 记入个人账户) comes only from paid rows **without
  errors** (:func:`~xl_pension.core.money.person_money`); 金额计入人数 (``totals.people``) says how
  many. 补缴人数 counts those error-free rows that carry a 补缴 amount.
- 错误 / 警告: the roster's findings by severity.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePosixPath
from typing import NamedTuple

from ..core import idnum
from ..core.findings import Finding, Severity
from ..core.money import Money, Totals
from ..core.policy import Policy
from ..core.schema import BY_KEY, TEMPLATE_FILE_NAME
from ..core.validation import Checked, Person

# Key groups (重点人群) of 东政办字〔2024〕7号 四(一) found on the rosters: unpaid people near the
# pension age (临近到龄, the policy's [key_groups] window and [pension]) and unpaid 代缴 people.
# 年满45周岁未参保 are on no roster: they come from the population list (reports/population.py).
GROUP_NEAR = "临近到龄未缴"
GROUP_GOVERNMENT = "代缴对象未缴"
KEY_GROUPS = (GROUP_NEAR, GROUP_GOVERNMENT)

# File names that say nothing about the village (new or copied workbooks, the blank template).
_GENERIC_STEM = re.compile(
    r"^(新建.*|book\d*|sheet\d*|工作簿\d*|untitled.*|花名册\d*|.*副本.*|copy.*|\d*|"
    + re.escape(PurePosixPath(TEMPLATE_FILE_NAME).stem)
    + r".*)$",
    re.IGNORECASE,
)


_TOPUP = operator.attrgetter("topup_from")
_ENROLLMENT = operator.attrgetter("enrollment")
_METHOD = operator.attrgetter("method")
_TIER = operator.attrgetter("tier")
_PAY_DATE = operator.attrgetter("pay_date")


@dataclass
class Tally:
    """Counts and money of some people (a village, a township, a county); see the module doc."""

    rows: int = 0
    expected: int = 0
    paid: int = 0
    backpay_people: int = 0
    errors: int = 0
    warnings: int = 0
    totals: Totals = field(default_factory=Totals)
    by_enrollment: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
    by_tier: Counter[int | None] = field(default_factory=Counter)  # None: tier not of the policy
    by_day: Counter[dt.date | None] = field(default_factory=Counter)  # None: no usable date

    @property
    def unpaid(self) -> int:
        """未缴人数: expected people who have not paid."""
        return self.expected - self.paid

    @property
    def rate(self) -> Fraction | None:
        """完成率 (已缴 / 应缴) as an exact fraction; ``None`` when nobody is expected."""
        return Fraction(self.paid, self.expected) if self.expected else None

    def add(self, person: Person, money: Money | None, policy: Policy) -> None:
        """Count one person row (``money``: its money when paid and without errors); see
        :meth:`add_rows`."""
        self.add_rows([person], [money], policy)

    def add_rows(
        self, people: Sequence[Person], moneys: Sequence[Money | None], policy: Policy
    ) -> None:
        """Count person rows, each with its money (when paid and without errors). A 差额缴费
        row adds its money and moves the person's tier count to the final tier; the person was
        counted (expected, paid) on the first row. (Column by column, with C-level counting,
        and the money summed once for each distinct amount: a county has 400,000 rows.)"""
        self.rows += len(people)
        if any(map(_TOPUP, people)):
            pairs = list(zip(people, moneys, strict=True))
            for p, m in pairs:
                if p.topup_from is not None:
                    self.by_tier[p.topup_from] -= 1
                    self.by_tier[p.tier] += 1
                    if m is not None:
                        self.totals.add(m)  # no 补缴人数: the person was counted on row one
            people = [p for p, _ in pairs if p.topup_from is None]
            moneys = [m for p, m in pairs if p.topup_from is None]
        paid = [p for p in people if p.paid]
        reasons = Counter(p.unpaid_reason for p in people if not p.paid)
        by_reason = policy.reason_by_name
        self.expected += len(paid) + sum(
            n
            for name, n in reasons.items()
            if (r := by_reason.get(name)) is None or not r.excluded_from_expected
        )
        self.paid += len(paid)
        self.by_enrollment.update(filter(None, map(_ENROLLMENT, paid)))
        self.by_method.update(filter(None, map(_METHOD, paid)))
        for tier, n in Counter(map(_TIER, paid)).items():
            self.by_tier[tier if tier in policy.tier_by_amount else None] += n
        self.by_day.update(map(_PAY_DATE, paid))
        kept = [m for p, m in zip(people, moneys, strict=True) if m is not None and p.paid]
        distinct = dict(zip(map(id, kept), kept, strict=True))
        for key, n in Counter(map(id, kept)).items():
            money = distinct[key]
            self.totals.add(money, n)
            if money.backpay:
                self.backpay_people += n

    def merge(self, other: Tally) -> None:
        """Add another tally (a village into its township)."""
        for name in ("rows", "expected", "paid", "backpay_people", "errors", "warnings"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.totals.merge(other.totals)
        self.by_enrollment.update(other.by_enrollment)
        self.by_method.update(other.by_method)
        self.by_tier.update(other.by_tier)
        self.by_day.update(other.by_day)


def tally_of(tallies: Iterable[Tally]) -> Tally:
    """The sum of several tallies."""
    total = Tally()
    for t in tallies:
        total.merge(t)
    return total


class KeyPerson(NamedTuple):
    """An unpaid person of a key group (重点人群), for the internal work ledger."""

    groups: tuple[str, ...]
    row: int
    group: str  # 村民小组
    name: str
    masked_id: str
    age: int | None  # on the policy's reference date
    category: str
    unpaid_reason: str


class DetailRow(NamedTuple):
    """A paid person as listed in the summary's detail sheet (``money`` None: row has errors)."""

    row: int
    group: str
    name: str
    masked_id: str
    tier: int | None
    method: str
    pay_date: dt.date | None
    money: Money | None


@dataclass
class VillageResult:
    """Everything the summaries need from one roster."""

    file: str  # path relative to the folder that was summarised, '/'-separated
    sheet: str
    township: str  # township name ('' unknown)
    township_code: str
    village: str  # village name ('' unknown)
    tally: Tally
    findings: list[Finding]
    key_people: list[KeyPerson] = field(default_factory=list)
    details: list[DetailRow] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # roster header -> 1-based column
    ids: frozenset[str] = frozenset()  # every valid ID of the roster (with ``details``)

    @property
    def label(self) -> str:
        """The village's name, or the file's when the name is unknown."""
        return self.village or f"（村名未知：{self.file}）"


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def near_pension(person: Person, policy: Policy) -> bool:
    """临近到龄: the person reaches the pension age within the policy's window (from the age
    reference date) and, where the roster gives 累计缴费年限, has fewer than the policy's
    ``pension.min_years``."""
    if not person.id_valid:
        return False
    ref = policy.age_reference_date
    age = idnum.age_on(person.id_number, ref)
    window = policy.key_group_rules.near_pension_years
    later = idnum.age_on(person.id_number, _years_later(ref, window))
    if age is None or later is None or age >= policy.pension.age:
        return False
    if person.paid_years is not None and person.paid_years >= policy.pension.min_years:
        return False
    return later >= policy.pension.age


def key_groups(person: Person, policy: Policy) -> tuple[str, ...]:
    """The key groups an unpaid person belongs to (empty for payers and for people whose
    未缴原因 removes them from 应缴人数)."""
    if person.paid:
        return ()
    reason = policy.reason_by_name.get(person.unpaid_reason)
    if reason is not None and reason.excluded_from_expected:
        return ()
    groups = []
    if near_pension(person, policy):
        groups.append(GROUP_NEAR)
    category = policy.category_by_name.get(person.category)
    if category is not None and category.is_government_paid:
        groups.append(GROUP_GOVERNMENT)
    return tuple(groups)


def _key_person(person: Person, groups: tuple[str, ...], policy: Policy) -> KeyPerson:
    age = idnum.age_on(person.id_number, policy.age_reference_date) if person.id_valid else None
    return KeyPerson(
        groups=groups,
        row=person.row,
        group=person.group,
        name=person.name,
        masked_id=idnum.mask(person.id_number),
        age=age,
        category=person.category,
        unpaid_reason=person.unpaid_reason,
    )


def header_columns(checked: Checked) -> dict[str, int]:
    """The roster's columns by Chinese header (1-based), to point findings at cells."""
    return {BY_KEY[k].header: c for k, c in checked.roster.columns.items() if k in BY_KEY}


def village_from(meta_village: str, file: str) -> str:
    """The village's name: the roster's ``_meta`` village, else the file name when it names a
    village (not ``新建 ...``, ``工作簿1``, a copy or the blank template); ``''`` when unknown."""
    name = meta_village.strip()
    if name:
        return name
    stem = PurePosixPath(file.replace("\\", "/")).stem.strip()
    return "" if _GENERIC_STEM.match(stem) else stem


def village_result(
    checked: Checked,
    policy: Policy,
    *,
    file: str,
    township: str = "",
    township_code: str = "",
    village: str = "",
    exclude_rows: Collection[int] = (),
    extra_findings: Iterable[Finding] = (),
    details: bool = True,
) -> VillageResult:
    """The result of one checked roster.

    ``exclude_rows`` (Excel rows) are counted in 花名册人数 only: the county merge withholds a
    person found in an earlier village this way. ``extra_findings`` (e.g. the merge's
    duplicates) are listed and counted with the roster's own. ``details`` keeps the per-person
    rows of the detail sheet and the key groups (the township summary needs them, the county
    merge does not).
    """
    tally = Tally()
    findings = [*checked.findings, *extra_findings]
    tally.errors = sum(1 for f in findings if f.severity is not Severity.WARNING)
    tally.warnings = len(findings) - tally.errors
    result = VillageResult(
        file=file,
        sheet=checked.roster.sheet,
        township=township,
        township_code=township_code,
        village=village,
        tally=tally,
        findings=findings,
        columns=header_columns(checked),
    )
    excluded = set(exclude_rows)
    people = checked.people
    if excluded:
        tally.rows += sum(1 for p in people if p.row in excluded)
        people = [p for p in people if p.row not in excluded]
    money_of = checked.money_of
    moneys = [money_of(person, policy) for person in people]
    tally.add_rows(people, moneys, policy)
    if not details:
        return result
    result.ids = frozenset(p.id_number for p in checked.people if p.id_valid)
    mask = idnum.mask
    for person, money in zip(people, moneys, strict=True):
        if person.paid:
            result.details.append(
                DetailRow(
                    person.row,
                    person.group,
                    person.name,
                    mask(person.id_number),
                    person.tier,
                    person.method,
                    person.pay_date,
                    money,
                )
            )
        else:
            groups = key_groups(person, policy)
            if groups:
                result.key_people.append(_key_person(person, groups, policy))
    return result
