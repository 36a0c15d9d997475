"""Column helpers of the bulk check: a roster column's cells as distinct values, vectorised.

Each helper gives, for every cell of a column, what the row path's own parser or rule gives
for that cell (:mod:`.values`, :mod:`.idnum`, :func:`~.validation.region_known`), computed once
per distinct value, or over the whole column with numpy or one regular-expression search.
Nothing here makes a finding.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import repeat

import numpy as np

from . import idnum
from .policy import Policy
from .validation import region_known
from .values import BadValue, parse_date, text

_NONE_TYPE = type(None)
_WEIGHTS = np.array(idnum.WEIGHTS, dtype=np.int64)
_CHECK = np.frombuffer(idnum.CHECK_CHARS.encode(), dtype=np.uint8).astype(np.int64)
_AREA_DIGITS = 10 ** np.arange(5, -1, -1, dtype=np.int64)
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_NO_ID = "\x00" * 18  # stands for a cell that cannot be a plain ID number
# Types whose values never equal a value of another of them (unlike 1 == 1.0 == True): a
# column of these needs no type in its keys.
_NEVER_EQUAL_ACROSS = frozenset({str, _NONE_TYPE, dt.date, dt.datetime, dt.time, dt.timedelta})


def objects(values: Sequence[object]) -> np.ndarray:
    """A one-dimensional object array of ``values`` (tuples stay elements)."""
    return np.fromiter(values, dtype=object, count=len(values))


def is_none(values: Sequence[object]) -> np.ndarray:
    """True where the cell is empty."""
    return np.fromiter(map(operator.is_, values, repeat(None)), dtype=bool, count=len(values))


class Distinct:
    """A column's cells as codes into its distinct values; values of several types are told
    apart by their type too (1, 1.0 and True are one key to a dict, not to a parser)."""

    __slots__ = ("codes", "values")

    def __init__(self, cells: Sequence[object]) -> None:
        n = len(cells)
        try:
            index: dict[object, int] = dict.fromkeys(cells)  # type: ignore[arg-type]
        except TypeError:  # an unhashable cell: each cell on its own
            self.values, self.codes = list(cells), np.arange(n, dtype=np.intp)
            return
        keys: Sequence[object] = cells
        if not set(map(type, index)) <= _NEVER_EQUAL_ACROSS:  # numbers: 1, 1.0, True
            types = set(map(type, cells))
            types.discard(_NONE_TYPE)
            if len(types) > 1:
                keys = list(zip(map(type, cells), cells, strict=True))
                index = dict.fromkeys(keys)  # type: ignore[arg-type]
        for i, key in enumerate(index):
            index[key] = i
        self.codes = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=n)
        self.values = list(index) if keys is cells else [k[1] for k in index]  # type: ignore[index]

    def each(self, parse: Callable[[object], object]) -> np.ndarray:
        """``parse`` of every cell (an object array; one result object a distinct value)."""
        return objects([parse(v) for v in self.values])[self.codes]

    def test(self, rule: Callable[[object], object]) -> np.ndarray:
        """Whether ``rule`` holds for every cell."""
        return np.array([bool(rule(v)) for v in self.values], dtype=bool)[self.codes]


def each(values: Sequence[object], parse: Callable[[object], object]) -> list[object]:
    """``parse`` of every value, computed once per distinct value (see :class:`Distinct`)."""
    return Distinct(values).each(parse).tolist()


def matches(values: Sequence[object], pattern: str) -> np.ndarray:
    """True where the cell is text matching ``pattern`` in full (a ``^...$`` pattern).

    The text cells are joined into lines and searched once for the lines that do not match,
    so the usual column (every cell matching) costs one C-level pass; a cell holding a line
    break of its own is matched on its own.
    """
    n = len(values)
    ok = np.fromiter(map(operator.is_, map(type, values), repeat(str)), dtype=bool, count=n)
    where = np.flatnonzero(ok)
    cells: list[str] = [values[i] for i in where.tolist()]  # type: ignore[misc]
    whole, misses = _patterns(pattern)
    joined = "\n".join(cells)
    if joined.count("\n") != len(cells) - 1:  # a line break inside a cell
        ok[where] = [whole.fullmatch(c) is not None for c in cells]
        return ok
    starts = [m.start() for m in misses.finditer(joined)]
    if starts:
        lines = np.cumsum(np.fromiter(map(len, cells), dtype=np.int64, count=len(cells)) + 1)
        ok[where[np.searchsorted(lines, starts, side="right")]] = False
    return ok


@lru_cache(maxsize=16)
def _patterns(pattern: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``pattern`` (``^...$``) for a whole text, and for a line of a text that it does not
    match."""
    body = pattern.removeprefix("^").removesuffix("$")
    return re.compile(body), re.compile(f"^(?!(?:{body})$).*$", re.M)


def texts(values: Sequence[object]) -> list[object]:
    """:func:`~.values.text` of every cell; a column of whole numbers (序号) without a call
    a cell."""
    if values and set(map(type, values)) == {float}:
        numbers = np.array(values, dtype=np.float64)
        if (np.floor(numbers) == numbers).all() and (np.abs(numbers) < 2**53).all():
            return list(map(str, map(int, values)))  # type: ignore[arg-type]
    return each(values, text)


def date_key(value: object) -> int:
    """A 出生日期 cell as YYYYMMDD (0: an empty cell, -1: no date), to compare with the ID's."""
    if value is None:
        return 0
    try:
        d = parse_date(value)
    except BadValue:
        return -1
    return -1 if d is None else d.year * 10000 + d.month * 100 + d.day


def date_keys(values: Sequence[object]) -> np.ndarray:
    """:func:`date_key` of every cell."""
    return Distinct(values).each(date_key).astype(np.int64)


def dates(keys: np.ndarray) -> list[dt.date]:
    """The dates of valid YYYYMMDD keys, one date object a distinct key."""
    distinct, where = np.unique(keys, return_inverse=True)
    year, month, day = distinct // 10000, distinct // 100 % 100, distinct % 100
    months = (year - 1970).astype("M8[Y]").astype("M8[M]") + (month - 1)
    days = (months.astype("M8[D]") + (day - 1)).tolist()
    return list(map(days.__getitem__, where.reshape(-1).tolist()))


class IdColumn:
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
        area = np.where(self.ok, number[:, :6] @ _AREA_DIGITS, -1)  # the region code
        codes, where = np.unique(area, return_inverse=True)
        known = [c >= 0 and region_known(f"{c:06d}", policy) for c in codes.tolist()]
        self.ok &= np.array(known, dtype=bool)[where.reshape(-1)]
