"""The one name matcher for townships and villages, used by every command and front end.

A township is named many ways: its full name (城关街道), its short name (城关, when only one
township has that stem), its 9-digit statistical code (or the 12-digit one ending in ``000``),
the name after the county (东明县城关街道), ``街道办事处`` for ``街道``, with spaces, full-width
characters or a trailing ``.0`` from a number cell. :class:`TownshipMatcher` accepts all of them
against the policy's township list, and refuses what could be two townships. Village names come
from data (the county list, a roster's ``_meta``); :func:`village_key` makes two spellings of one
village equal (王庄村委会, 王庄村民委员会, 王庄村, 王庄). :func:`split_place` cuts a combined
行政区划 path such as 东明县城关街道王庄村委会 into its township and the village text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import catalogue as cat
from .policy import Policy, Township
from .values import text

# Suffixes a township name may carry; the stem without one is its short name.
TOWNSHIP_SUFFIXES = ("街道办事处", "街道", "镇", "乡")
# Suffixes a village's name may carry in one source and not another (longest first).
VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "社区", "村")
_SPACES = re.compile(r"\s+")

Match = Township | list[Township] | None  # one township, the candidates when ambiguous, or none


@lru_cache(maxsize=1 << 16, typed=True)
def compact(value: object) -> str:
    """A cell or name as NFKC text without any whitespace ('' for empty); cached, list cells
    repeat a lot."""
    return _SPACES.sub("", text(value))


def township_stem(name: str) -> str:
    """A township's short name: its name without ``街道``/``镇``/``乡`` (城关 for 城关街道)."""
    for suffix in TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class TownshipMatcher:
    """Find a policy township from any of its spellings, tolerant but never ambiguous.

    Accepted: the exact name or code after NFKC and whitespace removal; a 12-digit code ending
    in ``000``; a name preceded by the county (``东明县城关街道``); ``街道办事处`` for ``街道``; and
    the short name (without ``街道``/``镇``/``乡``) when only one township has that stem.
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.exact: dict[str, Township] = {}
        for t in policy.townships:
            self.exact[t.name] = t
            self.exact[t.code] = t
        self.stems: dict[str, list[Township]] = {}
        for t in policy.townships:
            self.stems.setdefault(township_stem(t.name), []).append(t)
        self._cache: dict[str, Match] = {}

    def match(self, value: object) -> Match:
        """The township, a list of candidates when ambiguous, or ``None`` when unknown."""
        s = compact(value)
        if s not in self._cache:
            self._cache[s] = self._match(s)
        return self._cache[s]

    def township(self, value: object) -> Township | None:
        """The one township ``value`` names, else ``None`` (unknown or ambiguous)."""
        found = self.match(value)
        return found if isinstance(found, Township) else None

    def _match(self, s: str) -> Match:
        if not s:
            return None
        county = compact(self.policy.county_name)
        if county and county in s:
            s = s[s.index(county) + len(county) :]
        if len(s) == 12 and s.isdigit() and s.endswith("000"):
            s = s[:9]
        if s.endswith("街道办事处"):
            s = s.removesuffix("办事处")
        if s in self.exact:
            return self.exact[s]
        candidates = self.stems.get(s, [])
        if len(candidates) == 1:
            return candidates[0]
        return list(candidates) if candidates else None

    def _prefixes(self) -> list[tuple[str, Township]]:
        """Full spellings a path may start with (names, 街道办事处, 9- and 12-digit codes),
        longest first so that ``城关街道办事处`` wins over ``城关街道``."""
        out = [(key, t) for key, t in self.exact.items()]
        out += [(f"{t.code}000", t) for t in self.policy.townships]
        out += [(f"{t.name}办事处", t) for t in self.policy.townships if t.name.endswith("街道")]
        return sorted(out, key=lambda item: len(item[0]), reverse=True)

    def split(self, value: object) -> tuple[Match, str]:
        """A combined 行政区划 path cut into (its township, the rest as village text).

        ``东明县城关街道王庄村委会`` gives (城关街道, ``王庄村委会``); the county may be left out and
        the township may be short (城关王庄村) when that is unambiguous; the full name is tried
        before the short one. A path that starts with no township gives (``None``, the text).
        """
        s = compact(value)
        county = compact(self.policy.county_name)
        if county and s.startswith(county):
            s = s[len(county) :]
        for spelling, township in self._prefixes():
            if s.startswith(spelling):
                return township, s[len(spelling) :]
        for stem in sorted(self.stems, key=len, reverse=True):
            if s.startswith(stem) and len(s) > len(stem):
                found = self.stems[stem]
                return (found[0] if len(found) == 1 else list(found)), s[len(stem) :]
        return None, s


def village_key(name: object) -> str:
    """A village's name as compared across sources: compact, without 村委会/村民委员会/居委会/
    社区/村 at its end (王庄村委会, 王庄村 and 王庄 are one village)."""
    s = compact(name)
    stripped = True
    while stripped:
        stripped = False
        for suffix in VILLAGE_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s, stripped = s[: -len(suffix)], True
                break
    return s


@dataclass(frozen=True)
class VillageMatcher:
    """Find a village among known names (from data) by any spelling :func:`village_key` equates.

    ``names`` are the canonical names (say, a township's villages from the county list).
    """

    names: tuple[str, ...]

    def match(self, value: object) -> str | None:
        """The canonical name ``value`` spells, or ``None`` (no village, or two)."""
        key = village_key(value)
        found = [n for n in self.names if village_key(n) == key] if key else []
        return found[0] if len(found) == 1 else None


def township_named(policy: Policy, name_or_code: str) -> Township:
    """The township a user typed (any spelling :class:`TownshipMatcher` accepts), or an error
    (exit 2) that lists the townships to choose from."""
    found = TownshipMatcher(policy).match(name_or_code)
    if isinstance(found, Township):
        return found
    names = "、".join(t.name for t in (found or policy.townships))
    raise cat.TOWNSHIP_UNKNOWN.error(
        "choose", township=name_or_code.strip(), county=policy.county_name, names=names
    )


def split_place(policy: Policy, value: object) -> tuple[Match, str]:
    """A combined 行政区划 path (东明县城关街道王庄村委会) as (township, village text); see
    :meth:`TownshipMatcher.split`. Compare the village text with :func:`village_key`."""
    return TownshipMatcher(policy).split(value)
