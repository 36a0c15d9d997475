"""The real 2024 policy (issue #12): dated tier schedules, both 代缴 models, precedence, top-up.

Every case writes a real roster, reads it back and checks it under the packaged policy or a
variant file (``_policy_variants``), as ``--policy FILE`` would; the money is worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _policy_variants import (
    JINAN_TIERS,
    additive_text,
    jinan_text,
    numbered,
    paid,
    row_of,
    topup_text,
    write,
    write_policy,
)

from xl_pension.core.money import Money, totals_of
from xl_pension.core.money import person_money as money_of
from xl_pension.core.policy import Policy, load_policy
from xl_pension.core.validation import Checked, check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.reports.merge import CountyMerge, RosterInput, check_conservation, resolve_place
from xl_pension.reports.summary import summarize
from xl_pension.reports.village import village_result

TODAY = dt.date(2024, 11, 1)


@pytest.fixture(scope="module")
def default() -> Policy:
    return load_policy()


def checked(tmp_path: Path, policy: Policy, records: list[dict], name: str = "r.xlsx") -> Checked:
    return check_roster(read_roster(write(tmp_path / name, policy, records)), policy, today=TODAY)


def errors(result: Checked) -> list[tuple[str, int | None]]:
    return [(f.code, f.row) for f in result.errors]


def moneys(policy: Policy, result: Checked) -> list[Money | None]:
    return [money_of(p, policy) for p in result.people]


# -- the default policy: this year's 8 tiers, back years at their own tables --------------------


def test_2024_tiers_are_the_eight(tmp_path: Path, default: Policy) -> None:
    good = checked(tmp_path, default, [paid(350, 350), paid(8000, 8000)], "good.xlsx")
    assert errors(good) == []
    assert moneys(default, good) == [
        Money(350, 0, 350, 30, 0, 380),
        Money(8000, 0, 8000, 80, 0, 8080),
    ]
    bad = checked(tmp_path, default, [paid(300, 300), paid(600, 600), paid(1500, 1500)])
    assert errors(bad) == [("tier.invalid", row_of(i)) for i in range(3)]
    assert all("350" in f.message and "8000" in f.message for f in bad.errors)


def test_dibao_on_500_pays_400(tmp_path: Path, default: Policy) -> None:
    result = checked(tmp_path, default, [paid(500, 400, category="低保对象")])
    assert errors(result) == []
    assert moneys(default, result) == [Money(500, 100, 400, 60, 0, 560)]
    wrong = checked(tmp_path, default, [paid(500, 500, category="低保对象")], "w.xlsx")
    assert errors(wrong) == [("amount.mismatch", row_of(0))]
    assert "400" in wrong.errors[0].message and "政府代缴 100" in wrong.errors[0].message


def test_backpay_is_checked_against_that_years_tiers(tmp_path: Path, default: Policy) -> None:
    result = checked(
        tmp_path,
        default,
        [
            paid(350, 350, backpay=("2022", 300)),  # 300 was a tier in 2022
            paid(350, 350, backpay=("2022", 350)),  # 350 was not
            paid(350, 350, backpay=("2023", 350)),  # 2023 had both tables
            paid(350, 350, backpay=("2021,2022", 1200)),  # 600 a year: old table
            paid(350, 350, backpay=("2022,2023", 700)),  # 350 in 2023 only
        ],
    )
    assert errors(result) == [("backpay.invalid", row_of(1)), ("backpay.invalid", row_of(4))]
    message = result.errors[0].message
    assert "2022" in message and "300" in message and "350" not in message.split("可选")[1]
    got = moneys(default, result)
    # no subsidy on 补缴: each person has the 350 tier's 30 and nothing more
    assert got[0] == Money(350, 0, 350, 30, 300, 680)
    assert got[2] == Money(350, 0, 350, 30, 350, 730)
    assert got[3] == Money(350, 0, 350, 30, 1200, 1580)


def test_several_identities_get_one_daijiao_by_precedence(tmp_path: Path, default: Policy) -> None:
    result = checked(
        tmp_path,
        default,
        [
            paid(500, 400, category="低保对象、特困人员"),
            paid(100, 0, category="重度残疾人,脱贫人口"),
        ],
    )
    assert errors(result) == []
    assert [p.category for p in result.people] == ["特困人员", "脱贫人口"]
    assert moneys(default, result) == [
        Money(500, 100, 400, 60, 0, 560),
        Money(100, 100, 0, 30, 0, 130),
    ]
    unknown = checked(tmp_path, default, [paid(500, 400, category="低保对象、五保户")], "u.xlsx")
    assert errors(unknown) == [("category.invalid", row_of(0))]


# -- the additive model (济宁, 邹城) ---------------------------------------------------------------


def test_additive_dibao_choosing_350_pays_350_and_both_are_credited(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "additive.toml", additive_text())
    assert pol.category_by_name["低保对象"].model == "additive"
    result = checked(
        tmp_path,
        pol,
        [
            paid(350, 350, category="低保对象"),
            paid(100, 0, category="低保对象"),  # pays nothing: the 代缴 tier alone
            paid(1000, 1000, category="特困人员"),
            paid(350, 350),
        ],
    )
    assert errors(result) == []
    got = moneys(pol, result)
    assert got == [
        Money(350, 100, 350, 30, 0, 480),  # own 350 + 代缴 100 + subsidy of 350
        Money(100, 100, 0, 30, 0, 130),
        Money(1000, 100, 1000, 80, 0, 1180),
        Money(350, 0, 350, 30, 0, 380),
    ]
    # the inclusive amount (250) is now wrong, and says why
    wrong = checked(tmp_path, pol, [paid(350, 250, category="低保对象")], "w.xlsx")
    assert errors(wrong) == [("amount.mismatch", row_of(0))]
    assert "应缴 350" in wrong.errors[0].message and "另由政府代缴 100" in wrong.errors[0].message


def test_additive_totals_reconcile_village_township_county(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "additive.toml", additive_text())
    t1, t2 = pol.townships[0], pol.townships[1]
    plans = {
        (t1, "李集村"): [paid(1000, 1000, category="脱贫人口"), paid(100, 0, category="特困人员")],
        (t1, "王庄村"): [paid(350, 350, category="低保对象"), paid(500, 500)],
        (t2, "张楼村"): [paid(8000, 8000, category="重度残疾人"), paid(350, 350)],
    }
    merge = CountyMerge(pol)
    by_township: dict[str, list] = {}
    expected = {"people": 0, "personal_due": 0, "government_paid": 0, "credited": 0}
    for (township, village), records in plans.items():
        folder = tmp_path / township.name
        folder.mkdir(exist_ok=True)
        path = write_roster(folder / f"{village}.xlsx", pol, township, village, numbered(records))
        result = check_roster(read_roster(path), pol, today=TODAY)
        assert result.errors == []
        file = f"{township.name}/{village}.xlsx"
        vr = village_result(result, pol, file=file, township=township.name, village=village)
        by_township.setdefault(township.name, []).append(vr)
        rows = totals_of(moneys(pol, result))
        assert vr.tally.totals == rows  # village = its rows
        for k in expected:
            expected[k] += getattr(rows, k)
        merge.add(RosterInput(file, result, resolve_place(file, {"village": village}, pol)))
    # by hand: personal 350+500+1000+0+8000+350, 代缴 100 for each of the four 代缴 rows
    assert expected == {
        "people": 6,
        "personal_due": 10200,
        "government_paid": 400,
        "credited": 10200 + 400 + (30 + 60 + 80 + 30 + 80 + 30),
    }
    townships = [summarize(v, pol, report_date=TODAY).total.totals for v in by_township.values()]
    county = merge.result()
    assert check_conservation(county).ok, check_conservation(county).differences
    for k, want in expected.items():
        assert sum(getattr(t, k) for t in townships) == want, k
        assert getattr(county.total.totals, k) == want, k
        assert sum(getattr(t.tally.totals, k) for t in county.townships) == want, k


def test_a_backpay_beside_full_daijiao_needs_a_method(tmp_path: Path, default: Policy) -> None:
    # 代缴 covers this year's 100 in full, but the 补缴 is the person's own money: without a
    # 缴费方式 it could be declared by no one, and the county totals would not reconcile
    none = paid(100, 0, category="特困人员", backpay=("2022", 100))
    result = checked(tmp_path, default, [none])
    assert errors(result) == [("required.missing", row_of(0))]
    assert "缴费方式" in result.errors[0].message
    online = paid(100, 0, category="特困人员", method="线上", backpay=("2022", 100))
    fine = checked(tmp_path, default, [online], "fine.xlsx")
    assert errors(fine) == []
    assert moneys(default, fine) == [Money(100, 100, 0, 30, 100, 230)]
    t = default.townships[0]
    merge = CountyMerge(default)
    for name, one in (("a.xlsx", result), ("b.xlsx", fine)):
        file = f"{t.name}/{name}"
        place = resolve_place(file, {"village": name[0] + "村"}, default)
        merge.add(RosterInput(file, one, place))
    county = merge.result()
    assert check_conservation(county).ok, check_conservation(county).differences
    assert county.listed == 1 and county.rejected["有错误"] == 1


# -- 济南-style schedule and 差额缴费 ---------------------------------------------------------------


def test_jinan_schedule_subsidies(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "jinan.toml", jinan_text(topup=False))
    assert [(t.amount, t.subsidy) for t in pol.tiers] == list(JINAN_TIERS)
    assert pol.tier_by_amount[350].subsidy == 40 and pol.tier_by_amount[8000].subsidy == 120
    result = checked(
        tmp_path, pol, [paid(350, 350), paid(8000, 8000), paid(3000, 2900, category="低保对象")]
    )
    assert errors(result) == []
    assert moneys(pol, result) == [
        Money(350, 0, 350, 40, 0, 390),
        Money(8000, 0, 8000, 120, 0, 8120),
        Money(3000, 100, 2900, 90, 0, 3090),
    ]


def _topup_rows(first: dict, *, tier: int, amount: int) -> dict:
    """A 差额缴费 row of the same person as ``first``."""
    row = paid(tier, amount, name=str(first["name"]))
    row.update(id_number=first["id_number"], enrollment="差额缴费")
    return row


def test_topup_credits_the_final_tier_once(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "jinan.toml", jinan_text())
    assert "差额缴费" in pol.dropdown("enrollment_types")
    base, dibao = paid(350, 350), paid(500, 400, category="低保对象")
    records = [
        base,
        dibao,
        _topup_rows(base, tier=1000, amount=650),
        _topup_rows(dibao, tier=800, amount=300),
    ]
    result = checked(tmp_path, pol, records)
    assert errors(result) == []
    got = moneys(pol, result)
    assert got[2] == Money(650, 0, 650, 40, 0, 690, people=0)  # 1000 tier's 80 minus 350's 40
    assert got[3] == Money(300, 0, 300, 20, 0, 320, people=0)  # 800's 80 minus 500's 60
    t = totals_of(got)
    # two people, credited as if each had paid the final tier once: 1000+80 and 800+80
    assert (t.people, t.tier, t.personal_due, t.government_paid) == (2, 1800, 1700, 100)
    assert (t.subsidy, t.credited) == (160, 1800 + 160)
    tally = village_result(result, pol, file="王庄村.xlsx").tally
    assert (tally.rows, tally.expected, tally.paid) == (4, 2, 2)
    assert tally.by_tier[1000] == tally.by_tier[800] == 1
    assert tally.by_tier[350] == tally.by_tier[500] == 0
    assert tally.totals == t


def test_topup_mistakes(tmp_path: Path) -> None:
    _, pol = write_policy(tmp_path, "topup.toml", topup_text())
    a, b = paid(1000, 1000), paid(500, 500)
    lone = paid(800, 800)
    lone["enrollment"] = "差额缴费"
    records = [
        a,
        b,
        _topup_rows(a, tier=500, amount=500),  # not higher
        _topup_rows(b, tier=1000, amount=1000),  # should be 500
        lone,  # no earlier row
        _topup_rows(a, tier=3000, amount=2000),  # a second top-up: a duplicate
    ]
    result = checked(tmp_path, pol, records)
    assert errors(result) == [
        ("topup.invalid", row_of(2)),
        ("amount.mismatch", row_of(3)),
        ("topup.invalid", row_of(4)),
        ("id.duplicate", row_of(5)),
    ]
    assert "500" in result.errors[1].message and "1000" in result.errors[1].message


def test_without_the_switch_a_topup_row_is_a_duplicate(tmp_path: Path, default: Policy) -> None:
    a = paid(350, 350)
    result = checked(tmp_path, default, [a, _topup_rows(a, tier=1000, amount=650)])
    # the mark is no 参保类型 of this policy, the row is a second registration of the person, and
    # its amount is not what the 1000 tier asks of a first payment
    assert errors(result) == [
        ("id.duplicate", row_of(1)),
        ("enrollment.invalid", row_of(1)),
        ("amount.mismatch", row_of(1)),
    ]
