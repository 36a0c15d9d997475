"""The sample county's population list (户籍人口名单) for ``summary --population``: everyone on
the rosters plus, per village, registered residents on no roster — some aged 45 to the highest
paying age (the 45+ 未参保 the township must find), some younger, some past the pension age.

Ages come from the policy (``key_groups.unenrolled_age_from``, ``age``, ``pension``); no real
person. Pure domain code: the demo writes the rows with xlsxwriter.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from ..core import idnum
from ..core.policy import Policy
from . import SampleVillage, names

UNENROLLED_PER_VILLAGE = (1, 4)  # people of the 45+ range on no roster, per village
OTHERS_PER_VILLAGE = (2, 6)  # younger or past the pension age, also on no roster


def _new_id(rng: random.Random, policy: Policy, age: int, used: set[str]) -> str:
    ref = policy.age_reference_date
    while True:
        born = ref - dt.timedelta(
            days=rng.randint(int(age * 365.25) + 2, int((age + 1) * 365.25) - 2)
        )
        ident = idnum.make(policy.county_code, born, rng.randrange(1000))
        if ident not in used and idnum.age_on(ident, ref) == age:
            used.add(ident)
            return ident


def sample_population(
    villages: Sequence[SampleVillage], policy: Policy, seed: int = 2024
) -> list[dict[str, object]]:
    """Rows (keys township, village, group, name, id_number) of the population list: the
    rosters' people (valid IDs only, as the register holds them) and the residents on no
    roster. The number of 45+ residents on no roster is ``sum(... UNENROLLED_PER_VILLAGE)``."""
    rng = random.Random(seed)
    used = {str(r.get("id_number")) for v in villages for r in v.records}
    low = policy.key_group_rules.unenrolled_age_from
    rows: list[dict[str, object]] = []
    for v in villages:
        place = {"township": v.township.name, "village": v.village}
        for rec in v.records:
            ident = idnum.normalize(rec.get("id_number"))
            if idnum.is_valid(ident):
                rows.append({**place, "group": rec.get("group"), "name": rec.get("name"),
                             "id_number": ident})  # fmt: skip
        ages = [
            rng.randint(low, policy.age_max) for _ in range(rng.randint(*UNENROLLED_PER_VILLAGE))
        ]
        ages += [
            rng.choice((rng.randint(policy.age_min, low - 1), rng.randint(policy.pension.age, 85)))
            for _ in range(rng.randint(*OTHERS_PER_VILLAGE))
        ]
        for age in ages:
            male = rng.random() < 0.5
            rows.append({**place, "group": f"{rng.randint(1, 6)}组", "name": names.person_name(rng, male),
                         "id_number": _new_id(rng, policy, age, used)})  # fmt: skip
    rng.shuffle(rows)
    return rows
