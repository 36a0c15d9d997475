"""Resident ID numbers (GB 11643-1999): check character, parsing, normalising, masking.

Property tests build IDs with ``idnum.make`` from random province-level area codes, real birth
dates and sequences, and check that every single-character substitution is detected.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_pension.core import idnum
from xl_pension.core.validation import id_problem


def usable_id(value: object) -> str | None:
    """The ID in a cell as the roster's one check chain accepts it, else ``None``."""
    text = idnum.normalize(value)
    if value is None or not text or id_problem(value, text) is not None:
        return None
    return text


EXAMPLE = "11010519491231002X"  # the standard's own example
DIGITS = "0123456789"

areas = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(idnum.PROVINCE_CODES)),
    st.text(alphabet=DIGITS, min_size=4, max_size=4),
)
births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2010, 12, 31))
sequences = st.integers(min_value=0, max_value=999)
valid_ids = st.builds(idnum.make, areas, births, sequences)


def full_width(text: str) -> str:
    """Full-width form of ASCII digits and letters (U+FF10.. / U+FF21..)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# -- the check character -----------------------------------------------------------------------


def test_standard_example_is_valid() -> None:
    assert idnum.is_valid(EXAMPLE)
    assert idnum.check_char("11010519491231002") == "X"
    assert idnum.checksum_ok(EXAMPLE)


def test_standard_example_with_wrong_check_char_is_invalid() -> None:
    assert not idnum.is_valid("110105194912310020")
    assert not idnum.checksum_ok("110105194912310020")
    assert idnum.has_valid_format("110105194912310020")


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        # sum of weights * digits for 37172819680512001 is 315; 315 % 11 = 7 -> "5"
        ("37172819680512001", "5"),
        ("00000000000000000", "1"),
    ],
)
def test_check_char_known_values(first17: str, expected: str) -> None:
    assert idnum.check_char(first17) == expected


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_char_needs_17_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        idnum.check_char(bad)


@given(area=areas, born=births, sequence=sequences)
def test_made_ids_are_valid_and_parse_back(area: str, born: dt.date, sequence: int) -> None:
    text = idnum.make(area, born, sequence)
    assert len(text) == 18
    assert idnum.is_valid(text)
    assert usable_id(text) == text
    assert idnum.sex(text) == ("男" if sequence % 2 == 1 else "女")
    assert idnum.area_code(text) == area
    assert idnum.birth_date(text) == born
    assert idnum.province_known(text)
    assert not idnum.was_numeric(text)


@given(text=valid_ids, data=st.data())
def test_every_single_substitution_is_detected(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    allowed = DIGITS + ("X" if position == 17 else "")
    replacement = data.draw(
        st.sampled_from([c for c in allowed if c != text[position]]), label="replacement"
    )
    changed = text[:position] + replacement + text[position + 1 :]
    assert changed != text
    assert not idnum.is_valid(changed)
    assert usable_id(changed) is None


@given(text=valid_ids)
def test_the_check_chain_accepts_spaced_full_width_forms(text: str) -> None:
    messy = "  " + full_width(text[:6]) + "\u3000" + text[6:14] + "\u00a0" + text[14:].lower()
    assert idnum.normalize(messy) == text
    assert usable_id(messy) == text


def test_the_check_chain_rejects_invalid_and_numeric_cells() -> None:
    assert usable_id("") is None
    assert usable_id(None) is None
    assert usable_id("110105194912310020") is None
    assert usable_id("371728680512001") is None  # old 15-digit form is refused
    # A real date is required even when the checksum matches.
    first17 = "37172819990230001"
    assert usable_id(first17 + idnum.check_char(first17)) is None
    # A valid ID stored by Excel as a number has lost its digits.
    assert usable_id(int("37172819680512001" + "0")) is None
    assert usable_id(3.71728196805120e17) is None


def test_is_valid_needs_real_date_even_with_right_checksum() -> None:
    first17 = "37172819990230001"
    text = first17 + idnum.check_char(first17)
    assert idnum.checksum_ok(text)
    assert not idnum.is_valid(text)


@pytest.mark.parametrize(
    "bad",
    ["", "11010519491231002", "11010519491231002XX", "1101051949123100x", "11010519491231002x"],
)
def test_is_valid_rejects_wrong_format(bad: str) -> None:
    assert not idnum.is_valid(bad)


# -- normalize -----------------------------------------------------------------------------------


def test_normalize_trims() -> None:
    assert idnum.normalize("  371728196805120015 \t\n") == "371728196805120015"


def test_normalize_full_width_digits() -> None:
    assert idnum.normalize("３７１７２８１９６８０５１２００１５") == "371728196805120015"


@pytest.mark.parametrize("x", ["Ｘ", "ｘ", "x"])
def test_normalize_x_forms(x: str) -> None:
    assert idnum.normalize("１１０１０５１９４９１２３１００２" + x) == EXAMPLE
    assert idnum.normalize("11010519491231002" + x) == EXAMPLE


@pytest.mark.parametrize(
    "spaced",
    [
        "110105 19491231 002X",
        "110105\u300019491231\u3000002X",  # ideographic space
        "110105\u00a019491231\u00a0002X",  # non-breaking space
        "\u3000110105 1949\t1231\u00a0002x\u3000",
    ],
)
def test_normalize_removes_inner_spaces(spaced: str) -> None:
    assert idnum.normalize(spaced) == EXAMPLE


@pytest.mark.parametrize(
    "value", ["'11010519491231002X", " '11010519491231002x", "＇11010519491231002X"]
)
def test_normalize_strips_leading_apostrophe(value: str) -> None:
    assert idnum.normalize(value) == EXAMPLE


def test_normalize_keeps_inner_apostrophe_and_none_is_empty() -> None:
    assert idnum.normalize("110105'19491231002X") == "110105'19491231002X"
    assert idnum.normalize(None) == ""
    assert idnum.normalize("") == ""


def test_normalize_numbers_give_their_digits() -> None:
    assert idnum.normalize(371728196805120015) == "371728196805120015"
    assert idnum.normalize(3.71728196805120e17) == "371728196805120000"


@given(text=valid_ids)
def test_normalize_is_idempotent_on_valid_ids(text: str) -> None:
    assert idnum.normalize(text) == text
    assert idnum.normalize(full_width(text)) == text
    assert idnum.normalize(idnum.normalize(full_width(text))) == text


# -- was_numeric ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        3.71728196805120e17,
        371728196805120015,
        "3.71728E+17",
        "3.71728e+17",
        " 3.71728E+17 ",
    ],
)
def test_was_numeric_true(value: object) -> None:
    assert idnum.was_numeric(value)


def test_text_ending_in_000_that_fails_the_checksum_is_text() -> None:
    # #16: a typo in a text ID is a checksum error; only a number cell lost its digits
    assert not idnum.is_valid("371728196805120000")
    assert not idnum.was_numeric("371728196805120000")


@pytest.mark.parametrize("value", [EXAMPLE, "371728196805120015", "", None, True, False])
def test_was_numeric_false(value: object) -> None:
    if value in (EXAMPLE, "371728196805120015"):
        assert idnum.is_valid(value)
    assert not idnum.was_numeric(value)


@given(text=valid_ids)
def test_was_numeric_for_number_forms_of_valid_ids(text: str) -> None:
    assert not idnum.was_numeric(text)
    assert idnum.was_numeric(float(text[:17]) * 10)
    if text[-1] != "X":
        assert idnum.was_numeric(int(text))


def test_valid_id_ending_000_is_not_numeric() -> None:
    # A valid ID may end in 000 by chance; only a failing checksum marks lost digits.
    for area in ("371728", "110105", "372930"):
        for day in range(1, 29):
            first17 = f"{area}196805{day:02d}000"
            text = first17 + idnum.check_char(first17)
            if text.endswith("000"):
                assert idnum.is_valid(text)
                assert not idnum.was_numeric(text)
                return
    pytest.fail("no valid ID ending in 000 found in the search range")


# -- birth date and age --------------------------------------------------------------------------


def test_birth_date_none_for_unreal_date() -> None:
    assert idnum.birth_date("371728199902300011") is None
    assert idnum.birth_date("371728199913010011") is None
    assert idnum.birth_date("371728") is None
    assert idnum.birth_date("371728199902280011") == dt.date(1999, 2, 28)


def test_age_on_day_before_and_on_birthday() -> None:
    text = idnum.make("371728", dt.date(1968, 5, 12), 1)
    assert idnum.age_on(text, dt.date(2024, 5, 11)) == 55
    assert idnum.age_on(text, dt.date(2024, 5, 12)) == 56
    assert idnum.age_on(text, dt.date(2024, 5, 13)) == 56
    assert idnum.age_on(text, dt.date(1968, 5, 12)) == 0


def test_age_on_across_months() -> None:
    text = idnum.make("371728", dt.date(2008, 4, 2), 1)
    assert idnum.age_on(text, dt.date(2024, 4, 1)) == 15
    assert idnum.age_on(text, dt.date(2024, 4, 2)) == 16
    text = idnum.make("371728", dt.date(1964, 3, 31), 1)
    assert idnum.age_on(text, dt.date(2024, 4, 1)) == 60


def test_age_on_feb_29_birthday() -> None:
    text = idnum.make("371728", dt.date(2000, 2, 29), 2)
    # leap years: the birthday exists
    assert idnum.age_on(text, dt.date(2004, 2, 28)) == 3
    assert idnum.age_on(text, dt.date(2004, 2, 29)) == 4
    # other years: the year is full on 1 March
    assert idnum.age_on(text, dt.date(2001, 2, 28)) == 0
    assert idnum.age_on(text, dt.date(2001, 3, 1)) == 1
    assert idnum.age_on(text, dt.date(2016, 2, 28)) == 15
    assert idnum.age_on(text, dt.date(2016, 2, 29)) == 16


def test_age_on_none_without_real_date() -> None:
    assert idnum.age_on("371728199902300011", dt.date(2024, 4, 1)) is None


@given(born=births, day=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_age_on_matches_counting_birthdays(born: dt.date, day: dt.date) -> None:
    text = idnum.make("371728", born, 1)
    age = idnum.age_on(text, day)
    assert age is not None
    # Count the birthdays passed (29 Feb falls on 1 March in other years).
    years = 0
    for year in range(born.year + 1, day.year + 1):
        try:
            birthday = born.replace(year=year)
        except ValueError:
            birthday = dt.date(year, 3, 1)
        if birthday <= day:
            years += 1
    if day < born:
        assert age < 0
    else:
        assert age == years


# -- mask ----------------------------------------------------------------------------------------


def test_mask_18_chars() -> None:
    assert idnum.mask(EXAMPLE) == "110105********002X"
    assert idnum.mask("371728196805120015") == "371728********0015"
    masked = idnum.mask(EXAMPLE)
    assert len(masked) == 18
    assert "19491231" not in masked
    assert "1949" not in masked


@given(st.text(alphabet="0123456789xX", min_size=17, max_size=19))
def test_mask_of_plain_text_equals_the_mask_of_its_spelling_with_spaces(value: str) -> None:
    """A plain ASCII value (the common case: a person's normalised ID) is masked without
    normalising it again; the result is what the full normalisation gives."""
    assert idnum.mask(value) == idnum.mask(f" {value[:3]} {value[3:]} ")


def test_mask_normalises_first() -> None:
    assert idnum.mask(" １１０１０５１９４９１２３１００２ｘ ") == "110105********002X"


@pytest.mark.parametrize(
    "value", ["1", "12", "123", "1234", "371728680512001", "3717281968051200151", "张三"]
)
def test_mask_short_or_long_values_reveal_at_most_3(value: str) -> None:
    masked = idnum.mask(value)
    visible = [c for c in masked if c != "*"]
    assert len(visible) <= 3
    assert masked.startswith(value[: min(3, len(value))])
    assert "*" in masked
    if len(value) > 3:
        assert value[3:] not in masked


def test_mask_empty_stays_empty() -> None:
    assert idnum.mask("") == ""
    assert idnum.mask(None) == ""
    assert idnum.mask("   ") == ""


@given(text=valid_ids)
def test_mask_hides_birth_date(text: str) -> None:
    masked = idnum.mask(text)
    assert len(masked) == 18
    assert masked[6:14] == "*" * 8
    assert text[6:14] not in masked
    assert masked[:6] == text[:6]
    assert masked[14:] == text[14:]


# -- sex, old IDs, provinces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EXAMPLE, "女"),  # 17th digit 2
        ("371728196805120015", "男"),  # 17th digit 1
        ("37172819680512009X", "男"),
        ("37172819680512008X", "女"),
        ("37172819680512000X", "女"),
    ],
)
def test_sex_from_17th_digit(text: str, expected: str) -> None:
    assert idnum.sex(text) == expected


@given(area=areas, born=births, sequence=sequences)
def test_sex_follows_sequence_parity(area: str, born: dt.date, sequence: int) -> None:
    assert idnum.sex(idnum.make(area, born, sequence)) == ("男" if sequence % 2 else "女")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("371728680512001", True),
        ("37172868051200", False),
        ("3717286805120011", False),
        ("37172868051200X", False),
        (EXAMPLE, False),
        ("", False),
    ],
)
def test_is_old_15(text: str, expected: bool) -> None:
    assert idnum.is_old_15(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("371728196805120015", True),
        (EXAMPLE, True),
        ("820000196805120010", True),
        ("00", False),
        ("101728196805120010", False),
        ("991728196805120010", False),
        ("", False),
    ],
)
def test_province_known(text: str, expected: bool) -> None:
    assert idnum.province_known(text) is expected


def test_province_codes_are_two_digits() -> None:
    assert len(idnum.PROVINCE_CODES) == 34
    assert all(len(c) == 2 and c.isdigit() for c in idnum.PROVINCE_CODES)
    assert "37" in idnum.PROVINCE_CODES


@pytest.mark.parametrize("text", ["١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", "11010519491231002X\n"])
def test_only_plain_ascii_ids_are_valid(text: str) -> None:
    assert not idnum.is_valid(text) and not idnum.has_valid_format(text)
