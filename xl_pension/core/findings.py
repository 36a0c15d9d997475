"""Validation findings: the contract shared by the validator, the JSON output and annotations."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

from .privacy import mask_sensitive


class Severity(StrEnum):
    """How bad a finding is. ``UNUSABLE`` ends the command with exit code 2."""

    ERROR = "error"
    WARNING = "warning"
    UNUSABLE = "unusable"


@dataclass(frozen=True)
class Finding:
    """One problem found in a roster.

    ``row`` is the Excel row number the user sees (``None`` for whole-file findings), ``column``
    the Chinese header, ``value`` the offending cell value as text (ID and mobile numbers masked by their shape,
    whatever the column), and
    ``message`` a Chinese sentence saying what is wrong and how to fix it.
    """

    code: str
    severity: Severity
    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def __post_init__(self) -> None:
        # Masking by shape, once, where every finding is made: an ID or phone in any column.
        object.__setattr__(self, "value", mask_sensitive(self.value))
        object.__setattr__(self, "message", mask_sensitive(self.message))

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON output."""
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    """``{"error": n, "warning": m}`` for a list of findings."""
    return {
        "error": sum(1 for f in findings if f.severity is not Severity.WARNING),
        "warning": sum(1 for f in findings if f.severity is Severity.WARNING),
    }
