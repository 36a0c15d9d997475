"""Apply a cell plan (:mod:`xl_pension.core.plan`) to a workbook file.

:func:`apply_plan` copies an existing workbook with the plan applied. A plan that only sets
cells of one sheet (compute) goes through :mod:`.xlsx_patch`, which edits that sheet's XML and
keeps every other byte of the package; the cells keep their own styles there, and openpyxl is
not even imported. Anything else, or a sheet the patcher does not edit, goes through openpyxl
(:mod:`.openpyxl_plan`). New workbooks are written by :mod:`.new_workbook`. Every ``str`` value
is stored as text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.plan import WorkbookPlan
from .atomic import atomic_path
from .xlsx_patch import PatchUnsupported, patch_cells


def _only_cells(plan: WorkbookPlan) -> bool:
    return not (plan.sheets or plan.marks or plan.delete) and len(plan.edits) == 1


def apply_plan(src: str | Path, out: str | Path, plan: WorkbookPlan) -> Path:
    """Copy the workbook ``src`` to ``out`` (may be the same file, replaced atomically) with
    ``plan`` applied. An ``.xls``/``.ods`` input is edited as a values copy, saved as ``.xlsx``."""
    from .formats import editable_copy

    src, out = Path(src), Path(out)
    with editable_copy(src) as editable:
        if _only_cells(plan):
            edit = plan.edits[0]
            values = {k: c.value for k, c in edit.cells.items()}
            try:
                return patch_cells(editable, out, edit.name, values)
            except PatchUnsupported:
                pass  # e.g. a macro workbook saved as .xlsx: openpyxl sets the package type
        import openpyxl

        from .openpyxl_plan import apply_to_workbook

        keep_vba = editable.suffix.lower() == ".xlsm" and out.suffix.lower() == ".xlsm"
        wb = openpyxl.load_workbook(editable, keep_vba=keep_vba, rich_text=True)
    apply_to_workbook(wb, plan)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


Anchor = Callable[[int, int], tuple[int, int]]


def apply_planned(
    src: str | Path, out: str | Path, plan_for: Callable[[Anchor], WorkbookPlan], sheet: str
) -> Path:
    """Like :func:`apply_plan`, for a plan that depends on the workbook's merged cells: load
    ``src`` (an ``.xls``/``.ods`` as a values copy), call ``plan_for`` with the function giving
    the top-left cell of the merged range at (row, column) of ``sheet``, apply, save atomically."""
    from .annotate import merged_anchor
    from .formats import load_editable
    from .openpyxl_plan import apply_to_workbook

    src, out = Path(src), Path(out)
    wb = load_editable(src)
    ws = wb[sheet]
    apply_to_workbook(wb, plan_for(lambda r, c: merged_anchor(ws, r, c)))
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out
