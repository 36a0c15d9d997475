"""One roster per village: files that claim the same village are reported, none summed twice.

A clerk's folder fills with copies: ``王庄村 - 副本.xlsx``, ``王庄村(1).xlsx``, a computed copy
renamed by hand. Which village a file is about is read from its ``_meta`` (township code and
village), whatever the file is called; only a file without ``_meta`` falls back to its name
(copy markers such as ``(1)`` removed); names are compared by the one name matcher
(:func:`xl_pension.core.places.village_key`: 王庄村委会 = 王庄村 = 王庄). When two or more files
claim one village, none of them is counted and each is reported: the newest is not silently
preferred, the clerk decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..core import catalogue as cat
from ..core.places import village_key
from .summary import FileFinding

T = TypeVar("T")
_COPY_MARK = re.compile(
    r"(\s*[-－—]?\s*(副本|copy)(\s*[\(（]?\d+[\)）]?)?|\s*[\(（]\d+[\)）])+$", re.I
)

Claim = tuple[str, str]  # (township code or name, village_key of the village)


def claim_of(meta: dict[str, str], file_village: str, township: str) -> Claim | None:
    """The village a roster claims: from ``_meta``, else from its file's village name."""
    village = (meta.get("village") or "").strip()
    if not village:
        village = _COPY_MARK.sub("", file_village).strip()
    key = village_key(village)
    if not key:
        return None
    return (meta.get("township_code") or township or "").strip(), key


def split_duplicate_claims(
    items: Sequence[T],
    claim: Callable[[T], Claim | None],
    file: Callable[[T], str],
    place: Callable[[T], str],
) -> tuple[list[T], list[FileFinding]]:
    """The items whose village no other item claims, and a problem for each of the others."""
    by_claim: dict[Claim, list[T]] = {}
    for item in items:
        key = claim(item)
        if key is not None:
            by_claim.setdefault(key, []).append(item)
    shared = {id(i) for group in by_claim.values() if len(group) > 1 for i in group}
    kept = [i for i in items if id(i) not in shared]
    problems = []
    for group in by_claim.values():
        if len(group) < 2:
            continue
        for item in group:
            others = "、".join(file(o) for o in group if o is not item)
            found = cat.ROSTER_DUPLICATE_VILLAGE.at(
                "", None, file=file(item), others=others, place=place(item)
            )
            problems.append(FileFinding(file(item), "", "", found))
    return kept, problems
