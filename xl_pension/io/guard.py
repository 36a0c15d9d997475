"""Bounded reading: a workbook is inspected before any reader (calamine, openpyxl) sees it.

A spreadsheet package is a zip of XML parts. A hostile or damaged one can make a native reader
allocate without bound or abort the whole process: a sheet that inflates from 5 MB to 5 GB, an
unreferenced multi-gigabyte member, thousands of members, or a single stray value at XFD1048576
(the reader allocates every cell of the used range). :func:`guard_workbook` streams through the
package once with bounded memory and refuses, with one Chinese sentence, anything beyond
:data:`LIMITS` — generous for a real county (a 100,000-row roster is well inside them, and so
is the county's 400,000-row list of last year's payers).

A worksheet's used range is first bounded by a proof that costs one C-level search a chunk:
every cell starts with a reference of one column letter and a row number short enough that
26 columns x that many rows is within the limits. Only a sheet where some cell fails it (a
wide or very long sheet, a reference not written first, an unusual tag) is measured cell by
cell, streamed a second time.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import UnusableInputError
from ..core.plan import cell_ref
from ..core.roster_grid import not_roster

MB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Every limit on what a reader is handed, in one place."""

    file_bytes: int = 256 * MB  # on disk
    members: int = 5_000  # parts in the zip package
    member_bytes: int = 400 * MB  # one part, inflated (a 100,000-row sheet is about 60 MB)
    total_bytes: int = 800 * MB  # all parts, inflated
    ratio: int = 200  # inflated / compressed, for parts larger than ratio_from_bytes
    ratio_from_bytes: int = 16 * MB
    # the used range of a sheet: last row holding a value (Excel's last row: a county's list of
    # last year's payers has 400,000 rows; the cells bound below is what caps the reader)
    rows: int = 1_048_576
    columns: int = 1_000  # last column holding a value
    cells: int = 8_000_000  # rows x columns of the used range (the reader allocates them all)


LIMITS = ReadLimits()
_CHUNK = 1 * MB
# A cell element that holds something (not the self-closing <c r=".." s=".."/> of formatting).
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
# The fast path: every writer puts r= first; then the references alone give the used range.
_FAST_COL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_FAST_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_CELL_START = re.compile(rb"<c[\s/>]")  # every cell element, however its tag goes on
_SHEET = re.compile(r'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"', re.S)
_REL = re.compile(r'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"', re.S)
_REL_TARGET_FIRST = re.compile(r'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"', re.S)


def _too_large(path: Path, variant: str, **fields: object) -> UnusableInputError:
    return cat.FILE_TOO_LARGE.error(variant, file=path.name, **fields)  # type: ignore[return-value]


def _column_number(letters: bytes) -> int:
    """1-based column number of a reference's letters (bytes: scanned without decoding)."""
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> the sheet's name as the user sees it (best effort)."""
    try:
        wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, zlib.error):
        return {}
    targets = dict(_REL.findall(rels))
    targets.update({i: t for t, i in _REL_TARGET_FIRST.findall(rels)})
    names: dict[str, str] = {}
    for name, rid in _SHEET.findall(wb):
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        names[re.sub(r"[^/]+/\.\./", "", part)] = name
    return names


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    far_ref: str = ""

    def see(self, letters: bytes, digits: bytes, limits: ReadLimits) -> None:
        row, col = int(digits), _column_number(letters)
        if row > self.rows:
            self.rows = row
        if col > self.columns:
            self.columns = col
        if not self.far_ref and (row > limits.rows or col > limits.columns):
            self.far_ref = cell_ref(row, col)

    def too_big(self, limits: ReadLimits) -> bool:
        return bool(self.far_ref) or self.rows * self.columns > limits.cells


def _scan_cells(scan: bytes, extent: _Extent, limits: ReadLimits) -> None:
    """Widen ``extent`` by the cells of ``scan`` that hold a value.

    Fast (C-level) when every cell starts with its reference and the chunk stays within the
    limits; otherwise each cell is looked at, so formatting-only far cells are not refused.
    """
    columns = _FAST_COL.findall(scan)
    if len(columns) == len(_CELL_START.findall(scan)):
        letters = max(set(columns), key=lambda b: (len(b), b), default=b"")
        digits = max(set(_FAST_ROW.findall(scan)), key=lambda b: (len(b), b), default=b"")
        rows, cols = (int(digits) if digits else 0), _column_number(letters)
        wide, tall = max(cols, extent.columns), max(rows, extent.rows)
        if rows <= limits.rows and cols <= limits.columns and tall * wide <= limits.cells:
            extent.rows, extent.columns = tall, wide
            return
    for m in _CELL.finditer(scan):
        if not m.group(3):
            extent.see(m.group(1), m.group(2), limits)


def _proof_pattern(limits: ReadLimits) -> re.Pattern[bytes] | None:
    """A pattern for the cells the fast proof cannot vouch for (``None``: no fast proof).

    A cell whose reference comes first, with a one-letter column (A-Z) and a row number of
    at most ``bound`` (written as at most that many digits can be), lies within the limits:
    26 columns x ``bound`` rows <= ``limits.cells``. Every other cell start (``<c`` followed
    by a space, ``>`` or ``/``, whatever else it holds) is a match.
    """
    bound = min(limits.rows, limits.cells // 26)
    if limits.columns < 26 or bound < 9:
        return None
    top, free = str(bound)[0], len(str(bound)) - 1
    rows = f"[0-9]{{1,{free}}}" if free else ""
    if top > "1":
        rows += f"{'|' if rows else ''}[1-{int(top) - 1}][0-9]{{{free}}}"
    return re.compile(rb'<c(?=[\s/>])(?! r="[A-Z](?:' + rows.encode() + rb')")')


def _stream(
    z: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: Path,
    cap: int,
    scan: Callable[[bytes], bool] | None = None,
) -> int:
    """Inflate one member in bounded chunks; returns its real inflated size.

    ``scan`` is handed the member's XML cut before a ``<`` (so no tag is split); it returns
    False to stop reading (the member is refused, or the caller looks at it another way).
    """
    size = 0
    carry = b""
    with z.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise _too_large(path, "member", part=info.filename, mb=cap // MB)
            if scan is not None:
                data = carry + chunk
                cut = data.rfind(b"<")
                part, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
                if len(carry) > 4096:  # an absurdly long tag: scan it as it is
                    part, carry = data, b""
                if not scan(part):
                    return size
    if scan is not None and carry:
        scan(carry)
    return size


def _inflate(
    z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limits: ReadLimits, budget: int
) -> tuple[int, _Extent | None]:
    """Stream one member; returns its real inflated size and, for a worksheet, its used range.

    A worksheet is first streamed with the fast proof (one C-level search a chunk, see
    :func:`_proof_pattern`): when every cell passes it, the used range is within the limits
    and is not measured. Otherwise the worksheet is streamed again, cell by cell.
    """
    cap = min(limits.member_bytes, budget)
    if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
        return _stream(z, info, path, cap), None
    unsafe = _proof_pattern(limits)
    if unsafe is not None:
        proven = True

        def prove(part: bytes) -> bool:
            nonlocal proven
            proven = unsafe.search(part) is None
            return proven

        size = _stream(z, info, path, cap, prove)
        if proven:
            return size, _Extent()
    extent = _Extent()

    def measure(part: bytes) -> bool:
        _scan_cells(part, extent, limits)
        return not extent.too_big(limits)

    return _stream(z, info, path, cap, measure), extent


def guard_workbook(path: str | Path, limits: ReadLimits = LIMITS) -> None:
    """Refuse (:class:`UnusableInputError`) a zip-based workbook beyond ``limits``.

    Checks the size on disk, the member count, every member's declared and real inflated size
    and its compression ratio, and the used range of every worksheet (the last row and column
    that hold a value, whatever ``<dimension>`` claims). Files that are not zips pass through
    (the reader refuses them with its own message).
    """
    p = Path(path)
    size = p.stat().st_size
    if size > limits.file_bytes:
        raise _too_large(p, "disk", mb=size // MB, limit=limits.file_bytes // MB)
    if not zipfile.is_zipfile(p):
        return
    try:
        with zipfile.ZipFile(p) as z:
            _guard_package(z, p, limits)
    except UnusableInputError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError):
        raise not_roster(
            p, "文件已损坏（压缩数据不完整），无法打开，请重新保存或重新下载。"
        ) from None


def _guard_package(z: zipfile.ZipFile, p: Path, limits: ReadLimits) -> None:
    infos = z.infolist()
    if len(infos) > limits.members:
        raise _too_large(p, "members", members=len(infos))
    declared = sum(i.file_size for i in infos)
    big = max(infos, key=lambda i: i.file_size, default=None)
    if big is not None and big.file_size > limits.member_bytes:
        raise _too_large(p, "member", part=big.filename, mb=big.file_size // MB)
    if declared > limits.total_bytes:
        raise _too_large(p, "total", mb=declared // MB, limit=limits.total_bytes // MB)
    names = _sheet_names(z)
    budget = limits.total_bytes
    for info in infos:
        if info.is_dir():
            continue
        if info.file_size > limits.ratio_from_bytes and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _too_large(p, "ratio", part=info.filename, ratio=ratio)
        size, extent = _inflate(z, info, p, limits, budget)
        budget -= size
        if extent is not None and extent.too_big(limits):
            sheet = names.get(info.filename, info.filename)
            raise cat.FILE_USED_RANGE.error(
                "far" if extent.far_ref else "",
                file=p.name,
                sheet=sheet,
                ref=extent.far_ref,
                rows=extent.rows,
                columns=extent.columns,
            )
