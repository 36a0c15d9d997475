"""xlsxwriter's workbook, packaged faster: shared strings in one pass, the zip at a low level.

Two costs of ``Workbook.close`` on a big report are not the cells: the shared-string table,
written through xlsxwriter's XML writer one call per string (about 17 µs each, 0.6 s for a
township's 34,000 names and IDs), and deflating the parts at zlib's default level 6 (0.4 s for
a township summary's 18 MB of XML). :class:`PlanWorkbook` writes the table in one pass
(:func:`~xl_pension.io.xlsx_cells.shared_strings_xml`: the same XML) and zips the parts itself at
:data:`ZIP_LEVEL`, three times faster than level 6 for a file about a third larger (a township
summary 2.0 -> 2.6 MB), which every reader opens the same. Every other part is xlsxwriter's.

The parts are taken from xlsxwriter's packager (kept in memory, ``in_memory`` mode) instead of
being zipped by ``Workbook.close``, which is given an in-memory file to zip nothing into;
:meth:`PlanWorkbook.save` then writes the real file.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook

from .plan_sheet import PlanWorksheet
from .xlsx_cells import shared_strings_xml

ZIP_LEVEL = 1  # zlib's fastest: 0.13 s instead of 0.41 s for a township summary
_EXCEL_EPOCH = (1980, 1, 1, 0, 0, 0)  # the parts' time stamp, as xlsxwriter sets it


class _PartsPackager(Packager):
    """xlsxwriter's packager, keeping the parts it made for :class:`PlanWorkbook` to zip."""

    def __init__(self, keep: list[tuple[Any, str, bool]]) -> None:
        super().__init__()
        self.keep = keep

    def _write_shared_strings_file(self) -> None:
        table = self.workbook.str_table
        if not table.count:
            return
        part = self._filename("xl/sharedStrings.xml")
        part.write(shared_strings_xml(table.string_array, table.count))

    def _create_package(self):  # type: ignore[no-untyped-def]
        self.keep.extend(super()._create_package())
        return []  # nothing for Workbook.close to zip: PlanWorkbook.save does


class PlanWorkbook(Workbook):
    """A workbook of :class:`~xl_pension.io.plan_sheet.PlanWorksheet` sheets, written by
    :meth:`save` (not ``close``)."""

    worksheet_class = PlanWorksheet

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(io.BytesIO(), {**(options or {}), "in_memory": True})
        self._parts: list[tuple[Any, str, bool]] = []

    def _get_packager(self) -> Packager:
        return _PartsPackager(self._parts)

    def save(self, path: str | Path) -> None:
        """Package the workbook and write it to ``path`` as an xlsx file."""
        self.close()
        with ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL) as z:
            for part, name, is_binary in self._parts:
                info = ZipInfo(name, _EXCEL_EPOCH)
                info.compress_type = ZIP_DEFLATED
                data = part.getvalue()
                z.writestr(
                    info, data if is_binary else data.encode("utf-8"), ZIP_DEFLATED, ZIP_LEVEL
                )
        self._parts.clear()
