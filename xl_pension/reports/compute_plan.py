"""The plan of ``compute``: the money columns of every person, 性别 and 出生日期 from the ID, and
the totals line.

Made once from the roster and its money; the file engine (``io.workbook_plan.apply_plan``) and
the ribbon (``macros.roster_macros``) apply it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING

from ..core.money import Money, Totals
from ..core.plan import Cell, SheetEdit, Style, WorkbookPlan
from ..core.roster import RecordTable, Roster
from ..core.schema import BY_KEY, COLUMNS, TOTALS_LABEL, Kind

if TYPE_CHECKING:
    from ..core.validation import Person

COMPUTED_KEYS = tuple(c.key for c in COLUMNS if c.kind is Kind.COMPUTED)
# Money columns summed on the totals line: what was typed plus what was computed.
TOTALED_KEYS = ("amount", "backpay_amount", *COMPUTED_KEYS)
EMPHASIS = Style(bold=True)  # new headers and the totals line


class _PlainCells(dict[object, Cell]):
    """One unstyled :class:`Cell` a value (cells are immutable; a roster repeats few values)."""

    def __missing__(self, value: object) -> Cell:
        cell = self[value] = Cell(value)  # type: ignore[arg-type]
        return cell


def money_columns(roster: Roster) -> tuple[dict[str, int], dict[int, str]]:
    """Column of every key used, adding missing computed columns after the last header;
    returns the columns and the new header cells to write."""
    cols = dict(roster.columns)
    new_headers: dict[int, str] = {}
    last = max([*cols.values(), *roster.extra_headers])
    for key in COMPUTED_KEYS:
        if key not in cols:
            last += 1
            cols[key] = last
            new_headers[last] = BY_KEY[key].header
    return cols, new_headers


def totals_sums(totals: Totals) -> dict[str, int]:
    """What the totals line shows under each summed column."""
    return {
        "amount": totals.personal_due,
        "backpay_amount": totals.backpay,
        "government_paid": totals.government_paid,
        "personal_due": totals.personal_due,
        "subsidy": totals.subsidy,
        "credited": totals.credited,
    }


def derived_cells(
    people: Sequence[Person], cols: dict[str, int], plain: dict[object, Cell] | None = None
) -> dict[tuple[int, int], Cell]:
    """性别 and 出生日期 (``YYYY-MM-DD`` text) of every person whose ID is valid and whose row has
    no error, where the roster has those columns.

    Taken from the checked people, not the raw cells, so a roster checked once and stored (the
    web service) gets the same cells as a fresh read; a value typed that agrees with the ID is
    written again in the one canonical form, one that disagrees is an error and left alone.
    """
    cells: dict[tuple[int, int], Cell] = {}
    plain = _PlainCells() if plain is None else plain
    gender, birth = cols.get("gender"), cols.get("birth_date")
    for p in people:
        if not p.id_valid or p.has_error:
            continue
        if gender is not None and p.sex:
            cells[(p.row, gender)] = plain[p.sex]
        if birth is not None and p.birth_date is not None:
            cells[(p.row, birth)] = plain[p.birth_date.isoformat()]
    return cells


def compute_plan(
    roster: Roster,
    money_by_row: dict[int, Money | None],
    totals: Totals,
    people: Sequence[Person] = (),
) -> WorkbookPlan:
    """Fill the computed columns of each record row (emptying rows without money) and the
    derived columns of ``people`` (:func:`derived_cells`), clear an earlier (or hand-typed)
    totals line and write a new one below the last person."""
    cols, new_headers = money_columns(roster)
    cells: dict[tuple[int, int], Cell] = {
        (roster.header_row, c): Cell(h, EMPHASIS) for c, h in new_headers.items()
    }
    label_col = cols.get("seq") or cols["name"]
    for row in roster.totals_rows:  # an earlier (or hand-typed) totals line is cleared whole
        cells[(row, label_col)] = Cell()
        for col in {*cols.values(), *roster.extra_headers}:
            cells[(row, col)] = Cell()
    plain = _PlainCells()
    rows, moneys = list(money_by_row), list(money_by_row.values())
    for key in COMPUTED_KEYS:  # a column at a time: the cells' keys and values made in C
        get = attrgetter(key)
        values = [None if money is None else get(money) for money in moneys]
        cells.update(zip(zip(rows, repeat(cols[key])), map(plain.__getitem__, values), strict=True))
    cells.update(derived_cells(people, cols, plain))
    records = roster.records  # a RecordTable knows its rows without making a record a row
    person_rows = records.rows if isinstance(records, RecordTable) else [r.row for r in records]
    last = max(person_rows, default=roster.header_row)
    total_row = last + 1
    cells[(total_row, label_col)] = Cell(TOTALS_LABEL, EMPHASIS)
    if "group" in cols and cols["group"] != label_col:
        cells[(total_row, cols["group"])] = Cell(f"{totals.people}人", EMPHASIS)
    sums = totals_sums(totals)
    for key in TOTALED_KEYS:
        if key in cols:
            cells[(total_row, cols[key])] = Cell(sums[key], EMPHASIS)
    return WorkbookPlan(edits=[SheetEdit(roster.sheet, cells)])
