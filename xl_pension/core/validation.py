"""Roster validation: small rules with stable codes, Chinese messages, and parsed people.

``check_roster`` turns a :class:`Roster` into findings plus one :class:`Person` per record (parsed
as far as the cells allow), so that compute, notices and summaries work on checked values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from . import idnum
from .findings import Finding, Severity
from .policy import Policy
from .roster import Record, Roster
from .schema import BY_KEY, PAYMENT_KEYS, Required
from .values import (
    SPACES,
    BadValue,
    parse_date,
    parse_money,
    parse_years,
    phone_ok,
    phone_text,
    text,
)

NAME_MAX = 20
_NAME_BAD = re.compile(r"[0-9A-Za-z]")
# CJK ideographs incl. extensions A-G and 〇, plus the separator dot of minority names
_NAME_OK = re.compile(r"^[\u3007\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•.．]+$")
E, W = Severity.ERROR, Severity.WARNING


@dataclass
class Person:
    """One roster row with its cells parsed (``None`` where a cell is empty or unreadable)."""

    row: int
    seq: str = ""
    group: str = ""
    name: str = ""
    id_number: str = ""  # normalised text; valid only when ``id_valid``
    id_valid: bool = False
    sex: str | None = None
    birth_date: dt.date | None = None
    phone: str = ""
    enrollment: str = ""
    category: str = ""
    last_tier: int | None = None
    tier: int | None = None
    method: str = ""
    amount: int | None = None
    receipt: str = ""
    pay_date: dt.date | None = None
    backpay_years: tuple[int, ...] = ()
    backpay_amount: int | None = None
    unpaid_reason: str = ""
    paid: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_error(self) -> bool:
        """True when any finding on this row is an error."""
        return any(f.severity is not W for f in self.findings)


@dataclass
class Checked:
    """The result of validating one roster."""

    roster: Roster
    people: list[Person]
    findings: list[Finding]

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity error (and unusable)."""
        return [f for f in self.findings if f.severity is not W]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity warning."""
        return [f for f in self.findings if f.severity is W]


class _Row:
    """Collects the findings of one record."""

    def __init__(self, roster: Roster, record: Record, person: Person) -> None:
        self.roster, self.record, self.person = roster, record, person

    def add(self, code: str, sev: Severity, key: str, message: str, value: object = None) -> None:
        shown = value if value is not None else self.record.get(key)
        shown_text = idnum.mask(shown) if key == "id_number" else text(shown)
        self.person.findings.append(
            Finding(
                code,
                sev,
                self.roster.sheet,
                self.record.row,
                BY_KEY[key].header,
                shown_text,
                message,
            )
        )


def _h(key: str) -> str:
    return BY_KEY[key].header


def _check_id(r: _Row, policy: Policy, today: dt.date) -> None:
    raw = r.record.get("id_number")
    p = r.person
    if raw is None:
        r.add(
            "required.missing", E, "id_number", f"{_h('id_number')}为空，请填写 18 位身份证号码。"
        )
        return
    norm = idnum.normalize(raw)
    p.id_number = norm
    if idnum.was_numeric(raw):
        r.add(
            "id.numeric",
            E,
            "id_number",
            "身份证号码被存成了数值，后几位已丢失；请把单元格设为文本格式后按身份证重新输入。",
        )
        return
    if idnum.is_old_15(norm):
        r.add(
            "id.format", E, "id_number", "这是旧版 15 位身份证号码，请按居民身份证填写 18 位号码。"
        )
        return
    if not idnum.has_valid_format(norm):
        r.add(
            "id.format",
            E,
            "id_number",
            f"身份证号码应为 18 位（17 位数字加末位数字或 X），现为 {len(norm)} 位，请核对。",
        )
        return
    if not idnum.checksum_ok(norm):
        r.add(
            "id.checksum",
            E,
            "id_number",
            "身份证号码校验位不对，可能有数字输错或顺序颠倒，请对照身份证逐位核对。",
        )
        return
    born = idnum.birth_date(norm)
    if born is None or born > today:
        r.add(
            "id.birthdate",
            E,
            "id_number",
            "身份证号码中的出生日期不是真实日期，请对照身份证核对第 7–14 位。",
        )
        return
    p.id_valid, p.sex, p.birth_date = True, idnum.sex(norm), born
    if not (idnum.province_known(norm) or norm[:6] in policy.known_area_codes):
        r.add("id.region", W, "id_number", "身份证号码前 6 位不是有效的地区代码，请核对前几位。")


def _check_name(r: _Row) -> None:
    raw = r.record.get("name")
    name = SPACES.sub("", text(raw))
    r.person.name = name
    if not name:
        r.add("required.missing", E, "name", f"{_h('name')}为空，请填写与身份证一致的姓名。")
    elif _NAME_BAD.search(name) or len(name) > NAME_MAX or not _NAME_OK.match(name):
        r.add(
            "name.invalid",
            E,
            "name",
            f"姓名应为不超过 {NAME_MAX} 个字的汉字（少数民族姓名可含“·”），"
            "不能含数字、字母或符号，请核对。",
        )


def _check_derived(r: _Row) -> None:
    p = r.person
    gender = text(r.record.get("gender"))
    if gender and p.id_valid and gender != p.sex:
        r.add(
            "gender.mismatch",
            E,
            "gender",
            f"性别“{gender}”与身份证号码（{p.sex}）不一致，请核对身份证号码或性别。",
        )
    raw_birth = r.record.get("birth_date")
    if raw_birth is not None and p.id_valid:
        try:
            d = parse_date(raw_birth)
        except BadValue:
            d = None
        if d != p.birth_date:
            r.add(
                "birthdate.mismatch",
                E,
                "birth_date",
                f"出生日期与身份证号码（{p.birth_date:%Y-%m-%d}）不一致，请核对。",
            )


def _check_age(r: _Row, policy: Policy) -> None:
    p = r.person
    if not p.id_valid:
        return
    reason = policy.reason_by_name.get(p.unpaid_reason)
    if not p.paid and reason is not None and reason.excluded_from_expected:
        return
    age = idnum.age_on(p.id_number, policy.age_reference_date)
    assert age is not None
    ref = f"{policy.age_reference_date:%Y-%m-%d}"
    if age < policy.age_min:
        r.add(
            "age.under_min",
            E,
            "id_number",
            f"按身份证号码，此人在 {ref} 未满 {policy.age_min} 周岁，不能参保缴费，请核对。",
        )
    elif age > policy.age_max:
        r.add(
            "age.over_max",
            E,
            "id_number",
            f"按身份证号码，此人在 {ref} 已满 {policy.age_max + 1} 周岁，应领取待遇而不是缴费；"
            "请核对，或在未缴原因中选择“已领取待遇”。",
        )


def _money(r: _Row, key: str) -> int | None:
    try:
        return parse_money(r.record.get(key))
    except BadValue:
        r.add(
            "amount.invalid" if key != "tier" else "tier.invalid",
            E,
            key,
            f"{_h(key)}应为整数金额（元），如 300，请核对。",
        )
        raise


def _check_payment(r: _Row, policy: Policy) -> None:
    p, rec = r.person, r.record
    p.enrollment = text(rec.get("enrollment"))
    if p.enrollment and p.enrollment not in policy.enrollment_types:
        r.add(
            "enrollment.invalid",
            E,
            "enrollment",
            f"参保类型只能是{'或'.join(policy.enrollment_types)}，请从下拉列表选择。",
        )
    cat_text = text(rec.get("category"))
    p.category = cat_text or policy.default_category
    category = policy.category_by_name.get(p.category)
    if category is None:
        r.add(
            "category.invalid",
            E,
            "category",
            f"人员类别“{cat_text}”不在政策规定的类别中，请从下拉列表选择。",
        )
    try:
        p.last_tier = parse_money(rec.get("last_tier"))
    except BadValue:
        p.last_tier = None
    p.unpaid_reason = text(rec.get("unpaid_reason"))
    if p.unpaid_reason and p.unpaid_reason not in policy.reason_by_name:
        r.add(
            "reason.invalid",
            E,
            "unpaid_reason",
            f"未缴原因“{p.unpaid_reason}”不在列表中，请从下拉列表选择。",
        )
    p.paid = any(rec.get(k) is not None for k in PAYMENT_KEYS)
    if not p.paid:
        if not p.unpaid_reason:
            r.add(
                "unpaid.no_reason",
                W,
                "unpaid_reason",
                "此人本年尚未缴费，请选择未缴原因（如外出联系不上、已领取待遇）。",
            )
        return
    if p.unpaid_reason:
        r.add(
            "unpaid.reason_on_paid",
            W,
            "unpaid_reason",
            "此行已有缴费信息，却填了未缴原因；已缴费的请清空未缴原因。",
        )
    tier_ok = False
    for key in ("tier", "amount", "pay_date"):
        # a column missing from the sheet is reported once (template.column_missing), not per row
        if (
            r.roster.has_column(key)
            and rec.get(key) is None
            and BY_KEY[key].required is Required.PAID
        ):
            r.add("required.missing", E, key, f"已缴费的人员必须填写{_h(key)}，请补填。")
    try:
        p.tier = _money(r, "tier")
    except BadValue:
        p.tier = None
    if p.tier is not None:
        tier = policy.tier_by_amount.get(p.tier)
        if tier is None:
            shown = "、".join(str(t.amount) for t in policy.tiers)
            r.add(
                "tier.invalid", E, "tier", f"{p.tier} 元不是本年度的缴费档次，可选档次：{shown}。"
            )
        elif category is not None and not tier.allowed_for(category.name):
            r.add(
                "tier.restricted",
                E,
                "tier",
                f"{p.tier} 元档次仅限{'、'.join(tier.restricted_to)}选择，"
                f"“{category.name}”人员请选择其他档次。",
            )
        elif (
            category is not None
            and not category.may_choose_higher
            and tier.amount > max(category.government_pays, policy.tiers[0].amount)
        ):
            r.add(
                "tier.restricted",
                E,
                "tier",
                f"按政策“{category.name}”人员不能自选更高档次，"
                f"请填 {max(category.government_pays, policy.tiers[0].amount)} 元档次。",
            )
        else:
            tier_ok = category is not None
    try:
        p.amount = _money(r, "amount")
    except BadValue:
        p.amount = None
    due = None
    if tier_ok and category is not None and p.tier is not None:
        due = max(p.tier - category.government_pays, 0)
        if p.amount is not None and p.amount != due:
            extra = (
                f"（政府代缴 {category.government_pays} 元）" if category.government_pays else ""
            )
            r.add(
                "amount.mismatch",
                E,
                "amount",
                f"{p.tier} 元档次{extra}本人应缴 {due} 元，实缴金额却是 {p.amount} 元，请核对。",
            )
    _check_method(r, policy, due if due is not None else p.amount)
    _check_date(r, policy)


def _check_method(r: _Row, policy: Policy, personal: int | None) -> None:
    p, rec = r.person, r.record
    p.method = text(rec.get("method"))
    p.receipt = SPACES.sub("", text(rec.get("receipt")))
    if not p.method:
        if personal and r.roster.has_column("method"):
            r.add(
                "required.missing", E, "method", "本人有缴费金额，必须填写缴费方式（线上/线下）。"
            )
        return
    method = policy.method_by_name.get(p.method)
    if method is None:
        names = "或".join(m.name for m in policy.payment_methods)
        r.add(
            "method.invalid",
            E,
            "method",
            f"缴费方式“{p.method}”不对，只能填{names}（现金交给协办员的选“线下”）。",
        )
    elif method.receipt_required and not p.receipt:
        r.add(
            "receipt.missing",
            E,
            "receipt",
            f"{method.name}缴费必须填写收据号，请按开给缴费人的收据补填。",
        )


def _check_date(r: _Row, policy: Policy) -> None:
    p, raw = r.person, r.record.get("pay_date")
    try:
        p.pay_date = parse_date(raw)
    except BadValue:
        r.add(
            "date.invalid", E, "pay_date", "缴费日期不是可识别的日期，请填写如 2024-05-06 的日期。"
        )
        return
    if p.pay_date is None:
        return
    start, end = policy.collection_start, policy.collection_end
    if not start <= p.pay_date <= end:
        r.add(
            "date.outside_window",
            W,
            "pay_date",
            f"缴费日期 {p.pay_date:%Y-%m-%d} 不在集中缴费期 {start:%Y-%m-%d} 至 "
            f"{end:%Y-%m-%d} 内，请核对。",
        )


def _mask_phone(s: str) -> str:
    return s[:3] + "*" * max(len(s) - 5, 1) + s[-2:] if len(s) > 5 else s


def _check_phone(r: _Row) -> None:
    raw = r.record.get("phone")
    r.person.phone = phone_text(raw)
    if raw is not None and not phone_ok(r.person.phone):
        r.add(
            "phone.invalid",
            W,
            "phone",
            "联系电话应为 11 位手机号或带区号的固定电话（如 0530-7221234），请核对。",
            value=_mask_phone(r.person.phone),
        )


def _check_backpay(r: _Row, policy: Policy) -> None:
    p, rec = r.person, r.record
    bp = policy.backpay
    raw_years, raw_amount = rec.get("backpay_years"), rec.get("backpay_amount")
    if raw_years is None and raw_amount is None:
        return
    span = f"{bp.earliest_year}—{bp.latest_year}"
    key = "backpay_years"  # the cell being parsed, named by the finding when it fails
    try:
        p.backpay_years = parse_years(raw_years)
        key = "backpay_amount"
        p.backpay_amount = parse_money(raw_amount)
    except BadValue:
        r.add(
            "backpay.invalid",
            E,
            key,
            "补缴年度或补缴金额无法识别，年度请写如 2022 或 2021,2022，金额写整数元。",
        )
        return
    if not p.backpay_years:
        r.add("backpay.invalid", E, "backpay_years", "填了补缴金额却没有补缴年度，请补填年度。")
        return
    bad = [y for y in p.backpay_years if not bp.earliest_year <= y <= bp.latest_year]
    if bad:
        r.add(
            "backpay.invalid",
            E,
            "backpay_years",
            f"补缴年度 {bad[0]} 不可补缴：只能补缴 {span} 年度（本年度 {policy.year} "
            "请按正常缴费填写）。",
        )
        return
    n = len(p.backpay_years)
    if not p.backpay_amount:
        r.add("backpay.invalid", E, "backpay_amount", "填了补缴年度却没有补缴金额，请补填。")
    elif bp.per_year_must_be_tier and (
        p.backpay_amount % n or p.backpay_amount // n not in policy.tier_by_amount
    ):
        r.add(
            "backpay.invalid",
            E,
            "backpay_amount",
            f"补缴 {n} 个年度共 {p.backpay_amount} 元，每年的金额应为一个缴费档次，请核对。",
        )


def check_record(roster: Roster, record: Record, policy: Policy, today: dt.date) -> Person:
    """Validate one record on its own (cross-row rules are in :func:`check_roster`)."""
    p = Person(row=record.row, seq=text(record.get("seq")), group=text(record.get("group")))
    r = _Row(roster, record, p)
    _check_name(r)
    _check_id(r, policy, today)
    _check_payment(r, policy)
    _check_age(r, policy)
    _check_derived(r)
    _check_phone(r)
    _check_backpay(r, policy)
    return p


def _check_columns(roster: Roster) -> list[Finding]:
    out = []
    for key in (*PAYMENT_KEYS, "method"):
        if not roster.has_column(key):
            out.append(
                Finding(
                    "template.column_missing",
                    E,
                    roster.sheet,
                    roster.header_row,
                    _h(key),
                    "",
                    f"表头中缺少“{_h(key)}”列，无法核对缴费信息；请使用标准模板或补上该列。",
                )
            )
    return out


def _duplicates(roster: Roster, people: list[Person]) -> None:
    first_id: dict[str, int] = {}
    first_receipt: dict[str, int] = {}
    for p in people:
        numeric = any(f.code == "id.numeric" for f in p.findings)  # digits lost: not comparable
        if p.id_number and not numeric and idnum.has_valid_format(p.id_number):
            if p.id_number in first_id:
                p.findings.append(
                    Finding(
                        "id.duplicate",
                        E,
                        roster.sheet,
                        p.row,
                        _h("id_number"),
                        idnum.mask(p.id_number),
                        f"身份证号码与第 {first_id[p.id_number]} 行重复，同一人只能登记一次；"
                        "请删除重复行或核对号码。",
                    )
                )
            else:
                first_id[p.id_number] = p.row
        if p.paid and p.receipt:
            if p.receipt in first_receipt:
                p.findings.append(
                    Finding(
                        "receipt.duplicate",
                        E,
                        roster.sheet,
                        p.row,
                        _h("receipt"),
                        p.receipt,
                        f"收据号与第 {first_receipt[p.receipt]} 行重复，每张收据只能对应一人，请核对。",
                    )
                )
            else:
                first_receipt[p.receipt] = p.row


def check_roster(roster: Roster, policy: Policy, *, today: dt.date | None = None) -> Checked:
    """Validate every record of a roster; findings are sorted by row then column order."""
    today = today or dt.date.today()
    people = [check_record(roster, rec, policy, today) for rec in roster.records]
    _duplicates(roster, people)
    order = {c.header: i for i, c in enumerate(BY_KEY.values())}
    columns = sorted(_check_columns(roster), key=lambda f: order.get(f.column, 0))
    findings = list(roster.findings) + columns
    for p in people:
        p.findings.sort(key=lambda f: order.get(f.column, 0))
        findings.extend(p.findings)
    return Checked(roster=roster, people=people, findings=findings)
