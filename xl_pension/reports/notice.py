"""The village's public notice (公示) of this year's payments: period, people, amounts.

Pure domain code (no Excel library, no template engine): :func:`notice_period` works out the
posting period from the policy, :func:`build_notice` turns a validated roster and its money into
a :class:`NoticeContext` that the workbook plan renders (its :meth:`~NoticeContext.page` goes
to the HTML writer). Only what the notice may show is kept: name, village group, masked ID
number, tier and amounts — never phone numbers,
人员类别 (disability or 低保 status is sensitive) or 未缴原因. Which columns are shown, and whether
people on a tier reserved for some categories (the 代缴 groups' 100) are listed one by one, is
the policy's ``[notice]`` (:class:`~xl_pension.core.policy_extras.NoticeRules`): by default
neither per-person 政府代缴 nor 个人缴费 (which differs from the tier by the 代缴) is shown, and
the reserved tier's people are counted in the totals only.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..core import catalogue as cat
from ..core import idnum, schema
from ..core.groups import group_sort_key
from ..core.money import Money, Totals, totals_of
from ..core.notice_page import NoticePage
from ..core.policy import Policy
from ..core.validation import Checked, Person

NOTICE_SHEET = "公示"
CALENDAR, WORKING = "calendar", "working"

# Every column a notice may show, left to right (declared in the schema); the policy's
# ``[notice] columns`` picks the ones shown (:attr:`NoticeContext.columns`).
NOTICE_COLUMNS = schema.NOTICE_COLUMNS
MONEY_KEYS = schema.NOTICE_MONEY_KEYS  # right-aligned columns


def seq_sort_key(seq: str) -> float:
    """The roster's 序号 as a number (rows without a readable one sort last)."""
    try:
        return float(seq)
    except ValueError:
        return math.inf


def _working_period(start: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """First and last of ``days`` Chinese working days from ``start`` (official calendar)."""
    try:
        from chinese_calendar import is_workday
    except ImportError:  # pragma: no cover - a declared dependency
        raise cat.NOTICE_CALENDAR_MISSING.error() from None
    day, counted, first = start, 0, None
    try:
        while True:
            if is_workday(day):
                counted += 1
                first = first or day
                if counted == days:
                    return first, day
            day += dt.timedelta(days=1)
    except NotImplementedError:
        raise cat.NOTICE_CALENDAR_YEAR.error(year=day.year) from None


def notice_period(start: dt.date, policy: Policy) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of a notice of ``policy.notice_days`` days from ``start``.

    Calendar days: ``start`` .. ``start + days - 1``. Working days (``notice_day_kind ==
    "working"``): counted on the official holiday and make-up-workday calendar; a start on a
    non-working day moves to the next working day.
    """
    days = policy.notice_days
    if policy.notice_day_kind == WORKING:
        return _working_period(start, days)
    return start, start + dt.timedelta(days=days - 1)


def chinese_date(day: dt.date) -> str:
    """A date as written on notices: ``2024年5月6日``."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class NoticeRow:
    """One line of the notice table: only what may be made public."""

    index: int  # 序号 in the notice, 1..n
    group: str
    name: str
    masked_id: str
    tier: int
    personal: int
    government_paid: int
    subsidy: int
    source_row: int  # the Excel row in the roster (not shown; for tracing)

    def cells(self, keys: tuple[str, ...]) -> tuple[object, ...]:
        """The values of the columns ``keys`` (keys of :data:`NOTICE_COLUMNS`)."""
        return _cells_of(keys)(self)


# The field of a notice row each column key shows.
_FIELD_OF = {
    "seq": "index",
    "group": "group",
    "name": "name",
    "id_number": "masked_id",
    "tier": "tier",
    "personal": "personal",
    "government_paid": "government_paid",
    "subsidy": "subsidy",
}


@cache
def _cells_of(keys: tuple[str, ...]) -> Callable[[NoticeRow], tuple[object, ...]]:
    """A function giving a row's values of the columns ``keys`` (one a village's rows)."""
    get = operator.attrgetter(*(_FIELD_OF[k] for k in keys))
    return get if len(keys) > 1 else lambda row: (get(row),)


@dataclass
class NoticeContext:
    """Everything a village's notice shows; rendered by the workbook and HTML writers."""

    county: str
    township: str
    village: str
    year: int
    start: dt.date
    end: dt.date
    days: int
    day_kind: str
    phone: str
    rows: list[NoticeRow] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    columns: tuple[tuple[str, str], ...] = NOTICE_COLUMNS  # (key, header) of the shown columns
    unlisted: int = 0  # people counted in the totals but not listed (a reserved tier)

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the shown columns."""
        return tuple(k for k, _ in self.columns)

    def table(self) -> list[tuple[object, ...]]:
        """The person rows' cells, in the shown columns."""
        keys = self.keys
        return [r.cells(keys) for r in self.rows]

    def total_cells(self) -> dict[str, int]:
        """Sums shown on the totals line, keyed like the columns (the tiers are not summed)."""
        return {
            "personal": self.totals.personal_due,
            "government_paid": self.totals.government_paid,
            "subsidy": self.totals.subsidy,
        }

    def totals_line(self) -> list[tuple[object, int]]:
        """The totals line as (value, columns spanned): 合计, the head count across 村民小组 to
        身份证号码, then one cell per money column (empty under 缴费档次)."""
        sums = self.total_cells()
        keys = self.keys
        text = sum(1 for k in keys if k not in MONEY_KEYS)  # the text columns come first
        line: list[tuple[object, int]] = [(schema.TOTALS_LABEL, 1)]
        if text > 1:
            line.append((f"共 {self.totals.people} 人", text - 1))
        line += [(sums.get(key, ""), 1) for key in keys[text:]]
        return line

    def template_vars(self) -> dict[str, object]:
        """The variables the notice text templates can use."""
        return {
            "county": self.county,
            "township": self.township,
            "village": self.village,
            "year": self.year,
            "start": self.start,
            "end": self.end,
            "start_text": chinese_date(self.start),
            "end_text": chinese_date(self.end),
            "days": self.days,
            "working_days": self.day_kind == WORKING,
            "day_unit": "个工作日" if self.day_kind == WORKING else "天",
            "phone": self.phone,
            "people": self.totals.people,
            "personal_total": self.totals.personal_due,
            "government_paid_total": self.totals.government_paid,
            "subsidy_total": self.totals.subsidy,
            "tier_total": self.totals.tier,
            "unlisted": self.unlisted,
        }

    def page(self) -> NoticePage:
        """The notice as plain values for the page renderer (:mod:`xl_pension.io.notice_html`)."""
        return NoticePage(
            county=self.county,
            township=self.township,
            village=self.village,
            year=self.year,
            variables=self.template_vars(),
            columns=self.columns,
            rows=self.table(),
            totals=self.totals,
            totals_line=tuple(self.totals_line()),
        )


def notice_people(
    checked: Checked, money_by_row: Mapping[int, Money | None]
) -> list[tuple[Person, Money]]:
    """Paid people with usable money, in notice order: village group (natural), 序号, row."""
    pairs = []
    for p in checked.people:
        money = money_by_row.get(p.row)
        if p.paid and money is not None:
            pairs.append((p, money))
    pairs.sort(key=lambda pm: (group_sort_key(pm[0].group), seq_sort_key(pm[0].seq), pm[0].row))
    return pairs


def listed_one_by_one(person: Person, policy: Policy) -> bool:
    """Whether a payment is listed on the notice: not when its tier is reserved for some
    categories (it would name them) and the policy keeps such tiers to the totals."""
    if policy.notice_rules.list_restricted_tiers:
        return True
    tier = policy.tier_by_amount.get(person.tier) if person.tier is not None else None
    return tier is None or not tier.restricted_to


def build_notice(
    checked: Checked,
    money_by_row: Mapping[int, Money | None],
    policy: Policy,
    start: dt.date,
    phone: str = "",
) -> NoticeContext:
    """The notice of one village from its validated roster and the money of each row."""
    first, last = notice_period(start, policy)
    roster = checked.roster
    village = roster.village or Path(roster.file).stem
    pairs = notice_people(checked, money_by_row)
    listed = [(p, m) for p, m in pairs if listed_one_by_one(p, policy)]
    rows = [
        NoticeRow(
            index=i,
            group=p.group,
            name=p.name,
            masked_id=idnum.mask(p.id_number),
            tier=m.tier,
            personal=m.personal_due,
            government_paid=m.government_paid,
            subsidy=m.subsidy,
            source_row=p.row,
        )
        for i, (p, m) in enumerate(listed, start=1)
    ]
    shown = policy.notice_rules.columns
    return NoticeContext(
        county=policy.county_name,
        township=roster.township,
        village=village,
        year=policy.year,
        start=first,
        end=last,
        days=policy.notice_days,
        day_kind=policy.notice_day_kind,
        phone=phone.strip(),
        rows=rows,
        totals=totals_of(m for _, m in pairs),
        columns=tuple((k, h) for k, h in NOTICE_COLUMNS if k in shown),
        unlisted=sum(1 for _, m in pairs if m.people) - sum(1 for _, m in listed if m.people),
    )
