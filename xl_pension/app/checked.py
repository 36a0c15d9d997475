"""Checked records: a roster read and checked once, kept as one plain record a person.

A :class:`CheckedRoster` is what checking one roster file under one policy yields, in a form
that can be stored (the CLI's cache beside the rosters, the web service's database) and turned
back into the :class:`~xl_pension.core.validation.Checked` the reports take, identical to a
fresh check. Each :class:`CheckedRecord` is one person: the parsed values, the money (``None``
for rows with errors or nobody paying), the error and warning counts and the finding codes.

:meth:`CheckedRoster.pack` / :meth:`CheckedRoster.unpack` turn it into plain tuples (ints,
strings, dates, no classes) that pickle small and load fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import NamedTuple

from ..core.findings import Finding, Severity
from ..core.money import Money, person_money
from ..core.policy import Policy
from ..core.roster import Roster
from ..core.validation import Checked, Person

PERSON_FIELDS = tuple(f.name for f in dataclasses.fields(Person) if f.name != "findings")
MONEY_FIELDS = tuple(f.name for f in dataclasses.fields(Money))
_ROSTER_FIELDS = (
    "sheet",
    "header_row",
    "columns",
    "extra_headers",
    "meta",
    "last_row",
    "county_categories",
)
_SEVERITIES = {s.value: s for s in Severity}
PACK_FORMAT = 4  # bump when the packed layout (or its signing) changes


class CheckedRecord(NamedTuple):
    """One person of a checked roster: parsed values (with the row's findings) and money (a
    named tuple: 400,000 of them are made each time a county is loaded)."""

    person: Person
    money: Money | None

    @property
    def errors(self) -> int:
        """Findings of this row that are errors."""
        return sum(1 for f in self.person.findings if f.severity is not Severity.WARNING)

    @property
    def warnings(self) -> int:
        """Findings of this row that are warnings."""
        return len(self.person.findings) - self.errors

    @property
    def codes(self) -> tuple[str, ...]:
        """The finding codes of this row, in the order they were found."""
        return tuple(f.code for f in self.person.findings)

    def as_row(self) -> dict[str, object]:
        """Flat plain values (for a table): the person's fields, ``money_*`` fields (``None``
        without money), ``errors``, ``warnings`` and ``codes`` (comma-separated)."""
        row: dict[str, object] = {name: getattr(self.person, name) for name in PERSON_FIELDS}
        row["backpay_years"] = ",".join(map(str, self.person.backpay_years))
        for name in MONEY_FIELDS:
            row[f"money_{name}"] = getattr(self.money, name) if self.money else None
        row.update(errors=self.errors, warnings=self.warnings, codes=",".join(self.codes))
        return row


@dataclass
class CheckedRoster:
    """A roster file checked under a policy: where its data is, file-level findings, people."""

    file: str  # as the reader named it
    sheet: str
    header_row: int
    columns: dict[str, int]
    extra_headers: dict[int, str]
    meta: dict[str, str]
    last_row: int
    county_categories: dict[str, str]  # the county list's 人员类别 per ID (written by split)
    totals_rows: list[int]
    head_findings: list[Finding]  # the reader's, then the column findings (before the rows')
    reader_findings: int  # how many of head_findings the reader made (Roster.findings)
    records: list[CheckedRecord] = field(default_factory=list)

    @classmethod
    def of(cls, checked: Checked, policy: Policy) -> CheckedRoster:
        """The checked records of a fresh check (money computed for rows without errors)."""
        roster = checked.roster
        per_row = sum(len(p.findings) for p in checked.people)
        head = checked.findings[: len(checked.findings) - per_row]
        money = _MoneyOf(policy)
        records = [CheckedRecord(p, None if p.has_error else money(p)) for p in checked.people]
        return cls(
            file=roster.file,
            totals_rows=list(roster.totals_rows),
            head_findings=list(head),
            reader_findings=len(roster.findings),
            records=records,
            **{name: getattr(roster, name) for name in _ROSTER_FIELDS},
        )

    def checked(self) -> Checked:
        """The :class:`Checked` the reports take (the roster without its raw records)."""
        people = [r.person for r in self.records]
        return self._checked(people, self.money())

    def _checked(self, people: list[Person], money: dict[int, Money | None]) -> Checked:
        roster = Roster(
            file=self.file,
            totals_rows=list(self.totals_rows),
            findings=self.head_findings[: self.reader_findings],
            **{name: getattr(self, name) for name in _ROSTER_FIELDS},
        )
        findings = list(self.head_findings)
        for p in people:
            if p.findings:
                findings.extend(p.findings)
        return Checked(roster=roster, people=people, findings=findings, money=money)

    def money(self) -> dict[int, Money | None]:
        """The money of each row (``None``: errors, or nothing paid)."""
        return {r.person.row: r.money for r in self.records}

    def pack(self) -> tuple:
        """Plain values (no classes) of everything here, for storing: the people column by
        column (dates as day ordinals), the findings of the rows that have any, and each row's
        money as an index into the distinct money values."""
        people = [r.person for r in self.records]
        columns = tuple(
            tuple(map(_ordinal, map(getter, people))) if name in _DATE_FIELDS
            else tuple(map(getter, people))
            for name, getter in _PERSON_GETTERS
        )  # fmt: skip
        findings = {
            i: tuple(map(pack_finding, p.findings)) for i, p in enumerate(people) if p.findings
        }
        moneys: dict[tuple, int] = {}
        money_index = tuple(
            -1 if r.money is None else moneys.setdefault(_money_values(r.money), len(moneys))
            for r in self.records
        )
        return (
            PACK_FORMAT,
            self.file,
            tuple(getattr(self, name) for name in _ROSTER_FIELDS),
            tuple(self.totals_rows),
            tuple(pack_finding(f) for f in self.head_findings),
            self.reader_findings,
            (columns, findings, tuple(moneys), money_index),
        )

    @classmethod
    def unpack(cls, data: tuple) -> CheckedRoster:
        """The inverse of :meth:`pack`; ``ValueError`` for another pack format."""
        shell, persons, money = cls._unpacked(data)
        shell.records = list(map(CheckedRecord, persons, money))
        return shell

    @classmethod
    def unpack_checked(cls, data: tuple) -> Checked:
        """``unpack(data).checked()`` without a record object a person (what folder runs
        take: a county loads 400,000 people)."""
        shell, persons, money = cls._unpacked(data)
        return shell._checked(persons, dict(zip(map(_ROW, persons), money, strict=True)))

    @classmethod
    def _unpacked(cls, data: tuple) -> tuple[CheckedRoster, list[Person], list[Money | None]]:
        """The roster without its records, its people and each one's money."""
        version, file, roster_values, totals_rows, head, reader_findings, people = data
        if version != PACK_FORMAT:
            raise ValueError(f"pack format {version}")
        persons, money = _unpack_people(people)
        shell = cls(
            file=file,
            totals_rows=list(totals_rows),
            head_findings=[unpack_finding(f) for f in head],
            reader_findings=reader_findings,
            **dict(zip(_ROSTER_FIELDS, roster_values, strict=True)),
        )
        return shell, persons, money


def _ordinal(day: dt.date | None) -> int | None:
    return None if day is None else day.toordinal()


def _dates(ordinals: tuple[int | None, ...]) -> list[dt.date | None]:
    """The dates of packed day ordinals (one date object for each distinct day)."""
    distinct = set(ordinals)
    distinct.discard(None)
    days: dict[int | None, dt.date | None] = dict(
        zip(distinct, map(dt.date.fromordinal, distinct), strict=True)
    )
    days[None] = None
    return list(map(days.__getitem__, ordinals))


def _unpack_people(packed: tuple) -> tuple[list[Person], list[Money | None]]:
    """The people and each one's money of :meth:`CheckedRoster.pack`'s people part (one
    :class:`Money` and one date object for each distinct value, shared by the rows)."""
    columns, findings, moneys, money_index = packed
    columns = [
        _dates(col) if name in _DATE_FIELDS else col
        for (name, _), col in zip(_PERSON_GETTERS, columns, strict=True)
    ]
    persons = list(map(Person, *columns))
    for i, packed_findings in findings.items():
        persons[i].findings = [unpack_finding(f) for f in packed_findings]
    shared = [Money(*m) for m in moneys]
    return persons, [None if i < 0 else shared[i] for i in money_index]


_money_values = operator.attrgetter(*MONEY_FIELDS)  # a Money's values, in field order
_PERSON_GETTERS = tuple((name, operator.attrgetter(name)) for name in PERSON_FIELDS)
_ROW = operator.attrgetter("row")
_DATE_FIELDS = frozenset({"birth_date", "pay_date"})  # packed as day ordinals (cheaper to load)
# What person_money reads of a person: people alike in these have the same (frozen) Money.
_MONEY_INPUTS = operator.attrgetter(
    "paid", "tier", "category", "topup_from", "backpay_amount", "backpay_years"
)


class _MoneyOf:
    """:func:`~xl_pension.core.money.person_money` under one policy, computed once for each
    combination of the fields it reads (a roster has few: tier, category, 补缴)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.known: dict[tuple, Money | None] = {}

    def __call__(self, person: Person) -> Money | None:
        key = _MONEY_INPUTS(person)
        try:
            return self.known[key]
        except KeyError:
            money = self.known[key] = person_money(person, self.policy)
            return money


def pack_finding(f: Finding) -> tuple:
    """A finding as a plain tuple (code, severity value, sheet, row, column, value, message)."""
    return (f.code, f.severity.value, f.sheet, f.row, f.column, f.value, f.message)


def unpack_finding(t: tuple | list) -> Finding:
    """The finding of :func:`pack_finding`'s tuple (or the list JSON makes of it)."""
    code, severity, sheet, row, column, value, message = t
    return Finding(code, _SEVERITIES[severity], sheet, row, column, value, message)


def depends_on_the_day(checked: CheckedRoster) -> bool:
    """True when the check would change on a later day: an ID number's birth date lies after
    the day of the check (reported as not real today, it becomes real on that day)."""
    from ..core import catalogue as cat
    from ..core import idnum

    for r in checked.records:
        if any(f.code == cat.ID_BIRTHDATE.code for f in r.person.findings):
            born = idnum.birth_date(r.person.id_number)
            if born is not None and born > dt.date.today():
                return True
    return False
