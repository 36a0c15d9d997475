"""The guard's fast proof refuses what the cell-by-cell measure refuses, on any sheet XML."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from _hostile import write_zip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_pension.core.errors import UnusableInputError
from xl_pension.core.plan import cell_ref
from xl_pension.io.guard import LIMITS, ReadLimits, guard_workbook

PART = "xl/worksheets/sheet1.xml"
# how a cell's start tag is written: reference first (every writer), reference after another
# attribute, reference after a newline or a tab (legal XML a reader takes as well)
OPENINGS = {
    "first": '<c r="{ref}"',
    "after": '<c s="1" r="{ref}"',
    "newline": '<c\nr="{ref}"',
    "tab": '<c\tr="{ref}" s="1"',
}


def _cell(ref: str, opening: str, valued: bool) -> str:
    start = OPENINGS[opening].format(ref=ref)
    return f"{start}><v>1</v></c>" if valued else f"{start}/>"


def _sheet(cells: list[str]) -> bytes:
    rows = "".join(f'<row r="{i + 1}">{c}</row>' for i, c in enumerate(cells))
    return f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode()


def _refused(xml: bytes, limits: ReadLimits = LIMITS) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = write_zip(Path(folder) / "book.xlsx", [(PART, xml)])
        try:
            guard_workbook(path, limits)
        except UnusableInputError:
            return True
        return False


def _too_big(cells: list[tuple[int, int]], limits: ReadLimits) -> bool:
    rows = max((r for r, _ in cells), default=0)
    columns = max((c for _, c in cells), default=0)
    far = any(r > limits.rows or c > limits.columns for r, c in cells)
    return far or rows * columns > limits.cells


COLUMNS = st.one_of(st.integers(1, 26), st.integers(27, 1_100), st.sampled_from([702, 703]))
ROWS = st.one_of(
    st.integers(1, 99_999),
    st.integers(100_000, 1_100_000),
    st.sampled_from([307_692, 307_693, 1_048_576, 1_048_577]),
)
CELLS = st.lists(
    st.tuples(ROWS, COLUMNS, st.sampled_from(sorted(OPENINGS)), st.booleans()), max_size=8
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CELLS)
def test_refused_exactly_between_the_valued_cells_and_all_cells(cells: list) -> None:
    xml = _sheet([_cell(cell_ref(r, c), how, valued) for r, c, how, valued in cells])
    refused = _refused(xml)
    valued = [(r, c) for r, c, _, v in cells if v]
    if _too_big(valued, LIMITS):
        assert refused
    if refused:  # never refused for less than the range of all its cells
        assert _too_big([(r, c) for r, c, _, _ in cells], LIMITS)


@pytest.mark.parametrize("opening", sorted(OPENINGS))
def test_a_far_cell_is_refused_however_its_tag_is_written(opening: str) -> None:
    assert _refused(_sheet([_cell("XFD1048576", opening, True)]))
    assert not _refused(_sheet([_cell("XFD1048576", opening, False)]))


def test_the_proof_holds_up_to_its_bound_and_not_beyond() -> None:
    assert not _refused(_sheet([_cell("Z307692", "first", True)]))  # 26 x 307,692 <= 8,000,000
    assert _refused(_sheet([_cell("Z307693", "first", True)]))
    assert not _refused(_sheet([_cell("A1048576", "first", True)]))  # Excel's last row
    assert _refused(_sheet([_cell("A1048577", "first", True)]))
    assert not _refused(_sheet([_cell("AF250000", "first", True)]))  # 32 x 250,000 = 8,000,000
    assert _refused(_sheet([_cell("AG250000", "first", True)]))


def test_a_wide_cell_late_in_a_long_sheet_counts_with_the_rows_before_it() -> None:
    # the first megabyte passes the fast proof (rows up to 250,000 in column A); the wide cell
    # of the second one must be measured against those rows too
    filler = '<row r="2"><c r="A2"><v>1</v></c></row>' * 40_000
    tall = f'<row r="250000">{_cell("A250000", "first", True)}</row>'
    wide = f'<row r="250001">{_cell("AG1", "first", True)}</row>'
    xml = f"<worksheet><sheetData>{tall}{filler}{wide}</sheetData></worksheet>".encode()
    assert len(xml) > 1_100_000
    assert _refused(xml)


def test_small_limits_are_kept_by_the_proof() -> None:
    limits = ReadLimits(rows=50, columns=30, cells=500)
    assert not _refused(_sheet([_cell("S26", "first", True)]), limits)  # 19 x 26 = 494
    assert _refused(_sheet([_cell("T26", "first", True)]), limits)  # 20 x 26 = 520
    assert _refused(_sheet([_cell("A51", "first", True)]), limits)
