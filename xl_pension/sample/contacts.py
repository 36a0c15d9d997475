"""The sample county's contacts file for ``xl-pension announce``: each township's office phone
and each village's 征缴工作专员, generated (no real person); one village per township is left
without a specialist so that the demo shows the line left to fill by hand."""

from __future__ import annotations

import random
from collections.abc import Sequence

from . import SampleVillage, names

OFFICE_AREA_CODE = "0530"  # 菏泽's telephone area code, for the generated office numbers


def sample_contacts(
    villages: Sequence[SampleVillage], seed: int = 2024
) -> list[tuple[str, str, str, str]]:
    """Rows (乡镇, 村, 专员, 电话): an office row (村 = the township) first, then its villages;
    the last village of every township has no specialist yet."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str, str]] = []
    by_township: dict[str, list[str]] = {}
    for v in villages:
        by_township.setdefault(v.township.name, []).append(v.village)
    for township, names_ in by_township.items():
        rows.append((township, township, "", f"{OFFICE_AREA_CODE}-{rng.randrange(10**7):07d}"))
        for i, village in enumerate(names_):
            if i == len(names_) - 1:
                rows.append((township, village, "", ""))
            else:
                name = names.person_name(rng, rng.random() < 0.6)
                rows.append((township, village, name, names.mobile(rng)))
    return rows
