"""Read the county's list of last year's payers (python-calamine); write the split report.

The list may be on any sheet: the first sheet whose header row (within the first
``HEADER_SEARCH_ROWS`` rows) has at least 乡镇, 村 (or one combined 行政区划), 姓名 and 身份证号码
is used. Lists come as .xlsx, .xls, .ods or .csv (UTF-8 or GBK). Headers are mapped
through :func:`xl_pension.core.schema.county_list_key` (variants such as ``乡镇（街道）``, ``村（社区）``,
``公民身份号码``, ``上年缴费档次`` are accepted). Fully empty rows are not rows; every other row
below the header becomes a :class:`ListRow` with its Excel row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core import catalogue as cat
from ..core.county_rows import LIST_REQUIRED_KEYS, ListRow, Rejected
from ..core.errors import UnusableInputError
from ..core.schema import COUNTY_LIST_COLUMNS, county_list_key
from .atomic import atomic_path
from .formats import TEXT_SUFFIXES
from .reader import HEADER_SEARCH_ROWS, open_workbook

_HEADERS = {c.key: c.header for c in COUNTY_LIST_COLUMNS}


@dataclass
class CountyList:
    """The rows of the county list and where they were found."""

    file: str
    sheet: str
    header_row: int  # 1-based Excel row
    columns: dict[str, int]  # list key -> 1-based column
    rows: list[ListRow] = field(default_factory=list)


def is_empty_cell(v: object) -> bool:
    """True for an empty cell: None or blank text."""
    return v is None or (isinstance(v, str) and not v.strip())


def clean_cell(v: object) -> object:
    """Calamine value -> raw list value: blank text and midnight times become ``None``."""
    if is_empty_cell(v):
        return None
    if isinstance(v, dt.time) and v == dt.time(0):
        return None
    return v


def _score(keys: dict[str, int]) -> int:
    """How many of the needed columns a header row has: 姓名, 身份证号码, and 乡镇 + 村 (or one
    行政区划 column standing for both)."""
    place = 2 if "region" in keys else sum(k in keys for k in ("township", "village"))
    return place + sum(k in keys for k in LIST_REQUIRED_KEYS if k not in ("township", "village"))


def _header_in(rows: list[list[object]]) -> tuple[int, dict[str, int], int]:
    """(row index, key -> column, score) of the best header candidate (see :func:`_score`)."""
    best: tuple[int, dict[str, int], int] = (-1, {}, 0)
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        for c, cell in enumerate(row):
            if is_empty_cell(cell):
                continue
            key = county_list_key(cell)
            if key is not None and key not in keys:
                keys[key] = c
        found = _score(keys)
        if found == len(LIST_REQUIRED_KEYS):
            return r, keys, found
        if found > best[2]:
            best = (r, keys, found)
    return best


def _unusable(path: Path, why: str) -> UnusableInputError:
    error = cat.LIST_NOT_COUNTY_LIST.error(file=path.name, why=why)
    assert isinstance(error, UnusableInputError)
    return error


_EXCEL_TEXT = re.compile(r'^="(.*)"$')  # ="3717..." : how exports keep an ID as text in CSV


def _csv_rows(p: Path) -> list[list[object]]:
    """Rows of a CSV export, decoded as UTF-8 (with or without BOM), else GB18030 (GBK)."""
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise cat.FILE_UNREADABLE.error(file=p.name, reason=exc.strerror) from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _unusable(p, "文字编码无法识别（应为 UTF-8 或 GBK），请用 Excel 另存为 .xlsx。")
    sample = content[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    rows: list[list[object]] = []
    for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter):
        rows.append([_EXCEL_TEXT.sub(r"\1", cell).strip() for cell in row])
    return rows


def list_sheets(p: Path) -> Iterator[tuple[str, list[list[object]]]]:
    """(sheet name, rows) of each sheet of the list (a CSV file is one sheet named after it)."""
    if p.suffix.lower() in TEXT_SUFFIXES and p.is_file():
        yield p.stem, _csv_rows(p)
        return
    wb = open_workbook(p)
    for sheet in wb.sheet_names:
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception:
            raise _unusable(p, f"工作表“{sheet}”已损坏，无法读取。") from None
        yield sheet, rows


def read_county_list(path: str | Path) -> CountyList:
    """Read the county list at ``path`` (.xlsx, .xls, .ods, or .csv in UTF-8 or GBK); raise
    :class:`UnusableInputError` when it is not one."""
    p = Path(path)
    best_keys: dict[str, int] = {}
    for sheet, rows in list_sheets(p):
        r, keys, found = _header_in(rows)
        if found == len(LIST_REQUIRED_KEYS):
            return _rows_below(p, sheet, rows, r, keys)
        if found > _score(best_keys):
            best_keys = keys
    wanted = "、".join(_HEADERS[k] for k in LIST_REQUIRED_KEYS)
    missing = "、".join(
        _HEADERS[k]
        for k in LIST_REQUIRED_KEYS
        if k not in best_keys and not (k in ("township", "village") and "region" in best_keys)
    )
    raise _unusable(
        p,
        f"各工作表前 {HEADER_SEARCH_ROWS} 行都找不到包含“{wanted}”的表头行"
        f"（缺少“{missing}”；乡镇和村也可以合在一列“{_HEADERS['region']}”），"
        "不是县里下发的上年缴费名单。",
    )


def _rows_below(
    p: Path, sheet: str, rows: list[list[object]], header_idx: int, keys: dict[str, int]
) -> CountyList:
    out = CountyList(
        file=str(p),
        sheet=sheet,
        header_row=header_idx + 1,
        columns={k: c + 1 for k, c in keys.items()},
    )
    items = list(keys.items())
    append = out.rows.append
    for r in range(header_idx + 1, len(rows)):
        row = rows[r]
        if all(is_empty_cell(v) for v in row):
            continue
        n = len(row)
        append(
            ListRow(row=r + 1, values={k: clean_cell(row[c]) if c < n else None for k, c in items})
        )
    return out


REPORT_HEADERS = (
    ("源文件行号", 10),
    ("原因", 60),
    ("乡镇", 14),
    ("村", 14),
    ("姓名", 10),
    ("身份证号码", 21),
    ("处理", 22),
)
REPORT_SHEET = "拆分问题清单"


def write_split_report(
    path: str | Path, source: CountyList, rejected: list[tuple[str, Rejected]]
) -> Path:
    """Write the rows ``split`` did not place, or placed with a doubt, to ``path`` atomically:
    (outcome, row) pairs such as :meth:`SplitResult.report_rows` gives (ID numbers masked)."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False}
        )
        wb.set_properties({"title": REPORT_SHEET, "author": "xl_pension"})
        base = {"font_name": "等线", "font_size": 11, "valign": "top"}
        head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#FCE4D6"})
        cell = wb.add_format({**base, "text_wrap": True, "num_format": "@"})
        number = wb.add_format({**base, "num_format": "0"})
        ws = wb.add_worksheet(REPORT_SHEET)
        for c, (title, width) in enumerate(REPORT_HEADERS):
            ws.set_column(c, c, width)
            ws.write_string(0, c, title, head)
        for i, (outcome, r) in enumerate(rejected, start=1):
            ws.write_number(i, 0, r.row, number)
            values = (r.reason, r.township, r.village, r.name, r.id_masked, outcome)
            for c, value in enumerate(values, 1):
                ws.write_string(i, c, value, cell)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rejected), 1), len(REPORT_HEADERS) - 1)
        note = wb.add_worksheet("说明")
        note.set_column(0, 0, 100)
        lines = (
            f"来源文件：{Path(source.file).name}，工作表“{source.sheet}”，表头在第 {source.header_row} 行。",
            "“源文件行号”是该人在来源文件中的 Excel 行号；改正来源文件后重新拆分即可。",
            "身份证号码只显示前 6 位和后 4 位。",
        )
        for i, line in enumerate(lines):
            note.write_string(i, 0, line)
        wb.close()
    return path
