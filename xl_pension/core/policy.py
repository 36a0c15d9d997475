"""County-year policy: tiers, subsidies, 代缴 categories, dates, methods and reasons.

Every number the software uses comes from a TOML policy file, read with the stdlib ``tomllib``
into frozen dataclasses. A broken file raises :class:`PolicyError` whose message names the key
path, e.g. ``tiers[3].subsidy 必须是非负整数``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import catalogue as cat
from .policy_extras import (
    KeyGroupRules,
    NoticeRules,
    TopUp,
    parse_key_groups,
    parse_notice_rules,
    parse_topup,
)
from .policy_intake import CountyListRules, Declaration, parse_county_list, parse_declaration
from .policy_reader import PolicyReader
from .tiers import Tier, TierSchedule, parse_schedules, schedule_on, schedules_in_year

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "policies" / "dongming-2024.toml"
LOWEST_TIER = "lowest_tier"
INCLUSIVE, ADDITIVE = "inclusive", "additive"
DAIJIAO_MODELS = (INCLUSIVE, ADDITIVE)
__all__ = ["Tier", "TierSchedule"]  # re-exported: callers take the tier types from the policy


@dataclass(frozen=True)
class Township:
    """A township-level unit (乡镇/街道) with its 9-digit statistical code."""

    code: str
    name: str


@dataclass(frozen=True)
class Category:
    """A person category (人员类别) and what the government pays on its behalf (代缴)."""

    name: str
    government_pays: int
    government_pays_rule: str
    subsidy_on_government_part: bool
    may_choose_higher: bool
    model: str = INCLUSIVE  # "inclusive" | "additive", see the policy file

    @property
    def is_additive(self) -> bool:
        """True when 代缴 is paid on top of the person's own tier (additive model)."""
        return self.model == ADDITIVE

    @property
    def is_government_paid(self) -> bool:
        """True for 代缴 categories (the government pays part of the tier)."""
        return self.government_pays > 0


DECLARED_BY = ("operator", "self")  # who declares a payment to the e-tax bureau


@dataclass(frozen=True)
class PaymentMethod:
    """A payment method (缴费方式), whether a receipt number is required, and who declares it
    to the e-tax bureau: ``"operator"`` (the tax operator, from the 缴费人清单) or ``"self"``."""

    name: str
    receipt_required: bool
    declared_by: str = "operator"

    @property
    def declared_by_operator(self) -> bool:
        """True when the operator's 批量申报清单 lists payments made this way."""
        return self.declared_by == "operator"


@dataclass(frozen=True)
class Channel:
    """A way to pay without the village agent (微信, 支付宝, bank counter ...), for the publicity.

    ``method`` is the payment method (缴费方式) such a payment is recorded as.
    """

    name: str
    how: str
    method: str


@dataclass(frozen=True)
class Pension:
    """When the pension is paid: from ``age`` after at least ``min_years`` of contributions."""

    age: int
    min_years: int


@dataclass(frozen=True)
class UnpaidReason:
    """A reason for not paying (未缴原因); some remove the person from 应缴人数."""

    name: str
    excluded_from_expected: bool


@dataclass(frozen=True)
class Backpay:
    """Rules for back payments (补缴) of earlier years."""

    subsidy: bool
    earliest_year: int
    latest_year: int
    per_year_must_be_tier: bool


@dataclass(frozen=True)
class Policy:
    """One county-year policy, loaded from a TOML file."""

    id: str
    title: str
    year: int
    source_note: str
    county_code: str
    county_name: str
    city: str
    province: str
    known_area_codes: tuple[str, ...]
    townships: tuple[Township, ...]
    collection_start: dt.date
    collection_end: dt.date
    age_min: int
    age_max: int
    age_reference_date: dt.date
    notice_days: int
    notice_day_kind: str
    tier_schedules: tuple[TierSchedule, ...]
    categories: tuple[Category, ...]
    category_precedence: tuple[str, ...]
    backpay: Backpay
    topup: TopUp
    key_group_rules: KeyGroupRules
    enrollment_types: tuple[str, ...]
    payment_methods: tuple[PaymentMethod, ...]
    unpaid_reasons: tuple[UnpaidReason, ...]
    pension: Pension
    channels: tuple[Channel, ...] = ()
    path: str = ""
    county_list: CountyListRules = field(default_factory=CountyListRules)
    declaration: Declaration = field(default_factory=Declaration)
    notice_rules: NoticeRules = field(default_factory=NoticeRules)

    def schedule_on(self, day: dt.date) -> TierSchedule | None:
        """The tier schedule in force on ``day`` (``None`` before the first one)."""
        return schedule_on(self.tier_schedules, day)

    def tiers_on(self, day: dt.date) -> tuple[Tier, ...]:
        """The tiers in force on ``day`` (empty before the first schedule)."""
        schedule = self.schedule_on(day)
        return schedule.tiers if schedule else ()

    @cached_property
    def schedule(self) -> TierSchedule:
        """This year's schedule: the one in force on the collection start (checked on load)."""
        found = self.schedule_on(self.collection_start)
        assert found is not None
        return found

    @property
    def tiers(self) -> tuple[Tier, ...]:
        """The tiers of this year's collection (the schedule in force on the collection start)."""
        return self.schedule.tiers

    @property
    def tier_by_amount(self) -> dict[int, Tier]:
        """This year's tiers keyed by their yearly amount."""
        return self.schedule.tier_by_amount

    def backpay_tiers(self, year: int) -> tuple[Tier, ...]:
        """The tiers a 补缴 of ``year`` may be paid at: every schedule in force during that year
        (latest first, each amount once)."""
        seen: dict[int, Tier] = {}
        for s in schedules_in_year(self.tier_schedules, year):
            for t in s.tiers:
                seen.setdefault(t.amount, t)
        return tuple(sorted(seen.values(), key=lambda t: t.amount))

    def backpay_tier(self, year: int, amount: int) -> Tier | None:
        """The tier of ``amount`` yuan for a 补缴 of ``year``, ``None`` if it was no tier then."""
        return next((t for t in self.backpay_tiers(year) if t.amount == amount), None)

    def primary_category(self, names: list[str]) -> str:
        """Of several identities of one person, the one whose 代缴 applies (by precedence)."""
        for name in self.category_precedence:
            if name in names:
                return name
        return names[0]

    @cached_property
    def category_by_name(self) -> dict[str, Category]:
        """Categories keyed by name."""
        return {c.name: c for c in self.categories}

    @cached_property
    def method_by_name(self) -> dict[str, PaymentMethod]:
        """Payment methods keyed by name."""
        return {m.name: m for m in self.payment_methods}

    @cached_property
    def reason_by_name(self) -> dict[str, UnpaidReason]:
        """Unpaid reasons keyed by name."""
        return {r.name: r for r in self.unpaid_reasons}

    @cached_property
    def township_by_name(self) -> dict[str, Township]:
        """Townships keyed by name."""
        return {t.name: t for t in self.townships}

    @property
    def default_category(self) -> str:
        """The category assumed when the cell is empty (the first one listed)."""
        return self.categories[0].name

    def dropdown(self, source: str) -> list[str]:
        """The values of a dropdown list named by a schema column's ``dropdown`` source."""
        lists: dict[str, list[str]] = {
            "enrollment_types": list(self.enrollment_types)
            + ([self.topup.enrollment_type] if self.topup.allowed else []),
            "categories": [c.name for c in self.categories],
            "tiers": [str(t.amount) for t in self.tiers],
            "payment_methods": [m.name for m in self.payment_methods],
            "unpaid_reasons": [r.name for r in self.unpaid_reasons],
            "genders": ["男", "女"],
        }
        return lists[source]


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and check a policy file; ``None`` loads the packaged Dongming 2024 policy."""
    file = Path(path) if path is not None else DEFAULT_POLICY_PATH
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8-sig"))  # Notepad may add a BOM
    except FileNotFoundError:
        raise cat.POLICY_MISSING.error(file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise cat.POLICY_UNREADABLE.error(file=file, reason=exc) from None
    except tomllib.TOMLDecodeError as exc:
        raise cat.POLICY_INVALID.error("toml", file=file, reason=exc) from None
    return parse_policy(data, str(file))


def _parse_categories(
    r: PolicyReader, raw_categories: list, this_year: TierSchedule
) -> tuple[Category, ...]:
    """The categories; "lowest_tier" is the lowest tier of this year's schedule."""
    categories = []
    for i, c in enumerate(raw_categories):
        p = f"categories[{i}]"
        pays = r.get(c, "government_pays", f"{p}.government_pays")
        if pays == LOWEST_TIER:
            amount, rule = this_year.tiers[0].amount, LOWEST_TIER
        elif isinstance(pays, int) and not isinstance(pays, bool) and pays >= 0:
            amount, rule = pays, "fixed"
        else:
            raise r.fail(f"{p}.government_pays", '必须是非负整数或 "lowest_tier"')
        if amount > this_year.tiers[-1].amount:
            raise r.fail(f"{p}.government_pays", "不能高于最高档次")
        model = c.get("model", INCLUSIVE) if isinstance(c, dict) else INCLUSIVE
        if model not in DAIJIAO_MODELS:
            raise r.fail(
                f"{p}.model", '必须是 "inclusive"（代缴计入所选档次）或 "additive"（代缴另加）'
            )
        categories.append(
            Category(
                name=r.str_(c, "name", f"{p}.name"),
                government_pays=amount,
                government_pays_rule=rule,
                subsidy_on_government_part=r.bool_(
                    c, "subsidy_on_government_part", f"{p}.subsidy_on_government_part"
                ),
                may_choose_higher=r.bool_(c, "may_choose_higher", f"{p}.may_choose_higher"),
                model=model,
            )
        )
    return tuple(categories)


def _parse_precedence(
    r: PolicyReader, data: dict[str, Any], categories: tuple[Category, ...]
) -> tuple[str, ...]:
    """The category precedence: known names, every 代缴 category listed."""
    paid_by_government = [c.name for c in categories if c.is_government_paid]
    if "category_precedence" not in data:
        return tuple(paid_by_government)
    order = r.str_list(data, "category_precedence", "category_precedence")
    names = {c.name for c in categories}
    for i, name in enumerate(order):
        if name not in names:
            raise r.fail(f"category_precedence[{i}]", f"不是已定义的人员类别（{name}）")
    missing = [n for n in paid_by_government if n not in order]
    if missing:
        raise r.fail("category_precedence", f"缺少代缴类别（{'、'.join(missing)}）")
    return order


def parse_policy(data: dict[str, Any], file: str = "<policy>") -> Policy:
    """Check parsed TOML data and build a :class:`Policy`; errors name the key path."""
    r = PolicyReader(data, file)
    county = r.table(data, "county", "county")
    age = r.table(data, "age", "age")
    notice = r.table(data, "notice", "notice")
    backpay_t = r.table(data, "backpay", "backpay")

    townships = []
    for i, t in enumerate(r.list_(county, "townships", "county.townships")):
        p = f"county.townships[{i}]"
        code = r.str_(t, "code", f"{p}.code")
        if not (code.isdigit() and len(code) == 9):
            raise r.fail(f"{p}.code", "必须是 9 位数字的乡镇统计代码")
        townships.append(Township(code=code, name=r.str_(t, "name", f"{p}.name")))
    r.unique([t.name for t in townships], "county.townships", ".name")

    raw_categories = r.list_(data, "categories", "categories")
    names = [r.str_(c, "name", f"categories[{i}].name") for i, c in enumerate(raw_categories)]
    r.unique(names, "categories", ".name")
    schedules = parse_schedules(r, data, set(names))
    collection = r.table(data, "collection", "collection")
    start = r.date_(collection, "start", "collection.start")
    this_year = schedule_on(schedules, start)
    if this_year is None:
        raise r.fail("tier_schedules", f"没有在 collection.start（{start}）时有效的档次表")
    categories = _parse_categories(r, raw_categories, this_year)
    precedence = _parse_precedence(r, data, categories)

    methods = []
    for i, m in enumerate(r.list_(data, "payment_methods", "payment_methods")):
        p = f"payment_methods[{i}]"
        receipt = r.bool_(m, "receipt_required", f"{p}.receipt_required")
        declared_by = "operator" if receipt else "self"  # default: cash with a receipt
        if "declared_by" in m:
            declared_by = r.str_(m, "declared_by", f"{p}.declared_by")
            if declared_by not in DECLARED_BY:
                raise r.fail(
                    f"{p}.declared_by", '必须是 "operator"（税务专管员申报）或 "self"（本人）'
                )
        methods.append(
            PaymentMethod(
                name=r.str_(m, "name", f"{p}.name"),
                receipt_required=receipt,
                declared_by=declared_by,
            )
        )
    r.unique([m.name for m in methods], "payment_methods", ".name")

    reasons = []
    for i, m in enumerate(r.list_(data, "unpaid_reasons", "unpaid_reasons")):
        p = f"unpaid_reasons[{i}]"
        reasons.append(
            UnpaidReason(
                name=r.str_(m, "name", f"{p}.name"),
                excluded_from_expected=r.bool_(
                    m, "excluded_from_expected", f"{p}.excluded_from_expected"
                ),
            )
        )
    r.unique([m.name for m in reasons], "unpaid_reasons", ".name")

    enrollment = r.str_list(data, "enrollment_types", "enrollment_types")
    year = r.int_(data, "year", "year", minimum=2000)
    end = r.date_(collection, "end", "collection.end")
    if end < start:
        raise r.fail("collection.end", "不能早于 collection.start")
    age_min = r.int_(age, "min", "age.min")
    age_max = r.int_(age, "max", "age.max")
    if age_max < age_min:
        raise r.fail("age.max", "不能小于 age.min")
    day_kind = r.str_(notice, "day_kind", "notice.day_kind")
    if day_kind not in ("calendar", "working"):
        raise r.fail("notice.day_kind", '必须是 "calendar" 或 "working"')
    earliest = r.int_(backpay_t, "earliest_year", "backpay.earliest_year", minimum=1990)
    latest = r.int_(backpay_t, "latest_year", "backpay.latest_year", minimum=1990)
    if latest >= year:
        raise r.fail("backpay.latest_year", f"必须早于政策年度 {year}")
    if earliest > latest:
        raise r.fail("backpay.earliest_year", "不能晚于 backpay.latest_year")
    if schedules[0].start > dt.date(earliest, 1, 1):
        raise r.fail(
            "tier_schedules",
            f"最早的档次表（{schedules[0].start}）晚于可补缴的最早年度 {earliest} 年 1 月 1 日，"
            "补缴年度无档次可依",
        )
    county_code = r.str_(county, "code", "county.code")
    if not (county_code.isdigit() and len(county_code) == 6):
        raise r.fail("county.code", "必须是 6 位数字的县级区划代码")
    area_codes = r.str_list(county, "known_area_codes", "county.known_area_codes")
    for i, code in enumerate(area_codes):
        if not (code.isdigit() and len(code) == 6):
            raise r.fail(f"county.known_area_codes[{i}]", "必须是 6 位数字")

    return Policy(
        id=r.str_(data, "id", "id"),
        title=r.str_(data, "title", "title"),
        year=year,
        source_note=str(data.get("source_note", "")),
        county_code=county_code,
        county_name=r.str_(county, "name", "county.name"),
        city=r.str_(county, "city", "county.city"),
        province=r.str_(county, "province", "county.province"),
        known_area_codes=area_codes,
        townships=tuple(townships),
        collection_start=start,
        collection_end=end,
        age_min=age_min,
        age_max=age_max,
        age_reference_date=r.date_(age, "reference_date", "age.reference_date"),
        notice_days=r.int_(notice, "days", "notice.days", minimum=1),
        notice_day_kind=day_kind,
        tier_schedules=schedules,
        categories=categories,
        category_precedence=precedence,
        backpay=Backpay(
            subsidy=r.bool_(backpay_t, "subsidy", "backpay.subsidy"),
            earliest_year=earliest,
            latest_year=latest,
            per_year_must_be_tier=r.bool_(
                backpay_t, "per_year_must_be_tier", "backpay.per_year_must_be_tier"
            ),
        ),
        topup=parse_topup(r, data, enrollment),
        key_group_rules=parse_key_groups(r, data, age_max),
        enrollment_types=enrollment,
        payment_methods=tuple(methods),
        unpaid_reasons=tuple(reasons),
        pension=_pension(r, data, age_max),
        channels=_channels(r, data, {m.name for m in methods}),
        path=file,
        county_list=parse_county_list(r, data, {c.name for c in categories}),
        declaration=parse_declaration(r, data),
        notice_rules=parse_notice_rules(r, notice),
    )


def _pension(r: PolicyReader, data: dict[str, Any], age_max: int) -> Pension:
    """The ``[pension]`` table: pension age (above the paying ages) and the minimum years."""
    table = r.table(data, "pension", "pension")
    age = r.int_(table, "age", "pension.age", minimum=1)
    if age <= age_max:
        raise r.fail("pension.age", f"必须大于可缴费的最高年龄 age.max（{age_max}）")
    return Pension(age=age, min_years=r.int_(table, "min_years", "pension.min_years", minimum=1))


def _channels(r: PolicyReader, data: dict[str, Any], methods: set[str]) -> tuple[Channel, ...]:
    """The optional ``channels`` list: name, how to pay, and a payment method of the policy."""
    if "channels" not in data:
        return ()
    out = []
    for i, c in enumerate(r.list_(data, "channels", "channels")):
        p = f"channels[{i}]"
        method = r.str_(c, "method", f"{p}.method")
        if method not in methods:
            raise r.fail(f"{p}.method", f"不是已定义的缴费方式（{method}）")
        out.append(Channel(r.str_(c, "name", f"{p}.name"), r.str_(c, "how", f"{p}.how"), method))
    r.unique([c.name for c in out], "channels", ".name")
    return tuple(out)
