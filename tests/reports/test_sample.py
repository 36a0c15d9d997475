"""Tests of the generated sample county (xl_pension.sample).

Besides the generator's own promises, a small independent checker written here from the rules of
design.md ("Validation findings") is run over every row: the findings it reports must be exactly
the planted mistakes (same file, row, column and code), nothing more. The same is asserted of the
package's own validator (``xl_pension.core.validation.check_roster``) when it is importable.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import tomllib
from collections import Counter

import pytest
from _policy_variants import lowest_open_tier

from xl_pension.core import idnum, schema
from xl_pension.core.policy import DEFAULT_POLICY_PATH, Category, Policy, load_policy, parse_policy
from xl_pension.sample import (
    DATA_START_ROW,
    MISTAKE_KEYS,
    PlantedMistake,
    SampleCounty,
    SampleVillage,
    generate_county,
    plantable_codes,
)
from xl_pension.sample.names import FEMALE_GIVEN, GROUP_NAMES, MALE_GIVEN

POLICY = load_policy()
ALL_CODES = {
    "id.checksum", "id.numeric", "id.duplicate", "name.invalid", "age.over_max", "age.under_min",
    "gender.mismatch", "category.invalid", "tier.invalid", "tier.restricted", "amount.mismatch",
    "method.invalid", "receipt.missing", "receipt.duplicate", "date.outside_window",
    "required.missing", "phone.invalid", "backpay.invalid", "unpaid.no_reason",
}  # fmt: skip
COMPUTED_KEYS = {c.key for c in schema.COLUMNS if c.kind is schema.Kind.COMPUTED}
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")
HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


@pytest.fixture(scope="module")
def county() -> SampleCounty:
    return generate_county(POLICY)


def rows_of(village: SampleVillage) -> list[tuple[SampleVillage, int, dict]]:
    """(village, Excel row, record) for every person of a village."""
    return [(village, DATA_START_ROW + i, rec) for i, rec in enumerate(village.records)]


def rows(county: SampleCounty):
    """(village, Excel row, record) for every person of the county."""
    for v in county.villages:
        yield from rows_of(v)


def planted_at(county: SampleCounty) -> dict[tuple[str, int], PlantedMistake]:
    return {(m.file, m.row): m for m in county.planted}


def backpay_ok(policy: Policy, rec: dict, category: str | None) -> bool:
    years, amount = rec.get("backpay_years"), rec.get("backpay_amount")
    if not isinstance(years, str) or type(amount) is not int:
        return False
    parts = years.split(",")
    if not all(p.isdigit() for p in parts):
        return False
    nums = [int(p) for p in parts]
    b = policy.backpay
    if nums != sorted(set(nums)) or not all(b.earliest_year <= y <= b.latest_year for y in nums):
        return False
    if amount % len(nums):
        return False
    # each back year at a tier of the schedule(s) in force that year
    tiers = [policy.backpay_tier(y, amount // len(nums)) for y in nums]
    return all(t is not None and (category is None or t.allowed_for(category)) for t in tiers)


def due(category: Category, tier: int) -> int:
    """个人应缴, worked out here from the policy's words: inclusive 代缴 counts toward the tier;
    additive 代缴 comes on top of a tier above it."""
    if category.model == "additive" and tier > category.government_pays:
        return tier
    return max(0, tier - category.government_pays)


def is_paid(rec: dict) -> bool:
    return any(rec.get(k) is not None for k in schema.PAYMENT_KEYS)


def findings(policy: Policy, county: SampleCounty) -> set[tuple[str, int, str, str]]:
    """(file, row, column header, code) of every rule broken anywhere in the county."""
    out: set[tuple[str, int, str, str]] = set()
    today = dt.date.today()
    for v in county.villages:
        seen_ids: set[str] = set()
        seen_receipts: set[object] = set()
        for i, rec in enumerate(v.records):
            row = DATA_START_ROW + i

            def add(key: str, code: str, row: int = row, file: str = v.file) -> None:
                out.add((file, row, schema.header(key), code))

            name = rec.get("name")
            if name is None or not str(name).strip():
                add("name", "required.missing")
            elif LATIN_OR_DIGIT.search(str(name)) or len(str(name).strip()) > 20:
                add("name", "name.invalid")
            raw = rec.get("id_number")
            if raw is None:
                add("id_number", "required.missing")
            elif idnum.was_numeric(raw):
                add("id_number", "id.numeric")
            else:
                text = idnum.normalize(raw)
                born = idnum.birth_date(text)
                if not idnum.has_valid_format(text):
                    add("id_number", "id.format")
                elif not idnum.checksum_ok(text):
                    add("id_number", "id.checksum")
                elif born is None or born > today:
                    add("id_number", "id.birthdate")
                else:
                    if not (idnum.county_known(text) or text[:6] in policy.known_area_codes):
                        add("id_number", "id.region")
                    if text in seen_ids:
                        add("id_number", "id.duplicate")
                    seen_ids.add(text)
                    age = idnum.age_on(text, policy.age_reference_date)
                    assert age is not None
                    reason = policy.reason_by_name.get(str(rec.get("unpaid_reason")))
                    if reason and reason.excluded_from_expected and not is_paid(rec):
                        pass  # no longer expected to pay: age does not matter
                    elif age < policy.age_min:
                        add("id_number", "age.under_min")
                    elif age > policy.age_max:
                        add("id_number", "age.over_max")
                    if rec.get("gender") is not None and rec["gender"] != idnum.sex(text):
                        add("gender", "gender.mismatch")
                    if rec.get("birth_date") is not None and rec["birth_date"] != born:
                        add("birth_date", "birthdate.mismatch")
            category = policy.category_by_name.get(
                str(rec.get("category") or policy.default_category)
            )
            if category is None:
                add("category", "category.invalid")
            phone = rec.get("phone")
            if phone is not None and not (MOBILE.match(str(phone)) or LANDLINE.match(str(phone))):
                add("phone", "phone.invalid")
            if (
                rec.get("enrollment") is not None
                and rec["enrollment"] not in policy.enrollment_types
            ):
                add("enrollment", "enrollment.invalid")
            if is_paid(rec):
                if rec.get("unpaid_reason") is not None:
                    add("unpaid_reason", "unpaid.reason_on_paid")
                tier_value = rec.get("tier")
                tier = policy.tier_by_amount.get(tier_value) if type(tier_value) is int else None
                if tier_value is None:
                    add("tier", "required.missing")
                elif tier is None:
                    add("tier", "tier.invalid")
                elif category is not None and not tier.allowed_for(category.name):
                    add("tier", "tier.restricted")
                expected = None
                if tier is not None and category is not None:
                    expected = due(category, tier.amount)
                amount = rec.get("amount")
                if amount is None:
                    add("amount", "required.missing")
                elif expected is not None and amount != expected:
                    add("amount", "amount.mismatch")
                method = rec.get("method")
                if method is None:
                    if expected != 0:  # nothing to pay when the government pays the whole tier
                        add("method", "required.missing")
                elif str(method) not in policy.method_by_name:
                    add("method", "method.invalid")
                elif policy.method_by_name[str(method)].receipt_required and not rec.get("receipt"):
                    add("receipt", "receipt.missing")
                receipt = rec.get("receipt")
                if receipt is not None:
                    if receipt in seen_receipts:
                        add("receipt", "receipt.duplicate")
                    seen_receipts.add(receipt)
                day = rec.get("pay_date")
                if day is None:
                    add("pay_date", "required.missing")
                elif not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                    add("pay_date", "date.invalid")
                elif not policy.collection_start <= day <= policy.collection_end:
                    add("pay_date", "date.outside_window")
            else:
                for key in ("method", "receipt", "backpay_years", "backpay_amount"):
                    if rec.get(key) is not None:
                        add(key, "unpaid.has_payment")
                reason = rec.get("unpaid_reason")
                if reason is None:
                    add("unpaid_reason", "unpaid.no_reason")
                elif reason not in policy.reason_by_name:
                    add("unpaid_reason", "unpaid.invalid")
            has_backpay = any(rec.get(k) is not None for k in ("backpay_years", "backpay_amount"))
            if has_backpay and not backpay_ok(policy, rec, category.name if category else None):
                add("backpay_years", "backpay.invalid")
    return out


def check_clean_rows(policy: Policy, county: SampleCounty) -> None:
    """Every row without a planted mistake follows the generator's promises."""
    planted = planted_at(county)
    ref = policy.age_reference_date
    for v, row, rec in rows(county):
        if (v.file, row) in planted:
            continue
        where = f"{v.file} row {row}: {rec}"
        assert rec["seq"] == row - DATA_START_ROW + 1, where
        assert rec["group"] in GROUP_NAMES, where
        name, ident = rec["name"], rec["id_number"]
        assert isinstance(name, str) and HAN_NAME.match(name), where
        assert isinstance(ident, str) and idnum.is_valid(ident), where
        assert not idnum.was_numeric(ident), where
        given = MALE_GIVEN if idnum.sex(ident) == "男" else FEMALE_GIVEN
        assert all(ch in given for ch in name[1:]), where
        age = idnum.age_on(ident, ref)
        assert age is not None and policy.age_min <= age <= policy.age_max, where
        assert ("gender" in rec) == ("birth_date" in rec), where
        if "gender" in rec:
            assert rec["gender"] == idnum.sex(ident), where
            assert rec["birth_date"] == idnum.birth_date(ident), where
            assert type(rec["birth_date"]) is dt.date, where
        if "phone" in rec:
            assert isinstance(rec["phone"], str) and MOBILE.match(rec["phone"]), where
        assert rec["enrollment"] in policy.enrollment_types, where
        category = policy.category_by_name[rec["category"]]
        if rec["enrollment"] == policy.enrollment_types[0]:
            assert type(rec["last_tier"]) is int, where
            assert policy.tier_by_amount[rec["last_tier"]].allowed_for(category.name), where
        else:
            assert "last_tier" not in rec, where
        if "tier" in rec:
            tier = policy.tier_by_amount[rec["tier"]]
            assert type(rec["tier"]) is int and tier.allowed_for(category.name), where
            amount = rec["amount"]
            assert type(amount) is int and amount == due(category, tier.amount), where
            assert "unpaid_reason" not in rec, where
            if amount > 0 or rec.get("backpay_amount"):  # a 补缴 is the person's own money
                method = policy.method_by_name[rec["method"]]
                assert ("receipt" in rec) == method.receipt_required, where
            else:
                assert "method" not in rec and "receipt" not in rec, where
            day = rec["pay_date"]
            assert type(day) is dt.date, where
            assert policy.collection_start <= day <= policy.collection_end, where
            if "backpay_years" in rec:
                assert age >= 45 and backpay_ok(policy, rec, category.name), where
        else:
            for key in ("amount", "method", "receipt", "pay_date", "backpay_years"):
                assert key not in rec, where
            assert rec["unpaid_reason"] in policy.reason_by_name, where


def test_data_start_row_matches_schema():
    assert DATA_START_ROW == 3 == schema.DATA_START_ROW


def test_deterministic(county):
    again = generate_county(POLICY)
    assert again == county
    assert [m.to_dict() for m in again.planted] == [m.to_dict() for m in county.planted]


def test_different_seeds_differ(county):
    other = generate_county(POLICY, seed=7)
    assert other.villages != county.villages
    assert [v.village for v in other.villages] != [v.village for v in county.villages]


def test_villages_and_townships(county):
    assert len(county.villages) == 3 * 4
    townships = [v.township for v in county.villages]
    assert list(dict.fromkeys(townships)) == list(POLICY.townships[:3])
    assert all(Counter(townships)[t] == 4 for t in POLICY.townships[:3])
    for t in POLICY.townships[:3]:
        names = [v.village for v in county.villages if v.township == t]
        assert len(set(names)) == len(names)
        assert all(re.match(r"^[\u4e00-\u9fff]{2,4}村$", n) for n in names)
    for v in county.villages:
        assert v.file == f"{v.township.name}/{v.village}.xlsx"
        assert 50 <= len(v.records) <= 300


def test_arguments_are_respected():
    small = generate_county(
        POLICY, seed=3, townships=2, villages_per_township=5, min_people=10, max_people=20
    )
    assert len(small.villages) == 10
    assert {v.township for v in small.villages} == set(POLICY.townships[:2])
    assert all(10 <= len(v.records) <= 20 for v in small.villages)
    none = generate_county(POLICY, seed=3, mistake_rate=0)
    assert none.planted == []
    assert findings(POLICY, none) == set()
    check_clean_rows(POLICY, none)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"townships": 0},
        {"townships": len(POLICY.townships) + 1},
        {"villages_per_township": 0},
        {"min_people": 30, "max_people": 20},
        {"mistake_rate": -0.1},
    ],
)
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        generate_county(POLICY, **kwargs)


def test_every_code_planted(county):
    assert set(MISTAKE_KEYS) == ALL_CODES
    assert set(plantable_codes(POLICY)) == ALL_CODES
    assert {m.code for m in county.planted} == ALL_CODES


def test_mistake_rate(county):
    for v in county.villages:
        count = sum(1 for m in county.planted if m.file == v.file)
        assert abs(count - 0.02 * len(v.records)) <= 1
    assert 0.01 <= len(county.planted) / county.people <= 0.03


def test_no_row_has_two_mistakes(county):
    spots = Counter((m.file, m.row) for m in county.planted)
    assert max(spots.values()) == 1


def test_planted_locations_are_real(county):
    headers = {c.header for c in schema.COLUMNS}
    by_file = {v.file: v for v in county.villages}
    for m in county.planted:
        assert m.column in headers
        assert m.column == schema.header(MISTAKE_KEYS[m.code])
        v = by_file[m.file]
        assert (m.township, m.village) == (v.township.name, v.village)
        assert DATA_START_ROW < m.row < DATA_START_ROW + len(v.records)  # never the first row
        assert m.to_dict() == {
            "township": m.township, "village": m.village, "file": m.file,
            "row": m.row, "column": m.column, "code": m.code,
        }  # fmt: skip


def test_planted_mistakes_are_exactly_the_findings(county):
    expected = {(m.file, m.row, m.column, m.code) for m in county.planted}
    assert findings(POLICY, county) == expected


@pytest.mark.parametrize("seed", [1, 99, 2025])
def test_other_seeds_plant_only_what_they_record(seed):
    other = generate_county(POLICY, seed=seed, mistake_rate=0.05)
    expected = {(m.file, m.row, m.column, m.code) for m in other.planted}
    assert len(expected) == len(other.planted)
    assert findings(POLICY, other) == expected
    check_clean_rows(POLICY, other)


def test_clean_rows_follow_the_policy(county):
    check_clean_rows(POLICY, county)


def test_ids_unique_across_county(county):
    """Every ID appears once in the county, except the planted copies within a village."""
    copies = {(m.file, m.row) for m in county.planted if m.code == "id.duplicate"}
    seen: dict[str, tuple[str, int]] = {}
    for v, row, rec in rows(county):
        ident = rec["id_number"]
        if isinstance(ident, float):
            continue
        first17 = str(ident)[:17]
        if (v.file, row) in copies:
            assert seen[first17][0] == v.file and seen[first17][1] < row
            assert rec["id_number"] == v.records[seen[first17][1] - DATA_START_ROW]["id_number"]
        else:
            assert first17 not in seen, (v.file, row)
            seen[first17] = (v.file, row)


def test_receipts_unique_across_county(county):
    copies = {(m.file, m.row) for m in county.planted if m.code == "receipt.duplicate"}
    seen: dict[object, tuple[str, int]] = {}
    for v, row, rec in rows(county):
        if "receipt" not in rec:
            continue
        if (v.file, row) in copies:
            assert seen[rec["receipt"]][0] == v.file and seen[rec["receipt"]][1] < row
        else:
            assert rec["receipt"] not in seen
            seen[rec["receipt"]] = (v.file, row)
    assert all(re.match(r"^DM\d{3}-\d{2}-\d{4}$", str(r)) for r in seen)


def test_no_float_except_numeric_ids(county):
    numeric = {(m.file, m.row) for m in county.planted if m.code == "id.numeric"}
    for v, row, rec in rows(county):
        for key, value in rec.items():
            if isinstance(value, float):
                assert key == "id_number" and (v.file, row) in numeric
    for m in county.planted:
        if m.code == "id.numeric":
            assert isinstance(county_record(county, m)["id_number"], float)


def county_record(county: SampleCounty, m: PlantedMistake) -> dict:
    village = next(v for v in county.villages if v.file == m.file)
    return village.records[m.row - DATA_START_ROW]


def test_only_input_columns_filled(county):
    for _, _, rec in rows(county):
        assert set(rec) <= set(schema.BY_KEY)
        assert not set(rec) & COMPUTED_KEYS
        assert "remark" not in rec
        assert all(value is not None for value in rec.values())
        assert list(rec) == [k for k in schema.BY_KEY if k in rec]  # schema order


def test_mistakes_look_as_described(county):
    for m in county.planted:
        rec = county_record(county, m)
        if m.code == "id.checksum":
            assert idnum.has_valid_format(rec["id_number"])
            assert not idnum.checksum_ok(rec["id_number"])
        elif m.code == "name.invalid":
            assert re.search(r"\d", rec["name"])
        elif m.code == "category.invalid":
            assert rec["category"] == "五保户" and "tier" not in rec
        elif m.code == "tier.invalid":
            # 50 yuan above the lowest tier open to 普通 (350 in 2024): a near miss, not a tier
            near_miss = lowest_open_tier(POLICY) + 50
            assert rec["tier"] == rec["amount"] == near_miss and rec["category"] == "普通"
            assert near_miss == 400 and near_miss not in POLICY.tier_by_amount
        elif m.code == "tier.restricted":
            assert rec["category"] == "普通" and rec["tier"] == rec["amount"] == 100
        elif m.code == "method.invalid":
            assert rec["method"] == "现金" and rec["amount"] > 0 and "receipt" not in rec
        elif m.code == "phone.invalid":
            assert rec["phone"] == "1390530123"
        elif m.code == "backpay.invalid":
            assert rec["backpay_years"] == str(POLICY.year)
        elif m.code == "date.outside_window":
            late = (rec["pay_date"] - POLICY.collection_end).days
            assert 1 <= late <= 20
        elif m.code in ("age.over_max", "age.under_min"):
            age = idnum.age_on(rec["id_number"], POLICY.age_reference_date)
            assert (60 <= age <= 64) if m.code == "age.over_max" else (14 <= age <= 15)
            assert "gender" not in rec and "birth_date" not in rec and "tier" in rec


def test_realistic_mix(county):
    recs = [rec for _, _, rec in rows(county)]
    n = len(recs)

    def share(pred) -> float:
        return sum(1 for r in recs if pred(r)) / n

    assert 0.8 <= share(lambda r: "tier" in r) <= 0.9
    assert 0.78 <= share(lambda r: r.get("category") == "普通") <= 0.92
    assert 0.6 <= share(lambda r: "phone" in r) <= 0.8
    assert 0.2 <= share(lambda r: "gender" in r) <= 0.4
    assert 0.05 <= share(lambda r: r["enrollment"] == "新增") <= 0.15
    ids = [str(r["id_number"]) for r in recs if isinstance(r["id_number"], str)]
    area = Counter(i[:6] for i in ids)
    assert 0.65 <= area[POLICY.county_code] / len(ids) <= 0.85
    assert area["372930"] > 0 and len(area) > 3
    ages = [idnum.age_on(i, POLICY.age_reference_date) or 0 for i in ids]
    assert sum(1 for a in ages if 40 <= a <= 59) / len(ages) > 0.5
    assert {r["category"] for r in recs} >= {c.name for c in POLICY.categories}
    assert any(r.get("amount") == 0 for r in recs)  # 代缴 covers the whole tier
    assert any(r.get("tier", 0) >= 3000 for r in recs)
    assert any("backpay_years" in r and "," in r["backpay_years"] for r in recs)
    assert share(lambda r: r.get("method") == "线上") > share(lambda r: r.get("method") == "线下")


def test_follows_another_policy():
    """Numbers come from the policy: a changed policy changes tiers, window, ages and years."""
    data = tomllib.loads(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    data["year"] = 2025
    data["collection"] = {"start": dt.date(2025, 3, 1), "end": dt.date(2025, 5, 15)}
    data["age"] = {"min": 18, "max": 58, "reference_date": dt.date(2025, 3, 1)}
    data["backpay"]["latest_year"] = 2024
    data["backpay"]["earliest_year"] = 2020
    for schedule in data["tier_schedules"]:
        for tier in schedule["tiers"]:
            tier["amount"] *= 2
    policy = parse_policy(data)
    other = generate_county(policy, seed=11, mistake_rate=0.05)
    check_clean_rows(policy, other)
    expected = {(m.file, m.row, m.column, m.code) for m in other.planted}
    assert findings(policy, other) == expected
    spots = planted_at(other)
    tiers = {r["tier"] for v, row, r in rows(other) if "tier" in r and (v.file, row) not in spots}
    assert tiers <= set(policy.tier_by_amount) and not tiers & {350, 500}
    assert any(r.get("amount") == 0 for _, _, r in rows(other))  # 代缴 is now 200


@pytest.mark.parametrize("seed", [2024, 5])
def test_package_validator_reports_exactly_the_planted_mistakes(seed):
    """The package's own validator (when present) finds each planted mistake and nothing else."""
    validation = pytest.importorskip("xl_pension.core.validation")
    from xl_pension.core.roster import Record, Roster

    county = generate_county(POLICY, seed=seed, mistake_rate=0.02 if seed == 2024 else 0.1)
    columns = {key: i + 1 for i, key in enumerate(schema.BY_KEY)}
    found = set()
    for v in county.villages:
        records = [Record(row, dict(rec)) for _, row, rec in rows_of(v)]
        roster = Roster(file=v.file, columns=dict(columns), records=records)
        for f in validation.check_roster(roster, POLICY).findings:
            found.add((v.file, f.row, f.column, f.code))
    assert found == {(m.file, m.row, m.column, m.code) for m in county.planted}


def test_sample_is_pure_domain_code():
    code = (
        "import sys, xl_pension.sample\n"
        "bad = [m for m in ('openpyxl', 'xlwings', 'pandas', 'xlsxwriter', 'python_calamine')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
