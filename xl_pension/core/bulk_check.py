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
  are certified with pandas (pyarrow strings, RE2 patterns no wider than the row rules) and
  numpy (ID check characters, birth dates, ages).
- The cross-row rules (duplicates, top-ups, identities) run on the people of both kinds by
  :func:`~.validation.finish_check`, as on the row path.

``tests/core/test_bulk_check.py`` holds the parity test on generated, hostile rosters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa

from . import idnum
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
    region_known,
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
_NONE_TYPE = type(None)
_WEIGHTS = np.array(idnum.WEIGHTS, dtype=np.int64)
_CHECK = np.frombuffer(idnum.CHECK_CHARS.encode(), dtype=np.uint8).astype(np.int64)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_NEEDED = (*PAYMENT_KEYS, "method", "name", "id_number")  # columns a certified roster has
_NO_ID = "\x00" * 18  # stands for a cell that cannot be a plain ID number
_METHOD_NONE, _METHOD_FREE, _METHOD_RECEIPT, _METHOD_BAD = range(4)
# Person's fields in the order of its constructor (its findings start empty)
_PERSON_ARGS = tuple(f.name for f in dataclasses.fields(Person) if f.name != "findings")


def _each(values: Sequence[object], parse: Callable[[object], object]) -> list[object]:
    """``parse`` of every value, computed once per distinct value. Values of several types are
    told apart by their type too (1, 1.0 and True are one key to a dict, not to a parser)."""
    types = set(map(type, values))
    types.discard(_NONE_TYPE)
    keys: Sequence[object] = (
        values if len(types) <= 1 else list(zip(map(type, values), values, strict=True))
    )
    try:
        distinct = dict.fromkeys(keys)
    except TypeError:  # an unhashable cell: parse each one
        return [parse(v) for v in values]
    if keys is values:
        for k in distinct:
            distinct[k] = parse(k)
    else:
        for k in distinct:
            distinct[k] = parse(k[1])  # type: ignore[index]
    return list(map(distinct.__getitem__, keys))


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


def _bools(values: Iterable[object]) -> np.ndarray:
    return np.fromiter(values, dtype=bool)


def _objects(values: Sequence[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _matches(values: Sequence[object], pattern: str) -> np.ndarray:
    """True where the cell is text matching ``pattern`` (RE2 over pyarrow strings)."""
    strings = pa.array([v if v.__class__ is str else None for v in values], type=pa.string())
    found = pd.Series(strings, dtype=pd.ArrowDtype(pa.string())).str.fullmatch(pattern)
    return found.fillna(False).to_numpy(dtype=bool)


class _Ids:
    """The plain, valid ID numbers of a column: check character, birth date, sex, age, region
    (what :func:`~.validation.id_problem` and the region rule accept), vectorised."""

    def __init__(self, values: Sequence[object], policy: Policy, today: dt.date) -> None:
        n = len(values)
        cells = [v if v.__class__ is str and len(v) == 18 else _NO_ID for v in values]  # type: ignore[arg-type]
        raw = "".join(cells).encode("latin-1", errors="replace")  # one byte a character
        grid = np.frombuffer(raw, dtype=np.uint8).reshape(n, 18).astype(np.int64)
        number = grid - 48
        digits = (number[:, :17] >= 0) & (number[:, :17] <= 9)
        last = grid[:, 17]
        self.ok = digits.all(axis=1) & (((last >= 48) & (last <= 57)) | (last == ord("X")))
        self.ok &= _CHECK[np.where(self.ok[:, None], number[:, :17], 0) @ _WEIGHTS % 11] == last
        year = number[:, 6:10] @ np.array([1000, 100, 10, 1])
        month = number[:, 10] * 10 + number[:, 11]
        day = number[:, 12] * 10 + number[:, 13]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days = _DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
        self.ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
        self.born = year * 10000 + month * 100 + day  # YYYYMMDD
        self.ok &= self.born <= today.year * 10000 + today.month * 100 + today.day
        ref = policy.age_reference_date
        before = (month > ref.month) | ((month == ref.month) & (day > ref.day))
        self.age = ref.year - year - before
        self.male = number[:, 16] % 2 == 1
        areas = [c[:6] if ok else "" for c, ok in zip(cells, self.ok.tolist(), strict=True)]
        self.ok &= _bools(_each(areas, lambda a: bool(a) and region_known(str(a), policy)))


def _date_key(value: object) -> int:
    """A 出生日期 cell as YYYYMMDD (0: an empty cell, -1: no date), to compare with the ID's."""
    if value is None:
        return 0
    try:
        d = parse_date(value)
    except BadValue:
        return -1
    return -1 if d is None else d.year * 10000 + d.month * 100 + d.day


def _date_of(key: object) -> dt.date:
    k = int(key)  # type: ignore[call-overload]
    return dt.date(k // 10000, k // 100 % 100, k % 100)


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
    rows = np.flatnonzero(ok)
    people: list[Person | None] = [None] * n
    chosen = [_objects(person[name])[rows].tolist() for name in _PERSON_ARGS]
    for i, values in zip(rows.tolist(), zip(*chosen, strict=True), strict=True):
        people[i] = Person(*values)
    return ok, people


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
        self.none = {k: _bools(v is None for v in get(k)) for k in (*PAYMENT_KEYS, "receipt")}
        self.paid = ~(self.none["tier"] & self.none["amount"] & self.none["pay_date"])

    def person_rules(self, today: dt.date) -> tuple[np.ndarray, dict[str, Sequence[object]]]:
        """Rows whose cells other than the payment's are plain and pass every rule, and the
        parsed values of every row (valid where certified), by :class:`Person` field."""
        get, policy, paid = self.get, self.policy, self.paid
        backpay = _each(_typed_pairs(get("backpay_years"), get("backpay_amount")), self._backpay)
        ok = _bools(b[2] for b in backpay)
        ids = _Ids(get("id_number"), policy, today)
        ok &= ids.ok & _matches(get("name"), _NAME_PLAIN)
        phones = get("phone")
        ok &= _bools(p is None for p in phones) | _matches(phones, _PHONE_PLAIN)
        self.has_receipt = _matches(get("receipt"), _RECEIPT_PLAIN)
        ok &= self.none["receipt"] | self.has_receipt
        self.enrollment = _each(get("enrollment"), text)
        allowed = {"", *policy.dropdown("enrollment_types")}
        ok &= _bools(_each(self.enrollment, allowed.__contains__))
        self.category = _each(get("category"), lambda v: category_name(text(v), policy))
        ok &= _bools(_each(self.category, policy.category_by_name.__contains__))
        reason = _each(get("unpaid_reason"), text)
        ok &= _bools(_each(reason, lambda r: not r or r in policy.reason_by_name))
        has_reason = _bools(map(bool, reason))
        ok &= np.where(paid, ~has_reason, has_reason)
        excluded = {r.name for r in policy.unpaid_reasons if r.excluded_from_expected}
        excused = ~paid & _bools(_each(reason, excluded.__contains__))
        ok &= excused | ((ids.age >= policy.age_min) & (ids.age <= policy.age_max))
        sex = np.where(ids.male, "男", "女").astype(object)
        gender = _objects(_each(get("gender"), text))
        ok &= (gender == "") | (gender == sex)
        birth = np.array(_each(get("birth_date"), _date_key), dtype=np.int64)
        ok &= (birth == 0) | (birth == ids.born)
        n = len(ok)
        person = {
            "seq": _each(get("seq"), text),
            "group": _each(get("group"), text),
            "name": get("name"),
            "id_number": get("id_number"),
            "id_valid": (True,) * n,
            "sex": sex,
            "birth_date": _each(np.where(ok, ids.born, 20000101).tolist(), _date_of),
            "phone": [p or "" for p in phones],
            "enrollment": self.enrollment,
            "category": self.category,
            "last_tier": _each(get("last_tier"), _money_or_none),
            "backpay_years": [b[0] for b in backpay],
            "backpay_amount": [b[1] for b in backpay],
            "unpaid_reason": reason,
            "paid": paid.tolist(),
            "topup_from": (None,) * n,
            "paid_years": _each(get("paid_years"), _money_or_none),
        }
        return ok, person

    def _backpay(self, cells: object) -> tuple[tuple[int, ...], int | None, bool]:
        """A row's 补缴 (years, amount) and whether it is fine (none, or one the rules take)."""
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
        tier = _each(get("tier"), _or_bad(parse_money))
        amount = _each(get("amount"), _or_bad(parse_money))
        pairs = list(zip(self.category, tier, strict=True))
        due = _objects(_each(pairs, lambda ct: _due(policy, *ct)))  # type: ignore[misc]
        has_due = due != None  # noqa: E711 - elementwise
        mark = policy.topup.enrollment_type if policy.topup.allowed else None
        topup = _bools(e == mark for e in self.enrollment)  # the amount is checked across rows
        method = _each(get("method"), text)
        state = np.array(_each(method, lambda m: _method_state(policy, m)), dtype=np.int64)
        method_ok = (state == _METHOD_FREE) | ((state == _METHOD_RECEIPT) & self.has_receipt)
        method_ok |= (state == _METHOD_NONE) & has_due & (due == 0)
        pay_date = _each(get("pay_date"), _or_bad(parse_date))
        start, end = policy.collection_start, policy.collection_end
        in_window = _bools(_each(pay_date, lambda d: _within(d, start, end)))
        rules = has_due & ((_objects(amount) == due) | topup) & method_ok & in_window
        # a 补缴 is the person's own money: a method even where 代缴 covers this year's tier
        backpay = _bools(a is not None for a in person["backpay_amount"])
        rules &= ~backpay | (state != _METHOD_NONE)
        for name, values, unpaid in (
            ("tier", tier, None), ("method", method, ""), ("amount", amount, None),
            ("receipt", [r or "" for r in get("receipt")], ""), ("pay_date", pay_date, None),
        ):  # fmt: skip
            person[name] = np.where(paid, _objects(values), unpaid)
        return (~paid & ~backpay) | (paid & complete & rules)


def _typed_pairs(a: Sequence[object], b: Sequence[object]) -> list[tuple]:
    """(type, value, type, value) of two columns' cells, row by row: keys for :func:`_each`."""
    return list(zip(map(type, a), a, map(type, b), b, strict=True))


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
