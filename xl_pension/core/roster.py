"""Plain records of a roster as read from a workbook (no Excel library imported here)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from .findings import Finding
from .schema import ROSTER_SHEET


@dataclass
class Record:
    """One person row: the Excel row number and raw cell values keyed by schema column key.

    Empty cells are ``None``; other values are as the reader found them (str, float, int, date,
    datetime), not yet parsed, so that validation can report exactly what was typed.
    """

    row: int
    values: dict[str, object]

    def get(self, key: str) -> object:
        """Raw value of a column (``None`` when empty or absent)."""
        return self.values.get(key)

    def text(self, key: str) -> str:
        """The value as trimmed text ('' for empty); whole floats lose their ``.0``."""
        v = self.values.get(key)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()


class RecordTable(Sequence[Record]):
    """A sheet's person rows held column-wise, as the reader found them: record ``i`` is at
    Excel row ``rows[i]`` and holds ``cells[key][i]`` for each key (in the keys' order).

    It behaves as the list of :class:`Record` it stands for; a record is made when it is first
    asked for (and the same object is given each time after). Until any is made,
    :meth:`columns` hands the bulk check the cells without a record a row.
    """

    __slots__ = ("_made", "cells", "rows")

    def __init__(self, rows: Sequence[int], cells: dict[str, Sequence[object]]) -> None:
        self.rows = rows
        self.cells = cells
        self._made: dict[int, Record] = {}

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, i: int) -> Record: ...
    @overload
    def __getitem__(self, i: slice) -> list[Record]: ...
    def __getitem__(self, i: int | slice) -> Record | list[Record]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self.rows))[i]]
        if i < 0:
            i += len(self.rows)
        made = self._made.get(i)
        if made is None:
            row = self.rows[i]  # IndexError past the end, as a list
            made = Record(row=row, values={k: cells[i] for k, cells in self.cells.items()})
            self._made[i] = made
        return made

    def __iter__(self) -> Iterator[Record]:
        return (self[i] for i in range(len(self.rows)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __repr__(self) -> str:
        return f"RecordTable({len(self.rows)} records)"

    def columns(self) -> dict[str, Sequence[object]] | None:
        """The cells by key, or ``None`` once a record was made (it may have been changed)."""
        return None if self._made else self.cells


@dataclass
class Roster:
    """A roster workbook's people, where they are, and what the reader noticed."""

    file: str
    sheet: str = ROSTER_SHEET
    header_row: int = 2
    columns: dict[str, int] = field(default_factory=dict)  # key -> 1-based column index
    extra_headers: dict[int, str] = field(default_factory=dict)  # unknown headers by column
    meta: dict[str, str] = field(default_factory=dict)
    # the person rows (a RecordTable when read from a grid: it behaves as a list of them)
    records: Sequence[Record] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    last_row: int = 2  # last non-empty row of the sheet
    totals_rows: list[int] = field(default_factory=list)  # totals lines written by `compute`
    # the county list's 人员类别 per ID (hidden sheet written by `split`; {} when absent)
    county_categories: dict[str, str] = field(default_factory=dict)

    @property
    def township(self) -> str:
        """Township name from the workbook's metadata ('' if unknown)."""
        return self.meta.get("township_name", "")

    @property
    def village(self) -> str:
        """Village name from the workbook's metadata ('' if unknown)."""
        return self.meta.get("village", "")

    def has_column(self, key: str) -> bool:
        """True when the roster has the column with this key."""
        return key in self.columns
