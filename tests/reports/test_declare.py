"""``xl-pension declare``: the operator's list holds the offline payments only (one row per 补缴
year too), the 代缴申报表 the 代缴 rows, and every paid row is accounted for."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.money import amount_due
from xl_pension.core.policy import Policy
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster

DAY = dt.date(2024, 5, 6)


def _id(i: int) -> str:
    return idnum.make("371728", dt.date(1966, 2, 1) + dt.timedelta(days=211 * i), 2 * i)


def _back_tier(policy: Policy, years: list[int]) -> int:
    """The lowest tier open to 普通 in every one of ``years`` (each back year at its own table)."""
    return next(
        t.amount
        for t in policy.backpay_tiers(years[0])
        if t.allowed_for("普通") and all(policy.backpay_tier(y, t.amount) for y in years)
    )


def _people(policy: Policy) -> dict[str, list[dict[str, object]]]:
    """Two villages' rows: online, offline, offline with 补缴, 代缴 only, 代缴 + own cash, unpaid,
    online with 补缴; and a paid row with an error."""
    ordinary = policy.category_by_name["普通"]
    poor = next(c for c in policy.categories if c.is_government_paid)
    tier = next(t.amount for t in policy.tiers if t.allowed_for(ordinary.name))
    lowest = policy.tiers[0].amount
    higher = next(t.amount for t in policy.tiers if t.amount > poor.government_pays)
    back = [policy.backpay.latest_year - 1, policy.backpay.latest_year]
    base = {"enrollment": "续保", "pay_date": DAY}

    def paid(i, method, cat=ordinary, t=tier, **more):
        rec = {**base, "name": "王秀英李建国张桂兰刘洋陈玉梅赵德胜孙丽周海军"[2 * i : 2 * i + 2],
               "id_number": _id(i), "category": cat.name, "tier": t,
               "amount": amount_due(cat, t), **more}  # fmt: skip
        if method:
            rec["method"] = method
        return rec

    wang = [
        paid(0, "线上"),
        paid(1, "线下", receipt="W-001"),
        paid(
            2,
            "线下",
            receipt="W-002",
            backpay_years=",".join(map(str, back)),
            backpay_amount=2 * _back_tier(policy, back),
        ),
        paid(3, None, cat=poor, t=lowest),  # 代缴 only: nothing of their own
        paid(4, "线下", cat=poor, t=higher, receipt="W-003"),
        {
            **base,
            "name": "孙丽",
            "id_number": _id(5),
            "unpaid_reason": "外出联系不上",
            "pay_date": None,
        },
        paid(6, "线上", backpay_years=str(back[1]), backpay_amount=tier),
    ]
    li = [
        paid(7, "线下", receipt="L-001"),
        {**paid(8, "线下", receipt="L-002"), "amount": tier + 1},  # error: held back
    ]
    for rows in (wang, li):
        for seq, rec in enumerate(rows, start=1):
            rec["seq"] = seq
    return {"王庄村": wang, "李庄村": li}


@pytest.fixture(scope="module")
def township(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Path:
    root = tmp_path_factory.mktemp("dir")
    t = policy.townships[0]
    for village, rows in _people(policy).items():
        path = write_roster(root / t.name / f"{village}.xlsx", policy, t, village, rows)
        errors = {f.row for f in check_roster(read_roster(path), policy).errors}
        assert errors == ({4} if village == "李庄村" else set())  # only the planted error
    return root


def _table(ws) -> tuple[list[str], list[dict[str, object]]]:
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if "证件号码" in r)
    head = list(rows[start])
    return head, [dict(zip(head, r, strict=True)) for r in rows[start + 1 :] if any(r)]


def test_declare_lists_offline_payments_backpay_years_and_daijiao(
    township: Path, tmp_path: Path, policy: Policy, capsys
) -> None:
    out = tmp_path / "out"
    assert main(["declare", str(township), "-o", str(out)]) == 1  # one row held back
    said = capsys.readouterr()
    path = out / f"{policy.townships[0].name}申报清单.xlsx"
    wb = openpyxl.load_workbook(path)
    head, batch = _table(wb["批量申报清单"])
    assert head == [c.header for c in policy.declaration.batch_columns]
    got = sorted(
        (r["证件号码"], r["缴费年度"], r["缴费类型"], r["个人缴费"], r["收据号"]) for r in batch
    )
    ordinary_tier = next(t.amount for t in policy.tiers if t.allowed_for("普通"))
    poor = next(c for c in policy.categories if c.is_government_paid)
    higher = next(t.amount for t in policy.tiers if t.amount > poor.government_pays)
    y, (b1, b2) = policy.year, (policy.backpay.latest_year - 1, policy.backpay.latest_year)
    assert got == sorted([
        (_id(1), y, "正常", ordinary_tier, "W-001"),
        (_id(2), y, "正常", ordinary_tier, "W-002"),
        (_id(2), b1, "补缴", _back_tier(policy, [b1, b2]), "W-002"),
        (_id(2), b2, "补缴", _back_tier(policy, [b1, b2]), "W-002"),
        (_id(4), y, "正常", higher - poor.government_pays, "W-003"),
        (_id(7), y, "正常", ordinary_tier, "L-001"),
    ])  # fmt: skip
    assert {r["证件类型"] for r in batch} == {policy.declaration.id_type}
    cells = [c for row in wb["批量申报清单"].iter_rows(min_row=3) for c in row[1:2]]
    assert all(c.data_type == "s" for c in cells)
    text = " ".join(
        str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
    )
    for online in (_id(0), _id(6), _id(5), _id(8)):  # online, unpaid, held back: never declared
        assert online not in [r["证件号码"] for r in batch]
    _, gov = _table(wb["代缴申报表"])
    assert sorted((r["证件号码"], r["代缴金额"]) for r in gov) == sorted(
        [(_id(3), poor.government_pays), (_id(4), poor.government_pays)]
    )
    for name in ("批量申报清单", "代缴申报表", "核对"):
        assert "内部资料 不得公开" in wb[name].oddHeader.center.text
    assert policy.declaration.note in text  # unverified against the official template
    # conservation: 8 paid = 4 by the operator + 2 online + 1 代缴 only + 1 held back
    lines = re.sub(r"\s+", "", said.out)
    assert "缴费8人=专管员申报4人+本人线上申报2人+仅政府代缴1人+暂不申报1人" in lines
    assert "李庄村.xlsx第4行（有错误）" in re.sub(r"\s+", "", said.err)
    # W-001, W-002 (+2 back years at their own tier), L-001
    own = 3 * ordinary_tier + 2 * _back_tier(policy, [b1, b2]) + (higher - poor.government_pays)
    online = ordinary_tier + 2 * ordinary_tier
    held = ordinary_tier + 1
    total = own + online + held
    assert f"个人缴费{total}元=批量申报清单{own}元+本人线上申报{online}元+暂不申报{held}元" in lines
    assert "不守恒" not in said.out + said.err


def test_merge_declare_writes_the_same_lists_and_no_full_id_in_the_county_book(
    township: Path, tmp_path: Path, policy: Policy
) -> None:
    out, book = tmp_path / "decl", tmp_path / "全县汇总.xlsx"
    assert main(["merge", str(township), "-o", str(book), "--declare", str(out)]) == 1
    name = f"{policy.townships[0].name}申报清单.xlsx"
    assert main(["declare", str(township), "-o", str(tmp_path / "again")]) == 1
    for sheet in ("批量申报清单", "代缴申报表"):
        a = _table(openpyxl.load_workbook(out / name)[sheet])
        b = _table(openpyxl.load_workbook(tmp_path / "again" / name)[sheet])
        assert a == b
    values = [
        v
        for ws in openpyxl.load_workbook(book).worksheets
        for r in ws.iter_rows(values_only=True)
        for v in r
        if isinstance(v, str)
    ]
    assert not [v for v in values if any(_id(i) in v for i in range(9))]


def test_notices_hold_no_full_id(township: Path, tmp_path: Path) -> None:
    out = tmp_path / "notices"
    main(["notice", str(township), "--start", DAY.isoformat(), "-o", str(out), "--format", "both",
          "--skip-invalid"])  # fmt: skip
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        assert not [i for i in range(9) if _id(i) in page.read_text(encoding="utf-8")]
    for book in out.rglob("*.xlsx"):
        ws = openpyxl.load_workbook(book)["公示"]
        text = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v)
        assert not [i for i in range(9) if _id(i) in text]
