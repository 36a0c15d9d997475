"""Read a roster workbook's values with python-calamine into plain :class:`Roster` records.

The reader finds the header row by its headers (rows inserted above are fine), maps headers
through the schema (spaces and full-width characters tolerated), drops fully empty rows and
keeps each record's Excel row number. Anything that is not a roster raises
:class:`UnusableInputError` with code ``template.not_roster`` and a one-line Chinese message.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import python_calamine as calamine

from ..errors import UnusableInputError
from ..findings import Finding, Severity
from ..roster import Record, Roster
from ..schema import (
    META_SHEET,
    REQUIRED_HEADER_KEYS,
    ROSTER_SHEET,
    TEMPLATE_VERSION,
    TOTALS_LABEL,
    header,
    key_for_header,
    normalize_header,
)

HEADER_SEARCH_ROWS = 30
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def not_roster(file: str | Path, why: str) -> UnusableInputError:
    """The error for a file that cannot be used as a roster."""
    return UnusableInputError(f"{Path(file).name}：{why}", code="template.not_roster")


def open_workbook(path: str | Path) -> calamine.CalamineWorkbook:
    """Open an .xlsx/.xlsm with calamine, turning every kind of bad file into one clear error."""
    p = Path(path)
    if not p.exists():
        raise UnusableInputError(f"找不到文件 {p}。", code="file.missing")
    if p.is_dir():
        raise not_roster(p, "这是一个文件夹，不是 Excel 文件。")
    suffix = p.suffix.lower()
    if suffix == ".xls":
        raise not_roster(p, "是旧版 .xls 格式，请在 Excel 或 WPS 中“另存为” .xlsx 后再处理。")
    if suffix in (".csv", ".txt"):
        raise not_roster(p, "是文本（CSV）文件，请使用标准花名册模板（.xlsx）。")
    if suffix not in (".xlsx", ".xlsm"):
        raise not_roster(p, "不是 .xlsx 格式的 Excel 工作簿，请使用标准花名册模板。")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnusableInputError(
            f"无法读取文件 {p.name}（{exc.strerror}）。", code="file.unreadable"
        ) from None
    if size == 0:
        raise not_roster(p, "是空文件（0 字节），可能保存时出错，请重新保存或重新下载。")
    if head == _OLE_MAGIC:
        raise not_roster(
            p, "已加密（设置了打开密码）或实际是旧版 .xls 格式，请取消密码并另存为 .xlsx。"
        )
    if not zipfile.is_zipfile(p):
        raise not_roster(p, "不是有效的 Excel 文件（文件已损坏或只是改了扩展名）。")
    try:
        return calamine.CalamineWorkbook.from_path(str(p))
    except Exception:  # calamine raises several error types for damaged packages
        raise not_roster(p, "文件已损坏，无法打开，请重新保存或重新下载。") from None


def _is_empty(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _clean(v: object) -> object:
    """Calamine value -> record value: '' becomes None, text is kept as typed."""
    if _is_empty(v):
        return None
    if isinstance(v, dt.time):
        return None if v == dt.time(0) else v
    return v


def find_header(rows: list[list[object]]) -> tuple[int, dict[str, int], dict[int, str]] | None:
    """Locate the header row: (0-based row index, key -> 0-based column, unknown headers)."""
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        unknown: dict[int, str] = {}
        for c, cell in enumerate(row):
            if _is_empty(cell):
                continue
            key = key_for_header(cell)
            if key is None:
                unknown[c] = normalize_header(cell)
            elif key not in keys:
                keys[key] = c
        if all(k in keys for k in REQUIRED_HEADER_KEYS):
            return r, keys, unknown
    return None


def read_meta(wb: calamine.CalamineWorkbook) -> dict[str, str]:
    """Key/value pairs of the hidden ``_meta`` sheet ({} when absent)."""
    if META_SHEET not in wb.sheet_names:
        return {}
    meta: dict[str, str] = {}
    for row in wb.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip():
            v = row[1]
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            meta[row[0].strip()] = "" if v is None else str(v).strip()
    return meta


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
    except Exception:
        raise not_roster(p, "文件内容已损坏，无法读取。") from None
    found = find_header(rows)
    if found is None:
        missing = "、".join(header(k) for k in REQUIRED_HEADER_KEYS)
        raise not_roster(
            p, f"在“{ROSTER_SHEET}”前 {HEADER_SEARCH_ROWS} 行找不到包含“{missing}”的表头行。"
        )
    header_idx, keys, unknown = found
    roster = Roster(
        file=str(p),
        sheet=sheet_name,
        header_row=header_idx + 1,
        columns={k: c + 1 for k, c in keys.items()},
        extra_headers={c + 1: h for c, h in unknown.items()},
        meta=meta,
    )
    if not meta:
        roster.findings.append(
            Finding(
                "template.meta_missing",
                Severity.WARNING,
                sheet_name,
                None,
                "",
                "",
                "本表缺少标准模板的隐藏信息页（_meta），无法确认乡镇、村和年度；"
                "建议用“新建花名册”生成标准表后把数据复制过去。",
            )
        )
    else:
        try:
            version = int(meta.get("template_version", "0"))
        except ValueError:
            version = 0
        if version < TEMPLATE_VERSION:
            roster.findings.append(
                Finding(
                    "template.version",
                    Severity.WARNING,
                    sheet_name,
                    None,
                    "",
                    str(meta.get("template_version", "")),
                    f"本表由旧版模板（第 {version} 版）制作，当前为第 {TEMPLATE_VERSION} 版；"
                    "建议用“新建花名册”生成新表后把数据复制过去。",
                )
            )
    for r in range(header_idx + 1, len(rows)):
        row = rows[r]
        if all(_is_empty(v) for v in row):
            continue
        roster.last_row = r + 1
        values = {k: _clean(row[c]) if c < len(row) else None for k, c in keys.items()}
        if values.get("id_number") is None and (
            values.get("seq") == TOTALS_LABEL
            or (values.get("seq") is None and values.get("name") == TOTALS_LABEL)
        ):
            roster.totals_rows.append(r + 1)
            continue  # the totals line written by `compute` (label in 序号, or 姓名 without 序号)
        roster.records.append(Record(row=r + 1, values=values))
    return roster
