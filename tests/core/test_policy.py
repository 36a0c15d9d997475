"""The packaged policy file and the checks that name the key path of every mistake."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from xl_pension.core.errors import EXIT_UNUSABLE, PolicyError
from xl_pension.core.policy import (
    DEFAULT_POLICY_PATH,
    LOWEST_TIER,
    Policy,
    load_policy,
    parse_policy,
)

DEFAULT_TEXT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
DEFAULT_DATA = tomllib.loads(DEFAULT_TEXT)

# 2024: Shandong's 8 tiers (since 2023-10-01); before them the 12 tiers, used for 补缴 of those years
TIER_AMOUNTS = [100, 350, 500, 800, 1000, 3000, 5000, 8000]
TIER_SUBSIDIES = [30, 30, 60, 80, 80, 80, 80, 80]
OLD_AMOUNTS = [100, 300, 500, 600, 800, 1000, 1500, 2000, 2500, 3000, 4000, 5000]
OLD_SUBSIDIES = [30, 30, 60, 60, 80, 80, 80, 80, 80, 80, 80, 80]
CODE_CATEGORIES = ["重度残疾人", "低保对象", "特困人员", "脱贫人口", "防止返贫监测对象"]
EXCLUDED_REASONS = {"参加职工养老保险", "已领取待遇", "死亡", "迁出", "在校学生"}


@pytest.fixture(scope="module")
def packaged() -> Policy:
    return load_policy()


def fresh() -> dict[str, Any]:
    """A deep copy of the packaged policy data, free to mutate."""
    return copy.deepcopy(DEFAULT_DATA)


# -- the packaged policy -------------------------------------------------------------------------


def test_packaged_policy_loads(packaged: Policy) -> None:
    assert packaged.id == "dongming-2024"
    assert packaged.year == 2024
    assert packaged.county_code == "371728"
    assert packaged.county_name == "东明县"
    assert packaged.path == str(DEFAULT_POLICY_PATH)
    assert load_policy(DEFAULT_POLICY_PATH) == packaged
    assert parse_policy(fresh(), str(DEFAULT_POLICY_PATH)) == packaged


def test_packaged_tiers(packaged: Policy) -> None:
    assert len(packaged.tiers) == 8
    assert [t.amount for t in packaged.tiers] == TIER_AMOUNTS
    assert [t.subsidy for t in packaged.tiers] == TIER_SUBSIDIES
    assert packaged.tiers[0].amount == 100
    assert packaged.tiers[-1].amount == 8000
    assert sorted(packaged.tier_by_amount) == TIER_AMOUNTS
    assert packaged.tier_by_amount[500].subsidy == 60
    assert packaged.dropdown("tiers") == [str(a) for a in TIER_AMOUNTS]


def test_packaged_schedules_are_dated(packaged: Policy) -> None:
    old, new = packaged.tier_schedules
    assert (old.start, new.start) == (dt.date(2014, 1, 1), dt.date(2023, 10, 1))
    assert [t.amount for t in old.tiers] == OLD_AMOUNTS
    assert [t.subsidy for t in old.tiers] == OLD_SUBSIDIES
    assert old.tiers[0].restricted_to == tuple(CODE_CATEGORIES)
    assert packaged.schedule is new  # in force on the collection start
    assert packaged.tiers_on(dt.date(2023, 9, 30)) == old.tiers
    assert packaged.tiers_on(dt.date(2023, 10, 1)) == new.tiers
    assert packaged.tiers_on(dt.date(2013, 12, 31)) == ()
    assert [t.amount for t in packaged.backpay_tiers(2022)] == OLD_AMOUNTS
    assert packaged.backpay_tier(2022, 300) == old.tier_by_amount[300]
    assert packaged.backpay_tier(2022, 350) is None
    # 2023 had both tables: either table's tiers may be back-paid for it
    assert {t.amount for t in packaged.backpay_tiers(2023)} == set(OLD_AMOUNTS) | set(TIER_AMOUNTS)
    assert packaged.backpay_tier(2023, 8000) == new.tier_by_amount[8000]
    assert packaged.backpay_tier(2014, 1500) == old.tier_by_amount[1500]


def test_packaged_daijiao_models_precedence_topup_key_groups(packaged: Policy) -> None:
    assert {c.model for c in packaged.categories} == {"inclusive"}
    assert packaged.category_precedence == (
        "特困人员",
        "脱贫人口",
        "防止返贫监测对象",
        "低保对象",
        "重度残疾人",
    )
    assert packaged.primary_category(["低保对象", "特困人员"]) == "特困人员"
    assert packaged.primary_category(["重度残疾人", "脱贫人口"]) == "脱贫人口"
    assert packaged.primary_category(["普通"]) == "普通"
    assert packaged.topup.allowed is False
    assert packaged.topup.enrollment_type == "差额缴费"
    assert packaged.dropdown("enrollment_types") == ["续保", "新增"]
    rules = packaged.key_group_rules
    assert (rules.near_pension_years, rules.unenrolled_age_from) == (2, 45)
    assert (packaged.pension.age, packaged.pension.min_years, packaged.age_max) == (60, 15, 59)
    notice = packaged.notice_rules
    assert notice.columns == ("seq", "group", "name", "id_number", "tier", "subsidy")
    assert notice.list_restricted_tiers is False


def test_schedules_may_be_listed_in_any_order() -> None:
    data = fresh()
    data["tier_schedules"].reverse()
    assert parse_policy(data, "x.toml") == parse_policy(fresh(), "x.toml")


def test_tier_100_is_restricted(packaged: Policy) -> None:
    tier = packaged.tier_by_amount[100]
    assert tier.restricted_to == tuple(CODE_CATEGORIES)
    assert not tier.allowed_for("普通")
    assert not tier.allowed_for("计划生育特殊家庭")
    assert tier.allowed_for("低保对象")
    for name in CODE_CATEGORIES:
        assert tier.allowed_for(name)
    for tier in packaged.tiers[1:]:
        assert tier.restricted_to == ()
        assert tier.allowed_for("普通")


def test_packaged_townships(packaged: Policy) -> None:
    assert len(packaged.townships) == 14
    assert len({t.name for t in packaged.townships}) == 14
    assert all(t.code.isdigit() and len(t.code) == 9 for t in packaged.townships)
    assert all(t.code.startswith("371728") for t in packaged.townships)
    assert packaged.township_by_name["城关街道"].code == "371728001"
    assert packaged.township_by_name["焦园乡"].code == "371728205"


def test_packaged_categories(packaged: Policy) -> None:
    assert len(packaged.categories) == 7
    assert packaged.default_category == "普通"
    dibao = packaged.category_by_name["低保对象"]
    assert dibao.government_pays == 100
    assert dibao.government_pays_rule == LOWEST_TIER
    assert dibao.is_government_paid
    for name in CODE_CATEGORIES:
        assert packaged.category_by_name[name].government_pays == 100
        assert packaged.category_by_name[name].government_pays_rule == LOWEST_TIER
    for name in ("普通", "计划生育特殊家庭"):
        category = packaged.category_by_name[name]
        assert category.government_pays == 0
        assert category.government_pays_rule == "fixed"
        assert not category.is_government_paid
    assert packaged.dropdown("categories") == [c.name for c in packaged.categories]


def test_lowest_tier_follows_the_tiers() -> None:
    data = fresh()
    del data["tier_schedules"][0]["tiers"][0]
    data["tier_schedules"][0]["tiers"][0]["restricted_to"] = ["低保对象"]
    policy = parse_policy(data, "x.toml")
    assert policy.category_by_name["低保对象"].government_pays == 350  # this year's lowest
    assert policy.category_by_name["普通"].government_pays == 0


def test_packaged_dates_and_notice(packaged: Policy) -> None:
    assert packaged.collection_start == dt.date(2024, 4, 1)
    assert packaged.collection_end == dt.date(2024, 6, 30)
    assert packaged.notice_days == 10
    assert packaged.notice_day_kind == "calendar"
    assert packaged.age_min == 16
    assert packaged.age_max == 59
    assert packaged.age_reference_date == dt.date(2024, 4, 1)
    assert packaged.backpay.subsidy is False
    assert packaged.backpay.earliest_year == 2014
    assert packaged.backpay.latest_year == 2023


def test_packaged_unpaid_reasons(packaged: Policy) -> None:
    excluded = {r.name for r in packaged.unpaid_reasons if r.excluded_from_expected}
    assert excluded == EXCLUDED_REASONS
    kept = {r.name for r in packaged.unpaid_reasons if not r.excluded_from_expected}
    assert kept == {"外出联系不上", "拒缴", "其他"}
    assert packaged.reason_by_name["死亡"].excluded_from_expected
    assert not packaged.reason_by_name["拒缴"].excluded_from_expected


def test_packaged_methods_and_enrollment(packaged: Policy) -> None:
    assert packaged.enrollment_types == ("续保", "新增")
    assert packaged.method_by_name["线下"].receipt_required
    assert not packaged.method_by_name["线上"].receipt_required
    assert packaged.dropdown("genders") == ["男", "女"]


def test_packaged_file_says_values_must_be_confirmed() -> None:
    header = []
    for line in DEFAULT_TEXT.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert header, "the policy file must start with a comment"
    assert "待核实" in "\n".join(header)


def test_policy_is_frozen(packaged: Policy) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        packaged.year = 2025  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        packaged.tiers[0].subsidy = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        packaged.categories[0].government_pays = 50  # type: ignore[misc]
    assert packaged.year == 2024


# -- broken policies -----------------------------------------------------------------------------


def _missing_subsidy(d: dict[str, Any]) -> None:
    del d["tier_schedules"][0]["tiers"][3]["subsidy"]


def _negative_subsidy(d: dict[str, Any]) -> None:
    d["tier_schedules"][0]["tiers"][3]["subsidy"] = -10


def _unknown_restricted(d: dict[str, Any]) -> None:
    d["tier_schedules"][0]["tiers"][0]["restricted_to"] = ["重度残疾人", "五保户", "低保对象"]


def _negative_government_pays(d: dict[str, Any]) -> None:
    d["categories"][1]["government_pays"] = -5


def _end_before_start(d: dict[str, Any]) -> None:
    d["collection"]["end"] = dt.date(2024, 3, 31)


def _duplicate_tier(d: dict[str, Any]) -> None:
    d["tier_schedules"][0]["tiers"][2]["amount"] = 350


def _latest_year_is_policy_year(d: dict[str, Any]) -> None:
    d["backpay"]["latest_year"] = 2024


def _latest_year_after_policy_year(d: dict[str, Any]) -> None:
    d["backpay"]["latest_year"] = 2025


def _township_code_8_digits(d: dict[str, Any]) -> None:
    d["county"]["townships"][0]["code"] = "37172800"


def _unknown_model(d: dict[str, Any]) -> None:
    d["categories"][1]["model"] = "both"


def _precedence_unknown(d: dict[str, Any]) -> None:
    d["category_precedence"].append("五保户")


def _precedence_missing_a_daijiao_category(d: dict[str, Any]) -> None:
    d["category_precedence"].remove("低保对象")


def _legacy_flat_tiers(d: dict[str, Any]) -> None:
    d["tiers"] = d.pop("tier_schedules")[0]["tiers"]


def _two_schedules_same_day(d: dict[str, Any]) -> None:
    d["tier_schedules"][1]["from"] = d["tier_schedules"][0]["from"]


def _no_schedule_at_collection_start(d: dict[str, Any]) -> None:
    d["tier_schedules"] = [d["tier_schedules"][0]]
    d["tier_schedules"][0]["from"] = dt.date(2024, 5, 1)


def _no_schedule_for_the_earliest_backpay_year(d: dict[str, Any]) -> None:
    d["tier_schedules"][1]["from"] = dt.date(2015, 1, 1)


def _topup_mark_is_an_enrollment_type(d: dict[str, Any]) -> None:
    d["topup"]["enrollment_type"] = "续保"


def _negative_key_group_window(d: dict[str, Any]) -> None:
    d["key_groups"]["near_pension_years"] = 0


def _unknown_notice_column(d: dict[str, Any]) -> None:
    d["notice"]["columns"] = ["seq", "name", "category"]


def _notice_without_names(d: dict[str, Any]) -> None:
    d["notice"]["columns"] = ["seq", "tier"]


def _unenrolled_age_above_paying_ages(d: dict[str, Any]) -> None:
    d["key_groups"]["unenrolled_age_from"] = 60


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], tuple[str, ...]]] = [
    ("unknown 代缴 model", _unknown_model, ("categories[1].model", "additive")),
    ("precedence unknown", _precedence_unknown, ("category_precedence[5]", "五保户")),
    (
        "precedence incomplete",
        _precedence_missing_a_daijiao_category,
        ("category_precedence", "低保对象"),
    ),
    ("flat [[tiers]]", _legacy_flat_tiers, ("tiers", "tier_schedules")),
    ("same start", _two_schedules_same_day, ("tier_schedules[1].from", "重复")),
    ("no schedule in force", _no_schedule_at_collection_start, ("tier_schedules", "2024-04-01")),
    (
        "back years uncovered",
        _no_schedule_for_the_earliest_backpay_year,
        ("tier_schedules", "2014"),
    ),
    ("top-up mark", _topup_mark_is_an_enrollment_type, ("topup.enrollment_type", "续保")),
    ("key-group window", _negative_key_group_window, ("key_groups.near_pension_years",)),
    ("45+ above age.max", _unenrolled_age_above_paying_ages, ("key_groups.unenrolled_age_from",)),
    ("notice column", _unknown_notice_column, ("notice.columns[2]", "subsidy")),
    ("notice without names", _notice_without_names, ("notice.columns", "name")),
    ("missing subsidy", _missing_subsidy, ("tier_schedules[0].tiers[3].subsidy", "缺失")),
    ("negative subsidy", _negative_subsidy, ("tier_schedules[0].tiers[3].subsidy", "非负整数")),
    (
        "unknown category",
        _unknown_restricted,
        ("tier_schedules[0].tiers[0].restricted_to[1]", "五保户"),
    ),
    ("negative 代缴", _negative_government_pays, ("categories[1].government_pays",)),
    ("end before start", _end_before_start, ("collection.end",)),
    ("duplicate tier", _duplicate_tier, ("tier_schedules[0].tiers[2]", "重复", "350")),
    ("latest year == year", _latest_year_is_policy_year, ("backpay.latest_year", "2024")),
    ("latest year > year", _latest_year_after_policy_year, ("backpay.latest_year",)),
    ("township code", _township_code_8_digits, ("county.townships[0].code", "9 位")),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_policy_names_key_path(
    mutate: Callable[[dict[str, Any]], None], expected: tuple[str, ...]
) -> None:
    data = fresh()
    mutate(data)
    with pytest.raises(PolicyError) as info:
        parse_policy(data, "x.toml")
    message = str(info.value)
    for part in expected:
        assert part in message
    assert "x.toml" in message
    assert "\n" not in message
    assert info.value.message == message
    assert info.value.code == "policy.invalid"
    assert info.value.exit_code == EXIT_UNUSABLE


def test_untouched_copy_parses() -> None:
    # The broken cases above fail because of their one change, not because of the copy.
    assert parse_policy(fresh(), "x.toml").year == 2024


def test_boundaries_that_are_allowed() -> None:
    data = fresh()
    data["collection"]["end"] = data["collection"]["start"]
    data["backpay"]["latest_year"] = 2023
    data["tier_schedules"][0]["tiers"][3]["subsidy"] = 0
    data["categories"][1]["government_pays"] = 0
    policy = parse_policy(data, "x.toml")
    assert policy.collection_end == policy.collection_start
    assert policy.tiers[3].subsidy == 0
    assert policy.categories[1].government_pays == 0
    assert policy.categories[1].government_pays_rule == "fixed"


def test_government_pays_fixed_amount() -> None:
    data = fresh()
    data["categories"][1]["government_pays"] = 200
    policy = parse_policy(data, "x.toml")
    assert policy.categories[1].government_pays == 200
    assert policy.categories[1].government_pays_rule == "fixed"


@pytest.mark.parametrize("value", [True, "100", 1.5, 9000])
def test_government_pays_other_bad_values(value: object) -> None:
    data = fresh()
    data["categories"][1]["government_pays"] = value
    with pytest.raises(PolicyError, match=r"categories\[1\]\.government_pays"):
        parse_policy(data, "x.toml")


def test_load_policy_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no-such-policy.toml"
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert "找不到" in message
    assert str(path) in message
    assert "\n" not in message
    assert info.value.code == "policy.missing"


def test_load_policy_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(DEFAULT_TEXT.replace("year = 2024", "year = = 2024", 1), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    message = str(info.value)
    assert "TOML" in message
    assert str(path) in message
    assert "\n" not in message
    assert info.value.code == "policy.invalid"


def test_load_policy_reports_key_path_from_file(tmp_path: Path) -> None:
    path = tmp_path / "bad-code.toml"
    text = DEFAULT_TEXT.replace('{ code = "371728001"', '{ code = "37172800"', 1)
    assert text != DEFAULT_TEXT
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"county\.townships\[0\]\.code") as info:
        load_policy(path)
    assert "\n" not in str(info.value)


def test_load_policy_copied_file(tmp_path: Path) -> None:
    path = tmp_path / "copy.toml"
    path.write_text(DEFAULT_TEXT.replace("days = 10", "days = 7", 1), encoding="utf-8")
    policy = load_policy(path)
    assert policy.notice_days == 7
    assert policy.path == str(path)


def test_a_policy_saved_with_a_byte_order_mark_loads(tmp_path) -> None:
    from xl_pension.core.policy import DEFAULT_POLICY_PATH

    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + DEFAULT_POLICY_PATH.read_bytes())
    assert load_policy(bom).year == 2024


def test_a_duplicate_tier_names_its_amount_key() -> None:
    data = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    data["tier_schedules"][0]["tiers"][2]["amount"] = data["tier_schedules"][0]["tiers"][1][
        "amount"
    ]
    with pytest.raises(PolicyError) as err:
        parse_policy(data, "x.toml")
    assert "tier_schedules[0].tiers[2].amount" in err.value.message
