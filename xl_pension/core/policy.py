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
from .errors import PolicyError
from .policy_intake import CountyListRules, Declaration, parse_county_list, parse_declaration

DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "policies" / "dongming-2024.toml"
LOWEST_TIER = "lowest_tier"


@dataclass(frozen=True)
class Township:
    """A township-level unit (乡镇/街道) with its 9-digit statistical code."""

    code: str
    name: str


@dataclass(frozen=True)
class Tier:
    """A payment tier (缴费档次): yearly amount, subsidy, and who may choose it."""

    amount: int
    subsidy: int
    restricted_to: tuple[str, ...] = ()

    def allowed_for(self, category: str) -> bool:
        """True when a person of ``category`` may choose this tier."""
        return not self.restricted_to or category in self.restricted_to


@dataclass(frozen=True)
class Category:
    """A person category (人员类别) and what the government pays on its behalf (代缴)."""

    name: str
    government_pays: int
    government_pays_rule: str
    subsidy_on_government_part: bool
    may_choose_higher: bool

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
    tiers: tuple[Tier, ...]
    categories: tuple[Category, ...]
    backpay: Backpay
    enrollment_types: tuple[str, ...]
    payment_methods: tuple[PaymentMethod, ...]
    unpaid_reasons: tuple[UnpaidReason, ...]
    pension: Pension
    channels: tuple[Channel, ...] = ()
    path: str = ""
    county_list: CountyListRules = field(default_factory=CountyListRules)
    declaration: Declaration = field(default_factory=Declaration)

    @cached_property
    def tier_by_amount(self) -> dict[int, Tier]:
        """Tiers keyed by their yearly amount."""
        return {t.amount: t for t in self.tiers}

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
            "enrollment_types": list(self.enrollment_types),
            "categories": [c.name for c in self.categories],
            "tiers": [str(t.amount) for t in self.tiers],
            "payment_methods": [m.name for m in self.payment_methods],
            "unpaid_reasons": [r.name for r in self.unpaid_reasons],
            "genders": ["男", "女"],
        }
        return lists[source]


class _Reader:
    """Typed access into the parsed TOML with key paths in every error."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file

    def fail(self, path: str, what: str) -> PolicyError:
        return cat.POLICY_INVALID.error(file=self.file, path=path, what=what)

    def get(self, table: dict[str, Any], key: str, path: str) -> Any:
        if not isinstance(table, dict) or key not in table:
            raise self.fail(path, "缺失")
        return table[key]

    def str_(self, table: dict[str, Any], key: str, path: str) -> str:
        value = self.get(table, key, path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "必须是非空文字")
        return value.strip()

    def int_(self, table: dict[str, Any], key: str, path: str, *, minimum: int = 0) -> int:
        value = self.get(table, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            what = "必须是非负整数" if minimum == 0 else f"必须是不小于 {minimum} 的整数"
            raise self.fail(path, what)
        return value

    def bool_(self, table: dict[str, Any], key: str, path: str) -> bool:
        value = self.get(table, key, path)
        if not isinstance(value, bool):
            raise self.fail(path, "必须是 true 或 false")
        return value

    def date_(self, table: dict[str, Any], key: str, path: str) -> dt.date:
        value = self.get(table, key, path)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(path, "必须是日期（如 2024-04-01）")
        return value

    def table(self, table: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = self.get(table, key, path)
        if not isinstance(value, dict):
            raise self.fail(path, "必须是一个表")
        return value

    def list_(self, table: dict[str, Any], key: str, path: str, *, empty_ok: bool = False) -> list:
        value = self.get(table, key, path)
        if not isinstance(value, list) or (not value and not empty_ok):
            raise self.fail(path, "必须是非空列表")
        return value

    def str_list(self, table: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        items = self.list_(table, key, path)
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{path}[{i}]", "必须是非空文字")
            out.append(item.strip())
        self.unique(out, path)
        return tuple(out)

    def unique(self, values: list, path: str, key: str = "") -> None:
        seen = set()
        for i, v in enumerate(values):
            if v in seen:
                raise self.fail(f"{path}[{i}]{key}", f"与前面的项目重复（{v}）")
            seen.add(v)


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


def parse_policy(data: dict[str, Any], file: str = "<policy>") -> Policy:
    """Check parsed TOML data and build a :class:`Policy`; errors name the key path."""
    r = _Reader(data, file)
    county = r.table(data, "county", "county")
    collection = r.table(data, "collection", "collection")
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

    categories = []
    raw_categories = r.list_(data, "categories", "categories")
    raw_tiers = r.list_(data, "tiers", "tiers")
    tier_amounts = []
    for i, t in enumerate(raw_tiers):
        tier_amounts.append(r.int_(t, "amount", f"tiers[{i}].amount", minimum=1))
    r.unique(tier_amounts, "tiers", ".amount")
    if tier_amounts != sorted(tier_amounts):
        raise r.fail("tiers", "必须按金额从小到大排列")
    lowest = tier_amounts[0]

    for i, c in enumerate(raw_categories):
        p = f"categories[{i}]"
        name = r.str_(c, "name", f"{p}.name")
        pays = r.get(c, "government_pays", f"{p}.government_pays")
        if pays == LOWEST_TIER:
            amount, rule = lowest, LOWEST_TIER
        elif isinstance(pays, int) and not isinstance(pays, bool) and pays >= 0:
            amount, rule = pays, "fixed"
        else:
            raise r.fail(f"{p}.government_pays", '必须是非负整数或 "lowest_tier"')
        if amount > tier_amounts[-1]:
            raise r.fail(f"{p}.government_pays", "不能高于最高档次")
        categories.append(
            Category(
                name=name,
                government_pays=amount,
                government_pays_rule=rule,
                subsidy_on_government_part=r.bool_(
                    c, "subsidy_on_government_part", f"{p}.subsidy_on_government_part"
                ),
                may_choose_higher=r.bool_(c, "may_choose_higher", f"{p}.may_choose_higher"),
            )
        )
    r.unique([c.name for c in categories], "categories", ".name")
    category_names = {c.name for c in categories}

    tiers = []
    for i, t in enumerate(raw_tiers):
        p = f"tiers[{i}]"
        restricted: tuple[str, ...] = ()
        if "restricted_to" in t:
            restricted = r.str_list(t, "restricted_to", f"{p}.restricted_to")
            for j, name in enumerate(restricted):
                if name not in category_names:
                    raise r.fail(f"{p}.restricted_to[{j}]", f"不是已定义的人员类别（{name}）")
        tiers.append(
            Tier(
                amount=tier_amounts[i],
                subsidy=r.int_(t, "subsidy", f"{p}.subsidy"),
                restricted_to=restricted,
            )
        )

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

    year = r.int_(data, "year", "year", minimum=2000)
    start = r.date_(collection, "start", "collection.start")
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
        tiers=tuple(tiers),
        categories=tuple(categories),
        backpay=Backpay(
            subsidy=r.bool_(backpay_t, "subsidy", "backpay.subsidy"),
            earliest_year=earliest,
            latest_year=latest,
            per_year_must_be_tier=r.bool_(
                backpay_t, "per_year_must_be_tier", "backpay.per_year_must_be_tier"
            ),
        ),
        enrollment_types=r.str_list(data, "enrollment_types", "enrollment_types"),
        payment_methods=tuple(methods),
        unpaid_reasons=tuple(reasons),
        pension=_pension(r, data, age_max),
        channels=_channels(r, data, {m.name for m in methods}),
        path=file,
        county_list=parse_county_list(r, data, category_names),
        declaration=parse_declaration(r, data),
    )


def _pension(r: _Reader, data: dict[str, Any], age_max: int) -> Pension:
    """The ``[pension]`` table: pension age (above the paying ages) and the minimum years."""
    table = r.table(data, "pension", "pension")
    age = r.int_(table, "age", "pension.age", minimum=1)
    if age <= age_max:
        raise r.fail("pension.age", f"必须大于可缴费的最高年龄 age.max（{age_max}）")
    return Pension(age=age, min_years=r.int_(table, "min_years", "pension.min_years", minimum=1))


def _channels(r: _Reader, data: dict[str, Any], methods: set[str]) -> tuple[Channel, ...]:
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
