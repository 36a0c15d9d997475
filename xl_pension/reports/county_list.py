"""Split the county's list of last year's payers into pre-filled village rosters (pure core).

The county pulls one list "村村户户" from the e-tax bureau: one row a person with township, village,
name, ID number, category, last year's tier and phone. :func:`place_rows` decides, row by row,
which village roster each person goes to, and lists every row it cannot place with a reason, so
that ``rows read = rows placed + rows rejected`` always holds. No Excel library is imported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core import catalogue as cat
from ..core import idnum
from ..core.county_rows import LIST_REQUIRED_KEYS, REJECT_LABELS, ListRow, Rejected
from ..core.groups import group_sort_key
from ..core.places import TownshipMatcher
from ..core.places import compact as _compact
from ..core.policy import Policy, Township
from ..core.validation import id_problem
from ..core.values import BadValue, parse_money, phone_text, text
from .region import Region, split_region, village_name

__all__ = ["LIST_REQUIRED_KEYS", "REJECT_LABELS", "ListRow", "Rejected"]  # re-exported

# How the split report says what happened to a row of each list of SplitResult.
OUTCOME_REJECTED = "未放入"
OUTCOME_HELD = "未放入（非本年应缴）"
OUTCOME_UNMAPPED = "已放入（人员类别待核实）"


VillageKey = tuple[Township, str]


@dataclass
class SplitResult:
    """Placed records per (township, village), the rejected rows, the rows held back because
    the person is not an expected payer this year (参保状态 / 缴费状态), and the placed rows
    whose 参保身份 the policy does not map (their 人员类别 is left empty), in list order."""

    villages: dict[VillageKey, list[dict[str, object]]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    held: list[Rejected] = field(default_factory=list)
    unmapped: list[Rejected] = field(default_factory=list)
    rows_read: int = 0

    @property
    def placed(self) -> int:
        """Number of rows placed in a village roster."""
        return sum(len(r) for r in self.villages.values())

    @property
    def conserved(self) -> bool:
        """True when every row read was placed, rejected or held back."""
        return self.rows_read == self.placed + len(self.rejected) + len(self.held)

    def report_rows(self) -> list[tuple[str, Rejected]]:
        """(outcome, row) of every row the split report lists, in list order."""
        rows = [
            *((OUTCOME_REJECTED, r) for r in self.rejected),
            *((OUTCOME_HELD, r) for r in self.held),
            *((OUTCOME_UNMAPPED, r) for r in self.unmapped),
        ]
        return sorted(rows, key=lambda item: item[1].row)

    def held_counts(self) -> dict[str, int]:
        """Held-back rows counted by status (in first-seen order)."""
        counts: dict[str, int] = {}
        for r in self.held:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    def rejected_counts(self) -> dict[str, int]:
        """Rejected rows counted by primary reason label (in first-seen order)."""
        counts: dict[str, int] = {}
        for r in self.rejected:
            counts[r.label] = counts.get(r.label, 0) + 1
        return counts

    def by_township(self, policy: Policy) -> list[tuple[Township, int, int]]:
        """(township, villages, people) for each township that received rows, in policy order."""
        out = []
        for t in policy.townships:
            sizes = [len(recs) for (tw, _), recs in self.villages.items() if tw == t]
            if sizes:
                out.append((t, len(sizes), sum(sizes)))
        return out


_SPACES = re.compile(r"\s+")


def _name(value: object) -> str:
    """A person's name without whitespace, otherwise exactly as in the list (no NFKC: rare
    characters must stay the ones on the ID card)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", str(value))


_CLEAN_ID = re.compile(r"\d{17}[\dX]")


def _id_text(raw: object) -> tuple[str, tuple[str, str] | None]:
    """The normalised ID and (code, Chinese reason) when it cannot be used, else ``None``."""
    if isinstance(raw, str) and _CLEAN_ID.fullmatch(raw) and idnum.is_valid(raw):
        return raw, None  # fast path: a clean, valid ID typed as text (nearly every row)
    norm = idnum.normalize(raw)
    return norm, _id_problem(raw, norm)


def _id_problem(raw: object, norm: str) -> tuple[str, str] | None:
    """(code, Chinese reason) when the ID cannot be used, else ``None`` (the roster's check
    chain, worded for the list's problem report)."""
    if raw is None or not norm:
        return cat.ID_MISSING.code, cat.ID_MISSING.message("list")
    problem = id_problem(raw, norm)
    if problem is None:
        return None
    ftype, variant, fields = problem
    return ftype.code, ftype.message(f"list.{variant}" if variant else "list", **fields)


def _township_problem(
    value: object, candidates: list[Township] | None, policy: Policy
) -> tuple[str, str]:
    """(code, Chinese reason) for a township cell that names no single township."""
    shown = text(value)
    if not shown:
        return cat.TOWNSHIP_EMPTY.code, cat.TOWNSHIP_EMPTY.message()
    unknown = cat.TOWNSHIP_UNKNOWN
    if candidates:
        names = "、".join(t.name for t in candidates)
        return unknown.code, unknown.message("ambiguous", township=shown, names=names)
    return unknown.code, unknown.message(township=shown, county=policy.county_name)


def _village_missing(region: object) -> tuple[str, str]:
    """(code, reason) of a row without a village: a code-only 行政区划 names no village."""
    code, empty = _compact(region), cat.VILLAGE_EMPTY
    return empty.code, empty.message("code", code=code) if code.isdigit() else empty.message()


def _last_tier(value: object) -> object:
    """Last year's tier as ``int``; text that is not an amount is kept as typed (never lost)."""
    try:
        return parse_money(value)
    except BadValue:
        return text(value) or None


def place_rows(rows: Iterable[ListRow], policy: Policy) -> SplitResult:
    """Place each row of the county list in its village, or reject it with its reasons.

    A row is rejected when its township is empty or unknown, its village or name is empty, its
    ID is missing, stored as a number, malformed, has a wrong check character or an impossible
    birth date, or repeats the ID of a row placed earlier (the first occurrence is placed).
    A row whose 参保状态 / 缴费状态 the policy lists as "not an expected payer" is held back
    (``result.held``). The place comes from the 乡镇 and 村 columns, or from a combined 行政区划
    (:func:`.region.split_region`); 参保身份 is mapped to 人员类别 by the policy's
    ``[county_list]`` (an unknown one is placed with an empty 人员类别 and listed in
    ``result.unmapped``). Records are keyed by schema column key: seq (1..n), group, name,
    id_number (text), category, last_tier, phone and enrollment (the policy's first type, 续保);
    within a village they are ordered by 村民小组, then by list order.
    """
    matcher = TownshipMatcher(policy)
    rules = policy.county_list
    regions: dict[object, Region] = {}
    enrollment = policy.enrollment_types[0]
    result = SplitResult()
    placed_at: dict[str, tuple[int, Township, str]] = {}  # ID -> where it was placed first
    groups: dict[VillageKey, list[tuple[tuple[int, int, str], int, dict[str, object]]]] = {}
    for lr in rows:
        result.rows_read += 1
        v = lr.values
        problems: list[tuple[str, str]] = []
        township_cell, village, group = (
            v.get("township"),
            village_name(_compact(v.get("village"))),
            _compact(v.get("group")),
        )
        if _compact(township_cell):
            township = matcher.match(township_cell)
        else:
            raw_region = v.get("region")
            if raw_region not in regions:
                regions[raw_region] = split_region(raw_region, matcher)
            region = regions[raw_region]
            township, township_cell = region.township, region.township_text or raw_region
            village, group = village or region.village, group or region.group
        if not isinstance(township, Township):
            problems.append(_township_problem(township_cell, township, policy))
        if not village:
            problems.append(_village_missing(v.get("region")))
        status = rules.not_expected(v.get("enrol_status"), v.get("pay_status"))
        name = _name(v.get("name"))
        if not name:
            problems.append((cat.NAME_EMPTY.code, cat.NAME_EMPTY.message()))
        raw_id = v.get("id_number")
        id_text, id_bad = _id_text(raw_id)
        if id_bad:
            problems.append(id_bad)
        if not problems and id_text in placed_at:
            first_row, first_township, first_village = placed_at[id_text]
            place = f"{first_township.name}{first_village}"
            dup = cat.ID_DUPLICATE
            problems.append((dup.code, dup.message("list", first_row=first_row, place=place)))
        if status:
            held = cat.STATUS_NOT_EXPECTED
            problems = [(held.code, held.message(status=status))]
        if problems:
            (result.held if status else result.rejected).append(
                Rejected(
                    row=lr.row,
                    code=problems[0][0],
                    reason="；".join(reason for _, reason in problems),
                    township=text(township_cell),
                    village=village or text(v.get("village")),
                    name=text(v.get("name")),
                    id_masked=idnum.mask(raw_id),
                    status=status or "",
                )
            )
            continue
        assert isinstance(township, Township)
        placed_at[id_text] = (lr.row, township, village)
        identity = v.get("category")
        category = rules.category_of(identity) if _compact(identity) else None
        if category is None and _compact(identity):
            result.unmapped.append(
                Rejected(
                    row=lr.row,
                    code=cat.CATEGORY_UNMAPPED.code,
                    reason=cat.CATEGORY_UNMAPPED.message(identity=text(identity)),
                    township=township.name,
                    village=village,
                    name=name,
                    id_masked=idnum.mask(id_text),
                )
            )
        record: dict[str, object] = {
            "group": group or None,
            "name": name,
            "id_number": id_text,
            "category": category,
            "last_tier": _last_tier(v.get("last_tier")),
            "phone": phone_text(v.get("phone")) or None,
            "enrollment": enrollment,
        }
        groups.setdefault((township, village), []).append((group_sort_key(group), lr.row, record))
    for key, items in groups.items():
        items.sort(key=lambda item: (item[0], item[1]))
        records = []
        for seq, (_, _, record) in enumerate(items, start=1):
            records.append({"seq": seq, **record})
        result.villages[key] = records
    return result
