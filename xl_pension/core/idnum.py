"""Resident ID numbers (公民身份号码, GB 11643-1999): normalise, check, parse, mask.

An 18-character ID is a 6-digit area code, an 8-digit birth date (YYYYMMDD), a 3-digit sequence
(odd 17th digit = male) and a check character computed from the first 17 digits.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from functools import lru_cache

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
_SPACES = re.compile(r"\s+")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]+")
# Province-level codes of GB/T 2260 (first two digits of an area code).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("need 17 digits")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def normalize(value: object) -> str:
    """Text form of an ID cell: trimmed, full-width to ASCII, inner spaces removed, ``x`` -> ``X``.

    Numbers are turned into their digits (see :func:`was_numeric` to detect them).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value == int(value) else repr(value)
    text = str(value)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", text)
    # A leading apostrophe is Excel's "store as text" marker typed by hand.
    text = text.lstrip("'")
    return text.upper()


def was_numeric(value: object) -> bool:
    """True when the cell holds a number or number-like text that lost digits in Excel.

    Covers int/float cells and scientific notation text (``3.71728E+17``). Text of 18 digits is
    text even when it ends in ``000``: a typo there is a checksum error, not a lost number.
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return True
    if isinstance(value, int):
        return len(str(abs(value))) >= 15
    return bool(_SCIENTIFIC.fullmatch(normalize(value)))


def is_valid(text: str) -> bool:
    """True when ``text`` (already normalised) is an 18-character ID with the right check char
    and a real birth date."""
    if not _ID18.fullmatch(text):
        return False
    if check_char(text[:17]) != text[17]:
        return False
    return birth_date(text) is not None


def has_valid_format(text: str) -> bool:
    """True for 17 digits followed by a digit or ``X`` (checksum not considered)."""
    return bool(_ID18.fullmatch(text))


def checksum_ok(text: str) -> bool:
    """True when the 18th character matches the first 17 (format must already be valid)."""
    return has_valid_format(text) and check_char(text[:17]) == text[17]


def is_old_15(text: str) -> bool:
    """True for the 15-digit ID format used before 1999."""
    return bool(_ID15.fullmatch(text))


def birth_date(text: str) -> dt.date | None:
    """The birth date encoded in an 18-character ID, or ``None`` if it is not a real date."""
    try:
        return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except (ValueError, IndexError):
        return None


def sex(text: str) -> str:
    """``男`` when the 17th digit is odd, else ``女``."""
    return "男" if int(text[16]) % 2 == 1 else "女"


def area_code(text: str) -> str:
    """The 6-digit area code (first six characters)."""
    return text[:6]


def county_known(text: str) -> bool:
    """True when the first six digits are a county-level area code, current or historical.

    The table is python-stdnum's ``cn/loc`` (the official 行政区划代码 lists, with the years each
    code was in use); province (``370000``) and prefecture (``371700``) codes are not
    county-level, and codes never assigned (``379999``, ``370199``) are unknown.
    """
    return _county_code_known(text[:6])


@lru_cache(maxsize=8192)
def _county_code_known(code: str) -> bool:
    from stdnum import numdb

    if len(code) != 6 or not code.isdigit() or code.endswith("00"):
        return False
    parts = numdb.get("cn/loc").info(code)
    return len(parts) == 2 and bool(parts[0][1]) and "county" in parts[1][1]


def province_known(text: str) -> bool:
    """True when the first two digits are a province-level code of GB/T 2260."""
    return text[:2] in PROVINCE_CODES


def age_on(text: str, day: dt.date) -> int | None:
    """Age in whole years on ``day`` of the person with this ID (``None`` if no real date)."""
    born = birth_date(text)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask(value: object) -> str:
    """Masked form for notices, logs and messages: first 6, eight ``*``, last 4.

    Anything that is not exactly 18 characters keeps at most its first 3 characters visible.
    """
    if isinstance(value, str) and len(value) == 18 and value.isascii() and value.isalnum():
        text = value.upper()  # what normalize gives for it, without its regex (a row a person)
    else:
        text = normalize(value)
    if len(text) == 18:
        return f"{text[:6]}{'*' * 8}{text[-4:]}"
    if not text:
        return ""
    return text[:3] + "*" * max(len(text) - 3, 3)


def make(area: str, born: dt.date, sequence: int) -> str:
    """Build a valid ID from an area code, a birth date and a sequence 0..999."""
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
