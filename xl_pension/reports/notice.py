"""The village's public notice (公示) of this year's payments: period, people, amounts.

Pure domain code (no Excel library, no template engine): :func:`notice_period` works out the
posting period from the policy, :func:`build_notice` turns a validated roster and its money into
a :class:`NoticeContext` that the workbook and HTML writers render. Only what the notice may
show is kept: name, village group, masked ID number, tier and amounts — never phone numbers,
人员类别 (disability or 低保 status is sensitive) or 未缴原因.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..core import catalogue as cat
from ..core import idnum, schema
from ..core.groups import group_sort_key
from ..core.money import Money, Totals, totals_of
from ..core.policy import Policy
from ..core.validation import Checked, Person

NOTICE_SHEET = "公示"
CALENDAR, WORKING = "calendar", "working"

# The notice table, left to right: (key, header). Headers come from the schema; 个人缴费 is the
# person's own share of this year's tier (Money.personal_due), as in the tax bureau's list.
_PERSONAL_HEADER = next(c.header for c in schema.BATCH_DECLARATION_COLUMNS if c.key == "personal")
NOTICE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("seq", schema.header("seq")),
    ("group", schema.header("group")),
    ("name", schema.header("name")),
    ("id_number", schema.header("id_number")),
    ("tier", schema.header("tier")),
    ("personal", _PERSONAL_HEADER),
    ("government_paid", schema.header("government_paid")),
    ("subsidy", schema.header("subsidy")),
)
MONEY_KEYS = ("tier", "personal", "government_paid", "subsidy")  # right-aligned columns


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

    def cells(self) -> tuple[object, ...]:
        """The values in :data:`NOTICE_COLUMNS` order."""
        return (
            self.index,
            self.group,
            self.name,
            self.masked_id,
            self.tier,
            self.personal,
            self.government_paid,
            self.subsidy,
        )


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
        line: list[tuple[object, int]] = [
            (schema.TOTALS_LABEL, 1),
            (f"共 {self.totals.people} 人", 3),
        ]
        line += [(sums.get(key, ""), 1) for key, _ in NOTICE_COLUMNS[4:]]
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
        }


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
        for i, (p, m) in enumerate(pairs, start=1)
    ]
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
    )
