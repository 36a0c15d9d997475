"""Set cell values in one sheet of an .xlsx by editing that sheet's XML and nothing else.

Every other part of the package (styles, notes, drawings, charts, images, the cached values of
formulas, extension data) is copied byte for byte — still compressed, never inflated and
deflated again (:mod:`.zip_raw`) — so the user's workbook keeps everything that a load-and-save
through openpyxl would drop. The sheet's XML is edited by :mod:`.sheet_xml`; anything unusual
raises :class:`PatchUnsupported` so the caller can fall back to openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from .atomic import atomic_path
from .sheet_xml import CellValue, PatchUnsupported, attributes, patch_sheet_xml
from .zip_raw import copy_member_raw, write_deflated

__all__ = ["CellValue", "PatchUnsupported", "patch_cells", "patch_sheet_xml", "sheet_part"]

_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"', re.S)
_REL = re.compile(r"<Relationship\b[^>]*>", re.S)


def _unescape(s: str) -> str:
    return s.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    """The zip member name of the worksheet called ``sheet``."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rid = next((r for n, r in _SHEET.findall(wb) if _unescape(n) == sheet), None)
    if rid is None:
        raise PatchUnsupported(f"no sheet {sheet!r}")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for rel in _REL.findall(rels):
        a = attributes(rel)
        if a.get("Id") == rid:
            target = a["Target"]
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise PatchUnsupported(f"no relationship {rid}")


def patch_cells(
    src: str | Path, out: str | Path, sheet: str, values: Mapping[tuple[int, int], CellValue]
) -> Path:
    """Copy ``src`` to ``out`` (atomically) with cell values of ``sheet`` set.

    ``values`` maps (row, column), both 1-based, to an int, a str or ``None`` (empty the cell,
    keeping its style). Raises :class:`PatchUnsupported` when the sheet cannot be edited safely.
    Members other than the sheet are copied as they are stored (compressed bytes unchanged).
    """
    src, out = Path(src), Path(out)
    with zipfile.ZipFile(src) as zin:
        # The package type must match the output's extension, or Excel refuses to open it.
        types = zin.read("[Content_Types].xml").decode("utf-8")
        if ("macroEnabled" in types) != (out.suffix.lower() == ".xlsm"):
            raise PatchUnsupported("package type does not match the file extension")
        part = sheet_part(zin, sheet)
        new_xml = patch_sheet_xml(zin.read(part).decode("utf-8"), values).encode("utf-8")
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w") as zout:
            for info in zin.infolist():
                if info.filename == part:
                    write_deflated(zout, info, new_xml)
                elif not copy_member_raw(zin, zout, info):
                    raise PatchUnsupported(f"member {info.filename!r} cannot be copied")
    return out
