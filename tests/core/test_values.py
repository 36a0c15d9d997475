"""Cell value parsing: lenient where the meaning is unambiguous, strict everywhere else."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_pension.core.values import (
    EXCEL_EPOCH,
    BadValue,
    parse_date,
    parse_money,
    parse_years,
    phone_ok,
    phone_text,
    text,
)

D = dt.date(2024, 5, 6)


def serial(d: dt.date) -> int:
    return (d - EXCEL_EPOCH).days


def test_serial_of_reference_date() -> None:
    assert serial(D) == 45418


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        D,
        dt.datetime(2024, 5, 6),
        dt.datetime(2024, 5, 6, 13, 45),
        45418,
        45418.0,
        "2024-05-06",
        "2024-5-6",
        "2024/5/6",
        "2024/05/06",
        "2024.5.6",
        "2024年5月6日",
        "2024年05月06日",
        "2024年5月6",
        "20240506",
        20240506,
        " 2024-05-06 ",
        "２０２４－０５－０６",  # full-width, as typed with a Chinese IME
    ],
)
def test_parse_date_accepts(value: object) -> None:
    assert parse_date(value) == D


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_date_empty_is_none(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "5/6",
        "2024-13-01",
        "2024-02-30",
        "abc",
        "2024",
        2024,  # a bare number that is not a serial of 2000..2099
        45418.5,  # a serial with a time of day is not a date
        36525,  # 1999-12-31: before the accepted serial range
        73051,  # 2100-01-01: after it
        -1,
        True,
        "2024-05",
        "06/05/2024",
    ],
)
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(BadValue):
        parse_date(value)


def test_serial_range_edges() -> None:
    assert parse_date(serial(dt.date(2000, 1, 1))) == dt.date(2000, 1, 1)
    assert parse_date(serial(dt.date(2099, 12, 31))) == dt.date(2099, 12, 31)


def _date_texts(d: dt.date) -> list[str]:
    return [
        f"{d:%Y-%m-%d}",
        f"{d.year}-{d.month}-{d.day}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month}.{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y%m%d}",
    ]


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_parse_date_roundtrip(d: dt.date) -> None:
    assert parse_date(serial(d)) == d
    assert parse_date(float(serial(d))) == d
    assert parse_date(dt.datetime(d.year, d.month, d.day)) == d
    for s in _date_texts(d):
        assert parse_date(s) == d, s


# --- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [300, 300.0, "300", "300.00", "300.0", "300元", "￥300", "¥300", " 300 ", "３００"]
)
def test_parse_money_accepts(value: object) -> None:
    assert parse_money(value) == 300


def test_parse_money_zero_and_empty() -> None:
    assert parse_money(0) == 0
    assert parse_money("0") == 0
    assert parse_money(None) is None
    assert parse_money("") is None
    assert parse_money("  ") is None


@pytest.mark.parametrize(
    "value",
    [
        "300.5",
        300.5,
        "-1",
        -1,
        -1.0,
        "三百",
        "3百",
        "abc",
        True,
        float("nan"),
        float("inf"),
        "300元元",
        "1e3",
    ],
)
def test_parse_money_rejects(value: object) -> None:
    with pytest.raises(BadValue):
        parse_money(value)


@given(st.integers(min_value=0, max_value=10**6))
def test_parse_money_roundtrip(n: int) -> None:
    assert parse_money(str(n)) == n
    assert parse_money(f"{n}元") == n
    assert parse_money(float(n)) == n
    assert parse_money(n) == n


# --- years -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022", (2022,)),
        ("2021,2022", (2021, 2022)),
        ("2021，2022", (2021, 2022)),
        ("2021、2022", (2021, 2022)),
        ("2022、2021", (2021, 2022)),
        ("2021, 2022", (2021, 2022)),
        ("2021;2022", (2021, 2022)),
        ("2020-2022", (2020, 2021, 2022)),
        ("2020至2022", (2020, 2021, 2022)),
        ("2022年", (2022,)),
        ("2021,2021", (2021,)),
        (2022, (2022,)),
        (2022.0, (2022,)),
        (None, ()),
        ("", ()),
    ],
)
def test_parse_years_accepts(value: object, expected: tuple[int, ...]) -> None:
    assert parse_years(value) == expected


@pytest.mark.parametrize(
    "value",
    ["abc", "22", "2022.5", 2022.5, "2022-2020", "1980-2022", "2021,abc", 1800, 20222, True],
)
def test_parse_years_rejects(value: object) -> None:
    with pytest.raises(BadValue):
        parse_years(value)


# --- phones and text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "s",
    [
        "13905301234",
        "18653001234",
        "19905301234",
        "0530-7221234",
        "05307221234",
        "010-12345678",
        "01012345678",
        "0755-12345678",
    ],
)
def test_phone_ok(s: str) -> None:
    assert phone_ok(s)


@pytest.mark.parametrize(
    "s",
    [
        "1390530123",  # 10-digit mobile
        "0530722123",  # 10-digit landline
        "139053012345",  # 12-digit mobile
        "12905301234",  # no such mobile prefix
        "7221234",  # landline without area code
        "0530-722123",
        "abc",
        "",
    ],
)
def test_phone_rejects(s: str) -> None:
    assert not phone_ok(s)


def test_phone_text_from_number_and_spaces() -> None:
    assert phone_text(13905301234.0) == "13905301234"
    assert phone_text(" 139 0530 1234 ") == "13905301234"
    assert phone_ok(phone_text(13905301234.0))


def test_text() -> None:
    assert text(None) == ""
    assert text(300.0) == "300"
    assert text(300.5) == "300.5"
    assert text("  线上 ") == "线上"
    assert text("ＡＢＣ１") == "ABC1"
