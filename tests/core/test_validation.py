"""Roster validation on real workbooks: stable codes, rows, columns, masking, no cascades."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import openpyxl
import pytest

from xl_pension.core import idnum
from xl_pension.core.findings import Finding, Severity
from xl_pension.core.policy import Policy, load_policy
from xl_pension.core.schema import COLUMNS, ROSTER_SHEET, TEMPLATE_VERSION, header
from xl_pension.core.validation import Checked, check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster

E, W = Severity.ERROR, Severity.WARNING
TODAY = dt.date(2024, 11, 1)
POLICY = load_policy()
REF = POLICY.age_reference_date
AREA = "371728"
FIRST = 3  # Excel row of the first record in a written roster
PAY_DATE = dt.date(2024, 5, 6)
FULL_ID = re.compile(r"\d{17}[\dX]")
CJK = re.compile(r"[\u4e00-\u9fff]")
COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}

_seq = itertools.count(101)


def born_aged(age: int) -> dt.date:
    """A birth date giving exactly ``age`` whole years on the policy's reference date."""
    return REF.replace(year=REF.year - age) - dt.timedelta(days=30)


def new_id(age: int = 40, *, area: str = AREA, sex: str | None = None) -> str:
    """A valid ID, unique within this module, of someone ``age`` on the reference date."""
    while True:
        seq = next(_seq)
        if sex is None or (seq % 2 == 1) == (sex == "男"):
            return idnum.make(area, born_aged(age), seq)


def with_check(first17: str) -> str:
    """``first17`` completed with its correct check character."""
    return first17 + idnum.check_char(first17)


def id_ending_in_x() -> str:
    for seq in range(1000):
        i = idnum.make(AREA, born_aged(40), seq)
        if i.endswith("X"):
            return i
    raise AssertionError("no sequence gives X")


def broken_checksum(i: str) -> str:
    """The same ID with a wrong check character (never ``...000``, which reads as numeric)."""
    wrong = next(c for c in "12345" if c != i[17])
    return i[:17] + wrong


def float_twins() -> tuple[str, str]:
    """Two different valid IDs that are the same number once stored as floats."""
    ids = [idnum.make(AREA, born_aged(40), s) for s in range(900, 1000)]
    digits_only = [i for i in ids if not i.endswith("X")]
    for a, b in itertools.pairwise(digits_only):
        if float(a) == float(b):
            return a, b
    raise AssertionError("no float twins")


def full_width(s: str) -> str:
    return s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


def clean_paid(**overrides: object) -> dict[str, object]:
    """A valid paid row: ordinary person aged 40, tier 350 (the lowest open to everybody in
    2024) paid online in the window."""
    rec: dict[str, object] = {
        "name": "王秀英",
        "id_number": new_id(),
        "category": "普通",
        "tier": 350,
        "amount": 350,
        "method": "线上",
        "pay_date": PAY_DATE,
    }
    rec.update(overrides)
    return rec


def clean_unpaid(**overrides: object) -> dict[str, object]:
    """A valid unpaid row with a reason."""
    rec: dict[str, object] = {
        "name": "李建国",
        "id_number": new_id(),
        "category": "普通",
        "unpaid_reason": "外出联系不上",
    }
    rec.update(overrides)
    return rec


def assert_well_formed(findings: list[Finding]) -> None:
    """Contract invariants every validation result must satisfy."""
    rows = [f.row for f in findings]
    assert rows == sorted(rows, key=lambda r: -1 if r is None else r), rows
    for row, group in itertools.groupby(findings, key=lambda f: f.row):
        if row is None:
            continue
        order = [COLUMN_ORDER.get(f.column, -1) for f in group]
        assert order == sorted(order), (row, order)
    for f in findings:
        assert CJK.search(f.message), f
        assert "\n" not in f.message and "\r" not in f.message, f
        assert not FULL_ID.search(f.message), f
        assert not FULL_ID.search(f.value), f
        assert isinstance(f.value, str)


def check(tmp_path: Path, policy: Policy, records: list[dict[str, object]], **kw) -> Checked:
    path = write_roster(tmp_path / "r.xlsx", policy, policy.townships[0], "测试村", records, **kw)
    checked = check_roster(read_roster(path), policy, today=TODAY)
    assert_well_formed(checked.findings)
    return checked


def codes(checked: Checked) -> list[str]:
    return [f.code for f in checked.findings]


# --- a clean roster ----------------------------------------------------------------------------


def test_helpers_build_what_they_say() -> None:
    assert idnum.age_on(new_id(40), REF) == 40
    assert idnum.age_on(new_id(16), REF) == 16
    assert idnum.age_on(new_id(59), REF) == 59
    assert idnum.sex(new_id(sex="男")) == "男" and idnum.sex(new_id(sex="女")) == "女"
    assert idnum.is_valid(id_ending_in_x())
    assert not idnum.checksum_ok(broken_checksum(new_id()))


def test_clean_roster_has_no_findings(tmp_path: Path, policy: Policy) -> None:
    x_id = id_ending_in_x()
    spaced = new_id()
    male, male2 = new_id(sex="男"), new_id(sex="男")
    records = [
        clean_paid(seq=1, group="一组", phone="13905301234", enrollment="续保", last_tier=300),
        clean_paid(method="线下", receipt="DM2024-0001", phone="0530-7221234"),
        clean_paid(category="低保对象", tier=100, amount=0, method=None),
        clean_paid(category="低保对象", tier=500, amount=400, method="线下", receipt="DM2024-0002"),
        clean_paid(category="重度残疾人", tier="100", amount="0"),
        clean_unpaid(),
        clean_unpaid(id_number=new_id(65), unpaid_reason="已领取待遇"),
        clean_paid(backpay_years="2022,2023", backpay_amount=600),
        clean_paid(backpay_years="2020-2022", backpay_amount="1500"),
        clean_paid(backpay_years=2022, backpay_amount=300),
        clean_paid(name="阿依古丽·买买提"),
        clean_paid(id_number=full_width(new_id())),
        clean_paid(id_number=x_id[:17] + "x"),
        clean_paid(id_number=f"{spaced[:6]} {spaced[6:14]} {spaced[14:]}"),
        clean_paid(id_number=f" {new_id()} "),
        clean_paid(pay_date="2024-05-06"),
        clean_paid(pay_date="2024/5/6"),
        clean_paid(pay_date="2024.5.6"),
        clean_paid(pay_date="2024年5月6日"),
        clean_paid(pay_date="20240506"),
        clean_paid(pay_date=dt.datetime(2024, 4, 1, 9, 30)),
        clean_paid(pay_date=policy.collection_end),
        clean_paid(amount="350元"),
        clean_paid(amount="350.00"),
        clean_paid(tier="350", amount="￥350"),
        clean_paid(tier=1000, amount=1000, enrollment="新增"),
        clean_paid(id_number=male, gender="男", birth_date=idnum.birth_date(male)),
        clean_paid(id_number=male2, gender="男", birth_date=f"{idnum.birth_date(male2):%Y-%m-%d}"),
        clean_paid(id_number=new_id(16)),
        clean_paid(id_number=new_id(59)),
        clean_paid(id_number=new_id(area="372930")),  # old Dongming code
        clean_paid(id_number=new_id(area="110101")),  # elsewhere in China: province known
    ]
    checked = check(tmp_path, policy, records)
    assert checked.findings == []
    assert len(checked.people) == len(records)
    assert [p.row for p in checked.people] == list(range(FIRST, FIRST + len(records)))
    assert all(p.id_valid for p in checked.people)
    assert checked.people[12].id_number == x_id
    assert checked.people[11].id_number.isascii()
    assert {p.pay_date for p in checked.people[15:20]} == {PAY_DATE}
    assert [p.amount for p in checked.people[22:25]] == [350, 350, 350]
    assert checked.people[7].backpay_years == (2022, 2023)
    assert checked.people[7].backpay_amount == 600
    assert [p.paid for p in checked.people[4:7]] == [True, False, False]
    assert checked.people[10].name == "阿依古丽·买买提"


# --- one test per finding code -----------------------------------------------------------------


def _dup_id() -> list[dict[str, object]]:
    i = new_id()
    return [clean_paid(id_number=i), clean_paid(name="赵丽", id_number=i)]


def _bad_birth() -> str:
    return with_check(f"{AREA}19841306123")  # month 13


def _future_birth() -> str:
    return with_check(f"{AREA}20241201123")  # after TODAY


# (records, code, severity, column key, row)
CASES: dict[str, tuple[list[dict[str, object]], str, Severity, str, int]] = {
    "name-missing": ([clean_paid(name=None)], "required.missing", E, "name", FIRST),
    "id-missing": ([clean_paid(id_number=None)], "required.missing", E, "id_number", FIRST),
    "tier-missing": ([clean_paid(tier=None)], "required.missing", E, "tier", FIRST),
    "date-missing": ([clean_paid(pay_date=None)], "required.missing", E, "pay_date", FIRST),
    "amount-missing": ([clean_paid(amount=None)], "required.missing", E, "amount", FIRST),
    "method-missing": ([clean_paid(method=None)], "required.missing", E, "method", FIRST),
    "method-missing-dibao-500": (
        [clean_paid(category="低保对象", tier=500, amount=400, method=None)],
        "required.missing",
        E,
        "method",
        FIRST,
    ),
    "id-float": (
        [clean_paid(id_number=float(new_id().replace("X", "1")))],
        "id.numeric",
        E,
        "id_number",
        FIRST,
    ),
    "id-scientific-text": (
        [clean_paid(id_number="3.71728E+17")],
        "id.numeric",
        E,
        "id_number",
        FIRST,
    ),
    "id-17-digits": (
        [clean_paid(id_number=new_id()[:17])],
        "id.format",
        E,
        "id_number",
        FIRST,
    ),
    "id-19-digits": (
        [clean_paid(id_number=new_id() + "1")],
        "id.format",
        E,
        "id_number",
        FIRST,
    ),
    "id-letter-inside": (
        [clean_paid(id_number="371728A98405061234")],
        "id.format",
        E,
        "id_number",
        FIRST,
    ),
    "id-old-15": (
        [clean_paid(id_number="371728840506123")],
        "id.format",
        E,
        "id_number",
        FIRST,
    ),
    "id-checksum": (
        [clean_paid(id_number=broken_checksum(new_id()))],
        "id.checksum",
        E,
        "id_number",
        FIRST,
    ),
    "id-birth-month-13": (
        [clean_paid(id_number=_bad_birth())],
        "id.birthdate",
        E,
        "id_number",
        FIRST,
    ),
    "id-birth-future": (
        [clean_paid(id_number=_future_birth())],
        "id.birthdate",
        E,
        "id_number",
        FIRST,
    ),
    "id-region": (
        [clean_paid(id_number=new_id(area="991728"))],
        "id.region",
        W,
        "id_number",
        FIRST,
    ),
    "id-duplicate": (_dup_id(), "id.duplicate", E, "id_number", FIRST + 1),
    "name-digit": ([clean_paid(name="王秀英2")], "name.invalid", E, "name", FIRST),
    "name-latin": ([clean_paid(name="王Xiu英")], "name.invalid", E, "name", FIRST),
    "name-full-width-latin": ([clean_paid(name="王ｘ英")], "name.invalid", E, "name", FIRST),
    "name-symbol": ([clean_paid(name="王秀英(女)")], "name.invalid", E, "name", FIRST),
    "name-21-chars": ([clean_paid(name="王" * 21)], "name.invalid", E, "name", FIRST),
    "age-15": (
        [clean_paid(id_number=new_id(15))],
        "age.under_min",
        E,
        "id_number",
        FIRST,
    ),
    "age-60": (
        [clean_paid(id_number=new_id(60))],
        "age.over_max",
        E,
        "id_number",
        FIRST,
    ),
    "age-65-unpaid-not-excluded": (
        [clean_unpaid(id_number=new_id(65))],
        "age.over_max",
        E,
        "id_number",
        FIRST,
    ),
    "category": ([clean_paid(category="农民")], "category.invalid", E, "category", FIRST),
    "tier-300-text": ([clean_paid(tier="300")], "tier.invalid", E, "tier", FIRST),
    "tier-300-number": ([clean_paid(tier=300)], "tier.invalid", E, "tier", FIRST),
    "tier-600-old-table": ([clean_paid(tier=600, amount=600)], "tier.invalid", E, "tier", FIRST),
    "tier-1500-old-table": (
        [clean_paid(tier=1500, amount=1500)],
        "tier.invalid",
        E,
        "tier",
        FIRST,
    ),
    "tier-abc": ([clean_paid(tier="abc")], "tier.invalid", E, "tier", FIRST),
    "tier-100-ordinary": (
        [clean_paid(tier=100, amount=100)],
        "tier.restricted",
        E,
        "tier",
        FIRST,
    ),
    "amount-mismatch": ([clean_paid(amount=200)], "amount.mismatch", E, "amount", FIRST),
    "amount-mismatch-dibao": (
        [clean_paid(category="低保对象", amount=300)],
        "amount.mismatch",
        E,
        "amount",
        FIRST,
    ),
    "amount-3bai": ([clean_paid(amount="3百")], "amount.invalid", E, "amount", FIRST),
    "method": ([clean_paid(method="现金")], "method.invalid", E, "method", FIRST),
    "receipt-missing": ([clean_paid(method="线下")], "receipt.missing", E, "receipt", FIRST),
    "receipt-duplicate": (
        [
            clean_paid(method="线下", receipt="DM-1"),
            clean_paid(method="线下", receipt="DM-1"),
        ],
        "receipt.duplicate",
        E,
        "receipt",
        FIRST + 1,
    ),
    "date-abc": ([clean_paid(pay_date="abc")], "date.invalid", E, "pay_date", FIRST),
    "date-month-13": ([clean_paid(pay_date="2024-13-01")], "date.invalid", E, "pay_date", FIRST),
    "date-bare-year": ([clean_paid(pay_date="2024")], "date.invalid", E, "pay_date", FIRST),
    "date-after-window": (
        [clean_paid(pay_date=dt.date(2024, 7, 15))],
        "date.outside_window",
        W,
        "pay_date",
        FIRST,
    ),
    "date-before-window-text": (
        [clean_paid(pay_date="2024/3/31")],
        "date.outside_window",
        W,
        "pay_date",
        FIRST,
    ),
    "phone-10-digits": (
        [clean_paid(phone="1390530123")],
        "phone.invalid",
        W,
        "phone",
        FIRST,
    ),
    "gender": (
        [clean_paid(id_number=new_id(sex="男"), gender="女")],
        "gender.mismatch",
        E,
        "gender",
        FIRST,
    ),
    "birthdate": (
        [clean_paid(birth_date=dt.date(1970, 1, 1))],
        "birthdate.mismatch",
        E,
        "birth_date",
        FIRST,
    ),
    "birthdate-unreadable": (
        [clean_paid(birth_date="不详")],
        "birthdate.mismatch",
        E,
        "birth_date",
        FIRST,
    ),
    "backpay-policy-year": (
        [clean_paid(backpay_years="2024", backpay_amount=300)],
        "backpay.invalid",
        E,
        "backpay_years",
        FIRST,
    ),
    "backpay-before-earliest": (
        [clean_paid(backpay_years="2013", backpay_amount=300)],
        "backpay.invalid",
        E,
        "backpay_years",
        FIRST,
    ),
    "backpay-not-n-tiers": (
        [clean_paid(backpay_years="2022,2023", backpay_amount=500)],
        "backpay.invalid",
        E,
        "backpay_amount",
        FIRST,
    ),
    "backpay-years-only": (
        [clean_paid(backpay_years="2022")],
        "backpay.invalid",
        E,
        "backpay_amount",
        FIRST,
    ),
    "backpay-amount-only": (
        [clean_paid(backpay_amount=300)],
        "backpay.invalid",
        E,
        "backpay_years",
        FIRST,
    ),
    "backpay-years-unreadable": (
        [clean_paid(backpay_years="前年", backpay_amount=300)],
        "backpay.invalid",
        E,
        "backpay_years",
        FIRST,
    ),
    "backpay-amount-unreadable": (
        [clean_paid(backpay_years="2022", backpay_amount="3百")],
        "backpay.invalid",
        E,
        "backpay_amount",
        FIRST,
    ),
    "unpaid-no-reason": (
        [clean_unpaid(unpaid_reason=None)],
        "unpaid.no_reason",
        W,
        "unpaid_reason",
        FIRST,
    ),
    "unpaid-reason-on-paid": (
        [clean_paid(unpaid_reason="外出联系不上")],
        "unpaid.reason_on_paid",
        W,
        "unpaid_reason",
        FIRST,
    ),
    "reason": (
        [clean_unpaid(unpaid_reason="不想交")],
        "reason.invalid",
        E,
        "unpaid_reason",
        FIRST,
    ),
    "enrollment": ([clean_paid(enrollment="老保")], "enrollment.invalid", E, "enrollment", FIRST),
}


@pytest.mark.parametrize(("records", "code", "severity", "key", "row"), CASES.values(), ids=CASES)
def test_each_code(
    tmp_path: Path,
    policy: Policy,
    records: list[dict[str, object]],
    code: str,
    severity: Severity,
    key: str,
    row: int,
) -> None:
    checked = check(tmp_path, policy, records)
    assert codes(checked) == [code]
    (f,) = checked.findings
    assert f.severity is severity
    assert f.sheet == ROSTER_SHEET
    assert f.row == row
    assert f.column == header(key)
    if key == "id_number" and code != "required.missing":
        assert "*" in f.value, f.value
        assert not re.search(r"\d{8}", f.value), f.value
    assert (f in checked.errors) == (severity is E)
    assert (f in checked.warnings) == (severity is W)
    person = checked.people[row - FIRST]
    assert f in person.findings
    assert person.has_error == (severity is E)


def test_duplicate_message_names_first_row(tmp_path: Path, policy: Policy) -> None:
    i = new_id()
    checked = check(
        tmp_path,
        policy,
        [clean_unpaid(), clean_paid(id_number=i), clean_unpaid(), clean_paid(id_number=i)],
    )
    (f,) = checked.findings
    assert (f.code, f.row) == ("id.duplicate", FIRST + 3)
    assert f"第 {FIRST + 1} 行" in f.message
    assert f.value == idnum.mask(i)


def test_duplicate_is_found_across_notations(tmp_path: Path, policy: Policy) -> None:
    """Full-width digits, spaces and a lowercase x are the same ID."""
    i = id_ending_in_x()
    checked = check(
        tmp_path,
        policy,
        [clean_paid(id_number=i), clean_paid(id_number=" " + full_width(i[:17]) + "x")],
    )
    assert [(f.code, f.row) for f in checked.findings] == [("id.duplicate", FIRST + 1)]


def test_receipt_duplicate_names_first_row(tmp_path: Path, policy: Policy) -> None:
    checked = check(
        tmp_path,
        policy,
        [
            clean_paid(method="线下", receipt="DM-7"),
            clean_paid(method="线下", receipt="DM-8"),
            clean_paid(method="线下", receipt=" DM -7"),
        ],
    )
    (f,) = checked.findings
    assert (f.code, f.row, f.value) == ("receipt.duplicate", FIRST + 2, "DM-7")
    assert f"第 {FIRST} 行" in f.message


def test_id_finding_values_are_masked(tmp_path: Path, policy: Policy) -> None:
    good = new_id()
    ids = [
        float(good.replace("X", "1")),
        good[:17],
        broken_checksum(new_id()),
        _bad_birth(),
        new_id(area="991728"),
        new_id(15),
        new_id(60),
    ]
    checked = check(tmp_path, policy, [clean_paid(id_number=i) for i in ids])
    id_findings = [f for f in checked.findings if f.column == header("id_number")]
    assert len(id_findings) == len(ids)
    for f, raw in zip(id_findings, ids, strict=True):
        digits = idnum.normalize(raw)
        assert digits[6:14] not in f.value, f
        assert "*" in f.value


def test_phone_value_is_masked(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid(phone="1390530123")])
    (f,) = checked.findings
    assert f.value != "1390530123" and "*" in f.value
    assert f.value.startswith("139") and f.value.endswith("23")


def test_phone_as_number_is_accepted(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid(phone=13905301234)])
    assert checked.findings == []
    assert checked.people[0].phone == "13905301234"


def test_unpaid_receiving_pension_is_not_age_checked(tmp_path: Path, policy: Policy) -> None:
    rec = clean_unpaid(id_number=new_id(65), unpaid_reason="已领取待遇")
    checked = check(tmp_path, policy, [rec])
    assert checked.findings == []
    assert checked.people[0].paid is False


def test_paid_pensioner_is_age_checked(tmp_path: Path, policy: Policy) -> None:
    rec = clean_paid(id_number=new_id(65), unpaid_reason="已领取待遇")
    checked = check(tmp_path, policy, [rec])
    assert sorted(codes(checked)) == ["age.over_max", "unpaid.reason_on_paid"]


def test_age_message_names_reference_date(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid(id_number=new_id(15))])
    (f,) = checked.findings
    assert f"{policy.age_reference_date:%Y-%m-%d}" in f.message
    assert str(policy.age_min) in f.message


def test_tier_invalid_message_lists_tiers(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid(tier="300")])
    (f,) = checked.findings
    assert f.value == "300"
    assert all(str(t.amount) in f.message for t in policy.tiers)


def test_amount_mismatch_message_gives_due(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid(category="低保对象", tier=500, amount=500)])
    (f,) = checked.findings
    assert f.code == "amount.mismatch"
    assert "400" in f.message and f.value == "500"


# --- template findings -------------------------------------------------------------------------


def test_template_version(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid()], extra_meta={"template_version": 0})
    (f,) = checked.findings
    assert (f.code, f.severity, f.row) == ("template.version", W, None)
    assert str(TEMPLATE_VERSION) in f.message


def test_template_columns_and_meta_missing(tmp_path: Path, policy: Policy) -> None:
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ROSTER_SHEET
    ws.append([header("name"), header("id_number")])
    ws.append(["王秀英", new_id()])
    wb.save(path)
    checked = check_roster(read_roster(path), policy, today=TODAY)
    assert_well_formed(checked.findings)
    meta = [f for f in checked.findings if f.code == "template.meta_missing"]
    assert len(meta) == 1 and meta[0].severity is W and meta[0].row is None
    missing = [f for f in checked.findings if f.code == "template.column_missing"]
    assert {f.column for f in missing} == {
        header("tier"),
        header("amount"),
        header("pay_date"),
        header("method"),
    }
    assert all(f.severity is E and f.row == 1 for f in missing)
    assert all(f.column in f.message for f in missing)
    # the person row itself is read at Excel row 2 and is unpaid without a reason
    assert [(f.code, f.row) for f in checked.findings if f.row not in (None, 1)] == [
        ("unpaid.no_reason", 2)
    ]


# --- no cascades -------------------------------------------------------------------------------

ONE_MISTAKE = {
    "tier-300": (clean_paid(tier=300), "tier.invalid"),
    "tier-abc": (clean_paid(tier="abc"), "tier.invalid"),
    "tier-restricted": (clean_paid(tier=100, amount=100), "tier.restricted"),
    "tier-restricted-amount-0": (clean_paid(tier=100, amount=0), "tier.restricted"),
    "category": (clean_paid(category="农民"), "category.invalid"),
    "category-dibao-amount-100": (
        clean_paid(category="低保", tier=500, amount=400),
        "category.invalid",
    ),
    "amount-unreadable": (clean_paid(amount="3百"), "amount.invalid"),
    "tier-missing": (clean_paid(tier=None), "required.missing"),
    "amount-missing": (clean_paid(amount=None), "required.missing"),
    "method": (clean_paid(method="微信"), "method.invalid"),
    "method-offline-no-receipt": (clean_paid(method="线下"), "receipt.missing"),
    "date": (clean_paid(pay_date="五月六日"), "date.invalid"),
    "checksum-with-wrong-derived": (
        clean_paid(
            id_number=broken_checksum(new_id(70, sex="男")),
            gender="女",
            birth_date=dt.date(1990, 1, 1),
        ),
        "id.checksum",
    ),
    "numeric-with-derived": (
        clean_paid(id_number=float(new_id(12).replace("X", "1")), gender="男"),
        "id.numeric",
    ),
    "format-too-young": (clean_paid(id_number=new_id(10)[:17]), "id.format"),
    "birthdate-in-id": (clean_paid(id_number=_bad_birth(), gender="男"), "id.birthdate"),
    "name": (clean_paid(name="Wang"), "name.invalid"),
    "age": (clean_paid(id_number=new_id(70), gender=None), "age.over_max"),
    "backpay": (clean_paid(backpay_years="2024", backpay_amount=300), "backpay.invalid"),
}


@pytest.mark.parametrize(("record", "code"), ONE_MISTAKE.values(), ids=ONE_MISTAKE)
def test_one_mistake_one_finding(
    tmp_path: Path, policy: Policy, record: dict[str, object], code: str
) -> None:
    checked = check(tmp_path, policy, [record])
    assert codes(checked) == [code]


def test_numeric_ids_are_not_reported_as_duplicates(tmp_path: Path, policy: Policy) -> None:
    """Two different IDs stored as numbers lose their last digits and become equal floats."""
    a, b = float_twins()
    assert a != b and float(a) == float(b)
    checked = check(tmp_path, policy, [clean_paid(id_number=float(a)), clean_paid(id_number=b)])
    assert [(f.code, f.row) for f in checked.findings] == [("id.numeric", FIRST)]
    checked = check(
        tmp_path, policy, [clean_paid(id_number=float(a)), clean_paid(id_number=float(b))]
    )
    assert [(f.code, f.row) for f in checked.findings] == [
        ("id.numeric", FIRST),
        ("id.numeric", FIRST + 1),
    ]


# --- ordering and message form -----------------------------------------------------------------


def test_findings_sorted_by_row_and_column(tmp_path: Path, policy: Policy) -> None:
    records = [
        clean_paid(),
        clean_paid(
            name="王2",
            phone="123",
            tier=300,
            method="现金",
            pay_date="abc",
            enrollment="老保",
            unpaid_reason="不想交",
        ),
        clean_unpaid(unpaid_reason=None),
        clean_paid(id_number=broken_checksum(new_id()), amount=200, pay_date="2024-08-01"),
        clean_paid(backpay_years="2013", phone="1390530123", gender="男"),
    ]
    checked = check(tmp_path, policy, records)
    rows = [f.row for f in checked.findings]
    assert rows == sorted(rows)
    assert set(rows) == {FIRST + 1, FIRST + 2, FIRST + 3, FIRST + 4}
    second = [f.code for f in checked.findings if f.row == FIRST + 1]
    assert second == [
        "name.invalid",
        "phone.invalid",
        "enrollment.invalid",
        "tier.invalid",
        "method.invalid",
        "date.invalid",
        "reason.invalid",
        "unpaid.reason_on_paid",
    ]
    assert [f.code for f in checked.findings if f.row == FIRST + 3] == [
        "id.checksum",
        "amount.mismatch",
        "date.outside_window",
    ]


def test_messages_are_single_line_chinese_without_ids(tmp_path: Path, policy: Policy) -> None:
    """Every kind of mistake in one roster (plus a duplicate ID at the end)."""
    i = new_id()
    records = [clean_paid(id_number=i)]
    records += [rec for rec, _ in ONE_MISTAKE.values()]
    records += [rec for case_records, *_ in CASES.values() for rec in case_records]
    records.append(clean_paid(id_number=i))
    checked = check(tmp_path, policy, records)
    assert {f.code for f in checked.findings} >= {code for _, code, *_ in CASES.values()}
    for f in checked.findings:
        assert CJK.search(f.message) and "\n" not in f.message
        assert not FULL_ID.search(f.message) and not FULL_ID.search(f.value)


def test_rare_name_characters_are_accepted(tmp_path: Path, policy: Policy) -> None:
    checked = check(tmp_path, policy, [clean_paid(name="李〇"), clean_paid(name="𠮷田")])
    assert codes(checked) == []


def test_a_missing_payment_column_is_reported_once_not_per_row(
    tmp_path: Path, policy: Policy
) -> None:
    path = tmp_path / "notier.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = ROSTER_SHEET
    ws.append([header("name"), header("id_number"), header("amount"), header("pay_date")])
    ws.append(["王秀英", new_id(), 300, "2024-05-06"])
    ws.append(["李强", new_id(41), 300, "2024-05-07"])
    wb.save(path)
    checked = check_roster(read_roster(path), policy, today=TODAY)
    missing = [f for f in checked.findings if f.code == "template.column_missing"]
    assert {f.column for f in missing} == {header("tier"), header("method")}
    assert not [f for f in checked.findings if f.code == "required.missing"]


def test_a_category_that_may_not_choose_higher_is_held_to_its_tier(
    tmp_path: Path, policy: Policy
) -> None:
    import dataclasses

    strict = dataclasses.replace(
        policy,
        categories=tuple(
            dataclasses.replace(c, may_choose_higher=False) if c.name == "低保对象" else c
            for c in policy.categories
        ),
    )
    rows = [
        clean_paid(category="低保对象", tier=100, amount=0, method=None),
        clean_paid(category="低保对象", tier=500, amount=400),
    ]
    checked = check(tmp_path, strict, rows)
    assert [(f.row, f.code) for f in checked.findings] == [(4, "tier.restricted")]
    assert "100" in checked.findings[0].message
    assert codes(check(tmp_path, policy, rows)) == []
