"""Money per person and per roster: hand-worked examples, policy variants, properties.

Each policy variant is its own TOML file (the packaged text altered, see ``_policy_variants``),
loaded with ``load_policy`` exactly as ``--policy FILE`` would, and checked against amounts
worked out by hand. The property tests draw random valid policies and people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from pathlib import Path

import pytest
from _policy_variants import (
    BASE,
    DEFAULT_TEXT,
    backpay_subsidy_text,
    fixed_daijiao_text,
    new_id,
    no_higher_tier_text,
    no_subsidy_on_government_part_text,
    paid,
    policy_data,
    row_of,
    ten_tier_text,
    unpaid,
    write,
    write_policy,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_pension.core.money import Money, Totals, person_money, totals_of
from xl_pension.core.policy import Policy, load_policy, parse_policy
from xl_pension.core.validation import Person, check_roster
from xl_pension.io.reader import read_roster

TODAY = dt.date(2024, 11, 1)


def person(
    tier: int,
    category: str = "普通",
    *,
    backpay: tuple[tuple[int, ...], int] | None = None,
    row: int = 3,
) -> Person:
    """A paid, valid person as validation would hand it to ``person_money``."""
    years, amount = backpay or ((), None)
    return Person(
        row=row,
        name="张秀英",
        id_number=new_id(),
        id_valid=True,
        category=category,
        tier=tier,
        method="线上",
        paid=True,
        backpay_years=years,
        backpay_amount=amount,
    )


def money(tier: int, category: str, gov: int, due: int, subsidy: int, backpay: int = 0) -> Money:
    """The expected Money, credited worked out as tier + subsidy + 补缴."""
    assert gov + due == tier
    return Money(tier, gov, due, subsidy, backpay, tier + subsidy + backpay)


def roster_money(tmp_path: Path, policy: Policy, records: list[dict]) -> list[Money | None]:
    """Write ``records`` as a real roster under ``policy``, check it (no errors allowed) and
    return each row's money."""
    path = write(tmp_path / "r.xlsx", policy, records)
    checked = check_roster(read_roster(path), policy, today=TODAY)
    assert checked.errors == [], [f.code for f in checked.errors]
    assert [p.row for p in checked.people] == [row_of(i) for i in range(len(records))]
    return [person_money(p, policy) for p in checked.people]


# -- the default policy: the hand-worked examples of the issue ----------------------------------


@pytest.fixture(scope="module")
def default() -> Policy:
    return load_policy()


def test_dibao_choosing_500(default: Policy) -> None:
    m = person_money(person(500, "低保对象"), default)
    assert m == Money(
        tier=500, government_paid=100, personal_due=400, subsidy=60, backpay=0, credited=560
    )
    assert m.personal_total == 400


def test_ordinary_350_with_backpay_of_300_for_2022(default: Policy) -> None:
    # 2024 is paid at the 8 tiers (350 -> 30), 2022 at the 12 tiers of that year (300), no subsidy.
    m = person_money(person(350, backpay=((2022,), 300)), default)
    assert m == Money(
        tier=350, government_paid=0, personal_due=350, subsidy=30, backpay=300, credited=680
    )
    assert m.personal_total == 650  # what the person pays: own 350 plus 补缴 300


def test_old_tiers_are_not_this_years(default: Policy) -> None:
    for old in (300, 600, 1500):
        assert person_money(person(old), default) is None
    assert person_money(person(8000), default) == money(8000, "", 0, 8000, 80)
    assert person_money(person(350), default) == money(350, "", 0, 350, 30)


def test_government_pays_the_whole_lowest_tier(default: Policy) -> None:
    assert person_money(person(100, "重度残疾人"), default) == money(100, "", 100, 0, 30)


def test_unpaid_person_has_no_money(default: Policy) -> None:
    assert person_money(Person(row=3, category="普通", paid=False), default) is None
    assert totals_of([None, None]) == Totals()


def test_hand_examples_on_a_real_roster(tmp_path: Path, default: Policy) -> None:
    got = roster_money(
        tmp_path,
        default,
        [
            paid(500, 400, category="低保对象"),
            paid(350, 350, method="线下", receipt="R-1", backpay=("2022", 300)),
            paid(100, 0, category="特困人员"),
            paid(8000, 8000),
            unpaid(),
        ],
    )
    assert got == [
        money(500, "低保对象", 100, 400, 60),
        money(350, "普通", 0, 350, 30, backpay=300),
        money(100, "特困人员", 100, 0, 30),
        money(8000, "普通", 0, 8000, 80),
        None,
    ]
    t = totals_of(got)
    assert (t.people, t.tier, t.government_paid, t.personal_due) == (4, 8950, 200, 8750)
    assert (t.subsidy, t.backpay, t.credited, t.personal_total) == (200, 300, 9450, 9050)


# -- policy variants, each its own file ----------------------------------------------------------


def test_variant_ten_tiers_300_to_6000(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "ten-tiers.toml", ten_tier_text())
    assert [t.amount for t in pol.tiers] == [
        300,
        500,
        800,
        1000,
        1500,
        2000,
        3000,
        4000,
        5000,
        6000,
    ]
    # "lowest_tier" follows the tier list: 代缴 is now 300, the whole lowest tier.
    assert pol.category_by_name["低保对象"].government_pays == 300
    assert person_money(person(1500), pol) == money(1500, "", 0, 1500, 120)
    assert person_money(person(300), pol) == money(300, "", 0, 300, 40)
    assert person_money(person(300, "低保对象"), pol) == money(300, "", 300, 0, 40)
    assert person_money(person(800, "重度残疾人"), pol) == money(800, "", 300, 500, 90)
    assert person_money(person(6000), pol) == money(6000, "", 0, 6000, 220)
    got = roster_money(
        tmp_path,
        pol,
        [paid(6000, 6000), paid(300, 0, category="脱贫人口"), paid(800, 500, category="低保对象")],
    )
    assert got == [
        money(6000, "", 0, 6000, 220),
        money(300, "", 300, 0, 40),
        money(800, "", 300, 500, 90),
    ]


def test_variant_ten_tiers_refuses_old_tiers(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "ten-tiers.toml", ten_tier_text())
    path = write(tmp_path / "r.xlsx", pol, [paid(100, 0, category="低保对象"), paid(600, 600)])
    checked = check_roster(read_roster(path), pol, today=TODAY)
    assert [(f.code, f.row) for f in checked.errors] == [("tier.invalid", 3), ("tier.invalid", 4)]


def test_variant_fixed_daijiao_amount(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "fixed-200.toml", fixed_daijiao_text(200))
    dibao = pol.category_by_name["低保对象"]
    assert (dibao.government_pays, dibao.government_pays_rule) == (200, "fixed")
    assert pol.category_by_name["重度残疾人"].government_pays == 100  # still "lowest_tier"
    assert person_money(person(350, "低保对象"), pol) == money(350, "", 200, 150, 30)
    assert person_money(person(500, "低保对象"), pol) == money(500, "", 200, 300, 60)
    # 代缴 never exceeds the tier: on 100 the government pays 100, not 200.
    assert person_money(person(100, "低保对象"), pol) == money(100, "", 100, 0, 30)
    assert person_money(person(350, "重度残疾人"), pol) == money(350, "", 100, 250, 30)
    got = roster_money(
        tmp_path,
        pol,
        [paid(350, 150, category="低保对象"), paid(100, 0, category="低保对象")],
    )
    assert got == [money(350, "", 200, 150, 30), money(100, "", 100, 0, 30)]


def test_variant_fixed_daijiao_changes_what_validation_expects(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "fixed-200.toml", fixed_daijiao_text(200))
    path = write(tmp_path / "r.xlsx", pol, [paid(350, 250, category="低保对象")])
    checked = check_roster(read_roster(path), pol, today=TODAY)
    assert [f.code for f in checked.errors] == ["amount.mismatch"]  # 350 - 200 = 150 due


def test_variant_no_subsidy_on_government_part(tmp_path: Path) -> None:
    _, pol = write_policy(
        tmp_path, "no-subsidy-on-daijiao.toml", no_subsidy_on_government_part_text()
    )
    assert pol.category_by_name["低保对象"].subsidy_on_government_part is False
    # Whole tier paid by the government: no subsidy at all.
    assert person_money(person(100, "低保对象"), pol) == money(100, "", 100, 0, 0)
    # 500: the subsidy of the 代缴 part (the 100 tier's 30) is withheld: 60 - 30 = 30.
    assert person_money(person(500, "低保对象"), pol) == money(500, "", 100, 400, 30)
    assert person_money(person(1000, "低保对象"), pol) == money(1000, "", 100, 900, 50)
    # Other categories keep the subsidy on the 代缴 part.
    assert person_money(person(500, "重度残疾人"), pol) == money(500, "", 100, 400, 60)
    assert person_money(person(100, "重度残疾人"), pol) == money(100, "", 100, 0, 30)
    assert person_money(person(500), pol) == money(500, "", 0, 500, 60)
    got = roster_money(
        tmp_path, pol, [paid(100, 0, category="低保对象"), paid(500, 400, category="低保对象")]
    )
    assert got == [money(100, "", 100, 0, 0), money(500, "", 100, 400, 30)]


def test_variant_higher_tier_allowed_pays_the_difference(tmp_path: Path, default: Policy) -> None:
    assert default.category_by_name["低保对象"].may_choose_higher is True
    got = roster_money(
        tmp_path,
        default,
        [paid(500, 400, category="低保对象"), paid(3000, 2900, category="脱贫人口")],
    )
    assert got == [money(500, "", 100, 400, 60), money(3000, "", 100, 2900, 80)]


def test_variant_higher_tier_not_allowed_keeps_the_lowest_tier(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "no-higher.toml", no_higher_tier_text())
    assert pol.category_by_name["特困人员"].may_choose_higher is False
    got = roster_money(tmp_path, pol, [paid(100, 0, category="特困人员")])
    assert got == [money(100, "", 100, 0, 30)]


def test_variant_higher_tier_not_allowed_is_refused(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "no-higher.toml", no_higher_tier_text())
    path = write(
        tmp_path / "r.xlsx",
        pol,
        [paid(500, 400, category="特困人员"), paid(500, 400, category="低保对象")],
    )
    checked = check_roster(read_roster(path), pol, today=TODAY)
    assert [(f.code, f.row, f.column) for f in checked.errors] == [
        ("tier.restricted", 3, "缴费档次")
    ]


def test_variant_backpay_with_subsidy(tmp_path: Path, default: Policy) -> None:
    _, pol = write_policy(tmp_path, "backpay-subsidy.toml", backpay_subsidy_text())
    assert pol.backpay.subsidy is True
    # 350 tier (30) + two back-paid years of 300, a tier of 2022 and 2023 (30 each): subsidy
    # 90, credited 350+90+600.
    m = person_money(person(350, backpay=((2022, 2023), 600)), pol)
    assert m == Money(350, 0, 350, 90, 600, 1040)
    assert m.personal_total == 950
    # 2023 had both tables: 350 (8 tiers, from 2023-10-01) earns that table's 30.
    assert person_money(person(350, backpay=((2023,), 350)), pol) == Money(
        350, 0, 350, 60, 350, 760
    )
    # The same person under the default policy: no subsidy on 补缴.
    assert person_money(person(350, backpay=((2022, 2023), 600)), default) == Money(
        350, 0, 350, 30, 600, 980
    )


def test_default_text_is_the_packaged_policy(default: Policy) -> None:
    data = tomllib.loads(DEFAULT_TEXT)
    this_year = data["tier_schedules"][0]["tiers"]
    assert [t["amount"] for t in this_year] == [t.amount for t in default.tiers]
    assert len(default.tiers) == 8 and default.tiers[0].amount == 100
    assert default.tiers[-1].amount == 8000


# -- properties over random valid policies and people --------------------------------------------

YEARS = range(BASE["backpay"]["earliest_year"], BASE["backpay"]["latest_year"] + 1)


def policies() -> st.SearchStrategy[Policy]:
    return policy_data().map(parse_policy)


@st.composite
def people_of(draw, policy: Policy, row: int) -> Person:
    """A valid combination of category, tier, 补缴 and method under ``policy``."""
    cat = draw(st.sampled_from(policy.categories))
    if not draw(st.integers(0, 9)):
        return Person(row=row, category=cat.name, paid=False, unpaid_reason="外出联系不上")
    allowed = [t for t in policy.tiers if t.allowed_for(cat.name)]
    if not cat.may_choose_higher and cat.government_pays:
        allowed = [t for t in allowed if t.amount <= cat.government_pays] or allowed[:1]
    tier = draw(st.sampled_from(allowed)).amount
    years = tuple(sorted(draw(st.lists(st.sampled_from(YEARS), max_size=4, unique=True))))
    # a per-year amount that was a tier in every one of the years (tier schedules are dated)
    common = set.intersection(
        *({t.amount for t in policy.backpay_tiers(y)} for y in years or YEARS)
    )
    if policy.backpay.per_year_must_be_tier and not common:
        years = ()
    backpay = None
    if years:
        per_year = (
            draw(st.sampled_from(sorted(common)))
            if policy.backpay.per_year_must_be_tier
            else draw(st.integers(1, 20_000))
        )
        backpay = per_year * len(years)
    additive_on_top = cat.model == "additive" and tier > cat.government_pays
    return Person(
        row=row,
        category=cat.name,
        tier=tier,
        amount=tier if additive_on_top else max(tier - cat.government_pays, 0),
        method=draw(st.sampled_from(policy.payment_methods)).name,
        paid=True,
        backpay_years=years,
        backpay_amount=backpay,
    )


@st.composite
def rosters(draw) -> tuple[Policy, list[Person]]:
    policy = draw(policies())
    n = draw(st.integers(0, 30))
    return policy, [draw(people_of(policy, row)) for row in range(3, 3 + n)]


@settings(max_examples=200, deadline=None)
@given(rosters())
def test_property_person_money(case: tuple[Policy, list[Person]]) -> None:
    policy, people = case
    for p in people:
        m = person_money(p, policy)
        if not p.paid:
            assert m is None
            continue
        assert m is not None
        for f in dataclasses.fields(Money):
            value = getattr(m, f.name)
            assert type(value) is int, (f.name, value)
            assert value >= 0, (f.name, value)
        assert m.tier == p.tier
        cat = policy.category_by_name[p.category]
        if cat.model == "additive" and m.tier > cat.government_pays:
            # the person pays the whole tier, the government its 代缴 on top: both credited
            assert (m.personal_due, m.government_paid) == (m.tier, cat.government_pays)
        else:
            assert m.government_paid + m.personal_due == m.tier
        assert m.personal_due >= 0
        assert m.personal_due == p.amount  # what validation required the person to pay
        assert m.backpay == (p.backpay_amount or 0)
        assert m.credited >= m.personal_total  # nobody is credited less than they paid
        assert m.credited == m.personal_due + m.government_paid + m.subsidy + m.backpay
        tier_subsidy = policy.tier_by_amount[m.tier].subsidy
        if not policy.backpay.subsidy:
            assert m.subsidy <= tier_subsidy  # 补缴 earns nothing, 代缴 part maybe withheld
            without_backpay = dataclasses.replace(p, backpay_years=(), backpay_amount=None)
            assert person_money(without_backpay, policy).subsidy == m.subsidy
        if cat.subsidy_on_government_part or not m.government_paid or cat.model == "additive":
            assert m.subsidy - tier_subsidy >= 0


@settings(max_examples=200, deadline=None)
@given(rosters(), st.data())
def test_property_totals_are_sums_of_rows(case: tuple[Policy, list[Person]], data) -> None:
    policy, people = case
    moneys = [person_money(p, policy) for p in people]
    paid_moneys = [m for m in moneys if m is not None]
    t = totals_of(moneys)
    assert t.people == len(paid_moneys) == sum(p.paid for p in people)
    for f in dataclasses.fields(Money):
        assert getattr(t, f.name) == sum(getattr(m, f.name) for m in paid_moneys), f.name
    assert t.personal_total == sum(m.personal_total for m in paid_moneys)
    assert all(type(getattr(t, f.name)) is int for f in dataclasses.fields(Totals))
    k = data.draw(st.integers(0, len(moneys)))
    first, second = totals_of(moneys[:k]), totals_of(moneys[k:])
    first.merge(second)
    assert first == t
    merged_empty = Totals()
    merged_empty.merge(t)
    assert merged_empty == t
