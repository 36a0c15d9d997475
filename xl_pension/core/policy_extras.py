"""Smaller parts of a policy: the 差额缴费 (top-up) switch and the key-group thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .policy_reader import PolicyReader


@dataclass(frozen=True)
class TopUp:
    """差额缴费: whether a second row may top a person's tier up within the year, and its mark."""

    allowed: bool
    enrollment_type: str


@dataclass(frozen=True)
class KeyGroupRules:
    """Thresholds of the key groups (重点人群)."""

    near_pension_years: int  # 临近到龄: within this many years of the pension age
    min_contribution_years: int  # ... and fewer 累计缴费年限 than this, where the list says
    unenrolled_age_from: int  # 45+ 未参保: from this age up to age.max


def parse_topup(r: PolicyReader, data: dict[str, Any], enrollment: tuple[str, ...]) -> TopUp:
    """差额缴费 switch (absent: not allowed)."""
    if "topup" not in data:
        return TopUp(allowed=False, enrollment_type="")
    t = r.table(data, "topup", "topup")
    mark = r.str_(t, "enrollment_type", "topup.enrollment_type")
    if mark in enrollment:
        raise r.fail("topup.enrollment_type", f"不能与参保类型“{mark}”相同")
    return TopUp(allowed=r.bool_(t, "allowed", "topup.allowed"), enrollment_type=mark)


def parse_key_groups(r: PolicyReader, data: dict[str, Any]) -> KeyGroupRules:
    """Key-group thresholds."""
    t = r.table(data, "key_groups", "key_groups")
    return KeyGroupRules(
        near_pension_years=r.int_(
            t, "near_pension_years", "key_groups.near_pension_years", minimum=1
        ),
        min_contribution_years=r.int_(
            t, "min_contribution_years", "key_groups.min_contribution_years", minimum=1
        ),
        unenrolled_age_from=r.int_(t, "unenrolled_age_from", "key_groups.unenrolled_age_from"),
    )
