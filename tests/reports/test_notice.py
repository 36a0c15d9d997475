"""The notice core: period, people, order, amounts, privacy — and the text templates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re

import pytest

from xl_pension.core import idnum, schema
from xl_pension.core.errors import XlPensionError
from xl_pension.core.groups import chinese_number, group_sort_key
from xl_pension.core.money import person_money, totals_of
from xl_pension.core.policy import Policy, parse_policy
from xl_pension.core.roster import Record, Roster
from xl_pension.core.validation import check_roster
from xl_pension.io.notice_html import notice_texts, render_html
from xl_pension.reports.notice import NOTICE_COLUMNS, build_notice, chinese_date, notice_period
from xl_pension.sample.names import mobile, person_name

ID_18 = re.compile(r"\d{17}[\dXx]")
MOBILE_11 = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
GROUPS = ("一组", "二组", "三组", "九组", "十组", "十一组", "二十组", "2组", "10组")
START = dt.date(2024, 5, 6)
PHONE = "0530-7221234"


def village_records(
    policy: Policy, n: int = 200, *, seed: int = 7, groups: tuple[str, ...] = GROUPS
) -> list[dict[str, object]]:
    """``n`` clean roster records (schema keys): paid and unpaid people, 代缴 categories,
    back payments, mobiles; seq numbers shuffled within groups so that the order is tested."""
    rng = random.Random(seed)
    ordinary = policy.categories[0]
    special = [c for c in policy.categories if c.is_government_paid]
    reasons = [r.name for r in policy.unpaid_reasons]
    methods = {m.receipt_required: m.name for m in policy.payment_methods}
    records = []
    used: set[str] = set()
    seqs = list(range(1, n + 1))
    rng.shuffle(seqs)
    for i in range(n):
        male = rng.random() < 0.5
        age = rng.randint(20, 59)
        while True:  # unique IDs: a duplicate would be a validation error
            days = rng.randint(int(age * 365.25) + 2, int((age + 1) * 365.25) - 2)
            born = policy.age_reference_date - dt.timedelta(days=days)
            ident = idnum.make(policy.county_code, born, 2 * rng.randrange(500) + int(male))
            if ident not in used:
                used.add(ident)
                break
        rec: dict[str, object] = {
            "seq": seqs[i],
            "group": rng.choice(groups),
            "name": person_name(rng, male),
            "id_number": ident,
            "phone": mobile(rng),
            "enrollment": policy.enrollment_types[0],
        }
        category = rng.choice(special) if special and rng.random() < 0.1 else ordinary
        rec["category"] = category.name
        if rng.random() < 0.15:
            rec["unpaid_reason"] = rng.choice(reasons)
            records.append(rec)
            continue
        allowed = [t for t in policy.tiers if t.allowed_for(category.name)]
        tier = allowed[0] if category.is_government_paid else rng.choice(allowed[:6])
        amount = max(tier.amount - category.government_pays, 0)
        rec.update(tier=tier.amount, amount=amount, pay_date=policy.collection_start)
        if amount:
            offline = rng.random() < 0.4
            rec["method"] = methods[offline]
            if offline:
                rec["receipt"] = f"DM-{i:05d}"
        if age >= 45 and rng.random() < 0.1:
            rec["backpay_years"] = str(policy.backpay.latest_year)
            rec["backpay_amount"] = policy.tiers[1].amount
            rec.setdefault("method", methods[False])  # the 补缴 is the person's own money
        records.append(rec)
    return records


def checked_from(policy: Policy, records: list[dict[str, object]], village: str = "王庄村"):
    """Validate records as if read from a roster of 城关街道/``village``; returns money too."""
    roster = Roster(
        file=f"/tmp/{village}.xlsx",
        columns={c.key: i for i, c in enumerate(schema.COLUMNS, start=1)},
        meta={"township_name": "城关街道", "village": village, "template_version": "1"},
        records=[
            Record(row=schema.DATA_START_ROW + i, values=dict(r)) for i, r in enumerate(records)
        ],
    )
    checked = check_roster(roster, policy, today=dt.date(2024, 6, 1))
    money = {p.row: None if p.has_error else person_money(p, policy) for p in checked.people}
    return checked, money


@pytest.fixture(scope="module")
def everything() -> Policy:
    """The packaged policy with every column shown and the 100 tier's people listed."""
    import tomllib

    from tests._policy_variants import notice_everything_text

    return parse_policy(tomllib.loads(notice_everything_text()), "everything.toml")


def test_calendar_period_is_inclusive(policy: Policy) -> None:
    assert policy.notice_days == 10 and policy.notice_day_kind == "calendar"
    assert notice_period(START, policy) == (START, dt.date(2024, 5, 15))
    one = dataclasses.replace(policy, notice_days=1)
    assert notice_period(START, one) == (START, START)


def test_working_days_follow_the_official_calendar(policy: Policy) -> None:
    working = dataclasses.replace(policy, notice_day_kind="working")
    # 2024: 5月1日–5日 holiday; Saturday 5月11日 a make-up working day; Sunday 4月28日 too.
    assert notice_period(dt.date(2024, 4, 30), working) == (
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 15),
    )
    # a start on a holiday moves to the next working day
    assert notice_period(dt.date(2024, 5, 1), working) == (
        dt.date(2024, 5, 6),
        dt.date(2024, 5, 16),
    )
    assert notice_period(dt.date(2024, 4, 28), working)[0] == dt.date(2024, 4, 28)
    # 国庆 2024: 10月1日–7日 off, Saturday 10月12日 worked
    assert notice_period(dt.date(2024, 9, 30), working) == (
        dt.date(2024, 9, 30),
        dt.date(2024, 10, 17),
    )


def test_working_days_beyond_the_calendar_are_a_clear_error(policy: Policy) -> None:
    working = dataclasses.replace(policy, notice_day_kind="working")
    with pytest.raises(XlPensionError) as err:
        notice_period(dt.date(2099, 5, 6), working)
    assert "2099" in err.value.message and "chinesecalendar" in err.value.message


def test_chinese_numerals_and_group_order() -> None:
    assert [chinese_number(s) for s in ("一", "十", "十一", "二十", "二十三", "九十九", "两")] == [
        1,
        10,
        11,
        20,
        23,
        99,
        2,
    ]
    assert chinese_number("一百") is None and chinese_number("十十") is None
    groups = ["十组", "二组", "", "东队", "十一组", "一组", "10组", "2组", "1组", "第三组", "九组"]
    ordered = sorted(groups, key=group_sort_key)
    assert ordered == [
        "1组",
        "一组",
        "2组",
        "二组",
        "第三组",
        "九组",
        "10组",
        "十组",
        "十一组",
        "东队",
        "",
    ]


def test_chinese_date() -> None:
    assert chinese_date(dt.date(2024, 5, 6)) == "2024年5月6日"
    assert chinese_date(dt.date(2024, 12, 31)) == "2024年12月31日"


def test_every_paid_person_once_in_order_with_roster_totals(everything: Policy) -> None:
    policy = everything
    records = village_records(policy)
    checked, money = checked_from(policy, records)
    assert not checked.errors
    ctx = build_notice(checked, money, policy, START, PHONE)
    assert ctx.columns == NOTICE_COLUMNS and ctx.unlisted == 0
    paid = [p for p in checked.people if p.paid]
    assert 100 < len(paid) < 200  # unpaid people exist and are left out
    assert len(ctx.rows) == len(paid)
    shown = [(r.masked_id, r.name) for r in ctx.rows]
    assert sorted(shown) == sorted((idnum.mask(p.id_number), p.name) for p in paid)
    assert len(set(shown)) == len(shown)
    assert [r.index for r in ctx.rows] == list(range(1, len(paid) + 1))
    keys = [
        (group_sort_key(r.group), int(checked.people[r.source_row - schema.DATA_START_ROW].seq))
        for r in ctx.rows
    ]
    assert keys == sorted(keys)
    assert ctx.totals == totals_of(money.values())
    assert sum(r.personal for r in ctx.rows) == ctx.totals.personal_due
    assert sum(r.subsidy for r in ctx.rows) == ctx.totals.subsidy
    assert sum(r.government_paid for r in ctx.rows) == ctx.totals.government_paid
    assert (ctx.county, ctx.township, ctx.village, ctx.year) == (
        "东明县",
        "城关街道",
        "王庄村",
        2024,
    )
    assert (ctx.start, ctx.end, ctx.phone) == (START, dt.date(2024, 5, 15), PHONE)


def test_personal_is_this_years_own_share_without_backpay(everything: Policy) -> None:
    policy = everything
    records = village_records(policy)
    checked, money = checked_from(policy, records)
    ctx = build_notice(checked, money, policy, START)
    by_row = {r.source_row: r for r in ctx.rows}
    backpayers = [p for p in checked.people if p.backpay_amount and p.row in by_row]
    government = [p for p in checked.people if p.row in by_row and money[p.row].government_paid]
    assert backpayers and government
    for p in backpayers + government:
        m = money[p.row]
        assert by_row[p.row].personal == m.personal_due == m.tier - m.government_paid


def test_rows_with_errors_are_left_out_when_skipped(everything: Policy) -> None:
    policy = everything
    records = village_records(policy, 30)
    i, bad = next((i, r) for i, r in enumerate(records) if "tier" in r)
    ident = str(bad["id_number"])
    bad["id_number"] = ident[:17] + ("0" if ident[17] != "0" else "1")  # wrong check digit
    checked, money = checked_from(policy, records)
    assert [f.code for f in checked.errors] == ["id.checksum"]
    ctx = build_notice(checked, money, policy, START)
    assert schema.DATA_START_ROW + i not in {r.source_row for r in ctx.rows}
    assert len(ctx.rows) == sum(1 for r in records if "tier" in r) - 1


def test_by_default_a_daijiao_person_looks_like_any_payer_of_the_tier(policy: Policy) -> None:
    records = village_records(policy)
    for rec in records[:6]:  # 代缴 people on a tier of their own: 500, paying 400 (inclusive)
        if rec.get("tier"):
            rec.update(category="低保对象", tier=500, amount=400)
    checked, money = checked_from(policy, records)
    assert not checked.errors
    ctx = build_notice(checked, money, policy, START)
    assert ctx.keys == ("seq", "group", "name", "id_number", "tier", "subsidy")
    paid = {p.row: p for p in checked.people if p.paid}
    restricted = {t.amount for t in policy.tiers if t.restricted_to}
    hidden = [r for r, p in paid.items() if p.tier in restricted]
    daijiao = [r for r, p in paid.items() if money[r].government_paid and r not in hidden]
    assert hidden and daijiao  # both kinds are in the generated village
    # the 100 tier's people are counted, not listed; everyone else is listed once
    assert ctx.unlisted == len(hidden) and ctx.totals.people == len(paid)
    assert sorted(r.source_row for r in ctx.rows) == sorted(set(paid) - set(hidden))
    # a 代缴 person's row holds what an ordinary payer of the same tier has
    ordinary = {(r.tier, r.subsidy) for r in ctx.rows if not money[r.source_row].government_paid}
    for r in ctx.rows:
        assert (r.tier, r.subsidy) in ordinary
    total = ctx.totals_line()
    assert total == [("合计", 1), (f"共 {len(paid)} 人", 3), ("", 1), (ctx.totals.subsidy, 1)]
    footer = "".join(notice_texts(ctx.page()).footer)
    assert f"另有 {len(hidden)} 人" in footer and footer.endswith("特此公示。")


def test_columns_come_from_the_schema() -> None:
    headers = dict(NOTICE_COLUMNS)
    for key in ("seq", "group", "name", "id_number", "tier", "government_paid", "subsidy"):
        assert headers[key] == schema.header(key)
    assert headers["personal"] == "个人缴费"
    shown = set(headers.values())
    for hidden in ("phone", "category", "unpaid_reason", "receipt", "backpay_amount"):
        assert schema.header(hidden) not in shown


def test_texts_name_the_place_period_and_contact(policy: Policy) -> None:
    checked, money = checked_from(policy, village_records(policy, 40))
    ctx = build_notice(checked, money, policy, START, PHONE)
    texts = notice_texts(ctx.page())
    assert "王庄村" in texts.title and "2024" in texts.title and "公示" in texts.title
    intro = "".join(texts.intro)
    assert "城关街道" in intro and "2024年5月6日至2024年5月15日" in intro
    assert f"{ctx.totals.people} 人" in intro
    assert PHONE in "".join(texts.footer)
    assert texts.signoff == ["王庄村村民委员会", "2024年5月6日"]
    community = dataclasses.replace(ctx, village="东方社区", phone="")
    t2 = notice_texts(community.page())
    assert t2.signoff[0] == "东方社区居民委员会"
    assert "电话" not in "".join(t2.footer)


def test_working_day_text(policy: Policy) -> None:
    working = dataclasses.replace(policy, notice_day_kind="working")
    checked, money = checked_from(policy, village_records(policy, 10))
    ctx = build_notice(checked, money, working, dt.date(2024, 5, 1))
    intro = "".join(notice_texts(ctx.page()).intro)
    assert "2024年5月6日至2024年5月16日（共 10 个工作日）" in intro


def test_html_is_escaped_and_private(policy: Policy) -> None:
    records = village_records(policy, 60)
    checked, money = checked_from(policy, records, village="<b>李&庄</b>村")
    ctx = build_notice(checked, money, policy, START, PHONE)
    html = render_html([ctx.page()])
    assert "<b>李" not in html and "&lt;b&gt;李&amp;庄&lt;/b&gt;村" in html
    assert not ID_18.search(html) and not MOBILE_11.search(html)
    for r in ctx.rows:
        assert f'<td class="id">{r.masked_id}</td>' in html
    assert "thead { display: table-header-group; }" in html
    assert '第 " counter(page) " 页 共 " counter(pages) " 页' in html
    for category in {c.name for c in policy.categories} - {policy.default_category}:
        assert category not in html
