"""Smaller parts of a policy: the 差额缴费 (top-up) switch, the key-group thresholds and what a
public notice shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .policy_reader import PolicyReader
from .schema import NOTICE_COLUMNS, NOTICE_REQUIRED_KEYS


@dataclass(frozen=True)
class TopUp:
    """差额缴费: whether a second row may top a person's tier up within the year, and its mark."""

    allowed: bool
    enrollment_type: str


@dataclass(frozen=True)
class KeyGroupRules:
    """Thresholds of the key groups (重点人群). The pension age and the years it needs are the
    policy's ``[pension]``; the highest paying age is ``age.max``."""

    near_pension_years: int  # 临近到龄: reaching the pension age within this many years
    unenrolled_age_from: int  # 45+ 未参保: from this age up to age.max


@dataclass(frozen=True)
class NoticeRules:
    """What a public notice (公示) shows: its table's columns (keys of
    :data:`~xl_pension.core.schema.NOTICE_COLUMNS`, in that order) and whether people paying a
    tier reserved for some categories (the 100 tier of the 代缴 groups) are listed one by one;
    when not, they are counted in the totals only."""

    columns: tuple[str, ...] = ("seq", "group", "name", "id_number", "tier", "subsidy")
    list_restricted_tiers: bool = False


def parse_topup(r: PolicyReader, data: dict[str, Any], enrollment: tuple[str, ...]) -> TopUp:
    """差额缴费 switch (absent: not allowed)."""
    if "topup" not in data:
        return TopUp(allowed=False, enrollment_type="")
    t = r.table(data, "topup", "topup")
    mark = r.str_(t, "enrollment_type", "topup.enrollment_type")
    if mark in enrollment:
        raise r.fail("topup.enrollment_type", f"不能与参保类型“{mark}”相同")
    return TopUp(allowed=r.bool_(t, "allowed", "topup.allowed"), enrollment_type=mark)


def parse_key_groups(r: PolicyReader, data: dict[str, Any], age_max: int) -> KeyGroupRules:
    """Key-group thresholds (the 45+ group's first age at most ``age.max``)."""
    t = r.table(data, "key_groups", "key_groups")
    rules = KeyGroupRules(
        near_pension_years=r.int_(
            t, "near_pension_years", "key_groups.near_pension_years", minimum=1
        ),
        unenrolled_age_from=r.int_(t, "unenrolled_age_from", "key_groups.unenrolled_age_from"),
    )
    if rules.unenrolled_age_from > age_max:
        raise r.fail(
            "key_groups.unenrolled_age_from", f"不能大于可缴费的最高年龄 age.max（{age_max}）"
        )
    return rules


def parse_notice_rules(r: PolicyReader, notice: dict[str, Any]) -> NoticeRules:
    """``[notice] columns`` (known keys, each once, with 序号 and 姓名) and
    ``list_restricted_tiers``; the table is required (what a notice shows is the county's
    decision, so it is written down)."""
    known = [k for k, _ in NOTICE_COLUMNS]
    chosen = r.str_list(notice, "columns", "notice.columns")
    for i, key in enumerate(chosen):
        if key not in known:
            raise r.fail(f"notice.columns[{i}]", f"不是公示可用的列（可用：{'、'.join(known)}）")
    for key in NOTICE_REQUIRED_KEYS:
        if key not in chosen:
            raise r.fail("notice.columns", f"必须包含 {key}")
    return NoticeRules(
        columns=tuple(k for k in known if k in chosen),
        list_restricted_tiers=r.bool_(
            notice, "list_restricted_tiers", "notice.list_restricted_tiers"
        ),
    )
