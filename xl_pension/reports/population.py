"""年满45周岁未参保: people of the population list (户籍人口名单) on no roster of the township.

Seed 东政办字〔2024〕7号 四(一) asks townships to track "年满45周岁未参保人员"; policy-facts.md: such
people are, by definition, on no payer list, so they can only be found in the population list.
:func:`unenrolled` compares the list's people aged ``key_groups.unenrolled_age_from`` ..
``age.max`` (on ``age.reference_date``) with every ID number on the township's rosters (paid or
not). Pure domain code: the list is read by ``io.population_reader``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from ..core import idnum
from ..core.places import TownshipMatcher, VillageMatcher, compact
from ..core.policy import Policy


def unenrolled_group(policy: Policy) -> str:
    """The group's name with the policy's age: ``年满45周岁未参保``."""
    return f"年满{policy.key_group_rules.unenrolled_age_from}周岁未参保"


@dataclass(frozen=True)
class UnenrolledPerson:
    """A person of the population list in the age range and on no roster (internal ledger)."""

    township: str
    village: str
    group: str  # 村民小组, as the list gives it
    name: str
    masked_id: str
    age: int
    row: int  # the list's Excel row


@dataclass
class Unenrolled:
    """The 45+ 未参保 people found in one population list and what was left out of the count.

    ``other_places``: rows of another township (by the list's 乡镇 / 行政区划);
    ``unusable_ids``: rows whose ID number is not a valid 18-digit number (cannot be compared).
    """

    file: str
    group: str  # the group's name, e.g. 年满45周岁未参保
    age_from: int
    age_to: int
    read: int = 0
    people: list[UnenrolledPerson] = field(default_factory=list)
    other_places: int = 0
    unusable_ids: int = 0

    def by_village(self) -> dict[str, int]:
        """People per village (the list's spelling matched to the rosters' names)."""
        out: dict[str, int] = {}
        for p in self.people:
            out[p.village] = out.get(p.village, 0) + 1
        return out


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def unenrolled(
    rows: Iterable[tuple[int, dict[str, object]]],
    rostered_ids: Collection[str],
    policy: Policy,
    *,
    file: str,
    townships: Collection[str],
    villages: Collection[str],
) -> Unenrolled:
    """The people of the population list ``rows`` ((Excel row, raw values by key), see
    :mod:`xl_pension.io.population_reader`) aged ``unenrolled_age_from``..``age.max`` whose ID
    number is on no roster (``rostered_ids``: normalised IDs of every roster of the township).

    Rows naming another township than ``townships`` (the summary's) are left out and counted;
    villages are matched to the rosters' names (``villages``), else kept as the list spells them.
    """
    rules = policy.key_group_rules
    result = Unenrolled(file, unenrolled_group(policy), rules.unenrolled_age_from, policy.age_max)
    matcher, known = TownshipMatcher(policy), VillageMatcher(tuple(villages))
    ours = {compact(t) for t in townships}
    ref = policy.age_reference_date
    for row, values in rows:
        result.read += 1
        township, village = _text(values.get("township")), _text(values.get("village"))
        region = _text(values.get("region"))
        if region and not values.get("township"):
            found, village = matcher.split(region)
            township = found.name if found is not None and not isinstance(found, list) else ""
        elif township:
            found = matcher.township(township)
            township = found.name if found is not None else township
        if township and ours and compact(township) not in ours:
            result.other_places += 1
            continue
        ident = idnum.normalize(values.get("id_number"))
        if not idnum.is_valid(ident):
            result.unusable_ids += 1
            continue
        age = idnum.age_on(ident, ref)
        if age is None or not rules.unenrolled_age_from <= age <= policy.age_max:
            continue
        if ident in rostered_ids:
            continue
        result.people.append(
            UnenrolledPerson(
                township=township or next(iter(townships), ""),
                village=known.match(village) or village,
                group=_text(values.get("group")),
                name=_text(values.get("name")),
                masked_id=idnum.mask(ident),
                age=age,
                row=row,
            )
        )
    return result
