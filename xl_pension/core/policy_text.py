"""The policy in plain Chinese sentences, for the 填表说明 sheet and other printed guides.

Every number comes from the policy; the sentences say which values are still to be confirmed
(the policy's ``source_note``), so that a printed guide never shows them as settled.
"""

from __future__ import annotations

from .money import amount_due, government_part
from .policy import Policy
from .tiers import Tier, TierSchedule


def _tier_text(t: Tier, *, subsidy: bool) -> str:
    text = f"{t.amount}元"
    if subsidy:
        text += f"（补贴{t.subsidy}元）"
    return text


def schedule_text(schedule: TierSchedule, *, subsidy: bool = True) -> str:
    """``100元（补贴30元，仅限…）、350元（补贴30元）…`` for one schedule."""
    parts = []
    for t in schedule.tiers:
        text = _tier_text(t, subsidy=subsidy)
        if t.restricted_to:
            text = text.rstrip("）") + "，" if subsidy else text + "（"
            text += f"仅限{'、'.join(t.restricted_to)}）"
        parts.append(text)
    return "、".join(parts)


def daijiao_text(policy: Policy) -> str:
    """What 代缴 categories pay, in the words of the policy's model."""
    paid = [c for c in policy.categories if c.is_government_paid]
    if not paid:
        return "本政策没有政府代缴对象。"
    groups: dict[tuple[int, str, bool], list[str]] = {}
    for c in paid:
        groups.setdefault((c.government_pays, c.model, c.may_choose_higher), []).append(c.name)
    lines = []
    for (amount, _, may_choose_higher), names in groups.items():
        c = policy.category_by_name[names[0]]
        higher = next((t.amount for t in policy.tiers if t.amount > amount), None)
        text = f"{'、'.join(names)}由政府代缴 {amount} 元"
        if higher is not None and may_choose_higher:
            due, gov = amount_due(c, higher), government_part(c, higher)
            if c.is_additive:
                text += (
                    f"，另加在本人自选档次之上（如选 {higher} 元档次，本人缴 {due} 元、"
                    f"政府代缴 {gov} 元，合计记入个人账户）"
                )
            else:
                text += f"，计入所选档次（如选 {higher} 元档次，本人缴 {due} 元）"
        elif not may_choose_higher:
            text += "，不能自选更高档次"
        lines.append(text)
    order = "、".join(policy.category_precedence)
    tail = f"；同一人有多个身份的只代缴一次，按{order}的顺序认定" if len(paid) > 1 else ""
    return "；".join(lines) + tail + "。"


def guide_lines(policy: Policy) -> list[str]:
    """Sentences about tiers, 代缴, 补缴 and 差额缴费 for the 填表说明 sheet."""
    this_year = policy.schedule
    lines = [
        f"本年度缴费档次（{this_year.start:%Y年%m月%d日}起执行"
        f"{'，' + this_year.source if this_year.source else ''}）：{schedule_text(this_year)}。",
        f"政府代缴：{daijiao_text(policy)}",
    ]
    bp = policy.backpay
    older = [s for s in policy.tier_schedules if s.start < this_year.start]
    text = f"补缴：只能补缴 {bp.earliest_year}—{bp.latest_year} 年度，每年按当年档次缴纳"
    if older:
        text += (
            "（"
            + "；".join(
                f"{s.start:%Y年%m月%d日}起：{schedule_text(s, subsidy=False)}" for s in older
            )
            + f"；{this_year.start:%Y年%m月%d日}起按本年度档次）"
        )
    text += "，" + ("补缴年度按当年档次享受补贴。" if bp.subsidy else "补缴不享受政府补贴。")
    lines.append(text)
    if policy.topup.allowed:
        lines.append(
            f"差额缴费：本年已缴费后改选更高档次的，另起一行，参保类型选“{policy.topup.enrollment_type}”，"
            "缴费档次填最终档次，实缴金额填差额；补贴按最终档次计算。"
        )
    return lines
