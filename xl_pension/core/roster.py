"""Plain records of a roster as read from a workbook (no Excel library imported here)."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
class Roster:
    """A roster workbook's people, where they are, and what the reader noticed."""

    file: str
    sheet: str = ROSTER_SHEET
    header_row: int = 2
    columns: dict[str, int] = field(default_factory=dict)  # key -> 1-based column index
    extra_headers: dict[int, str] = field(default_factory=dict)  # unknown headers by column
    meta: dict[str, str] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
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
