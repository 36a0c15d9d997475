"""The county merge: township tables, ranking, duplicates across villages, the declarations.

Pure domain code (no Excel library). Rosters are fed one at a time to :class:`CountyMerge` in
place order (township code, village name, file; rosters of unknown place last), so that a county
of 400,000 rows never has to be held in memory at once. Every row read ends up in exactly one
place, checked by :func:`check_conservation`:

- 村/乡镇未知: the roster's township or village cannot be determined (see :func:`resolve_place`);
- 有错误: the row has a validation error;
- 重复参保: the same ID number is in an earlier village (the first by township code, then village
  name, is kept; every later occurrence is withheld, paid or not);
- 未缴: no payment recorded;
- otherwise the row is declared (listed): by the tax operator, by the payer online, or only
  through the government's 代缴 (per township, :mod:`xl_pension.reports.declare`).

The county workbook itself carries no full ID number: the declarations are written per township
by ``declare`` (or ``merge --declare``).

Township tables count the people of their villages (withheld duplicates only in 花名册人数) with
the rules of :mod:`xl_pension.reports.village`; their money therefore equals the money of the list.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import PurePosixPath

from ..core import catalogue as cat
from ..core import idnum
from ..core.findings import Finding
from ..core.places import TownshipMatcher
from ..core.policy import Policy, Township
from ..core.validation import Checked, Person
from .declare import Declarations, HeldBack, TownshipDeclaration
from .summary import (
    FileFinding,
    chinese_day,
    competition_ranks,
    finding_cell,
    rate_text,
    top_bottom,
)
from .village import (
    Tally,
    VillageResult,
    header_columns,
    tally_of,
    village_from,
    village_result,
)

REASON_ERRORS = "有错误"
REASON_DUPLICATE = "重复参保"
REASON_PLACE = "村/乡镇未知"
REASONS = (REASON_ERRORS, REASON_DUPLICATE, REASON_PLACE)


@dataclass(frozen=True)
class Place:
    """Where a roster belongs; ``problem`` says why it is unknown ('' when known)."""

    township: Township | None
    village: str
    problem: str = ""
    note: str = ""  # a warning, e.g. folder and workbook name different townships

    @property
    def known(self) -> bool:
        """True when both township and village are known."""
        return not self.problem


def resolve_place(file: str, meta: Mapping[str, str], policy: Policy) -> Place:
    """The place of the roster at ``file`` (relative to the merged folder, '/'-separated).

    Township: the first folder of ``file`` (any spelling of its name or code that
    :class:`~xl_pension.core.places.TownshipMatcher` accepts); for a file directly in
    the merged folder, the roster's ``_meta``. Village: the ``_meta`` village, else a file name
    that names a village (see :func:`~xl_pension.reports.village.village_from`).
    """
    parts = PurePosixPath(file).parts
    meta_name = meta.get("township_name", "") or meta.get("township_code", "")
    matcher = TownshipMatcher(policy)
    meta_township = matcher.township(meta.get("township_code", "")) or matcher.township(
        meta.get("township_name", "")
    )
    village = village_from(meta.get("village", ""), file)
    note = ""
    if len(parts) > 1:
        township = matcher.township(parts[0])
        if township is None:
            problem = f"文件夹“{parts[0]}”不是{policy.county_name}的乡镇（街道）"
        else:
            problem = ""
            if meta_township is not None and meta_township != township:
                note = (
                    f"花名册登记的乡镇是“{meta_township.name}”，却放在“{township.name}”文件夹里；"
                    f"按文件夹计入{township.name}，请核实。"
                )
    else:
        township = meta_township
        problem = (
            ""
            if township is not None
            else (
                f"文件不在乡镇文件夹里，花名册登记的乡镇“{meta_name}”也不是{policy.county_name}的乡镇（街道）"
                if meta_name
                else "文件不在乡镇文件夹里，花名册中也没有乡镇信息"
            )
        )
    if not village:
        stem = PurePosixPath(file).stem
        why = f"花名册中没有村名，文件名“{stem}”也看不出是哪个村"
        problem = f"{problem}；{why}" if problem else why
    return Place(township if not problem else None, village, problem, note)


def place_order(place: Place, file: str) -> tuple[int, str, str, str]:
    """The order rosters are merged in: township code, village name, file; unknown last."""
    if place.known and place.township is not None:
        return (0, place.township.code, place.village, file)
    return (1, "", place.village, file)


@dataclass(frozen=True)
class RosterInput:
    """One checked roster with its place, as fed to the merge."""

    file: str
    checked: Checked
    place: Place


@dataclass(frozen=True)
class Occurrence:
    """Where a person was found."""

    township: str
    village: str
    file: str
    row: int
    name: str


@dataclass(frozen=True)
class DuplicatePair:
    """The same ID number in two rosters: the kept first and the withheld later occurrence."""

    masked_id: str
    first: Occurrence
    later: Occurrence


@dataclass
class TownshipResult:
    """A township's villages and their sum."""

    township: Township
    villages: list[VillageResult]
    tally: Tally

    @property
    def reported(self) -> bool:
        """True when the township handed in at least one roster."""
        return bool(self.villages)


@dataclass(frozen=True)
class UnknownRoster:
    """A roster whose township or village is unknown (all its rows are rejected)."""

    file: str
    village: str
    rows: int
    problem: str


@dataclass
class CountyResult:
    """The merged county."""

    townships: list[TownshipResult]  # every township of the policy, by code
    unknown: list[UnknownRoster]
    duplicates: list[DuplicatePair]
    findings: list[FileFinding]
    declarations: list[TownshipDeclaration]  # townships with paid rows, in policy order
    rows_read: int
    unpaid: int
    rejected: Counter[str]
    problems: list[FileFinding] = field(default_factory=list)  # files that are not rosters
    unplaced: list[HeldBack] = field(default_factory=list)  # paid rows of unknown places
    topup_rows: int = 0  # declared 差额缴费 rows: money of a person counted on an earlier row

    @property
    def total(self) -> Tally:
        """The county total: the sum of the township totals."""
        return tally_of(t.tally for t in self.townships)

    @property
    def villages(self) -> list[VillageResult]:
        """Every placed village, by township code then village name."""
        return [v for t in self.townships for v in t.villages]

    @property
    def listed(self) -> int:
        """Paid rows declared (by the operator, by the payer, or 代缴 only)."""
        return sum(t.declared for t in self.declarations)

    def ranking(self) -> list[tuple[int | None, TownshipResult]]:
        """Townships by completion rate, best first, with competition ranks; townships without
        rosters last and unranked."""
        rates: list[Fraction | None] = [
            t.tally.rate if t.reported else None for t in self.townships
        ]
        ranks = competition_ranks(rates)
        pairs = list(zip(ranks, self.townships, strict=True))
        return sorted(pairs, key=lambda p: (p[0] is None, p[0] or 0))


class CountyMerge:
    """Accumulates rosters fed in :func:`place_order` and builds the :class:`CountyResult`."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        # ID number -> (roster index, person) of its first occurrence; the Occurrence is made
        # only for the few IDs found again (400,000 people a county)
        self.seen: dict[str, tuple[int, Person]] = {}
        self._places: list[tuple[str, str, str]] = []  # roster index -> (township, village, file)
        self.villages: dict[str, list[VillageResult]] = {t.code: [] for t in policy.townships}
        self.unknown: list[UnknownRoster] = []
        self.duplicates: list[DuplicatePair] = []
        self.findings: list[FileFinding] = []
        self.problems: list[FileFinding] = []
        self.declarations = Declarations(policy)
        self.rows_read = 0
        self.unpaid = 0
        self.topup_rows = 0
        self.rejected: Counter[str] = Counter({r: 0 for r in REASONS})
        self._last: tuple[int, str, str, str] | None = None

    def add_problem(self, item: FileFinding) -> None:
        """Record a file that could not be read as a roster."""
        self.problems.append(item)

    def add(self, item: RosterInput) -> None:
        """Merge one roster; rosters must come in :func:`place_order`."""
        key = place_order(item.place, item.file)
        if self._last is not None and key < self._last:
            raise ValueError(f"rosters out of order: {item.file}")
        self._last = key
        place, checked = item.place, item.checked
        township = place.township.name if place.township else ""
        extra = self._place_findings(item)
        later = self._duplicates(item, township, extra)
        known = place.township if place.known else None
        people = checked.people
        self.rows_read += len(people)
        declare, village, file = self.declarations.add, place.village, item.file
        if not place.known:
            self.rejected[REASON_PLACE] += len(people)
            for person in people:
                declare(person, None, None, village, file, _held(person, later))
        else:
            money_of, policy = checked.money_of, self.policy
            errors = duplicates = unpaid = 0
            for person in people:
                if person.has_error:
                    errors += 1
                    declare(person, None, known, village, file, _held(person, later))
                elif later and person.row in later:
                    duplicates += 1
                    declare(person, None, known, village, file, REASON_DUPLICATE)
                elif not person.paid:
                    unpaid += 1  # an unpaid row is declared nowhere
                else:
                    money = money_of(person, policy)
                    if money is None:  # paid, no error, yet no usable tier: count it as an error
                        errors += 1
                    elif person.topup_from is not None:
                        self.topup_rows += 1
                    declare(person, money, known, village, file, "")
            self.rejected[REASON_ERRORS] += errors
            self.rejected[REASON_DUPLICATE] += duplicates
            self.unpaid += unpaid
        columns = header_columns(checked)
        self.findings += [
            FileFinding(item.file, township, place.village, f, finding_cell(f, columns))
            for f in [*checked.findings, *extra]
        ]
        if not place.known or place.township is None:
            self.unknown.append(
                UnknownRoster(item.file, place.village, len(checked.people), place.problem)
            )
            return
        self.villages[place.township.code].append(
            village_result(
                checked,
                self.policy,
                file=item.file,
                township=township,
                township_code=place.township.code,
                village=place.village,
                exclude_rows=later,
                extra_findings=extra,
                details=False,
            )
        )

    def _place_findings(self, item: RosterInput) -> list[Finding]:
        place, sheet = item.place, item.checked.roster.sheet
        out = []
        if not place.known:
            out.append(
                cat.PLACE_UNKNOWN.at(
                    sheet, None, problem=place.problem, rows=len(item.checked.people)
                )
            )
        if place.note:
            out.append(cat.PLACE_MISMATCH.at(sheet, None, note=place.note))
        return out

    def _duplicates(self, item: RosterInput, township: str, extra: list[Finding]) -> set[int]:
        """Rows of this roster whose ID number was seen in an earlier roster."""
        later: set[int] = set()
        index = len(self._places)
        self._places.append((township, item.place.village, item.file))
        seen = self.seen
        for p in item.checked.people:
            if not p.id_valid:
                continue
            first = seen.setdefault(p.id_number, (index, p))
            if first[0] == index:
                continue  # first seen here; a duplicate inside one roster is an id.duplicate error
            where_township, where_village, where_file = self._places[first[0]]
            first_person = first[1]
            earlier = Occurrence(
                where_township, where_village, where_file, first_person.row, first_person.name
            )
            here = Occurrence(township, item.place.village, item.file, p.row, p.name)
            masked = idnum.mask(p.id_number)
            later.add(p.row)
            self.duplicates.append(DuplicatePair(masked, earlier, here))
            where = (
                f"{earlier.township}{earlier.village or ''}（{earlier.file} 第 {earlier.row} 行）"
            )
            extra.append(
                cat.ID_DUPLICATE.at(
                    item.checked.roster.sheet, p.row, masked, variant="merge", where=where
                )
            )
        return later

    def result(self) -> CountyResult:
        """The merged county (townships by code, each with its villages in merge order)."""
        townships = []
        for t in sorted(self.policy.townships, key=lambda t: t.code):
            villages = self.villages[t.code]
            townships.append(TownshipResult(t, villages, tally_of(v.tally for v in villages)))
        return CountyResult(
            townships=townships,
            unknown=self.unknown,
            duplicates=self.duplicates,
            findings=self.findings + self.problems,
            declarations=self.declarations.result(),
            rows_read=self.rows_read,
            unpaid=self.unpaid,
            rejected=self.rejected,
            problems=self.problems,
            unplaced=self.declarations.unplaced,
            topup_rows=self.topup_rows,
        )


def _held(person: Person, later: set[int]) -> str:
    """Why a row is declared nowhere, as far as the merge says: a later duplicate."""
    return REASON_DUPLICATE if later and person.row in later else ""


@dataclass(frozen=True)
class Conservation:
    """The conservation check of a merge; ``differences`` is empty when it holds."""

    lines: list[str]
    differences: list[str]

    @property
    def ok(self) -> bool:
        """True when every row and every yuan is accounted for."""
        return not self.differences


_MONEY = (
    ("tier_total", "tier", "缴费档次合计"),
    ("personal_due_total", "personal_due", "个人缴费"),
    ("government_total", "government_paid", "政府代缴"),
)


def check_conservation(result: CountyResult) -> Conservation:
    """Rows read = listed + unpaid + rejected; rows of the townships and of unknown places add
    up to the rows read; the list's money equals the sum of the township totals."""
    r = result
    rejected = sum(r.rejected.values())
    reasons = "、".join(f"{k} {r.rejected[k]}" for k in REASONS)
    lines = [
        f"读取 {r.rows_read} 行 = 申报 {r.listed} 行 + 未缴 {r.unpaid} 行 + 暂不申报 "
        f"{rejected} 行（{reasons}）"
    ]
    diffs = []
    accounted = r.listed + r.unpaid + rejected
    if accounted != r.rows_read:
        diffs.append(
            f"行数不守恒：读取 {r.rows_read} 行，申报、未缴与暂不申报合计 {accounted} 行，"
            f"相差 {r.rows_read - accounted} 行"
        )
    placed = sum(t.tally.rows for t in r.townships) + sum(u.rows for u in r.unknown)
    if placed != r.rows_read:
        diffs.append(
            f"行数不守恒：各乡镇花名册人数与未知村/乡镇行数合计 {placed} 行，读取 {r.rows_read} 行，"
            f"相差 {r.rows_read - placed} 行"
        )
    counted = sum(t.tally.totals.people for t in r.townships)
    people = r.listed - r.topup_rows  # a 差额缴费 row adds money to a person already counted
    if counted != people:
        topups = f"（另有差额缴费 {r.topup_rows} 行）" if r.topup_rows else ""
        diffs.append(
            f"人数不守恒：申报 {people} 人{topups}，各乡镇金额计入人数合计 {counted} 人，"
            f"相差 {people - counted} 人"
        )
    for decl_attr, total_attr, label in _MONEY:
        listed = sum(getattr(d, decl_attr) for d in r.declarations)
        townships = sum(getattr(t.tally.totals, total_attr) for t in r.townships)
        lines.append(f"{label}：申报合计 {listed} 元 = 各乡镇合计 {townships} 元")
        if listed != townships:
            lines[-1] = lines[-1].replace(" = ", " ≠ ")
            diffs.append(
                f"金额不守恒：{label}申报合计 {listed} 元，各乡镇合计 {townships} 元，"
                f"相差 {listed - townships} 元"
            )
    for d in r.declarations:
        diffs.extend(d.conservation()[1])
    return Conservation(lines, diffs)


def bulletin_context(result: CountyResult, policy: Policy, date: dt.date) -> dict[str, object]:
    """Variables of the county report template ``report/county.j2``."""
    reported = [t for t in result.townships if t.reported]
    top, bottom = top_bottom(reported, lambda t: t.tally.rate)
    total = result.total
    return {
        "county": policy.county_name,
        "year": policy.year,
        "date_text": chinese_day(date),
        "townships": len(reported),
        "all_townships": len(result.townships),
        "missing": [t.township.name for t in result.townships if not t.reported],
        "expected": total.expected,
        "paid": total.paid,
        "unpaid": total.unpaid,
        "rate": rate_text(total.rate),
        "top": [{"name": t.township.name, "rate": rate_text(t.tally.rate)} for t in top],
        "bottom": [{"name": t.township.name, "rate": rate_text(t.tally.rate)} for t in bottom],
        "listed": result.listed,
        "duplicates": len(result.duplicates),
        "rejected": sum(result.rejected.values()),
        "errors": total.errors,
    }
