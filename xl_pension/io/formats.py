"""Workbook file formats: which ones are read, which ones are written, and the bridge between.

Rosters and county lists arrive as ``.xlsx``/``.xlsm`` (edited in place when asked) or as
``.xls``/``.ods`` (read with python-calamine, never written: what is written from them is an
``.xlsx`` beside the input). :func:`editable_copy` gives the writers an ``.xlsx`` holding the
same values at the same cells, so that row and column numbers found by the reader still hold.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NATIVE_SUFFIXES = (".xlsx", ".xlsm")  # edited where they are
READ_ONLY_SUFFIXES = (".xls", ".ods")  # read, never written: outputs are .xlsx beside them
ROSTER_SUFFIXES = (*NATIVE_SUFFIXES, *READ_ONLY_SUFFIXES)
TEXT_SUFFIXES = (".csv", ".txt")  # county lists only


def is_native(path: str | Path) -> bool:
    """True for a workbook format the writers edit in place (``.xlsx``, ``.xlsm``)."""
    return Path(path).suffix.lower() in NATIVE_SUFFIXES


def written_beside(src: str | Path, tag: str = "") -> Path:
    """Where an output derived from ``src`` goes: ``<stem><tag><suffix>`` beside it, with the
    suffix ``.xlsx`` when ``src`` is a read-only format (``a.xls`` -> ``a_计算.xlsx``; with no tag,
    ``a.xls`` -> ``a.xlsx``)."""
    src = Path(src)
    suffix = src.suffix if is_native(src) else ".xlsx"
    return src.with_name(f"{src.stem}{tag}{suffix}")


def in_place_target(src: str | Path) -> Path:
    """The file an ``--in-place`` write replaces: ``src`` itself, or for ``.xls``/``.ods`` the
    ``.xlsx`` of the same name beside it (the original is left as it is)."""
    return written_beside(src)


def format_note(src: str | Path, out: str | Path) -> str:
    """A Chinese sentence when ``out`` is an ``.xlsx`` written for a read-only input, else ''."""
    src, out = Path(src), Path(out)
    if is_native(src) or src.resolve() == out.resolve():
        return ""
    return (
        f"{src.name} 是 {src.suffix.lower()} 格式，原文件未改动，结果另存为 {out.name}（.xlsx）。"
    )


def _cell_value(value: object) -> object:
    """A calamine value as openpyxl should store it (midnight times are empty cells)."""
    if value == "" or value is None:
        return None
    if isinstance(value, dt.time) and value == dt.time(0):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def values_workbook(src: str | Path):
    """An openpyxl workbook with every sheet's values of ``src`` (any format calamine reads),
    cell for cell from A1; text stays text (never a formula), hidden sheets stay hidden."""
    import openpyxl
    import python_calamine as calamine

    book = calamine.CalamineWorkbook.from_path(str(src))
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    hidden = {m.name for m in book.sheets_metadata if str(m.visible).lower().endswith("hidden")}
    for name in book.sheet_names:
        ws = wb.create_sheet(name)
        for r, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), 1):
            for c, raw in enumerate(row, 1):
                value = _cell_value(raw)
                if value is None:
                    continue
                cell = ws.cell(r, c, value)
                if isinstance(value, str):
                    cell.data_type = "s"  # "=..." typed as text stays text
                    cell.number_format = "@"
        if name in hidden:
            ws.sheet_state = "hidden"
    if not wb.worksheets:
        wb.create_sheet("Sheet1")
    if all(ws.sheet_state == "hidden" for ws in wb.worksheets):
        wb.worksheets[0].sheet_state = "visible"
    return wb


def load_editable(src: str | Path):
    """The openpyxl workbook a writer edits: ``src`` itself for ``.xlsx``/``.xlsm`` (macros
    kept in an ``.xlsm``), else a values copy of it (:func:`values_workbook`)."""
    import openpyxl

    src = Path(src)
    if not is_native(src):
        return values_workbook(src)
    return openpyxl.load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", rich_text=True)


@contextmanager
def editable_copy(src: str | Path) -> Iterator[Path]:
    """Yield ``src`` when the writers can edit it, else a temporary ``.xlsx`` with its values
    (removed afterwards)."""
    src = Path(src)
    if is_native(src):
        yield src
        return
    with tempfile.TemporaryDirectory(prefix="xlp-") as tmp:
        copy = Path(tmp) / f"{src.stem}.xlsx"
        values_workbook(src).save(copy)
        yield copy
