"""The rows of the county's list of last year's payers, as read, and the rows refused.

Plain records shared by the list's reader (:mod:`xl_pension.io.county_list_reader`) and the
split (:mod:`xl_pension.reports.county_list`), so that neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import catalogue as cat

# Keys of the list's columns that must be present in its header row.
LIST_REQUIRED_KEYS = ("township", "village", "name", "id_number")

# Rejection codes (stable, from the findings catalogue) and the label each is counted under.
REJECT_LABELS: dict[str, str] = {
    t.code: t.label
    for t in (
        cat.TOWNSHIP_EMPTY,
        cat.TOWNSHIP_UNKNOWN,
        cat.VILLAGE_EMPTY,
        cat.NAME_EMPTY,
        cat.ID_MISSING,
        cat.ID_NUMERIC,
        cat.ID_FORMAT,
        cat.ID_CHECKSUM,
        cat.ID_BIRTHDATE,
        cat.ID_DUPLICATE,
        cat.STATUS_NOT_EXPECTED,
        cat.CATEGORY_UNMAPPED,
    )
}


@dataclass(frozen=True)
class ListRow:
    """One non-empty row of the county list: its Excel row number and raw values by list key."""

    row: int
    values: dict[str, object]

    def get(self, key: str) -> object:
        """Raw value of a column (``None`` when empty or absent)."""
        return self.values.get(key)


@dataclass(frozen=True)
class Rejected:
    """A row that could not be placed: the primary code, every reason, and what it said."""

    row: int
    code: str
    reason: str  # all problems of the row, in Chinese, joined by "；"
    township: str
    village: str
    name: str
    id_masked: str
    status: str = ""  # the 参保状态 / 缴费状态 that held the row back

    @property
    def label(self) -> str:
        """The Chinese label of the primary reason (for counts)."""
        return REJECT_LABELS.get(self.code, self.code)
