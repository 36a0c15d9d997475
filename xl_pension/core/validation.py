"""Roster validation: small rules with stable codes, Chinese messages, and parsed people.

``check_roster`` turns a :class:`Roster` into findings plus one :class:`Person` per record (parsed
as far as the cells allow), so that compute, notices and summaries work on checked values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from . import catalogue as cat
from . import idnum
from .catalogue import FindingType
from .findings import Finding, Severity
from .money import Money, amount_due, government_part
from .policy import Category, Policy
from .roster import Record, Roster
from .schema import BY_KEY, PAYMENT_KEYS, Required
from .topup import is_topup, link_topup, lone_topup
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

# Several identities typed in one 人员类别 cell ("低保对象、脱贫人口"): one 代缴, by precedence.
_CATEGORY_SEPARATORS = re.compile(r"[、,，/;；\s]+")

NAME_MAX = 20
_NAME_BAD = re.compile(r"[0-9A-Za-z]")
# CJK ideographs incl. extensions A-G and 〇, plus the separator dot of minority names
_NAME_OK = re.compile(r"^[\u3007\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•.．]+$")
W = Severity.WARNING


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
    topup_from: int | None = None  # 差额缴费 row: the tier of the person's earlier row
    paid_years: int | None = None  # 累计缴费年限 where the roster has the column (informational)
    findings: list[Finding] = field(default_factory=list)

    @property
    def has_error(self) -> bool:
        """True when any finding on this row is an error."""
        findings = self.findings  # most rows have none: no generator for them
        return bool(findings) and any(f.severity is not W for f in findings)


@dataclass
class Checked:
    """The result of validating one roster."""

    roster: Roster
    people: list[Person]
    findings: list[Finding]
    # each row's money when it was kept with the checked records (app.checked), else None
    money: dict[int, Money | None] | None = None

    def money_of(self, person: Person, policy: Policy) -> Money | None:
        """The money of one of these people (``None``: errors, or nothing paid): as kept with
        the checked records, else computed now by :func:`~xl_pension.core.money.person_money`."""
        if person.has_error:
            return None
        if self.money is not None:
            return self.money[person.row]
        from .money import person_money

        return person_money(person, policy)

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
        self.method_missing_said = False  # 缴费方式 already reported missing on this row

    def add(
        self,
        ftype: FindingType,
        variant: str = "",
        *,
        key: str | None = None,
        value: object = None,
        **fields: object,
    ) -> None:
        """Record a finding of ``ftype`` on this row, about column ``key`` (default: the type's)."""
        key = ftype.column if key is None else key
        shown = value if value is not None else self.record.get(key)
        shown_text = idnum.mask(shown) if key == "id_number" else text(shown)
        self.person.findings.append(
            ftype.at(
                self.roster.sheet, self.record.row, shown_text, key=key, variant=variant, **fields
            )
        )


def _h(key: str) -> str:
    return BY_KEY[key].header


IdProblem = tuple[FindingType, str, dict[str, object]]  # (type, variant, message fields)


def id_problem(raw: object, norm: str, today: dt.date | None = None) -> IdProblem | None:
    """Why a filled ID cell cannot be used (numeric, format, checksum, birth date), else ``None``.

    The one ID check chain of the roster and the county list: ``raw`` is the cell as read,
    ``norm`` its normalised text; with ``today`` a birth date after it is refused too.
    """
    if idnum.was_numeric(raw):
        return cat.ID_NUMERIC, "", {}
    if idnum.is_old_15(norm):
        return cat.ID_FORMAT, "old_15", {}
    if not idnum.has_valid_format(norm):
        return cat.ID_FORMAT, "length", {"length": len(norm)}
    if not idnum.checksum_ok(norm):
        return cat.ID_CHECKSUM, "", {}
    born = idnum.birth_date(norm)
    if born is None:
        return cat.ID_BIRTHDATE, "", {}
    if today is not None and born > today:
        return cat.ID_BIRTHDATE, "future", {"date": f"{born:%Y-%m-%d}"}
    return None


def _check_id(r: _Row, policy: Policy, today: dt.date) -> None:
    raw = r.record.get("id_number")
    p = r.person
    if raw is None:
        r.add(cat.REQUIRED_MISSING, "id_number", key="id_number")
        return
    norm = idnum.normalize(raw)
    p.id_number = norm
    problem = id_problem(raw, norm, today)
    if problem is not None:
        ftype, variant, fields = problem
        r.add(ftype, variant, **fields)
        return
    p.id_valid, p.sex, p.birth_date = True, idnum.sex(norm), idnum.birth_date(norm)
    if not region_known(norm, policy):
        r.add(cat.ID_REGION)


def region_known(norm: str, policy: Policy) -> bool:
    """True when a valid ID's area code is a known county-level code (or one the policy adds)."""
    return idnum.county_known(norm) or norm[:6] in policy.known_area_codes


def _check_name(r: _Row) -> None:
    raw = r.record.get("name")
    name = SPACES.sub("", text(raw))
    r.person.name = name
    if not name:
        r.add(cat.REQUIRED_MISSING, "name", key="name")
    elif _NAME_BAD.search(name) or len(name) > NAME_MAX or not _NAME_OK.match(name):
        r.add(cat.NAME_INVALID, max=NAME_MAX)


def _check_derived(r: _Row) -> None:
    p = r.person
    gender = text(r.record.get("gender"))
    if gender and p.id_valid and gender != p.sex:
        r.add(cat.GENDER_MISMATCH, gender=gender, sex=p.sex)
    raw_birth = r.record.get("birth_date")
    if raw_birth is not None and p.id_valid:
        try:
            d = parse_date(raw_birth)
        except BadValue:
            d = None
        if d != p.birth_date:
            r.add(cat.BIRTHDATE_MISMATCH, born=f"{p.birth_date:%Y-%m-%d}")


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
        r.add(cat.AGE_UNDER_MIN, ref=ref, age=policy.age_min)
    elif age > policy.age_max:
        r.add(cat.AGE_OVER_MAX, ref=ref, age=policy.age_max + 1)


def _money(r: _Row, key: str) -> int | None:
    try:
        return parse_money(r.record.get(key))
    except BadValue:
        if key == "tier":
            r.add(cat.TIER_INVALID, "not_number", key=key)
        else:
            r.add(cat.AMOUNT_INVALID, key=key)
        raise


def category_name(cat_text: str, policy: Policy) -> str:
    """The 人员类别 a (trimmed) cell names: the policy's default when empty, and the first by
    precedence when it names several categories ("低保对象、脱贫人口": one 代缴 per person)."""
    several = [n for n in _CATEGORY_SEPARATORS.split(cat_text) if n]
    if len(several) > 1 and all(n in policy.category_by_name for n in several):
        return policy.primary_category(several)
    return cat_text or policy.default_category


def tier_problem(policy: Policy, category: Category | None, amount: int) -> IdProblem | None:
    """Why 缴费档次 ``amount`` cannot be chosen by a person of ``category`` (not a tier, a tier
    reserved for others, or above what the category may choose), else ``None``."""
    tier = policy.tier_by_amount.get(amount)
    if tier is None:
        shown = "、".join(str(t.amount) for t in policy.tiers)
        return cat.TIER_INVALID, "", {"tier": amount, "tiers": shown}
    if category is None:
        return None
    if not tier.allowed_for(category.name):
        fields = {"tier": amount, "categories": "、".join(tier.restricted_to)}
        return cat.TIER_RESTRICTED, "reserved", {**fields, "category": category.name}
    highest = max(category.government_pays, policy.tiers[0].amount)
    if not category.may_choose_higher and tier.amount > highest:
        return cat.TIER_RESTRICTED, "no_higher", {"category": category.name, "tier": highest}
    return None


def _check_payment(r: _Row, policy: Policy) -> None:
    p, rec = r.person, r.record
    p.enrollment = text(rec.get("enrollment"))
    enrollment_values = policy.dropdown("enrollment_types")  # with the top-up mark if allowed
    if p.enrollment and p.enrollment not in enrollment_values:
        r.add(cat.ENROLLMENT_INVALID, types="或".join(enrollment_values))
    cat_text = text(rec.get("category"))
    p.category = category_name(cat_text, policy)
    category = policy.category_by_name.get(p.category)
    if category is None:
        r.add(cat.CATEGORY_INVALID, category=cat_text)
    try:
        p.last_tier = parse_money(rec.get("last_tier"))
    except BadValue:
        p.last_tier = None
    try:  # informational, from the county's export: an unreadable value is simply not known
        p.paid_years = parse_money(rec.get("paid_years"))
    except BadValue:
        p.paid_years = None
    p.unpaid_reason = text(rec.get("unpaid_reason"))
    if p.unpaid_reason and p.unpaid_reason not in policy.reason_by_name:
        r.add(cat.REASON_INVALID, reason=p.unpaid_reason)
    p.paid = any(rec.get(k) is not None for k in PAYMENT_KEYS)
    if not p.paid:
        if not p.unpaid_reason:
            r.add(cat.UNPAID_NO_REASON)
        return
    if p.unpaid_reason:
        r.add(cat.UNPAID_REASON_ON_PAID)
    tier_ok = False
    for key in ("tier", "amount", "pay_date"):
        # a column missing from the sheet is reported once (template.column_missing), not per row
        if (
            r.roster.has_column(key)
            and rec.get(key) is None
            and BY_KEY[key].required is Required.PAID
        ):
            r.add(cat.REQUIRED_MISSING, "paid", key=key)
    try:
        p.tier = _money(r, "tier")
    except BadValue:
        p.tier = None
    if p.tier is not None:
        problem = tier_problem(policy, category, p.tier)
        if problem is not None:
            ftype, variant, fields = problem
            r.add(ftype, variant, **fields)
        else:
            tier_ok = category is not None
    try:
        p.amount = _money(r, "amount")
    except BadValue:
        p.amount = None
    due = None
    if tier_ok and category is not None and p.tier is not None:
        due = amount_due(category, p.tier)
        government = government_part(category, p.tier)
        topup = policy.topup.allowed and p.enrollment == policy.topup.enrollment_type
        if p.amount is not None and p.amount != due and not topup:  # top-up: across rows
            variant = ""
            if government:
                variant = "additive" if category.is_additive and due else "subsidised"
            r.add(
                cat.AMOUNT_MISMATCH,
                variant,
                tier=p.tier,
                government=government,
                due=due,
                amount=p.amount,
            )
    _check_method(r, policy, due if due is not None else p.amount)
    _check_date(r, policy)


def _check_method(r: _Row, policy: Policy, personal: int | None) -> None:
    p, rec = r.person, r.record
    p.method = text(rec.get("method"))
    p.receipt = SPACES.sub("", text(rec.get("receipt")))
    if not p.method:
        if personal and r.roster.has_column("method"):
            r.add(cat.REQUIRED_MISSING, "method", key="method")
            r.method_missing_said = True
        return
    method = policy.method_by_name.get(p.method)
    if method is None:
        names = "或".join(m.name for m in policy.payment_methods)
        r.add(cat.METHOD_INVALID, method=p.method, names=names)
    elif method.receipt_required and not p.receipt:
        r.add(cat.RECEIPT_MISSING, method=method.name)


def _check_date(r: _Row, policy: Policy) -> None:
    p, raw = r.person, r.record.get("pay_date")
    try:
        p.pay_date = parse_date(raw)
    except BadValue:
        r.add(cat.DATE_INVALID)
        return
    if p.pay_date is None:
        return
    start, end = policy.collection_start, policy.collection_end
    if not start <= p.pay_date <= end:
        r.add(
            cat.DATE_OUTSIDE_WINDOW,
            date=f"{p.pay_date:%Y-%m-%d}",
            start=f"{start:%Y-%m-%d}",
            end=f"{end:%Y-%m-%d}",
        )


def _mask_phone(s: str) -> str:
    return s[:3] + "*" * max(len(s) - 5, 1) + s[-2:] if len(s) > 5 else s


def _check_phone(r: _Row) -> None:
    raw = r.record.get("phone")
    r.person.phone = phone_text(raw)
    if raw is not None and not phone_ok(r.person.phone):
        r.add(cat.PHONE_INVALID, value=_mask_phone(r.person.phone))


def _check_backpay(r: _Row, policy: Policy) -> None:
    p, rec = r.person, r.record
    raw_years, raw_amount = rec.get("backpay_years"), rec.get("backpay_amount")
    if raw_years is None and raw_amount is None:
        return
    p.backpay_years, p.backpay_amount, problem = backpay_of(policy, raw_years, raw_amount)
    if problem is not None:
        variant, key, fields = problem
        r.add(cat.BACKPAY_INVALID, variant, key=key, **fields)


BackpayProblem = tuple[str, str | None, dict[str, object]]  # (variant, column key, fields)


def backpay_of(
    policy: Policy, raw_years: object, raw_amount: object
) -> tuple[tuple[int, ...], int | None, BackpayProblem | None]:
    """The 补缴 years and amount of a row's two cells (as far as they are read) and why they
    cannot be used (a ``backpay.invalid`` variant, the column it names, its fields), else
    ``None``: years of the policy's span, each paid at a tier in force that year."""
    bp = policy.backpay
    years: tuple[int, ...] = ()
    key = "backpay_years"  # the cell being parsed, named by the finding when it fails
    try:
        years = parse_years(raw_years)
        key = "backpay_amount"
        amount = parse_money(raw_amount)
    except BadValue:
        return years, None, ("unreadable", key, {})
    if not years:
        return years, amount, ("no_years", None, {})
    bad = [y for y in years if not bp.earliest_year <= y <= bp.latest_year]
    if bad:
        span = f"{bp.earliest_year}—{bp.latest_year}"
        fields = {"year": bad[0], "span": span, "policy_year": policy.year}
        return years, amount, ("year", None, fields)
    n = len(years)
    if not amount:
        return years, amount, ("no_amount", "backpay_amount", {})
    if not bp.per_year_must_be_tier:
        return years, amount, None
    # each back year is paid at a tier of the schedule(s) in force in that year
    per_year, rest = divmod(amount, n)
    wrong = years[0] if rest else None
    if not rest:
        wrong = next((y for y in years if policy.backpay_tier(y, per_year) is None), None)
    if wrong is None:
        return years, amount, None
    tiers = "、".join(str(t.amount) for t in policy.backpay_tiers(wrong))
    fields = {"years": n, "amount": amount, "year": wrong, "tiers": tiers}
    return years, amount, ("not_tier", "backpay_amount", fields)


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
    _check_backpay_method(r)
    return p


def _check_backpay_method(r: _Row) -> None:
    """A 补缴 is the person's own money: it needs a 缴费方式 even when 代缴 covers this year."""
    p = r.person
    missing = p.backpay_amount and not p.method and not r.method_missing_said
    if missing and r.roster.has_column("method"):
        r.add(cat.REQUIRED_MISSING, "method", key="method")


def _check_columns(roster: Roster) -> list[Finding]:
    out = []
    for key in (*PAYMENT_KEYS, "method"):
        if not roster.has_column(key):
            out.append(cat.TEMPLATE_COLUMN_MISSING.at(roster.sheet, roster.header_row, key=key))
    return out


def _duplicates(roster: Roster, people: list[Person], policy: Policy) -> None:
    first_id: dict[str, Person] = {}
    topped_up: set[str] = set()
    first_receipt: dict[str, int] = {}
    topups, numeric = policy.topup.allowed, cat.ID_NUMERIC.code
    for p in people:
        # a valid ID, or one of the right shape whose digits were not lost (not comparable)
        if p.id_valid or (
            p.id_number
            and not any(f.code == numeric for f in p.findings)
            and idnum.has_valid_format(p.id_number)
        ):
            if topups and is_topup(p, policy) and p.id_number not in topped_up:
                base = first_id.get(p.id_number)
                if base is None:
                    p.findings.append(lone_topup(roster.sheet, p, policy))
                else:
                    p.findings.extend(link_topup(roster.sheet, base, p, policy))
                topped_up.add(p.id_number)
            elif p.id_number in first_id:
                p.findings.append(
                    cat.ID_DUPLICATE.at(
                        roster.sheet,
                        p.row,
                        idnum.mask(p.id_number),
                        first_row=first_id[p.id_number].row,
                    )
                )
            else:
                first_id[p.id_number] = p
        if p.paid and p.receipt:
            if p.receipt in first_receipt:
                p.findings.append(
                    cat.RECEIPT_DUPLICATE.at(
                        roster.sheet, p.row, p.receipt, first_row=first_receipt[p.receipt]
                    )
                )
            else:
                first_receipt[p.receipt] = p.row


def check_identities(roster: Roster, people: list[Person], policy: Policy) -> None:
    """``category.changed`` warnings (see :mod:`.identity`)."""
    from .identity import check_identities as check

    check(roster, people, policy)


def _other_year(roster: Roster, policy: Policy) -> list[Finding]:
    """A warning when the roster's ``_meta`` names another year than the policy's."""
    year = str(roster.meta.get("year", "")).strip()
    if not year.isdigit() or int(year) == policy.year:
        return []
    return [cat.TEMPLATE_YEAR.at(roster.sheet, None, year, year=year, policy_year=policy.year)]


def check_roster(roster: Roster, policy: Policy, *, today: dt.date | None = None) -> Checked:
    """Validate every record of a roster; findings are sorted by row then column order."""
    today = today or dt.date.today()
    people = [check_record(roster, rec, policy, today) for rec in roster.records]
    return finish_check(roster, people, policy)


def finish_check(roster: Roster, people: list[Person], policy: Policy) -> Checked:
    """The cross-row rules (duplicates, top-ups, identities) and the roster's own findings
    over ``people`` checked one by one (by :func:`check_record` or a bulk path that gives
    the same people); findings are sorted by row then column order."""
    _duplicates(roster, people, policy)
    check_identities(roster, people, policy)
    order = {c.header: i for i, c in enumerate(BY_KEY.values())}
    columns = sorted(_check_columns(roster), key=lambda f: order.get(f.column, 0))
    findings = list(roster.findings) + _other_year(roster, policy) + columns

    def by_column(f: Finding) -> int:
        return order.get(f.column, 0)

    for p in people:
        if p.findings:
            p.findings.sort(key=by_column)
            findings.extend(p.findings)
    return Checked(roster=roster, people=people, findings=findings)
