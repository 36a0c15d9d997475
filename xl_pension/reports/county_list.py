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
from ..core.groups import group_sort_key
from ..core.places import TownshipMatcher
from ..core.places import compact as _compact
from ..core.policy import Policy, Township
from ..core.validation import id_problem
from ..core.values import BadValue, parse_money, phone_text, text

# Keys of the list's columns that must be present in its header row.
LIST_REQUIRED_KEYS = ("township", "village", "name", "id_number")

# Rejection codes (stable, from the findings catalogue) and the label each is counted under.
REJECT_LABELS: dict[str, str] = {
    t.code: t.label
    for t in (
        cat.TOWNSHIP_EMPTY,
        cat.TOWNSHIP_UNKNOWN,
        cat.VILLAGE_EMPTY,
        cat.NAME_EMPTY,
        cat.ID_MISSING,
        cat.ID_NUMERIC,
        cat.ID_FORMAT,
        cat.ID_CHECKSUM,
        cat.ID_BIRTHDATE,
        cat.ID_DUPLICATE,
    )
}


@dataclass(frozen=True)
class ListRow:
    """One non-empty row of the county list: its Excel row number and raw values by list key."""

    row: int
    values: dict[str, object]

    def get(self, key: str) -> object:
        """Raw value of a column (``None`` when empty or absent)."""
        return self.values.get(key)


@dataclass(frozen=True)
class Rejected:
    """A row that could not be placed: the primary code, every reason, and what it said."""

    row: int
    code: str
    reason: str  # all problems of the row, in Chinese, joined by "；"
    township: str
    village: str
    name: str
    id_masked: str

    @property
    def label(self) -> str:
        """The Chinese label of the primary reason (for counts)."""
        return REJECT_LABELS.get(self.code, self.code)


VillageKey = tuple[Township, str]


@dataclass
class SplitResult:
    """Placed records per (township, village) and the rejected rows, in list order."""

    villages: dict[VillageKey, list[dict[str, object]]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    rows_read: int = 0

    @property
    def placed(self) -> int:
        """Number of rows placed in a village roster."""
        return sum(len(r) for r in self.villages.values())

    @property
    def conserved(self) -> bool:
        """True when every row read was either placed or rejected."""
        return self.rows_read == self.placed + len(self.rejected)

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
    Records are keyed by schema column key: seq (1..n), group, name, id_number (text),
    category, last_tier, phone and enrollment (the policy's first type, 续保); within a village
    they are ordered by 村民小组, then by list order.
    """
    matcher = TownshipMatcher(policy)
    enrollment = policy.enrollment_types[0]
    result = SplitResult()
    placed_at: dict[str, tuple[int, Township, str]] = {}  # ID -> where it was placed first
    groups: dict[VillageKey, list[tuple[tuple[int, int, str], int, dict[str, object]]]] = {}
    for lr in rows:
        result.rows_read += 1
        v = lr.values
        problems: list[tuple[str, str]] = []
        township = matcher.match(v.get("township"))
        if not isinstance(township, Township):
            problems.append(_township_problem(v.get("township"), township, policy))
        village = _compact(v.get("village"))
        if not village:
            problems.append((cat.VILLAGE_EMPTY.code, cat.VILLAGE_EMPTY.message()))
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
        if problems:
            result.rejected.append(
                Rejected(
                    row=lr.row,
                    code=problems[0][0],
                    reason="；".join(reason for _, reason in problems),
                    township=text(v.get("township")),
                    village=text(v.get("village")),
                    name=text(v.get("name")),
                    id_masked=idnum.mask(raw_id),
                )
            )
            continue
        assert isinstance(township, Township)
        placed_at[id_text] = (lr.row, township, village)
        group = _compact(v.get("group"))
        record: dict[str, object] = {
            "group": group or None,
            "name": name,
            "id_number": id_text,
            "category": _compact(v.get("category")) or None,
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
