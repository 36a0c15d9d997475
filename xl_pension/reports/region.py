"""Township and village from one combined 行政区划 cell of the county's export.

Exports put the place in one column: a path such as ``山东省菏泽市东明县城关街道王庄村委会`` (with
or without separators, sometimes down to the 村民小组) or a 9/12-digit 统计用区划代码. The
township is cut off by the one name matcher (:mod:`xl_pension.core.places`); the rest
of the path is the village, its committee suffix (村委会, 村民委员会, 居委会) shortened to the
name the rosters use. A code names the township only (the policy has no village codes): the
village then comes from the list's 村 column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.places import Match, TownshipMatcher, compact

_SEPARATORS = re.compile(r"[/\\\-—–>›|,，、·.;；:：]+")
_HIGHER = re.compile(r"^(?:.{2,8}?(?:省|自治区|市))+")  # province, city in front of the county
_VILLAGE = re.compile(r"^(.+?(?:村民委员会|居民委员会|村委会|居委会|社区|村))(.*)$")
_GROUP = re.compile(r".*(?:组|队)$")
# Committee suffixes as written in exports -> as the rosters name the village.
_COMMITTEE = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
)


@dataclass(frozen=True)
class Region:
    """What a 行政区划 cell says: the township (or candidates, or None), village and group."""

    township: Match
    village: str
    group: str
    township_text: str  # the part taken for the township, for messages


def village_name(text: str) -> str:
    """A village as the rosters name it: ``王庄村委会`` -> ``王庄村``, ``城东社区居委会`` ->
    ``城东社区`` (anything else unchanged)."""
    for suffix, short in _COMMITTEE:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + short
    return text


def split_region(value: object, matcher: TownshipMatcher) -> Region:
    """Township, village and group of a combined 行政区划 cell (see the module docstring); the
    township is cut off by the one matcher (:meth:`TownshipMatcher.split`)."""
    s = _SEPARATORS.sub("", compact(value))
    if not s:
        return Region(None, "", "", "")
    if s.isdigit():
        code = s[:9] if len(s) in (9, 12) else s
        return Region(matcher.match(code), "", "", s)
    county = compact(matcher.policy.county_name)
    s = s[s.index(county) :] if county in s else _HIGHER.sub("", s)
    township, rest = matcher.split(s)
    if township is None:
        return Region(None, "", "", s)
    taken = s[: len(s) - len(rest)].removeprefix(county) or s
    village, group = rest, ""
    m = _VILLAGE.match(rest)
    if m and m.group(2) and _GROUP.fullmatch(m.group(2)):
        village, group = m.group(1), m.group(2)
    return Region(township, village_name(village), group, taken)
