"""Dated tier schedules (缴费档次表): which tiers, with which subsidies, were in force when.

A policy holds several schedules, each in force from its ``start`` until the next one starts.
This year's payments use the schedule in force on the policy's collection start; a 补缴 year uses
the schedules in force during that year (a year in which the table changed has two).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .policy_reader import PolicyReader


@dataclass(frozen=True)
class Tier:
    """A payment tier (缴费档次): yearly amount, subsidy, and who may choose it."""

    amount: int
    subsidy: int
    restricted_to: tuple[str, ...] = ()

    def allowed_for(self, category: str) -> bool:
        """True when a person of ``category`` may choose this tier."""
        return not self.restricted_to or category in self.restricted_to


@dataclass(frozen=True)
class TierSchedule:
    """The tiers in force from ``start`` (until the next schedule starts)."""

    start: dt.date
    tiers: tuple[Tier, ...]
    source: str = ""

    @cached_property
    def tier_by_amount(self) -> dict[int, Tier]:
        """Tiers keyed by their yearly amount."""
        return {t.amount: t for t in self.tiers}

    @property
    def amounts(self) -> tuple[int, ...]:
        """The tier amounts, lowest first."""
        return tuple(t.amount for t in self.tiers)


def schedule_on(schedules: tuple[TierSchedule, ...], day: dt.date) -> TierSchedule | None:
    """The schedule in force on ``day`` (``schedules`` sorted by start), ``None`` before all."""
    found = None
    for s in schedules:
        if s.start <= day:
            found = s
    return found


def schedules_in_year(schedules: tuple[TierSchedule, ...], year: int) -> tuple[TierSchedule, ...]:
    """Every schedule in force at some time during ``year``, latest first."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = [s for s in schedules if s.start <= last]
    starting_before = [s for s in out if s.start <= first]
    keep = [s for s in out if s.start > first] + starting_before[-1:]
    return tuple(sorted(keep, key=lambda s: s.start, reverse=True))


def parse_schedules(
    r: PolicyReader, data: dict[str, Any], category_names: Collection[str]
) -> tuple[TierSchedule, ...]:
    """Read ``[[tier_schedules]]`` (each: ``from``, optional ``source``, ``tiers``), sorted by
    start; errors name the key path, e.g. ``tier_schedules[0].tiers[3].subsidy``."""
    if "tier_schedules" not in data and "tiers" in data:
        raise r.fail(
            "tiers",
            "已改为按日期分段的 [[tier_schedules]]（from 日期 + tiers 列表），请按默认政策文件改写",
        )
    schedules = []
    for i, raw in enumerate(r.list_(data, "tier_schedules", "tier_schedules")):
        p = f"tier_schedules[{i}]"
        start = r.date_(raw, "from", f"{p}.from")
        source = raw.get("source", "") if isinstance(raw, dict) else ""
        schedules.append(
            TierSchedule(
                start=start, tiers=_parse_tiers(r, raw, p, category_names), source=str(source)
            )
        )
    r.unique([s.start for s in schedules], "tier_schedules", ".from")
    return tuple(sorted(schedules, key=lambda s: s.start))


def _parse_tiers(
    r: PolicyReader, raw: dict[str, Any], path: str, category_names: Collection[str]
) -> tuple[Tier, ...]:
    items = r.list_(raw, "tiers", f"{path}.tiers")
    amounts = [
        r.int_(t, "amount", f"{path}.tiers[{i}].amount", minimum=1) for i, t in enumerate(items)
    ]
    r.unique(amounts, f"{path}.tiers", ".amount")
    if amounts != sorted(amounts):
        raise r.fail(f"{path}.tiers", "必须按金额从小到大排列")
    tiers = []
    for i, t in enumerate(items):
        p = f"{path}.tiers[{i}]"
        restricted: tuple[str, ...] = ()
        if "restricted_to" in t:
            restricted = r.str_list(t, "restricted_to", f"{p}.restricted_to")
            for j, name in enumerate(restricted):
                if name not in category_names:
                    raise r.fail(f"{p}.restricted_to[{j}]", f"不是已定义的人员类别（{name}）")
        tiers.append(
            Tier(
                amount=amounts[i],
                subsidy=r.int_(t, "subsidy", f"{p}.subsidy"),
                restricted_to=restricted,
            )
        )
    return tuple(tiers)
