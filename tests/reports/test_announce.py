"""The poster's and leaflet's content follows the policy file and nothing else."""

from __future__ import annotations

import re

from tests._policy_variants import (
    TEN_TIERS,
    additive_text,
    fixed_daijiao_text,
    ten_tier_text,
    write_policy,
)
from xl_pension.core.contacts import Contact, ContactBook
from xl_pension.core.policy import Policy
from xl_pension.io.announce_html import render_page
from xl_pension.reports.announce import (
    KINDS,
    build_publicity,
    daijiao_rules,
    file_stem,
    tier_lines,
)


def test_tier_lines_are_this_years_tiers_with_subsidy_and_credit(policy: Policy) -> None:
    lines = tier_lines(policy)
    assert [(t.amount, t.subsidy) for t in lines] == [(t.amount, t.subsidy) for t in policy.tiers]
    assert all(t.credited == t.amount + t.subsidy for t in lines)
    assert [t.restricted for t in lines] == [bool(t.restricted_to) for t in policy.tiers]


def test_a_changed_policy_changes_the_content(tmp_path) -> None:
    _, ten = write_policy(tmp_path, "ten.toml", ten_tier_text())
    pub = build_publicity(ten, "城关街道", "王庄村")
    assert [(t.amount, t.subsidy) for t in pub.tiers] == list(TEN_TIERS)
    assert not any(t.restricted for t in pub.tiers)
    assert pub.template_vars()["lowest_open"].amount == TEN_TIERS[0][0]


def test_daijiao_rules_group_categories_by_what_the_government_pays(policy, tmp_path) -> None:
    paid = [c for c in policy.categories if c.is_government_paid]
    rules = daijiao_rules(policy)
    assert sorted(n for r in rules for n in r.groups) == sorted(c.name for c in paid)
    _, fixed = write_policy(tmp_path, "fixed.toml", fixed_daijiao_text(200))
    by_amount = {r.amount: r for r in daijiao_rules(fixed)}
    assert by_amount[200].groups == ("低保对象",)
    example = by_amount[200]
    tier = fixed.tier_by_amount[example.example_tier]
    assert example.example_tier > 200 and example.example_personal == tier.amount - 200


def test_the_wording_follows_the_daijiao_model(policy, tmp_path) -> None:
    _, additive = write_policy(tmp_path, "additive.toml", additive_text())
    (inclusive_rule,), (additive_rule,) = daijiao_rules(policy), daijiao_rules(additive)
    # by hand: inclusive, 350 tier: pays 350 - 100; additive: pays 350, credited 350 + 100 + 30
    assert (inclusive_rule.additive, inclusive_rule.example_tier) == (False, 350)
    assert inclusive_rule.example_personal == 250
    assert (additive_rule.additive, additive_rule.example_tier) == (True, 350)
    assert (additive_rule.example_personal, additive_rule.example_credited) == (350, 480)
    for kind in KINDS:
        plain = {
            name: re.sub(r"<[^>]+>|\s", "", render_page(kind, build_publicity(p).template_vars()))
            for name, p in (("inclusive", policy), ("additive", additive))
        }
        assert "自己只交差额" in plain["inclusive"] and "自己交250元" in plain["inclusive"]
        assert "自己只交差额" not in plain["additive"]
        assert "全额缴纳" in plain["additive"] and "另外加上" in plain["additive"]
        assert "自己交350元" in plain["additive"] and "记入480元" in plain["additive"]


def test_missing_contacts_are_empty_and_office_rows_are_recognised(policy) -> None:
    book = ContactBook()
    book.add("城关街道", "城关街道", Contact("", "0530-7221234"))
    book.add("城关街道", "王 庄村", Contact("张建国", "13805301234"))
    assert book.office("城关街道").phone == "0530-7221234"
    assert book.village("城关街道", "王庄村").name == "张建国"
    assert book.villages_of("城关街道") == ["王庄村"]
    pub = build_publicity(
        policy, "城关街道", "李庄村", specialist=book.village("城关街道", "李庄村")
    )
    assert pub.specialist == Contact() and not pub.specialist.complete
    assert file_stem(pub, "poster") == "李庄村_缴费通知"
    assert file_stem(build_publicity(policy), "leaflet") == f"{policy.county_name}_明白纸"
