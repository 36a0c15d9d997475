"""Lenient parsing of cell values where the meaning is unambiguous, strict everywhere else.

Each parser returns ``None`` for an empty cell, the parsed value, or raises :class:`BadValue`
when the text cannot be read without guessing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN = (dt.date(2000, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (dt.date(2099, 12, 31) - EXCEL_EPOCH).days
_DATE_TEXT = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONEY_TEXT = re.compile(r"^[¥￥]?(\d+(?:\.\d+)?)元?$")
SPACES = re.compile(r"\s+")
_YEARS_SPLIT = re.compile(r"[,，、;；\s]+")
_YEAR_RANGE = re.compile(r"^(\d{4})[-~至到](\d{4})$")


class BadValue(ValueError):
    """A cell value that cannot be read unambiguously."""


def text(value: object) -> str:
    """A cell as trimmed NFKC text ('' for empty); whole floats lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    s = str(value)
    if not unicodedata.is_normalized("NFKC", s):  # full-width digits and letters, U+3000
        s = unicodedata.normalize("NFKC", s)
    return s.strip()


def parse_date(value: object) -> dt.date | None:
    """Excel dates, serial numbers, and ``2024-05-06``, ``2024/5/6``, ``2024.5.6``,
    ``2024年5月6日``, ``20240506``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(str(value))
    if isinstance(value, (int, float)):
        # Excel serial numbers of 2000-01-01 .. 2099-12-31; anything else is not a guess we make
        if float(value).is_integer() and SERIAL_MIN <= value <= SERIAL_MAX:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        if isinstance(value, float) and not value.is_integer():
            raise BadValue(str(value))
        value = str(int(value))
    s = SPACES.sub("", text(value))
    if not s:
        return None
    for pattern in _DATE_TEXT:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise BadValue(s) from None
    raise BadValue(s)


def parse_money(value: object) -> int | None:
    """Whole yuan from a number, ``300``, ``300.00``, ``300元`` or ``￥300``; never a guess."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(str(value))
    if isinstance(value, int):
        if value < 0:
            raise BadValue(str(value))
        return value
    if isinstance(value, float):
        if value < 0 or not value.is_integer():
            raise BadValue(str(value))
        return int(value)
    s = SPACES.sub("", text(value)).replace(",", "")
    if not s:
        return None
    m = _MONEY_TEXT.match(s)
    if not m:
        raise BadValue(s)
    try:
        amount = Decimal(m[1])
    except InvalidOperation:
        raise BadValue(s) from None
    if amount != amount.to_integral_value():
        raise BadValue(s)
    return int(amount)


def parse_years(value: object) -> tuple[int, ...]:
    """Years such as ``2022``, ``2021,2022``, ``2021、2022`` or ``2020-2022`` (sorted, unique)."""
    if value is None:
        return ()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 1990 <= value <= 2100:
            return (int(value),)
        raise BadValue(str(value))
    s = text(value)
    if not s:
        return ()
    years: set[int] = set()
    for part in _YEARS_SPLIT.split(s):
        if not part:
            continue
        part = part.removesuffix("年")
        m = _YEAR_RANGE.match(part)
        if m:
            a, b = int(m[1]), int(m[2])
            if b < a or b - a > 30:
                raise BadValue(s)
            years.update(range(a, b + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise BadValue(s)
    return tuple(sorted(years))


def phone_text(value: object) -> str:
    """A phone cell as text without spaces (numbers lose their ``.0``)."""
    return SPACES.sub("", text(value))


MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 3-digit area codes (010, 02x) have 8-digit local numbers, 4-digit ones 7 or 8 digits.
LANDLINE = re.compile(r"^(?:0\d{2}-?\d{8}|0\d{3}-?\d{7,8})$")


def phone_ok(s: str) -> bool:
    """An 11-digit mobile number or a landline with its area code (``0530-1234567``)."""
    return bool(MOBILE.match(s) or LANDLINE.match(s))
