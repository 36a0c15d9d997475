"""Column-wise bulk check: certify the rows a roster's columns prove clean, check the rest one by one.

:func:`check_roster_bulk` gives exactly what :func:`~.validation.check_roster` gives (the same
people with the same findings, in the same order), faster on the bulk path (a township's or
the county's rosters). The rules stay declared once:

- The row path (:func:`~.validation.check_record`) is the one authority for findings and their
  messages. The column-wise pass never makes a finding: it only *certifies* rows — every cell
  of a plain type and every rule passing — and builds their :class:`~.validation.Person` with the
  values the row path would parse. Any row it cannot prove clean, for whatever reason, goes
  through ``check_record``; so a pass that certifies too little is only slower, never wrong.
- Cells of few distinct values (categories, tiers, amounts, methods, dates, …) are parsed once
  per distinct value by the row path's own parsers (:mod:`.values`, ``category_name``,
  ``tier_problem``, ``amount_due``); cells unique to a row (ID numbers, names, phones, receipts)
  are certified a column at a time: patterns no wider than the row rules, searched once over
  the column's text (:func:`~.bulk_columns.matches`), and numpy (ID check characters, birth
  dates, ages). Neither pandas nor pyarrow is imported: a worker process loads only numpy.
- The cross-row rules (duplicates, top-ups, identities) run on the people of both kinds by
  :func:`~.validation.finish_check`, as on the row path.

``tests/core/test_bulk_check.py`` holds the parity test on generated, hostile rosters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from operator import itemgetter

import numpy as np

from . import idnum
from .bulk_columns import (
    Distinct,
    IdColumn,
    date_keys,
    dates,
    each,
    is_none,
    matches,
    objects,
    texts,
)
from .money import amount_due
from .policy import Policy
from .roster import RecordTable, Roster
from .schema import PAYMENT_KEYS
from .validation import (
    NAME_MAX,
    Checked,
    Person,
    backpay_of,
    category_name,
    check_record,
    finish_check,
    tier_problem,
)
from .values import BadValue, parse_date, parse_money, text

# Certified cells are of these shapes only; each is a subset of what the row rules accept and
# a fixed point of their normalisation (NFKC, trimming, inner spaces, upper case). Names: CJK
# unified ideographs (not the compatibility ones, which NFKC changes) and the middle dot.
_NAME_PLAIN = f"^[\u3007\u3400-\u4dbf\u4e00-\u9fff\u00b7]{{1,{NAME_MAX}}}$"
_PHONE_PLAIN = "^(?:1[3-9][0-9]{9}|0[0-9]{2}-?[0-9]{8}|0[0-9]{3}-?[0-9]{7,8})$"
_RECEIPT_PLAIN = "^[!-~]+$"  # printable ASCII, no space
_BAD = object()  # a cell its parser refuses (the row path reports it)
_NEEDED = (*PAYMENT_KEYS, "method", "name", "id_number")  # columns a certified roster has
_METHOD_NONE, _METHOD_FREE, _METHOD_RECEIPT, _METHOD_BAD = range(4)
# Person's fields in the order of its constructor (its findings start empty)
_PERSON_ARGS = tuple(f.name for f in dataclasses.fields(Person) if f.name != "findings")
# The area-code table (python-stdnum's cn/loc, ~0.15 CPU s to load) is loaded with this module:
# a parent that imports it before forking its workers (app.cache.load_checker) shares it.
idnum.county_known("110101")


def _or_bad(parse: Callable[[object], object]) -> Callable[[object], object]:
    """``parse``, with :data:`_BAD` instead of :class:`BadValue`."""

    def safe(v: object) -> object:
        try:
            return parse(v)
        except BadValue:
            return _BAD

    return safe


def _money_or_none(v: object) -> int | None:
    try:
        return parse_money(v)
    except BadValue:
        return None


def _due(policy: Policy, name: object, tier: object) -> int | None:
    """个人应缴 of a tier a person of category ``name`` may choose, else ``None``."""
    category = policy.category_by_name.get(name)  # type: ignore[arg-type]
    if category is None or tier is _BAD or tier is None:
        return None
    if tier_problem(policy, category, tier) is not None:  # type: ignore[arg-type]
        return None
    return amount_due(category, tier)  # type: ignore[arg-type]


def _method_state(policy: Policy, name: object) -> int:
    if not name:
        return _METHOD_NONE
    method = policy.method_by_name.get(name)  # type: ignore[arg-type]
    if method is None:
        return _METHOD_BAD
    return _METHOD_RECEIPT if method.receipt_required else _METHOD_FREE


def _certify(roster: Roster, policy: Policy, today: dt.date) -> tuple[np.ndarray, list]:
    """Which rows are proven clean, and the people of those rows (``None`` for the others)."""
    records = roster.records
    n = len(records)
    if n == 0 or not all(roster.has_column(k) for k in _NEEDED):
        return np.zeros(n, dtype=bool), [None] * n
    col, rows = _columns(roster)
    empty = (None,) * n
    cols = _Cells(lambda k: col.get(k, empty), policy)
    ok, person = cols.person_rules(today)
    ok &= cols.payment_rules(person)
    person["row"] = rows
    fields = [_plain(person[name]) for name in _PERSON_ARGS]
    people: list[Person | None] = list(map(Person, *fields))  # a Person a row, in C
    for i in np.flatnonzero(~ok).tolist():
        people[i] = None  # not proven clean: its values are not what the row path parses
    return ok, people


def _plain(values: Sequence[object]) -> Sequence[object]:
    """The values as Python objects (a numpy array's elements as a list)."""
    return values.tolist() if isinstance(values, np.ndarray) else values


def _columns(roster: Roster) -> tuple[dict[str, Sequence[object]], Sequence[int]]:
    """The records' cells by key, and their rows: as the reader holds them when it can."""
    records = roster.records
    if isinstance(records, RecordTable) and (held := records.columns()) is not None:
        return held, records.rows
    keys = list(roster.columns)
    try:  # the reader gives every record every column of the roster: one C-level pass
        cells = list(map(itemgetter(*keys), (r.values for r in records)))
        col: dict[str, Sequence[object]] = dict(zip(keys, zip(*cells, strict=True), strict=True))
    except KeyError:  # records made elsewhere may leave empty cells out
        col = {k: [r.values.get(k) for r in records] for k in keys}
    return col, [r.row for r in records]


class _Cells:
    """The columns of one roster and the rules over them (see the module's docstring)."""

    def __init__(self, get: Callable[[str], Sequence[object]], policy: Policy) -> None:
        self.get, self.policy = get, policy
        self.none = {k: is_none(get(k)) for k in (*PAYMENT_KEYS, "receipt")}
        self.paid = ~(self.none["tier"] & self.none["amount"] & self.none["pay_date"])

    def person_rules(self, today: dt.date) -> tuple[np.ndarray, dict[str, Sequence[object]]]:
        """Rows whose cells other than the payment's are plain and pass every rule, and the
        parsed values of every row (valid where certified), by :class:`Person` field."""
        get, policy, paid = self.get, self.policy, self.paid
        backpay = self._backpay()
        ok = np.fromiter(map(itemgetter(2), backpay), dtype=bool, count=len(backpay))
        ids = IdColumn(get("id_number"), policy, today)
        ok &= ids.ok & matches(get("name"), _NAME_PLAIN)
        phones = get("phone")
        ok &= is_none(phones) | matches(phones, _PHONE_PLAIN)
        self.has_receipt = matches(get("receipt"), _RECEIPT_PLAIN)
        ok &= self.none["receipt"] | self.has_receipt
        self.enrollment = Distinct(get("enrollment"))
        allowed = {"", *policy.dropdown("enrollment_types")}
        ok &= self.enrollment.test(lambda v: text(v) in allowed)
        self.category = Distinct(get("category"))
        names = self.category.each(lambda v: category_name(text(v), policy))
        ok &= self.category.test(
            lambda v: category_name(text(v), policy) in policy.category_by_name
        )
        reasons = Distinct(get("unpaid_reason"))
        reason = reasons.each(text)
        ok &= reasons.test(lambda v: not text(v) or text(v) in policy.reason_by_name)
        has_reason = reasons.test(text)
        ok &= np.where(paid, ~has_reason, has_reason)
        excluded = {r.name for r in policy.unpaid_reasons if r.excluded_from_expected}
        excused = ~paid & reasons.test(lambda v: text(v) in excluded)
        ok &= excused | ((ids.age >= policy.age_min) & (ids.age <= policy.age_max))
        sex = np.where(ids.male, "男", "女").astype(object)
        gender = Distinct(get("gender")).each(text)
        ok &= (gender == "") | (gender == sex)
        birth = date_keys(get("birth_date"))
        ok &= (birth == 0) | (birth == ids.born)
        n = len(ok)
        person = {
            "seq": texts(get("seq")),
            "group": each(get("group"), text),
            "name": get("name"),
            "id_number": get("id_number"),
            "id_valid": (True,) * n,
            "sex": sex,
            "birth_date": dates(np.where(ok, ids.born, 20000101)),
            "phone": [p or "" for p in phones],
            "enrollment": self.enrollment.each(text),
            "category": names,
            "last_tier": each(get("last_tier"), _money_or_none),
            "backpay_years": list(map(itemgetter(0), backpay)),
            "backpay_amount": list(map(itemgetter(1), backpay)),
            "unpaid_reason": reason,
            "paid": paid.tolist(),
            "topup_from": (None,) * n,
            "paid_years": each(get("paid_years"), _money_or_none),
        }
        return ok, person

    def _backpay(self) -> list[tuple[tuple[int, ...], int | None, bool]]:
        """Each row's 补缴 (years, amount) and whether it is fine (none, or one the rules
        take), parsed once per distinct pair of cells."""
        years, amounts = self.get("backpay_years"), self.get("backpay_amount")
        backpay: list[tuple] = [((), None, True)] * len(years)  # no 补缴: fine
        filled = np.flatnonzero(~(is_none(years) & is_none(amounts))).tolist()
        if not filled:
            return backpay
        y, a = [years[i] for i in filled], [amounts[i] for i in filled]
        pairs = list(zip(map(type, y), y, map(type, a), a, strict=True))  # typed: see Distinct
        for i, parsed in zip(filled, each(pairs, self._backpay_of), strict=True):
            backpay[i] = parsed
        return backpay

    def _backpay_of(self, cells: object) -> tuple[tuple[int, ...], int | None, bool]:
        _, years, _, amount = cells  # type: ignore[misc]
        if years is None and amount is None:
            return (), None, True
        years, amount, problem = backpay_of(self.policy, years, amount)
        return years, amount, problem is None

    def payment_rules(self, person: dict[str, Sequence[object]]) -> np.ndarray:
        """Rows that paid nothing, or paid by the rules: a tier the category may choose, the
        amount due, a method (with its receipt), a date in the window. Adds the payment's
        parsed values to ``person`` (empty on unpaid rows, as the row path leaves them)."""
        get, policy, paid = self.get, self.policy, self.paid
        complete = ~(self.none["tier"] | self.none["amount"] | self.none["pay_date"])
        tiers = Distinct(get("tier"))
        tier = tiers.each(_or_bad(parse_money))
        amount = Distinct(get("amount")).each(_or_bad(parse_money))
        due = self._dues(tiers)
        has_due = due != None  # noqa: E711 - elementwise
        mark = policy.topup.enrollment_type if policy.topup.allowed else None
        topup = self.enrollment.test(lambda v: text(v) == mark)  # checked across rows
        methods = Distinct(get("method"))
        method = methods.each(text)
        state = methods.each(lambda m: _method_state(policy, text(m))).astype(np.int64)
        method_ok = (state == _METHOD_FREE) | ((state == _METHOD_RECEIPT) & self.has_receipt)
        method_ok |= (state == _METHOD_NONE) & has_due & (due == 0)
        days = Distinct(get("pay_date"))
        pay_date = days.each(_or_bad(parse_date))
        start, end = policy.collection_start, policy.collection_end
        in_window = days.test(lambda d: _within(_or_bad(parse_date)(d), start, end))
        rules = has_due & ((amount == due) | topup) & method_ok & in_window
        # a 补缴 is the person's own money: a method even where 代缴 covers this year's tier
        backpay = ~is_none(person["backpay_amount"])
        rules &= ~backpay | (state != _METHOD_NONE)
        for name, values, unpaid in (
            ("tier", tier, None), ("method", method, ""), ("amount", amount, None),
            ("receipt", objects([r or "" for r in get("receipt")]), ""),
            ("pay_date", pay_date, None),
        ):  # fmt: skip
            person[name] = np.where(paid, values, unpaid)
        return (~paid & ~backpay) | (paid & complete & rules)

    def _dues(self, tiers: Distinct) -> np.ndarray:
        """个人应缴 of each row's category and tier (``None``: not a tier it may choose),
        computed once per distinct pair."""
        policy, category = self.policy, self.category
        pair = category.codes * len(tiers.values) + tiers.codes
        distinct, where = np.unique(pair, return_inverse=True)
        width = len(tiers.values)
        due = [
            _due(
                policy,
                category_name(text(category.values[p // width]), policy),
                _or_bad(parse_money)(tiers.values[p % width]),
            )
            for p in distinct.tolist()
        ]
        return objects(due)[where.reshape(-1)]


def _within(day: object, start: dt.date, end: dt.date) -> bool:
    return isinstance(day, dt.date) and start <= day <= end


def certify(roster: Roster, policy: Policy, today: dt.date) -> np.ndarray:
    """Which of the roster's records the column-wise pass proves clean (one bool a record)."""
    return _certify(roster, policy, today)[0]


def check_roster_bulk(roster: Roster, policy: Policy, *, today: dt.date | None = None) -> Checked:
    """What :func:`~.validation.check_roster` gives, with the rows the columns prove clean
    certified column-wise and only the others checked one by one."""
    today = today or dt.date.today()
    certified, people = _certify(roster, policy, today)
    for i in np.flatnonzero(~certified).tolist():
        people[i] = check_record(roster, roster.records[i], policy, today)
    return finish_check(roster, people, policy)
