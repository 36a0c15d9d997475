"""Build a :class:`Roster` from a grid of cell values, whatever read it.

The file reader (python-calamine) and the ribbon macros (xlwings, the open workbook) both hand
their ``花名册`` values here, so a roster means the same thing to every front end: the header row
is found by its headers (rows inserted above are fine), headers are mapped through the schema,
fully empty rows are dropped, the totals line written by ``compute`` is not a person, and a
missing or older ``_meta`` gives a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from itertools import zip_longest
from operator import itemgetter
from pathlib import Path

from . import catalogue as cat
from .errors import UnusableInputError
from .findings import Finding
from .roster import RecordTable, Roster
from .schema import (
    REQUIRED_HEADER_KEYS,
    ROSTER_SHEET,
    TEMPLATE_VERSION,
    TOTALS_LABEL,
    TOTALS_WORDS,
    header,
    key_for_header,
    normalize_header,
)

HEADER_SEARCH_ROWS = 30
_TOTALS_TEXT = re.compile(
    r"^(?:本页|本村|本组|全村|全组)?(?:" + "|".join(TOTALS_WORDS) + r")(?:[:：].*)?$"
)
_SPACE = re.compile(r"\s+")


def not_roster(file: str | Path, why: str) -> UnusableInputError:
    """The error for a file that cannot be used as a roster."""
    error = cat.TEMPLATE_NOT_ROSTER.error(file=Path(file).name, why=why)
    assert isinstance(error, UnusableInputError)
    return error


def _is_empty(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _clean(v: object) -> object:
    """Calamine value -> record value: '' becomes None, text is kept as typed."""
    if v is None or v == "":
        return None
    if type(v) is str:
        return v if v.strip() else None
    if isinstance(v, dt.time):
        return None if v == dt.time(0) else v
    return v


_PLAIN = frozenset({str, float, int, bool, type(None), dt.date, dt.datetime})


def _cleaned(cells: Sequence[object]) -> list[object]:
    """:func:`_clean` of every cell of a column (one pass for the types readers give)."""
    kinds = set(map(type, cells))
    if not kinds <= _PLAIN:
        return list(map(_clean, cells))
    if str in kinds:
        return [None if v.__class__ is str and not v.strip() else v for v in cells]
    return list(cells)


def _holding(columns: list[Sequence[object]], n: int) -> list[int]:
    """Indices (ascending) of the rows where any of ``columns`` holds a value."""
    held: list[int] = []
    pending: Sequence[int] = range(n)
    for cells in columns:
        if not pending:
            break
        left = [i for i in pending if cells[i] is None]
        if len(left) < len(pending):
            held.extend(i for i in pending if cells[i] is not None)
        pending = left
    return sorted(held)


def find_header(rows: list[list[object]]) -> tuple[int, dict[str, int], dict[int, str]] | None:
    """Locate the header row: (0-based row index, key -> 0-based column, unknown headers)."""
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        unknown: dict[int, str] = {}
        for c, cell in enumerate(row):
            if _is_empty(cell):
                continue
            key = key_for_header(cell)
            if key is None:
                unknown[c] = normalize_header(cell)
            elif key not in keys:
                keys[key] = c
        if all(k in keys for k in REQUIRED_HEADER_KEYS):
            return r, keys, unknown
    return None


def meta_from_rows(rows: list[list[object]]) -> dict[str, str]:
    """Key/value pairs of a ``_meta`` sheet's rows (key in column A, value in column B)."""
    meta: dict[str, str] = {}
    for row in rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
            v = row[1]
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            meta[row[0].strip()] = "" if v is None else str(v).strip()
    return meta


def _template_findings(sheet_name: str, meta: dict[str, str]) -> list[Finding]:
    if not meta:
        return [cat.TEMPLATE_META_MISSING.at(sheet_name, None)]
    try:
        version = int(meta.get("template_version", "0"))
    except ValueError:
        version = 0
    if version >= TEMPLATE_VERSION:
        return []
    return [
        cat.TEMPLATE_VERSION.at(
            sheet_name,
            None,
            str(meta.get("template_version", "")),
            version=version,
            current=TEMPLATE_VERSION,
        )
    ]


def roster_from_rows(
    file: str | Path, sheet_name: str, rows: list[list[object]], meta: dict[str, str]
) -> Roster:
    """A :class:`Roster` from a grid anchored at A1; raises ``template.not_roster`` when no
    header row with the required headers is found."""
    found = find_header(rows)
    if found is None:
        missing = "、".join(header(k) for k in REQUIRED_HEADER_KEYS)
        raise not_roster(
            file, f"在“{ROSTER_SHEET}”前 {HEADER_SEARCH_ROWS} 行找不到包含“{missing}”的表头行。"
        )
    header_idx, keys, unknown = found
    roster = Roster(
        file=str(file),
        sheet=sheet_name,
        header_row=header_idx + 1,
        columns={k: c + 1 for k, c in keys.items()},
        extra_headers={c + 1: h for c, h in unknown.items()},
        meta=meta,
        last_row=header_idx + 1,
    )
    roster.findings.extend(_template_findings(sheet_name, meta))
    body = rows[header_idx + 1 :]
    n = len(body)
    grid = list(zip_longest(*body, fillvalue=None))
    cells = {k: _cleaned(grid[c]) if c < len(grid) else [None] * n for k, c in keys.items()}
    order = sorted((k for k in cells if k != "seq"), key=lambda k: k != "name")
    held = _holding([cells[k] for k in order], n)
    totals = _totals_lines(body, cells, held)
    first = header_idx + 2  # the Excel row of body[0]
    if held:
        roster.last_row = held[-1] + first
    roster.totals_rows = [i + first for i in sorted(totals)]
    hand_totals = [i + first for i in sorted(totals) if not _is_ours(_values(cells, i))]
    keep = [i for i in held if i not in totals] if totals else held
    if len(keep) < n:
        cells = {k: _picked(column, keep) for k, column in cells.items()}
    roster.records = RecordTable([i + first for i in keep], cells)
    last_person = keep[-1] + first if keep else 0
    below = [t for t in roster.totals_rows if t < last_person]
    roster.findings.extend(
        _totals_findings(sheet_name, sorted({*hand_totals, *below}), last_person)
    )
    return roster


def _picked(cells: Sequence[object], keep: list[int]) -> list[object]:
    """The cells at the ascending indices ``keep`` (a slice when they follow each other)."""
    if keep and keep[-1] - keep[0] + 1 == len(keep):
        return list(cells[keep[0] : keep[-1] + 1])
    return list(itemgetter(*keep)(cells)) if len(keep) > 1 else [cells[i] for i in keep]


def _values(cells: dict[str, Sequence[object]], i: int) -> dict[str, object]:
    return {k: column[i] for k, column in cells.items()}


def _totals_lines(
    body: list[list[object]], cells: dict[str, Sequence[object]], held: list[int]
) -> set[int]:
    """The rows of ``held`` that are totals lines, not people: no ID number, and a cell
    saying 合计 or a 实缴金额 summing the people since the last totals line."""
    ids, amounts = cells["id_number"], cells.get("amount", ())
    totals: set[int] = set()
    since = 0  # position in ``held`` of the first person since the last totals line
    for pos, i in enumerate(held):
        if ids[i] is not None:
            continue
        values = _values(cells, i)
        if _labelled_totals(body[i]) or _sums_the_rows_above(
            values, lambda a=since, b=pos: [amounts[j] for j in held[a:b]]
        ):
            totals.add(i)
            since = pos + 1
    return totals


def _labelled_totals(row: list[object]) -> bool:
    """A cell of the row says 合计 / 总计 / 小计 (spaces and a trailing colon tolerated)."""
    return any(
        type(v) is str and len(v) <= 20 and _TOTALS_TEXT.match(_SPACE.sub("", v)) for v in row
    )


def _sums_the_rows_above(values: dict[str, object], amounts: Callable[[], list[object]]) -> bool:
    """A row without a name whose 实缴金额 is the sum of two or more rows above it."""
    amount = values.get("amount")
    if values.get("name") is not None or not isinstance(amount, int | float) or amount <= 0:
        return False
    numbers = [a for a in amounts() if isinstance(a, int | float) and not isinstance(a, bool)]
    return len(numbers) >= 2 and abs(sum(numbers) - amount) < 0.005


def _is_ours(values: dict[str, object]) -> bool:
    """The totals line as ``compute`` writes it (合计 in 序号, or in 姓名 without 序号)."""
    return values.get("seq") == TOTALS_LABEL or (
        values.get("seq") is None and values.get("name") == TOTALS_LABEL
    )


def _totals_findings(sheet_name: str, rows: list[int], last_person: int) -> list[Finding]:
    """A warning for each hand-typed totals line (or one with people below it)."""
    return [
        cat.ROSTER_TOTALS_LINE.at(
            sheet_name, row, variant="people_below" if row < last_person else ""
        )
        for row in rows
    ]
