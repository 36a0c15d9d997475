"""The township summary: village rows, totals, tiers, daily progress, key groups, findings.

Pure domain code (no Excel library): :func:`summarize` folds the :class:`VillageResult` of every
roster into a :class:`TownshipSummary` that the workbook writer renders; :func:`measures` is the
one list of columns that the township (per village) and county (per township) tables share;
:func:`daily_context` gives the variables of the daily report template (日报).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, TypeVar

from ..core import catalogue as cat
from ..core.findings import Finding, Severity
from ..core.policy import Policy
from ..core.schema import BATCH_DECLARATION_COLUMNS, BY_KEY
from .population import Unenrolled, unenrolled_group
from .village import (
    GROUP_GOVERNMENT,
    GROUP_NEAR,
    KeyPerson,
    Tally,
    VillageResult,
    tally_of,
)

PERSONAL_HEADER = next(
    c.header for c in BATCH_DECLARATION_COLUMNS if c.key == "personal"
)  # 个人缴费
TOP_N = 3
T = TypeVar("T")

Kind = Literal["count", "money", "rate"]


@dataclass(frozen=True)
class Measure:
    """One column of the village / township tables: header, kind and how to get it."""

    key: str
    header: str
    kind: Kind
    get: Callable[[Tally], int | Fraction | None]

    @property
    def summable(self) -> bool:
        """True when the total is the sum of the rows (not for rates)."""
        return self.kind != "rate"


def measures(policy: Policy) -> list[Measure]:
    """The measure columns, left to right; enrollment types and payment methods from the
    policy."""
    m = Measure
    out = [
        m("rows", "花名册人数", "count", lambda t: t.rows),
        m("expected", "应缴人数", "count", lambda t: t.expected),
        m("paid", "已缴人数", "count", lambda t: t.paid),
        m("unpaid", "未缴人数", "count", lambda t: t.unpaid),
        m("rate", "完成率", "rate", lambda t: t.rate),
    ]
    for name in policy.enrollment_types:
        out.append(m(f"enrollment:{name}", f"{name}人数", "count", _counter("by_enrollment", name)))
    out.append(m("backpay_people", "补缴人数", "count", lambda t: t.backpay_people))
    out.append(m("backpay", BY_KEY["backpay_amount"].header, "money", lambda t: t.totals.backpay))
    for method in policy.payment_methods:
        key = f"method:{method.name}"
        out.append(m(key, f"{method.name}人数", "count", _counter("by_method", method.name)))
    out += [
        m("counted", "金额计入人数", "count", lambda t: t.totals.people),
        m("personal_due", PERSONAL_HEADER, "money", lambda t: t.totals.personal_due),
        m(
            "government_paid",
            BY_KEY["government_paid"].header,
            "money",
            lambda t: t.totals.government_paid,
        ),
        m("subsidy", BY_KEY["subsidy"].header, "money", lambda t: t.totals.subsidy),
        m("credited", BY_KEY["credited"].header, "money", lambda t: t.totals.credited),
        m("errors", "错误", "count", lambda t: t.errors),
        m("warnings", "警告", "count", lambda t: t.warnings),
    ]
    return out


def _counter(attr: str, name: str) -> Callable[[Tally], int]:
    return lambda t: getattr(t, attr)[name]


def rate_text(rate: Fraction | None) -> str:
    """A completion rate as shown to people: ``87.5%`` (``—`` when nobody is expected)."""
    return "—" if rate is None else f"{float(rate) * 100:.1f}%"


def competition_ranks(values: Sequence[Fraction | None]) -> list[int | None]:
    """Ranks (1 = best, ties share a rank, the next rank skips: 1, 2, 2, 4) of values in any
    order; ``None`` (no rate) gets no rank."""
    ranked = sorted(v for v in values if v is not None)[::-1]
    first = {}
    for i, v in enumerate(ranked, start=1):
        first.setdefault(v, i)
    return [None if v is None else first[v] for v in values]


def by_rate(items: Iterable[T], rate: Callable[[T], Fraction | None]) -> list[T]:
    """Items best rate first (stable for ties); items without a rate last."""
    items = list(items)
    rated = sorted((i for i in items if rate(i) is not None), key=rate, reverse=True)  # type: ignore[arg-type,return-value]
    return rated + [i for i in items if rate(i) is None]


def top_bottom(items: Sequence[T], rate: Callable[[T], Fraction | None]) -> tuple[list[T], list[T]]:
    """The best :data:`TOP_N` and the worst :data:`TOP_N` rated items, never overlapping
    (worst last)."""
    ordered = [i for i in by_rate(items, rate) if rate(i) is not None]
    top = ordered[:TOP_N]
    bottom = ordered[max(len(top), len(ordered) - TOP_N) :]
    return top, bottom


@dataclass(frozen=True)
class FileFinding:
    """A finding with the file it belongs to (the summaries list findings of many files)."""

    file: str
    township: str
    village: str
    finding: Finding
    cell: str = ""  # A1 reference of the cell the finding is about ('' for whole-file ones)


def column_letter(index: int) -> str:
    """Excel column letters of a 1-based column index (1 -> A, 27 -> AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def finding_cell(finding: Finding, columns: dict[str, int]) -> str:
    """The A1 reference of a finding's cell (column A when its column is not in the sheet)."""
    if not finding.row:
        return ""
    return f"{column_letter(columns.get(finding.column, 1))}{finding.row}"


def problem(file: str, message: str, code: str = cat.TEMPLATE_NOT_ROSTER.code) -> FileFinding:
    """A file-level problem (e.g. a file that is not a roster) as a finding."""
    return FileFinding(file, "", "", Finding(code, Severity.UNUSABLE, "", None, "", "", message))


@dataclass(frozen=True)
class PlacedKeyPerson:
    """A key-group person with the village they belong to."""

    township: str
    village: str
    file: str
    person: KeyPerson


@dataclass
class DayTable:
    """Paid people per day of the collection window and village (days with payments only).

    ``outside``: paid with a date outside the window; ``undated``: paid without a usable date.
    Each list has one number per village, in the order of the summary's villages.
    """

    days: list[dt.date]
    counts: list[list[int]]
    outside: list[int]
    undated: list[int]

    @property
    def daily_totals(self) -> list[int]:
        """Paid people per day, all villages."""
        return [sum(row) for row in self.counts]

    @property
    def cumulative(self) -> list[int]:
        """Paid people up to and including each day, all villages."""
        out, running = [], 0
        for n in self.daily_totals:
            running += n
            out.append(running)
        return out

    def village_cumulative(self, index: int) -> list[int]:
        """Paid people of one village up to and including each day."""
        out, running = [], 0
        for row in self.counts:
            running += row[index]
            out.append(running)
        return out


def _pivot(tallies: Sequence[Tally], attr: str, keys: Sequence[object]) -> list[list[int]]:
    """The counter ``attr`` of every tally by key (rows, in the order of ``keys``) and village
    (columns, 0 where none). A township's table has a few thousand numbers: plain counters
    beat a DataFrame here (whose first pivot costs most of a second)."""
    counters = [getattr(t, attr) for t in tallies]
    return [[c[key] for c in counters] for key in keys]


def day_table(tallies: Sequence[Tally], policy: Policy) -> DayTable:
    """The daily progress of the given villages over the policy's collection window (paid
    people by day and village)."""
    start, end = policy.collection_start, policy.collection_end
    days = sorted({d for t in tallies for d in t.by_day if d is not None and start <= d <= end})
    return DayTable(
        days=days,
        counts=_pivot(tallies, "by_day", days),
        outside=[
            sum(n for d, n in t.by_day.items() if d is not None and not start <= d <= end)
            for t in tallies
        ],
        undated=[t.by_day[None] for t in tallies],
    )


def tier_table(tallies: Sequence[Tally], tiers: Sequence[int | None]) -> list[list[int]]:
    """Paid people by village (rows) and tier column (``None``: a tier not of the policy)."""
    by_tier = _pivot(tallies, "by_tier", tiers)
    return [[row[i] for row in by_tier] for i in range(len(tallies))]


def tier_columns(total: Tally, policy: Policy) -> list[int | None]:
    """The tier columns of the tier table: every policy tier, then ``None`` (其他) if used."""
    columns: list[int | None] = [t.amount for t in policy.tiers]
    if total.by_tier[None]:
        columns.append(None)
    return columns


@dataclass
class TownshipSummary:
    """The township summary of every roster in a folder."""

    place: str  # township name(s) the rosters belong to
    year: int
    report_date: dt.date
    villages: list[VillageResult]
    total: Tally
    findings: list[FileFinding]  # every finding of every roster, then file-level problems
    problems: list[FileFinding]  # files that could not be read as rosters
    key_people: list[PlacedKeyPerson]
    days: DayTable
    tiers: list[int | None]
    key_counts: dict[str, int] = field(default_factory=dict)
    tier_counts: list[list[int]] = field(default_factory=list)  # per village, per tier column
    unenrolled: Unenrolled | None = None  # 45+ 未参保 from the population list; None: no list

    def rostered_ids(self) -> frozenset[str]:
        """Every valid ID number on the township's rosters."""
        return frozenset().union(*(v.ids for v in self.villages))


def unenrolled_text(summary: TownshipSummary, policy: Policy) -> str:
    """The sentence on the 45+ 未参保 group: its count from the population list, or that it
    cannot be counted without one (never another count under its name)."""
    group = unenrolled_group(policy)
    u = summary.unenrolled
    if u is None:
        return cat.KEY_UNENROLLED_UNCOUNTED.message(group=group)
    left = []
    if u.other_places:
        left.append(f"其他乡镇 {u.other_places} 行")
    if u.unusable_ids:
        left.append(f"身份证号码无法识别 {u.unusable_ids} 行")
    out = "（未计入：" + "，".join(left) + "）" if left else ""
    return (
        f"{group}（户籍人口名单 {u.file} 共 {u.read} 行中 {u.age_from}—{u.age_to} 周岁、"
        f"不在本乡镇任何花名册上的人员）{len(u.people)} 人{out}。"
    )


def _place(villages: Sequence[VillageResult], fallback: str) -> str:
    counts = Counter(v.township for v in villages if v.township)
    if not counts:
        return fallback
    return "、".join(name for name, _ in counts.most_common())


def village_order(v: VillageResult) -> tuple[str, str, str]:
    """Villages are listed by township code, then village name, then file."""
    return (v.township_code or "~", v.village or "~", v.file)


def summarize(
    villages: Iterable[VillageResult],
    policy: Policy,
    *,
    report_date: dt.date,
    problems: Iterable[FileFinding] = (),
    place: str = "",
) -> TownshipSummary:
    """Fold the village results (any order) into the township summary.

    ``place`` names the township when the rosters do not (no ``_meta``).
    """
    ordered = sorted(villages, key=village_order)
    problems = list(problems)
    tallies = [v.tally for v in ordered]
    total = tally_of(tallies)
    tiers = tier_columns(total, policy)
    findings = [
        FileFinding(v.file, v.township, v.village, f, finding_cell(f, v.columns))
        for v in ordered
        for f in v.findings
    ] + problems
    key_people = [
        PlacedKeyPerson(v.township, v.village, v.file, p) for v in ordered for p in v.key_people
    ]
    key_counts = {
        g: sum(1 for k in key_people if g in k.person.groups)
        for g in (GROUP_NEAR, GROUP_GOVERNMENT)
    }
    return TownshipSummary(
        place=_place(ordered, place),
        year=policy.year,
        report_date=report_date,
        villages=ordered,
        total=total,
        findings=findings,
        problems=problems,
        key_people=key_people,
        days=day_table(tallies, policy),
        tiers=tiers,
        key_counts=key_counts,
        tier_counts=tier_table(tallies, tiers),
    )


def chinese_day(day: dt.date) -> str:
    """``2024年5月6日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def daily_context(summary: TownshipSummary, policy: Policy) -> dict[str, object]:
    """Variables of the daily report template ``report/daily.j2`` (see the template's head)."""
    t = summary.total
    several = len({v.township for v in summary.villages}) > 1

    def name(v: VillageResult) -> str:
        return f"{v.township}{v.label}" if several else v.label

    top, bottom = top_bottom(summary.villages, lambda v: v.tally.rate)
    dated = [d for d in t.by_day if d is not None]
    return {
        "county": policy.county_name,
        "township": summary.place,
        "year": summary.year,
        "date_text": chinese_day(summary.report_date),
        "latest_text": chinese_day(max(dated)) if dated else "",
        "villages": len(summary.villages),
        "expected": t.expected,
        "paid": t.paid,
        "unpaid": t.unpaid,
        "rate": rate_text(t.rate),
        "today_paid": t.by_day[summary.report_date],
        "top": [{"name": name(v), "rate": rate_text(v.tally.rate)} for v in top],
        "bottom": [{"name": name(v), "rate": rate_text(v.tally.rate)} for v in bottom],
        "errors": t.errors,
        "warnings": t.warnings,
        "error_villages": sum(1 for v in summary.villages if v.tally.errors),
        "problems": len(summary.problems),
        "personal_total": t.totals.personal_due,
        "key_near": summary.key_counts.get(GROUP_NEAR, 0),
        "key_age_from": policy.key_group_rules.unenrolled_age_from,
        "key_unenrolled": None if summary.unenrolled is None else len(summary.unenrolled.people),
        "key_unenrolled_text": unenrolled_text(summary, policy),
        "key_government": summary.key_counts.get(GROUP_GOVERNMENT, 0),
        "key_total": len(summary.key_people),
    }
