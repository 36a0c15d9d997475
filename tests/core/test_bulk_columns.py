"""The bulk check's column helpers give, cell for cell, what the row path's own rules give."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_pension.core.bulk_check import _NAME_PLAIN, _PHONE_PLAIN, _RECEIPT_PLAIN
from xl_pension.core.bulk_columns import Distinct, date_key, date_keys, dates, matches, texts
from xl_pension.core.values import text

TEXT = st.text(alphabet="张三李四·〇 \n\t1380Xx-A", max_size=8)
CELLS = st.lists(
    # (-0.0 and 0.0 are one value to a dict, and to every parser of a cell)
    st.one_of(
        TEXT,
        st.none(),
        st.floats(allow_nan=False).map(lambda f: f + 0.0),
        st.integers(),
        st.booleans(),
    ),
    max_size=12,
)
DAYS = st.sampled_from([dt.date(2024, 1, 2), dt.datetime(2024, 1, 2), dt.time(0), None, "x"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(DAYS, st.sampled_from([0, 0.0, False, 1, 1.0, True])), max_size=12))
def test_distinct_values_never_merge_equal_values_of_two_types(cells: list) -> None:
    column = Distinct(cells)
    assert [type(column.values[i]) for i in column.codes.tolist()] == list(map(type, cells))
    assert [column.values[i] for i in column.codes.tolist()] == cells


@settings(max_examples=200, deadline=None)
@given(CELLS)
def test_matches_is_a_full_match_of_each_text_cell(cells: list) -> None:
    for pattern in (_NAME_PLAIN, _PHONE_PLAIN, _RECEIPT_PLAIN):
        whole = re.compile(pattern.removeprefix("^").removesuffix("$"))
        want = [isinstance(c, str) and whole.fullmatch(c) is not None for c in cells]
        assert matches(cells, pattern).tolist() == want, (pattern, cells)
        assert matches(tuple(cells), pattern).tolist() == want


@settings(max_examples=100, deadline=None)
@given(CELLS)
def test_distinct_values_tell_types_apart(cells: list) -> None:
    column = Distinct(cells)
    assert [column.values[i] for i in column.codes.tolist()] == cells
    assert [type(column.values[i]) for i in column.codes.tolist()] == list(map(type, cells))
    assert column.each(repr).tolist() == [repr(c) for c in cells]


def test_texts_dates_and_their_keys() -> None:
    seq = [1.0, 2.0, 10.0, -0.0, 123456789.0]
    assert texts(seq) == [text(v) for v in seq] == ["1", "2", "10", "0", "123456789"]
    mixed = [1.0, 2.5, None, "３", 1e300]
    assert texts(mixed) == [text(v) for v in mixed]
    days = [dt.date(1949, 10, 1), None, "2024年5月6日", "坏", dt.datetime(2024, 1, 2, 3, 4)]
    assert date_keys(days).tolist() == [date_key(v) for v in days]
    keys = np.array([19491001, 20000229, 19491001, 99991231, 10101])
    made = dates(keys)
    assert made == [dt.date(k // 10000, k // 100 % 100, k % 100) for k in keys.tolist()]
    assert made[0] is made[2]  # one date object a distinct key


def test_the_bulk_check_loads_neither_pandas_nor_pyarrow() -> None:
    code = (
        "import sys, xl_pension.core.bulk_check; "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
