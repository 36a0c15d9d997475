"""Read a roster workbook's values with python-calamine into plain :class:`Roster` records.

Formats: ``.xlsx``, ``.xlsm``, ``.xls`` and ``.ods`` (see :mod:`.formats`).

The reader finds the header row by its headers (rows inserted above are fine), maps headers
through the schema (spaces and full-width characters tolerated), drops fully empty rows and
keeps each record's Excel row number. Anything that is not a roster raises
:class:`UnusableInputError` with code ``template.not_roster`` and a one-line Chinese message.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import python_calamine as calamine

from ..core import catalogue as cat
from ..core.roster import Roster
from ..core.roster_grid import (
    HEADER_SEARCH_ROWS,
    find_header,
    meta_from_rows,
    not_roster,
    roster_from_rows,
)
from ..core.schema import IDENTITY_SHEET, META_SHEET, ROSTER_SHEET, normalize_header
from .formats import ROSTER_SUFFIXES, TEXT_SUFFIXES
from .guard import guard_workbook

__all__ = ["HEADER_SEARCH_ROWS", "find_header", "not_roster", "open_workbook", "read_roster"]
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_workbook(path: str | Path) -> calamine.CalamineWorkbook:
    """Open an .xlsx/.xlsm/.xls/.ods with calamine, turning every kind of bad file into one
    clear error."""
    p = Path(path)
    if not p.exists():
        raise cat.FILE_MISSING.error(path=p)
    if p.is_dir():
        raise not_roster(p, "这是一个文件夹，不是 Excel 文件。")
    suffix = p.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        raise not_roster(p, "是文本（CSV）文件，请使用标准花名册模板（.xlsx）。")
    if suffix not in ROSTER_SUFFIXES:
        raise not_roster(p, "不是 Excel 工作簿（.xlsx、.xls 或 .ods），请使用标准花名册模板。")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise cat.FILE_UNREADABLE.error(file=p.name, reason=exc.strerror) from None
    if size == 0:
        raise not_roster(p, "是空文件（0 字节），可能保存时出错，请重新保存或重新下载。")
    if suffix == ".xls":
        if head != _OLE_MAGIC:
            raise not_roster(p, "不是有效的 .xls 文件（文件已损坏或只是改了扩展名）。")
    elif head == _OLE_MAGIC:
        raise not_roster(
            p, "已加密（设置了打开密码）或实际是旧版 .xls 格式，请取消密码并另存为 .xlsx。"
        )
    elif not zipfile.is_zipfile(p):
        raise not_roster(p, "不是有效的 Excel 文件（文件已损坏或只是改了扩展名）。")
    guard_workbook(p)  # bounded reading: nothing beyond io.guard.LIMITS reaches a native reader
    try:
        return calamine.CalamineWorkbook.from_path(str(p))
    except Exception:  # calamine raises several error types for damaged packages
        if suffix == ".xls":
            raise not_roster(
                p, "不是有效的 .xls 文件（已损坏或设置了打开密码），请重新保存或重新下载。"
            ) from None
        raise not_roster(p, "文件已损坏，无法打开，请重新保存或重新下载。") from None


def read_meta(wb: calamine.CalamineWorkbook) -> dict[str, str]:
    """Key/value pairs of the hidden ``_meta`` sheet ({} when absent)."""
    if META_SHEET not in wb.sheet_names:
        return {}
    return meta_from_rows(wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False))


def read_identities(wb: calamine.CalamineWorkbook) -> dict[str, str]:
    """The county list's 人员类别 per ID from the hidden ``_identities`` sheet ({} when absent)."""
    if IDENTITY_SHEET not in wb.sheet_names:
        return {}
    rows = wb.get_sheet_by_name(IDENTITY_SHEET).to_python(skip_empty_area=False)
    return {
        str(row[0]).strip(): str(row[1]).strip()
        for row in rows[1:]
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip() and row[1]
    }


def read_roster(path: str | Path) -> Roster:
    """Read the ``花名册`` sheet of a roster workbook into a :class:`Roster`."""
    p = Path(path)
    wb = open_workbook(p)
    sheet_name = next((n for n in wb.sheet_names if normalize_header(n) == ROSTER_SHEET), None)
    if sheet_name is None:
        raise not_roster(p, f"没有名为“{ROSTER_SHEET}”的工作表，不是标准花名册。")
    try:
        rows = wb.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        meta = read_meta(wb)
        identities = read_identities(wb)
    except Exception:
        raise not_roster(p, "文件内容已损坏，无法读取。") from None
    roster = roster_from_rows(p, sheet_name, rows, meta)
    roster.county_categories = identities
    return roster
