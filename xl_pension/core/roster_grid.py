"""Build a :class:`Roster` from a grid of cell values, whatever read it.

The file reader (python-calamine) and the ribbon macros (xlwings, the open workbook) both hand
their ``花名册`` values here, so a roster means the same thing to every front end: the header row
is found by its headers (rows inserted above are fine), headers are mapped through the schema,
fully empty rows are dropped, the totals line written by ``compute`` is not a person, and a
missing or older ``_meta`` gives a warning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import catalogue as cat
from .errors import UnusableInputError
from .findings import Finding
from .roster import Record, Roster
from .schema import (
    REQUIRED_HEADER_KEYS,
    ROSTER_SHEET,
    TEMPLATE_VERSION,
    TOTALS_LABEL,
    header,
    key_for_header,
    normalize_header,
)

HEADER_SEARCH_ROWS = 30


def not_roster(file: str | Path, why: str) -> UnusableInputError:
    """The error for a file that cannot be used as a roster."""
    error = cat.TEMPLATE_NOT_ROSTER.error(file=Path(file).name, why=why)
    assert isinstance(error, UnusableInputError)
    return error


def _is_empty(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _row_empty(row: list[object]) -> bool:
    """True when every cell is empty or blank text (fast for the usual non-empty row)."""
    if not any(row):  # only '', None, 0, False: look closer (0 is a value)
        return all(_is_empty(v) for v in row)
    return not any(v and not (isinstance(v, str) and not v.strip()) for v in row)


def _clean(v: object) -> object:
    """Calamine value -> record value: '' becomes None, text is kept as typed."""
    if v is None or v == "":
        return None
    if type(v) is str:
        return v if v.strip() else None
    if isinstance(v, dt.time):
        return None if v == dt.time(0) else v
    return v


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
    columns = list(keys.items())
    for r in range(header_idx + 1, len(rows)):
        row = rows[r]
        if _row_empty(row):
            continue
        roster.last_row = r + 1
        n = len(row)
        values = {k: _clean(row[c]) if c < n else None for k, c in columns}
        if values.get("id_number") is None and (
            values.get("seq") == TOTALS_LABEL
            or (values.get("seq") is None and values.get("name") == TOTALS_LABEL)
        ):
            roster.totals_rows.append(r + 1)
            continue  # the totals line written by `compute` (label in 序号, or 姓名 without 序号)
        roster.records.append(Record(row=r + 1, values=values))
    return roster
