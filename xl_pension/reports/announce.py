"""What the village 缴费通知 poster and the 明白纸 leaflet say, built from the policy alone.

The seed asks every township to publicise "今年缴费的时间、档次及办理办法" (三(二)) and to use
明白纸 (四(二)); each village has one 征缴工作专员 (四(五)). :func:`build_publicity` gathers every
number those texts need — collection window, the tiers of this year's schedule with their
subsidies and what is credited to the account, the 代缴 rule, 补缴 years, payment channels,
ages, the 15 years — from the :class:`~xl_pension.core.policy.Policy`, and the contacts from the
contacts file. The wording lives in the county-editable templates ``templates/announce/``.
No villager's personal data is involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.contacts import Contact
from ..core.money import tier_money
from ..core.policy import Category, Policy
from .notice import chinese_date

POSTER, LEAFLET = "poster", "leaflet"
KINDS = (POSTER, LEAFLET)
TITLES = {POSTER: "缴费通知", LEAFLET: "明白纸"}  # also the file names' suffixes


@dataclass(frozen=True)
class TierLine:
    """One tier as printed: yearly amount, subsidy, and what an ordinary payer gets credited."""

    amount: int
    subsidy: int
    credited: int
    restricted: bool  # only some categories (the 代缴 groups) may choose it


@dataclass(frozen=True)
class DaijiaoRule:
    """One 代缴 rule in plain words: who, how much the government pays, how it combines with
    the person's own tier, and an example.

    ``additive`` False (inclusive model): 代缴 counts toward the chosen tier, the person pays
    the rest; True (additive model): the person pays a tier of their own in full and the 代缴
    is credited on top.
    """

    groups: tuple[str, ...]  # category names, never a person
    amount: int
    may_choose_higher: bool
    example_tier: (
        int | None
    )  # inclusive: the lowest open tier above the 代缴; additive: the lowest open
    example_personal: int | None  # what the person pays on it
    additive: bool = False
    example_credited: int | None = (
        None  # what the example credits to the account (both parts + subsidy)
    )


@dataclass(frozen=True)
class Publicity:
    """Everything one village's poster and leaflet print (the templates' variables)."""

    policy: Policy
    township: str
    village: str
    specialist: Contact
    office: Contact
    tiers: tuple[TierLine, ...]
    daijiao: tuple[DaijiaoRule, ...]
    offline_method: str
    offline_receipt: bool
    notes: tuple[str, ...] = field(default=())

    def template_vars(self) -> dict[str, object]:
        """The variables of ``templates/announce/*.j2`` (documented at the top of each)."""
        p = self.policy
        return {
            "county": p.county_name,
            "city": p.city,
            "province": p.province,
            "year": p.year,
            "title": p.title,
            "township": self.township,
            "village": self.village,
            "start": chinese_date(p.collection_start),
            "end": chinese_date(p.collection_end),
            "end_short": f"{p.collection_end.month}月{p.collection_end.day}日"
            if p.collection_end.year == p.collection_start.year
            else chinese_date(p.collection_end),
            "tiers": self.tiers,
            "open_tiers": [t for t in self.tiers if not t.restricted],
            "restricted_tiers": [t for t in self.tiers if t.restricted],
            "lowest_open": next((t for t in self.tiers if not t.restricted), self.tiers[0]),
            "highest": self.tiers[-1],
            "daijiao": self.daijiao,
            "channels": p.channels,
            "offline_method": self.offline_method,
            "offline_receipt": self.offline_receipt,
            "backpay_earliest": p.backpay.earliest_year,
            "backpay_latest": p.backpay.latest_year,
            "backpay_subsidy": p.backpay.subsidy,
            "age_min": p.age_min,
            "age_max": p.age_max,
            "pension_age": p.pension.age,
            "min_years": p.pension.min_years,
            "notice_days": p.notice_days,
            "specialist": self.specialist,
            "office": self.office,
        }


def tier_lines(policy: Policy) -> tuple[TierLine, ...]:
    """This year's tiers as printed, lowest first; credited = tier + subsidy (ordinary payer)."""
    return tuple(
        TierLine(
            amount=t.amount,
            subsidy=t.subsidy,
            credited=t.amount + t.subsidy,
            restricted=bool(t.restricted_to),
        )
        for t in policy.tiers
    )


def daijiao_rules(policy: Policy) -> tuple[DaijiaoRule, ...]:
    """The 代缴 categories grouped by what the government pays and how (model), in the policy's
    order; the example's money is the roster's own rule (:func:`~xl_pension.core.money.tier_money`)."""
    by_terms: dict[tuple[int, bool, bool], list[Category]] = {}
    for c in policy.categories:
        if c.is_government_paid:
            by_terms.setdefault((c.government_pays, c.may_choose_higher, c.is_additive), []).append(
                c
            )
    rules = []
    for (amount, higher, additive), cats in by_terms.items():
        open_tiers = [t for t in policy.tiers if not t.restricted_to]
        if not additive:  # a tier above the 代缴, the person paying the difference
            open_tiers = [t for t in open_tiers if t.amount > amount]
        example = open_tiers[0] if open_tiers and higher else None
        government = personal = subsidy = 0
        if example is not None:
            government, personal, subsidy = tier_money(policy, cats[0], example.amount)
        rules.append(
            DaijiaoRule(
                groups=tuple(c.name for c in cats),
                amount=amount,
                may_choose_higher=higher,
                example_tier=example.amount if example else None,
                example_personal=personal if example else None,
                additive=additive,
                example_credited=personal + government + subsidy if example else None,
            )
        )
    return tuple(rules)


def build_publicity(
    policy: Policy,
    township: str = "",
    village: str = "",
    *,
    specialist: Contact | None = None,
    office: Contact | None = None,
) -> Publicity:
    """The poster and leaflet content of one village (or of a township / the county when the
    names are empty); a missing contact prints as a line to fill by hand."""
    offline = next((m for m in policy.payment_methods if m.receipt_required), None)
    return Publicity(
        policy=policy,
        township=township,
        village=village,
        specialist=specialist or Contact(),
        office=office or Contact(),
        tiers=tier_lines(policy),
        daijiao=daijiao_rules(policy),
        offline_method=offline.name if offline else "",
        offline_receipt=offline is not None,
    )


def file_stem(pub: Publicity, kind: str) -> str:
    """The file name (without suffix) of a poster or leaflet: ``<村>_缴费通知``."""
    place = pub.village or pub.township or pub.policy.county_name
    return f"{place}_{TITLES[kind]}"
