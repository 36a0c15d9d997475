"""Values and colours on openpyxl cells, shared by every openpyxl writer in io/.

User text is never a formula: a string that starts with ``=`` is stored as text.
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell as XlCell

from ..core.plan import CellValue


def argb(color: str) -> str:
    """openpyxl's opaque ARGB of an ``RRGGBB`` colour."""
    return "FF" + color.lstrip("#").upper()[-6:]


def set_text_safe(cell: XlCell, value: CellValue) -> None:
    """Store ``value``; text that starts with ``=`` stays text instead of becoming a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
