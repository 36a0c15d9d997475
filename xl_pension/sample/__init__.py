"""A generated sample county: village rosters as plain records, with planted mistakes.

Pure domain code (no Excel library). :func:`generate_county` builds, from a fixed seed, plausible
rosters for the first townships of a policy, plants a few realistic mistakes, each designed to
produce exactly one validation finding (code, row, column) and nothing else, and records them as
:class:`PlantedMistake`. Every amount, date, age and list value comes from the
:class:`~xl_pension.core.policy.Policy`; only the mistakes' wrong values are made up here.

Record ``i`` of a village belongs on Excel row ``DATA_START_ROW + i`` of its roster.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass

from ..core import catalogue, idnum, schema
from ..core.money import amount_due
from ..core.policy import Category, PaymentMethod, Policy, Tier, Township
from . import names

DATA_START_ROW: int = schema.DATA_START_ROW  # 3: title on row 1, header on row 2

# Planted mistakes, enumerated from the findings catalogue: (finding type, base row: any, unpaid,
# paid, charged (amount > 0), ordinary (charged and 普通) or offline (charged, 线下)). Each is
# reported on its type's column; required.missing is planted as an empty 缴费日期.
_MISTAKES: tuple[tuple[catalogue.FindingType, str], ...] = (
    (catalogue.ID_CHECKSUM, "any"),
    (catalogue.ID_NUMERIC, "any"),
    (catalogue.ID_DUPLICATE, "any"),
    (catalogue.NAME_INVALID, "any"),
    (catalogue.AGE_OVER_MAX, "paid"),  # unpaid 已领取待遇/在校学生 rows skip the age rules
    (catalogue.AGE_UNDER_MIN, "paid"),
    (catalogue.GENDER_MISMATCH, "any"),
    (catalogue.CATEGORY_INVALID, "unpaid"),
    (catalogue.TIER_INVALID, "ordinary"),
    (catalogue.TIER_RESTRICTED, "ordinary"),
    (catalogue.AMOUNT_MISMATCH, "ordinary"),
    (catalogue.METHOD_INVALID, "charged"),
    (catalogue.RECEIPT_MISSING, "offline"),
    (catalogue.RECEIPT_DUPLICATE, "offline"),
    (catalogue.DATE_OUTSIDE_WINDOW, "paid"),
    (catalogue.REQUIRED_MISSING, "charged"),
    (catalogue.PHONE_INVALID, "any"),
    (catalogue.BACKPAY_INVALID, "paid"),
    (catalogue.UNPAID_NO_REASON, "unpaid"),
)
_PLANTED_COLUMN = {catalogue.REQUIRED_MISSING.code: "pay_date"}  # types without a column
MISTAKE_KEYS: dict[str, str] = {t.code: _PLANTED_COLUMN.get(t.code, t.column) for t, _ in _MISTAKES}
_BASE: dict[str, str] = {t.code: base for t, base in _MISTAKES}
_Pools = tuple[list[dict[str, object]], list[dict[str, object]]]  # (not yet copied, copied)

BAD_PHONE = "1390530123"  # 10 digits
BAD_CATEGORIES = ("五保户", "五保对象", "贫困户")  # the first one not in the policy is used
BAD_METHOD = "现金"
# Relative weights of the tiers a person may choose, by rank (cheapest allowed first); ranks past
# the end weigh 1. With the Dongming tiers this favours 300, 500 and 1000 with a tail to 5000.
TIER_RANK_WEIGHTS: tuple[int, ...] = (50, 20, 4, 4, 12, 3, 2, 1, 1, 1, 1)


@dataclass(frozen=True)
class PlantedMistake:
    """One deliberate mistake in the sample county and the finding it must produce."""

    township: str  # township name
    village: str  # village name
    file: str  # relative path "<township>/<village>.xlsx"
    row: int  # Excel row number
    column: str  # Chinese header of the offending column, from schema.header(key)
    code: str  # the finding code

    def to_dict(self) -> dict:
        """Plain dict (for JSON)."""
        return asdict(self)


@dataclass
class SampleVillage:
    """One village's roster: the records in row order (record i on row DATA_START_ROW + i)."""

    township: Township
    village: str
    records: list[dict[str, object]]  # schema key -> raw cell value; absent key = empty cell

    @property
    def file(self) -> str:
        """Relative path of the village's roster workbook, ``<township>/<village>.xlsx``."""
        return f"{self.township.name}/{self.village}.xlsx"


@dataclass
class SampleCounty:
    """The generated villages and the mistakes planted in them."""

    villages: list[SampleVillage]
    planted: list[PlantedMistake]

    @property
    def people(self) -> int:
        """Number of person rows in all villages."""
        return sum(len(v.records) for v in self.villages)


def excel_row(index: int) -> int:
    """The Excel row of record ``index`` (0-based) of a village."""
    return DATA_START_ROW + index


@dataclass(frozen=True)
class _Need:
    """What a generated row must be so that a mistake (or a duplicate's source) fits on it."""

    paid: bool | None = None  # None: drawn at random
    ordinary: bool = False  # category without 代缴 that may not use restricted tiers
    charged: bool = False  # the person pays something (amount > 0, method set)
    offline: bool = False  # paid with a receipt-required method
    plain: bool = False  # no gender/birth date and no back payment (mistake rows)


def _need_for(code: str) -> _Need:
    base = _BASE[code]
    return _Need(
        paid={"any": None, "unpaid": False}.get(base, True),
        ordinary=base == "ordinary",
        charged=base in ("charged", "ordinary", "offline"),
        offline=base == "offline",
        plain=True,
    )


def _ranked(rng: random.Random, tiers: list[Tier]) -> Tier:
    weights = [TIER_RANK_WEIGHTS[i] if i < len(TIER_RANK_WEIGHTS) else 1 for i in range(len(tiers))]
    return rng.choices(tiers, weights)[0]


class _Builder:
    """Generation state shared by all villages of one county (IDs are unique county-wide)."""

    def __init__(self, policy: Policy, rng: random.Random) -> None:
        self.p, self.rng = policy, rng
        self.used_ids: set[str] = set()  # first 17 characters
        self.ages = list(range(policy.age_min, policy.age_max + 1))
        self.age_weights = [3 if 40 <= a <= 59 else 2 if 30 <= a <= 39 else 1 for a in self.ages]
        self.cats = list(policy.categories)
        weight = names.CATEGORY_WEIGHTS.get  # the first category is the default (普通)
        self.cat_weights = [85 if c == self.cats[0] else weight(c.name, 2) for c in self.cats]
        self.ordinary = _ordinary(policy)
        self.online = [m for m in policy.payment_methods if not m.receipt_required]
        self.offline = [m for m in policy.payment_methods if m.receipt_required]
        self.days = (policy.collection_end - policy.collection_start).days
        self.receipt_prefix, self.receipt_count = "", 0

    # -- people ---------------------------------------------------------------------------
    def new_id(self, age: int, male: bool, *, area: str = "", digit_check: bool = False) -> str:
        """A valid ID not used before in the county, of this age on the reference date."""
        p, rng = self.p, self.rng
        ref = p.age_reference_date
        while True:
            days = rng.randint(int(age * 365.25) - 2, int((age + 1) * 365.25) + 2)
            born = ref - dt.timedelta(days=days)
            code, r = area, rng.random()
            if not code:
                old = [c for c in p.known_area_codes if c != p.county_code]
                if 0.75 <= r < 0.9 and old and born.year < names.OLD_CODES_BORN_BEFORE:
                    code = rng.choice(old)
                elif r >= 0.9:
                    code = rng.choice(names.OUTSIDE_AREA_CODES)
                else:
                    code = p.county_code
            ident = idnum.make(code, born, rng.randrange(500) * 2 + (1 if male else 0))
            if idnum.age_on(ident, ref) != age or (digit_check and ident[17] == "X"):
                continue
            if ident[:17] not in self.used_ids:
                self.used_ids.add(ident[:17])
                return ident

    def person(self, need: _Need) -> dict[str, object]:
        """One clean row fitting ``need`` (without seq and group)."""
        p, rng = self.p, self.rng
        male = rng.random() < 0.5
        age = rng.choices(self.ages, self.age_weights)[0]
        ident = self.new_id(age, male)
        rec: dict[str, object] = {"name": names.person_name(rng, male), "id_number": ident}
        if not need.plain and rng.random() < 0.3:
            rec["gender"], rec["birth_date"] = idnum.sex(ident), idnum.birth_date(ident)
        if rng.random() < 0.7:
            rec["phone"] = names.mobile(rng)
        first = p.enrollment_types[0]  # 续保: listed first in the policy
        others = p.enrollment_types[1:]
        rec["enrollment"] = rng.choice(others) if others and rng.random() < 0.1 else first
        ordinary = need.ordinary or need.charged
        cat = self.ordinary if ordinary else rng.choices(self.cats, self.cat_weights)[0]
        if rec["enrollment"] != first and cat is not None and cat.is_government_paid:
            cat = self.ordinary  # a new enrollee choosing 代缴 is a warning (category.changed)
        assert cat is not None  # plantable_codes() leaves out mistakes that need 普通
        rec["category"] = cat.name
        allowed = [t for t in p.tiers if t.allowed_for(cat.name)]
        if rec["enrollment"] == first:
            rec["last_tier"] = _ranked(rng, allowed).amount
        paid = need.paid if need.paid is not None else rng.random() < 0.85
        if paid:
            self.pay(rec, cat, allowed, age, need)
        else:
            reasons = [r.name for r in p.unpaid_reasons]  # the first ones are the most common
            rec["unpaid_reason"] = rng.choices(reasons, range(len(reasons) + 2, 2, -1))[0]
        if rec["enrollment"] == first and paid and rng.random() < 0.7:
            rec["last_tier"] = rec["tier"]  # most people keep last year's tier
        return rec

    def pay(
        self, rec: dict[str, object], cat: Category, allowed: list[Tier], age: int, need: _Need
    ) -> None:
        """Fill the payment columns of a paid row."""
        p, rng = self.p, self.rng
        if cat.is_government_paid:
            higher = [t for t in allowed if t.amount > cat.government_pays]
            if cat.may_choose_higher and higher and rng.random() < 0.2:
                tier = _ranked(rng, higher)
            else:
                tier = allowed[0]
        else:
            tier = _ranked(rng, allowed)
        amount = amount_due(cat, tier.amount)
        rec["tier"], rec["amount"] = tier.amount, amount
        if amount > 0:
            method = self.method(need)
            rec["method"] = method.name
            if method.receipt_required:
                rec["receipt"] = self.receipt()
        rec["pay_date"] = p.collection_start + dt.timedelta(days=rng.randint(0, self.days))
        b = p.backpay
        if not need.plain and age >= 45 and rng.random() < 0.04:
            last = rng.randint(max(b.earliest_year, b.latest_year - 2), b.latest_year)
            first = rng.randint(max(b.earliest_year, last - 2), last)
            years = range(first, last + 1)
            # each back year at a tier of its own schedule: one the person could have chosen
            tiers = [
                t
                for t in p.backpay_tiers(first)
                if t.allowed_for(cat.name) and all(p.backpay_tier(y, t.amount) for y in years)
            ]
            if tiers:
                same = [t for t in tiers if t.amount == tier.amount]
                per_year = rng.choice(same or tiers[:1]) if rng.random() < 0.5 else tiers[0]
                rec["backpay_years"] = ",".join(str(y) for y in years)
                rec["backpay_amount"] = len(years) * per_year.amount
                if amount == 0:  # 代缴 covers this year; the 补缴 is the person's own money
                    method = self.method(need)
                    rec["method"] = method.name
                    if method.receipt_required:
                        rec["receipt"] = self.receipt()

    def method(self, need: _Need) -> PaymentMethod:
        """A payment method: online about 60 %, offline 40 %, offline when ``need`` says so."""
        online = bool(self.online) and not need.offline
        online = online and (not self.offline or self.rng.random() < 0.6)
        return self.rng.choice(self.online if online else self.offline)

    def receipt(self) -> str:
        """The next receipt number of the current village (unique in the county)."""
        self.receipt_count += 1
        return f"{self.receipt_prefix}-{self.receipt_count:04d}"

    # -- mistakes -------------------------------------------------------------------------
    def plant(self, code: str, rec: dict[str, object], sources: dict[str, _Pools]) -> None:
        """Turn the clean row ``rec`` into one with exactly the mistake ``code``.

        ``sources[code]`` holds the village's earlier clean rows a duplicate may copy from
        (those not copied yet, and those already copied).
        """
        p, rng = self.p, self.rng
        ident = str(rec["id_number"])
        male = idnum.sex(ident) == "男"
        if code == catalogue.ID_CHECKSUM.code:
            wrong = [c for c in "0123456789" if c != ident[17] and ident[15:17] + c != "000"]
            rec["id_number"] = ident[:17] + rng.choice(wrong)  # "...000" would read as numeric
        elif code == catalogue.ID_NUMERIC.code:
            rec["id_number"] = float(
                int(self.new_id(rng.choice(self.ages), male, digit_check=True))
            )
        elif code in (catalogue.ID_DUPLICATE.code, catalogue.RECEIPT_DUPLICATE.code):
            key = MISTAKE_KEYS[code]  # copy the value of an earlier row, not yet copied if any
            fresh, copied = sources[code]
            source = rng.choice(fresh or copied)
            if fresh:
                fresh.remove(source)
                copied.append(source)
            rec[key] = source[key]
        elif code == catalogue.NAME_INVALID.code:
            name = str(rec["name"])
            at = rng.randint(1, len(name) - 1)
            rec["name"] = f"{name[:at]}{rng.randint(1, 9)}{name[at:]}"
        elif code == catalogue.AGE_OVER_MAX.code:
            age = rng.randint(p.age_max + 1, p.age_max + 5)
            rec["id_number"] = self.new_id(age, male, area=p.county_code)
        elif code == catalogue.AGE_UNDER_MIN.code:
            age = rng.randint(max(0, p.age_min - 2), p.age_min - 1)
            rec["id_number"] = self.new_id(age, male, area=p.county_code)
        elif code == catalogue.GENDER_MISMATCH.code:
            rec["gender"] = "女" if male else "男"
        elif code == catalogue.CATEGORY_INVALID.code:
            rec["category"] = next(c for c in BAD_CATEGORIES if c not in p.category_by_name)
        elif code == catalogue.TIER_INVALID.code:
            cat = str(rec["category"])
            bad = min(t.amount for t in p.tiers if t.allowed_for(cat)) + 50
            while bad in p.tier_by_amount:
                bad += 50
            rec["tier"] = rec["amount"] = bad
        elif code == catalogue.TIER_RESTRICTED.code:
            tier = next(t for t in p.tiers if not t.allowed_for(str(rec["category"])))
            category = p.category_by_name[str(rec["category"])]
            rec["tier"], rec["amount"] = tier.amount, amount_due(category, tier.amount)
        elif code == catalogue.AMOUNT_MISMATCH.code:
            rec["amount"] = int(str(rec["amount"])) + 50
        elif code == catalogue.METHOD_INVALID.code:
            rec["method"] = BAD_METHOD
            rec.pop("receipt", None)
        elif code == catalogue.RECEIPT_MISSING.code:
            del rec["receipt"]
        elif code == catalogue.DATE_OUTSIDE_WINDOW.code:
            rec["pay_date"] = p.collection_end + dt.timedelta(days=rng.randint(1, 20))
        elif code == catalogue.REQUIRED_MISSING.code:
            del rec["pay_date"]
        elif code == catalogue.PHONE_INVALID.code:
            rec["phone"] = BAD_PHONE
        elif code == catalogue.BACKPAY_INVALID.code:
            rec["backpay_years"] = str(p.year)
            rec["backpay_amount"] = rec["tier"]
            if not rec.get("method"):  # a 代缴 row: the 补缴 alone needs a method
                own = [m for m in p.payment_methods if not m.receipt_required]
                rec["method"] = (own or list(p.payment_methods))[0].name
                if not own:
                    rec["receipt"] = self.receipt()
        elif code == catalogue.UNPAID_NO_REASON.code:
            del rec["unpaid_reason"]
        else:  # pragma: no cover - MISTAKE_KEYS and this function go together
            raise ValueError(code)

    # -- villages -------------------------------------------------------------------------
    def village(
        self, township: Township, index: int, name: str, size: int, codes: list[str]
    ) -> tuple[SampleVillage, list[PlantedMistake]]:
        """One village of ``size`` people with the mistakes ``codes`` planted at random rows."""
        rng = self.rng
        at = dict(zip(rng.sample(range(1, size), len(codes)), codes, strict=True))
        forced: dict[int, _Need] = {}  # the source row of each duplicate receipt pays offline
        for pos, code in at.items():
            if code == catalogue.RECEIPT_DUPLICATE.code:
                free = [i for i in range(pos) if i not in at and i not in forced]
                forced[rng.choice(free or [i for i in range(pos) if i not in at])] = _Need(
                    paid=True, charged=True, offline=True
                )
        ngroups = rng.randint(3, len(names.GROUP_NAMES))
        groups = sorted(rng.choices(range(ngroups), k=size))
        self.receipt_prefix, self.receipt_count = f"DM{township.code[-3:]}-{index:02d}", 0
        records: list[dict[str, object]] = []
        sources: dict[str, _Pools] = {
            c: ([], []) for c in (catalogue.ID_DUPLICATE.code, catalogue.RECEIPT_DUPLICATE.code)
        }
        planted = []
        file = f"{township.name}/{name}.xlsx"
        for i in range(size):
            code = at.get(i)
            rec = self.person(_need_for(code) if code else forced.get(i, _Need()))
            if code:
                self.plant(code, rec, sources)
                column = schema.header(MISTAKE_KEYS[code])
                planted.append(
                    PlantedMistake(township.name, name, file, excel_row(i), column, code)
                )
            else:
                sources[catalogue.ID_DUPLICATE.code][0].append(rec)
                if "receipt" in rec:
                    sources[catalogue.RECEIPT_DUPLICATE.code][0].append(rec)
            rec.update(seq=i + 1, group=names.GROUP_NAMES[groups[i]])
            records.append({k: rec[k] for k in schema.BY_KEY if k in rec})
        return SampleVillage(township, name, records), planted


def _ordinary(policy: Policy) -> Category | None:
    """The first category without 代缴 that no restricted tier is meant for (普通)."""
    restricted = {n for t in policy.tiers for n in t.restricted_to}
    return next(
        (c for c in policy.categories if not c.is_government_paid and c.name not in restricted),
        None,
    )


def plantable_codes(policy: Policy) -> list[str]:
    """The finding codes that can be planted under ``policy`` (all of them for Dongming 2024)."""
    skip: set[str] = set()
    if _ordinary(policy) is None:
        skip |= {c for c, b in _BASE.items() if b in ("charged", "ordinary", "offline")}
    if not any(m.receipt_required for m in policy.payment_methods):
        skip |= {c for c, b in _BASE.items() if b == "offline"}
    if not any(t.restricted_to for t in policy.tiers):
        skip.add(catalogue.TIER_RESTRICTED.code)
    if BAD_METHOD in policy.method_by_name:
        skip.add(catalogue.METHOD_INVALID.code)
    if policy.age_min < 1:
        skip.add(catalogue.AGE_UNDER_MIN.code)
    if all(c in policy.category_by_name for c in BAD_CATEGORIES):
        skip.add(catalogue.CATEGORY_INVALID.code)
    return [c for c in MISTAKE_KEYS if c not in skip]


def generate_county(
    policy: Policy,
    *,
    seed: int = 2024,
    townships: int = 3,
    villages_per_township: int = 4,
    min_people: int = 50,
    max_people: int = 300,
    mistake_rate: float = 0.02,
) -> SampleCounty:
    """Generate a sample county from ``seed`` (same arguments, same output).

    Uses the first ``townships`` townships of ``policy``, each with ``villages_per_township``
    villages of ``min_people``..``max_people`` people. About ``mistake_rate`` of each village's
    rows carry exactly one planted mistake; when there are at least as many mistakes in the
    county as plantable codes (as with the defaults), every code of :func:`plantable_codes` is
    planted at least once.
    """
    if not 1 <= townships <= len(policy.townships):
        raise ValueError(f"townships must be 1..{len(policy.townships)}")
    if villages_per_township < 1 or not 2 <= min_people <= max_people:
        raise ValueError("need villages_per_township >= 1 and 2 <= min_people <= max_people")
    if not 0 <= mistake_rate <= 0.5:
        raise ValueError("mistake_rate must be within 0..0.5")
    rng = random.Random(seed)
    builder = _Builder(policy, rng)
    plans = []
    for township in policy.townships[:townships]:
        taken: list[str] = []
        for index in range(1, villages_per_township + 1):
            name = names.village_name(rng)
            while name in taken:
                name = names.village_name(rng)
            taken.append(name)
            size = rng.randint(min_people, max_people)
            count = min(int(size * mistake_rate + rng.random()), (size - 1) // 2)
            plans.append((township, index, name, size, count))
    codes = plantable_codes(policy)
    total = sum(plan[-1] for plan in plans)
    sequence = rng.sample(codes, min(total, len(codes)))
    sequence += rng.choices(codes, k=total - len(sequence))
    rng.shuffle(sequence)
    villages, planted = [], []
    for township, index, name, size, count in plans:
        village_codes, sequence = sequence[:count], sequence[count:]
        village, marks = builder.village(township, index, name, size, village_codes)
        villages.append(village)
        planted += marks
    return SampleCounty(villages, planted)
