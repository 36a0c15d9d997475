"""Set cell values in one sheet of an .xlsx by editing that sheet's XML and nothing else.

Every other part of the package (styles, notes, drawings, charts, images, the cached values of
formulas, extension data) is copied byte for byte, so the user's workbook keeps everything that
a load-and-save through openpyxl would drop. Only plain rows and cells are handled; anything
unusual raises :class:`PatchUnsupported` so the caller can fall back to openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name

from .atomic import atomic_path

CellValue = int | str | None

_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"', re.S)
_REL = re.compile(r"<Relationship\b[^>]*>", re.S)
_ATTR = re.compile(r'(\w[\w:]*)="([^"]*)"')
_ROW = re.compile(r"<row\b([^>]*?)(/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_COL = re.compile(r"<col\b([^>]*?)/?>", re.S)
_CELL_REF = re.compile(r'\br="([A-Z]+)(\d+)"')
_CELL_STYLE = re.compile(r'\bs="([^"]*)"')
_COLUMN_INDEX: dict[str, int] = {}  # "AB" -> 28, filled as letters are met


def column_index_from_string(letters: str) -> int:
    """1-based column number of column letters ("A" -> 1, "AB" -> 28)."""
    index = _COLUMN_INDEX.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        _COLUMN_INDEX[letters] = index
    return index


def get_column_letter(index: int) -> str:
    """Column letters of a 1-based column number (1 -> "A", 28 -> "AB")."""
    return xl_col_to_name(index - 1)


class PatchUnsupported(Exception):
    """The sheet uses a layout this patcher does not edit (caller falls back to openpyxl)."""


def _attrs(text: str) -> dict[str, str]:
    return dict(_ATTR.findall(text))


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
        a = _attrs(rel)
        if a.get("Id") == rid:
            target = a["Target"]
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise PatchUnsupported(f"no relationship {rid}")


def _column_styles(xml: str) -> dict[int, str]:
    styles: dict[int, str] = {}
    for m in _COL.finditer(xml):
        a = _attrs(m.group(1))
        if "style" in a:
            for c in range(int(a["min"]), int(a["max"]) + 1):
                styles[c] = a["style"]
    return styles


def _cell_xml(ref: str, value: CellValue, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"unsupported cell value {value!r}")
    if isinstance(value, int):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def _find_cell(body: str, ref: str) -> tuple[int, int, str, str] | None:
    """Start, end, attribute text and inner XML of the cell ``ref`` in a row's XML, or None.

    In XML content ``<`` only opens a tag, so the nearest ``<`` before the ``r="..."`` attribute
    starts the tag that holds it; text that merely contains ``r="A1"`` is skipped.
    """
    needle = f'r="{ref}"'
    pos = body.find(needle)
    while pos >= 0:
        lt = body.rfind("<", 0, pos)
        if (
            lt >= 0
            and body.startswith("<c", lt)
            and body[lt + 2 : lt + 3].isspace()
            and body[pos - 1].isspace()
            and ">" not in body[lt:pos]
        ):
            gt = body.index(">", pos)
            if body[gt - 1] == "/":
                return lt, gt + 1, body[lt + 2 : gt - 1], ""
            close = body.index("</c>", gt)
            return lt, close + 4, body[lt + 2 : gt], body[gt + 1 : close]
        pos = body.find(needle, pos + 1)
    return None


def _patch_cells_in_place(row_num: int, body: str, values: Mapping[int, CellValue]) -> str | None:
    """The row's XML with every given cell replaced where it already is, or None when some
    cell is not in the row yet (the caller then rebuilds the row)."""
    spans: list[tuple[int, int, str]] = []
    for col, value in values.items():
        ref = f"{get_column_letter(col)}{row_num}"
        found = _find_cell(body, ref)
        if found is None:
            return None
        start, end, attrs, inner = found
        if "<f" in inner:
            raise PatchUnsupported("a formula would be overwritten")
        style = _CELL_STYLE.search(attrs)
        spans.append((start, end, _cell_xml(ref, value, style and style.group(1))))
    spans.sort()
    out: list[str] = []
    pos = 0
    for start, end, xml in spans:
        out.append(body[pos:start])
        out.append(xml)
        pos = end
    out.append(body[pos:])
    return "".join(out)


def _patch_row(
    row_num: int,
    body: str,
    values: Mapping[int, CellValue],
    col_styles: Mapping[int, str],
    row_style: str | None,
) -> str:
    """New inner XML of one row with the given column values set."""
    in_place = _patch_cells_in_place(row_num, body, values)
    if in_place is not None:
        return in_place
    cells: list[tuple[int, str]] = []
    for m in _CELL.finditer(body):
        ref = _CELL_REF.search(m.group(1))
        if not ref or int(ref.group(2)) != row_num:
            raise PatchUnsupported("cell without a reference")
        col = column_index_from_string(ref.group(1))
        if col in values:
            if m.group(3) and "<f" in m.group(3):
                raise PatchUnsupported("a formula would be overwritten")
            style = _CELL_STYLE.search(m.group(1))
            cells.append(
                (
                    col,
                    _cell_xml(f"{ref.group(1)}{row_num}", values[col], style and style.group(1)),
                )
            )
        else:
            cells.append((col, m.group(0)))
    present = {c for c, _ in cells}
    for col, value in values.items():
        if col not in present:
            style = col_styles.get(col) or row_style
            cells.append((col, _cell_xml(f"{get_column_letter(col)}{row_num}", value, style)))
    cells.sort(key=lambda t: t[0])
    return "".join(x for _, x in cells)


def patch_sheet_xml(xml: str, values: Mapping[tuple[int, int], CellValue]) -> str:
    """Return ``xml`` (a worksheet part) with the cell values set; ``None`` empties a cell."""
    start = xml.find("<sheetData")
    if start < 0:
        raise PatchUnsupported("no sheetData")
    head_end = xml.index(">", start) + 1
    if xml[head_end - 2] == "/":  # <sheetData/>
        data, tail_start = "", head_end
        head = xml[:start] + "<sheetData>"
    else:
        end = xml.index("</sheetData>", head_end)
        data, tail_start = xml[head_end:end], end + len("</sheetData>")
        head = xml[:head_end]
    tail = "</sheetData>" + xml[tail_start:]
    col_styles = _column_styles(xml[:start])
    by_row: dict[int, dict[int, CellValue]] = {}
    for (r, c), v in values.items():
        by_row.setdefault(r, {})[c] = v
    # Rows to set, in order, and a cursor into them: every row number below the cursor has
    # been written (as a new row or into an existing one), so each sheet row costs O(1) here.
    wanted = sorted(by_row)
    cursor = 0
    out: list[str] = []
    pos = 0
    max_row = 0
    for m in _ROW.finditer(data):
        attrs = _attrs(m.group(1))
        if "r" not in attrs:
            raise PatchUnsupported("row without a number")
        r = int(attrs["r"])
        # new rows that come before this one
        while cursor < len(wanted) and wanted[cursor] < r:
            nr = wanted[cursor]
            cursor += 1
            if nr not in by_row:  # already set in an existing row
                continue
            out.append(data[pos : m.start()])
            pos = m.start()
            out.append(
                f'<row r="{nr}">{_patch_row(nr, "", by_row.pop(nr), col_styles, None)}</row>'
            )
        max_row = max(max_row, r)
        if r in by_row:
            out.append(data[pos : m.start()])
            style = attrs.get("s") if attrs.get("customFormat") == "1" else None
            body = _patch_row(r, m.group(3) or "", by_row.pop(r), col_styles, style)
            row_attrs = re.sub(r'\s+spans="[^"]*"', "", m.group(1))  # spans would be stale
            out.append(f"<row{row_attrs}>{body}</row>")
            pos = m.end()
    out.append(data[pos:])
    for nr in sorted(by_row):
        out.append(f'<row r="{nr}">{_patch_row(nr, "", by_row[nr], col_styles, None)}</row>')
        max_row = max(max_row, nr)
    new = head + "".join(out) + tail
    return _fix_dimension(new, max_row, max((c for _, c in values), default=1))


def _fix_dimension(xml: str, max_row: int, max_col: int) -> str:
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>', xml)
    if not m:
        return xml
    c1, r1 = m.group(1), int(m.group(2))
    c2 = m.group(3) or c1
    r2 = int(m.group(4) or r1)
    c2i = max(column_index_from_string(c2), max_col)
    ref = f"{c1}{r1}:{get_column_letter(c2i)}{max(r2, max_row)}"
    return xml[: m.start()] + f'<dimension ref="{ref}"/>' + xml[m.end() :]


def patch_cells(
    src: str | Path, out: str | Path, sheet: str, values: Mapping[tuple[int, int], CellValue]
) -> Path:
    """Copy ``src`` to ``out`` (atomically) with cell values of ``sheet`` set.

    ``values`` maps (row, column), both 1-based, to an int, a str or ``None`` (empty the cell,
    keeping its style). Raises :class:`PatchUnsupported` when the sheet cannot be edited safely.
    """
    src, out = Path(src), Path(out)
    with zipfile.ZipFile(src) as zin:
        # The package type must match the output's extension, or Excel refuses to open it.
        types = zin.read("[Content_Types].xml").decode("utf-8")
        if ("macroEnabled" in types) != (out.suffix.lower() == ".xlsm"):
            raise PatchUnsupported("package type does not match the file extension")
        part = sheet_part(zin, sheet)
        xml = zin.read(part).decode("utf-8")
        new_xml = patch_sheet_xml(xml, values)
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w") as zout:
            for info in zin.infolist():
                data = new_xml.encode("utf-8") if info.filename == part else zin.read(info)
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out
