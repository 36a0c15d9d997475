"""Parity of the column-wise bulk check with the row path: the same people, findings and money
on generated rosters full of hostile values (written as real workbooks and read back, and as
random grids), under several policies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from _policy_variants import additive_text, no_higher_tier_text, topup_text, write_policy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_pension.app.checked import CheckedRoster
from xl_pension.core import idnum
from xl_pension.core.bulk_check import certify, check_roster_bulk
from xl_pension.core.money import amount_due, person_money
from xl_pension.core.policy import Policy, load_policy
from xl_pension.core.roster import Record, RecordTable, Roster
from xl_pension.core.roster_grid import roster_from_rows
from xl_pension.core.schema import COLUMNS, ROSTER_SHEET
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.sample import generate_county, plantable_codes

FULL = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
TODAY = dt.date(2024, 7, 1)
Edit = Callable[[object, dict], object]  # (the cell's value, the row) -> the new value


def _id_with(born: dt.date) -> str:
    return idnum.make("371728", born, 123)


# Hostile variants of each column's value, as a clerk or an export types them.
EDITS: dict[str, list[Edit]] = {
    "id_number": [
        lambda v, r: str(v).replace("X", "x").lower(),
        lambda v, r: str(v).translate(FULL),
        lambda v, r: "'" + str(v),
        lambda v, r: f" {str(v)[:6]} {str(v)[6:14]} {str(v)[14:]} ",
        lambda v, r: float(str(v)[:17]) if str(v)[:17].isdigit() else v,
        lambda v, r: int(str(v)[:17] + "0") if str(v)[:17].isdigit() else v,
        lambda v, r: str(v)[:15],
        lambda v, r: str(v)[:17] + ("0" if str(v)[-1] != "0" else "1"),
        lambda v, r: _id_with(dt.date(2031, 1, 1)),  # born after the check day
        lambda v, r: "37172819991340123X",  # no such birth date
        lambda v, r: "999999" + str(v)[6:17] + idnum.check_char("999999" + str(v)[6:17]),
        lambda v, r: "3.71728E+17",
        lambda v, r: "   ",
    ],
    "name": [
        lambda v, r: f" {v} ",
        lambda v, r: f"{str(v)[:1]} {str(v)[1:]}",
        lambda v, r: "\uf900" + str(v),  # a compatibility ideograph (NFKC changes it)
        lambda v, r: str(v) + "2",
        lambda v, r: "阿" * 21,
        lambda v, r: "买买提·吐尔逊",
        lambda v, r: None,
    ],
    "tier": [
        lambda v, r: f"{v}元",
        lambda v, r: f"￥{v}",
        lambda v, r: str(v).translate(FULL),
        lambda v, r: f"{v}.00",
        lambda v, r: float(v) + 0.5 if isinstance(v, int) else v,
        lambda v, r: 301,
        lambda v, r: "三百",
        lambda v, r: None,
    ],
    "amount": [
        lambda v, r: f"{v}元",
        lambda v, r: f" {v} ",
        lambda v, r: str(v).translate(FULL),
        lambda v, r: float(v) if isinstance(v, int) else v,
        lambda v, r: (v or 0) + 50 if isinstance(v, int) else v,
        lambda v, r: -1,
        lambda v, r: None,
    ],
    "pay_date": [
        lambda v, r: f"{v:%Y-%m-%d}" if isinstance(v, dt.date) else v,
        lambda v, r: f"{v:%Y}/{v.month}/{v.day}" if isinstance(v, dt.date) else v,
        lambda v, r: f"{v:%Y年%m月%d日}" if isinstance(v, dt.date) else v,
        lambda v, r: f"{v:%Y%m%d}" if isinstance(v, dt.date) else v,
        lambda v, r: float((v - dt.date(1899, 12, 30)).days) if isinstance(v, dt.date) else v,
        lambda v, r: dt.datetime(2024, 5, 6, 9, 30),
        lambda v, r: dt.date(2023, 1, 5),
        lambda v, r: "2024-13-01",
        lambda v, r: "下周",
    ],
    "phone": [
        lambda v, r: float(v) if isinstance(v, str) and v.isdigit() else v,
        lambda v, r: f" {str(v)[:3]} {str(v)[3:]} " if v else v,
        lambda v, r: str(v).translate(FULL) if v else v,
        lambda v, r: "0530-1234567",
        lambda v, r: "12345",
    ],
    "gender": [lambda v, r: " 男 ", lambda v, r: "女", lambda v, r: "M", lambda v, r: None],
    "birth_date": [
        lambda v, r: f"{v:%Y-%m-%d}" if isinstance(v, dt.date) else v,
        lambda v, r: dt.date(1970, 1, 1),
        lambda v, r: "不详",
    ],
    "enrollment": [lambda v, r: " 续保 ", lambda v, r: "新增", lambda v, r: "差额缴费"],
    "category": [
        lambda v, r: "低保对象、脱贫人口",
        lambda v, r: f" {v}",
        lambda v, r: "低保户",
        lambda v, r: None,
    ],
    "method": [lambda v, r: "线下 ", lambda v, r: "现金", lambda v, r: None],
    "receipt": [
        lambda v, r: f" {v} " if v else v,
        lambda v, r: "ＲＣ１２",
        lambda v, r: 12345.0,
        lambda v, r: "DM-DUP-1",  # a receipt on two rows
        lambda v, r: None,
    ],
    "backpay_years": [
        lambda v, r: "2021,2022",
        lambda v, r: "2020-2022",
        lambda v, r: 2022.0,
        lambda v, r: "2010",
        lambda v, r: "去年",
    ],
    "backpay_amount": [lambda v, r: 700, lambda v, r: "1050元", lambda v, r: 333],
    "unpaid_reason": [lambda v, r: "迁出", lambda v, r: " 拒缴", lambda v, r: "不想交"],
    "seq": [lambda v, r: float(v) if isinstance(v, int) else v, lambda v, r: "１"],
}


def _unpaid(row: dict) -> dict:
    """The row as someone who did not pay (a reason given, or none)."""
    return {**row, "tier": None, "amount": None, "pay_date": None, "receipt": None}


def _daijiao_backpay(policy: Policy, row: dict, method: str | None) -> dict:
    """The row as a 代缴 person whose tier the government pays in full (实缴 0) who also pays a
    补缴 of their own (which needs a 缴费方式)."""
    category = next(c for c in policy.categories if c.government_pays)
    tier = next(
        t.amount
        for t in policy.tiers
        if t.allowed_for(category.name) and amount_due(category, t.amount) == 0
    )
    year = policy.backpay.latest_year
    backpay = policy.backpay_tiers(year)[0].amount
    return row | {
        "category": category.name, "tier": tier, "amount": 0, "method": method,
        "receipt": None, "backpay_years": year, "backpay_amount": backpay,
    }  # fmt: skip


def _hostile(records: list[dict], rng: random.Random, policy: Policy) -> list[dict]:
    """The records with every edit of :data:`EDITS` applied to some row, plus unpaid rows,
    duplicates and top-ups (a second row of an earlier person marked 差额缴费)."""
    out = [dict(r) for r in records]
    edits = [(key, edit) for key, column in EDITS.items() for edit in column]
    for (key, edit), row in zip(edits, itertools.cycle(rng.sample(out, len(out))), strict=False):
        row[key] = edit(row.get(key), row)
    for row in rng.sample(out, max(len(out) // 10, 1)):
        row.update(_unpaid(row), unpaid_reason=rng.choice([None, "迁出", "拒缴"]))
    gone = _unpaid(out[0]) | {"unpaid_reason": "迁出", "id_number": _id_with(dt.date(2031, 1, 1))}
    out.append(gone)  # no age asked of someone gone: only the birth date can refuse the ID
    out += [_daijiao_backpay(policy, out[1], m) for m in (None, "线上")]
    for row in rng.sample(out, 3):
        out.append(dict(row))  # id.duplicate (and receipt.duplicate)
        paid = row.get("tier") is not None
        out.append({**row, "enrollment": "差额缴费", "tier": 3000 if paid else None})
    return out


def _same(a: Roster, b: Roster, policy: Policy) -> int:
    """Assert both paths check ``a``/``b`` (two reads of one roster) alike; certified rows.
    A roster from a grid is checked column-wise from the reader's columns, and again from
    its records (the path of records made elsewhere)."""
    row = check_roster(a, policy, today=TODAY)
    from_columns = isinstance(b.records, RecordTable) and b.records.columns() is not None
    bulk = check_roster_bulk(b, policy, today=TODAY)
    if from_columns:
        listed = dataclasses.replace(b, records=list(b.records), findings=list(b.findings))
        assert check_roster_bulk(listed, policy, today=TODAY) == bulk
    assert bulk.people == row.people
    types = [[type(v) for v in dataclasses.astuple(p)] for p in bulk.people]
    assert types == [[type(v) for v in dataclasses.astuple(p)] for p in row.people]  # no numpy
    assert bulk.findings == row.findings
    assert bulk.roster == row.roster
    kept = CheckedRoster.of(bulk, policy)
    assert kept == CheckedRoster.of(row, policy)  # money too
    assert [r.money for r in kept.records] == [
        None if p.has_error else person_money(p, policy) for p in row.people
    ]  # each row's own money (kept money is computed once per distinct tier, category, 补缴)
    return int(certify(b, policy, TODAY).sum())


POLICIES = {
    "default": None,
    "topup": topup_text(),
    "additive": additive_text(),
    "no_higher": no_higher_tier_text(),
}


@pytest.mark.parametrize("variant", list(POLICIES))
def test_generated_workbooks_check_alike(tmp_path: Path, policy: Policy, variant: str) -> None:
    if POLICIES[variant] is not None:
        policy = write_policy(tmp_path, "policy.toml", POLICIES[variant])[1]
    county = generate_county(
        policy, seed=7, townships=1, villages_per_township=3, min_people=150, max_people=200,
        mistake_rate=0.15,
    )  # fmt: skip
    rng = random.Random(variant)
    codes: set[str] = set()
    certified = rows = 0
    for v in county.villages:
        path = write_roster(
            tmp_path / v.file, policy, v.township, v.village, _hostile(v.records, rng, policy)
        )
        a, b = read_roster(path), read_roster(path)
        assert b.records.columns() is not None  # type: ignore[attr-defined]  # none made
        certified += _same(a, b, policy)
        rows += len(b.records)
        codes |= {f.code for f in check_roster(a, policy, today=TODAY).findings}
    assert set(plantable_codes(policy)) <= codes  # every mistake the sample plants, and more
    assert {"id.format", "id.birthdate", "id.region", "date.invalid", "amount.invalid"} <= codes
    if variant == "topup":
        assert "topup.invalid" in codes
    assert rows // 2 < certified < rows  # both paths were taken


BASE = generate_county(
    load_policy(),
    seed=11, townships=1, villages_per_township=1, min_people=40, max_people=40,
    mistake_rate=0.0,
).villages[0].records  # fmt: skip
KEYS = [c.key for c in COLUMNS]
CELL_EDITS = st.dictionaries(st.sampled_from(list(EDITS)), st.integers(0, 99), max_size=4)


def _grid(records: list[dict]) -> list[list[object]]:
    header = [c.header for c in COLUMNS]
    return [["标题"], header, *([r.get(k) for k in KEYS] for r in records)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.integers(0, len(BASE) - 1), st.booleans(), CELL_EDITS),
        min_size=1,
        max_size=30,
    )
)
def test_random_rows_check_alike(policy: Policy, rows: list[tuple[int, bool, dict]]) -> None:
    records = []
    for index, unpaid, edits in rows:
        row = dict(BASE[index])
        if unpaid:
            row.update(_unpaid(row), unpaid_reason="迁出")
        for key, choice in edits.items():
            row[key] = EDITS[key][choice % len(EDITS[key])](row.get(key), row)
        records.append(row)
    meta = {"template_version": "99", "year": str(policy.year)}
    a = roster_from_rows("村.xlsx", ROSTER_SHEET, _grid(records), meta)
    b = roster_from_rows("村.xlsx", ROSTER_SHEET, _grid(records), meta)
    _same(a, b, policy)


def test_clean_rows_are_certified(policy: Policy) -> None:
    """The rows of a generated roster without mistakes are all certified (so the parity tests
    compare the column-wise values, not only the row path with itself)."""
    meta = {"template_version": "99", "year": str(policy.year)}
    clean = [r for r in BASE if not r.get("backpay_years")]
    roster = roster_from_rows("村.xlsx", ROSTER_SHEET, _grid(clean), meta)
    assert certify(roster, policy, TODAY).all()
    _same(roster, roster_from_rows("村.xlsx", ROSTER_SHEET, _grid(clean), meta), policy)


def test_records_without_every_column(policy: Policy) -> None:
    """Records made elsewhere (not by the reader) may leave empty cells out of their values."""
    row = next(r for r in BASE if r.get("method") and not r.get("backpay_years"))
    columns = {c.key: i for i, c in enumerate(COLUMNS, start=1)}
    records = [
        Record(2 + i, {k: v for k, v in row.items() if v is not None and k != "phone"})
        for i in range(3)
    ]
    a = Roster("村.xlsx", columns=columns, records=records, meta={"year": str(policy.year)})
    b = Roster("村.xlsx", columns=columns, records=list(records), meta=dict(a.meta))
    assert _same(a, b, policy) == 3  # id.duplicate comes from the cross-row rules, on both paths
