"""The XML of worksheet cells and shared strings, as xlsxwriter would write them, made cheaply.

:class:`~xl_pension.io.plan_sheet.PlanWorksheet` renders every cell of a plan here instead of
through xlsxwriter's ``write_*`` calls (one object and several calls a cell, about 5 µs). The
output follows xlsxwriter's own cell XML (``<c r="B7" s="3" t="s"><v>12</v></c>``, shared
strings, ``_xHHHH_`` escapes, ``xml:space="preserve"``), so every reader of xlsxwriter's files
(Excel, WPS, LibreOffice, openpyxl, calamine) reads these the same way; only the order of the
shared-string table and of the cell formats may differ, which no reader shows.

Rows of :class:`~xl_pension.core.plan.BulkRows` are rendered column by column: each distinct
value of a column is rendered once, and a row is one ``str.join`` of its cells' pieces around
its row number (:func:`bulk_rows_xml`), so a cell costs a dictionary look-up, not a call.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from itertools import repeat

XLS_STRMAX = 32767  # Excel's longest cell text (UTF-16 units); xlsxwriter truncates to it
_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_ATTRIBUTE = re.compile('["&<>\n]')
_ERROR_CODES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})
SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
)
_BIG_INT = 10**15  # beyond it an int is written as Excel's double, as xlsxwriter does


def truncated(text: str) -> str:
    """``text`` cut to Excel's cell limit of 32,767 UTF-16 units (as xlsxwriter cuts it)."""
    if len(text) <= XLS_STRMAX // 2:
        return text
    units = text.encode("utf-16-le")
    if len(units) // 2 <= XLS_STRMAX:
        return text
    cut = units[: XLS_STRMAX * 2].decode("utf-16-le", errors="ignore")  # no half surrogate
    return cut


def escape_data(text: str) -> str:
    """Text as XML element content: ``& < >`` escaped (quotes and newlines kept)."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def escape_attribute(text: str) -> str:
    """Text as an XML attribute value (quotes and newlines escaped too)."""
    if not _ATTRIBUTE.search(text):
        return text
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "&#xA;")
    )


def _control_escaped(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes: control characters and non-characters escaped, and a
    literal ``_xHHHH_`` in the text protected by escaping its underscore."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")


def shared_string_xml(text: str) -> str:
    """One ``<si>`` element of the shared-string table (always plain text, never markup)."""
    if _ESCAPE.search(text):
        text = escape_data(_control_escaped(text))
    if text[:1].isspace() or text[-1:].isspace():  # what xlsxwriter's ^\s|\s$ finds
        return f'<si><t xml:space="preserve">{text}</t></si>'
    return f"<si><t>{text}</t></si>"


def shared_strings_xml(strings: Sequence[str], count: int) -> str:
    """The whole ``xl/sharedStrings.xml`` part: ``strings`` in index order, ``count`` uses."""
    body = "".join(map(shared_string_xml, strings))
    return f'{SST_HEAD} count="{count}" uniqueCount="{len(strings)}">{body}</sst>'


def number_text(value: int | float) -> str:
    """A number as cell XML text: ints exactly, floats as their shortest round-trip form."""
    if type(value) is int and -_BIG_INT < value < _BIG_INT:
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        raise TypeError(f"a cell cannot hold {value!r}")  # as xlsxwriter's write_number
    return repr(number) if number != int(number) or abs(number) >= _BIG_INT else str(int(number))


def formula_xml(ref: str, s: str, text: str, result: object) -> str:
    """A formula cell with its cached result (``s``: the ``' s="7"'`` attribute or ``''``)."""
    text = escape_data(text[1:] if text.startswith("=") else text)
    if isinstance(result, bool):
        return f'<c r="{ref}"{s} t="b"><f>{text}</f><v>{int(result)}</v></c>'
    if isinstance(result, str):
        kind = "" if not result else ' t="e"' if result in _ERROR_CODES else ' t="str"'
        return f'<c r="{ref}"{s}{kind}><f>{text}</f><v>{escape_data(result)}</v></c>'
    return f'<c r="{ref}"{s}><f>{text}</f><v>{number_text(result)}</v></c>'  # type: ignore[arg-type]


ROW_OPEN = '<row r="'
# types whose equal values are written the same (1 == 1.0; a date never equals a datetime)
_KEYED = frozenset({str, int, float, type(None), dt.date, dt.datetime})


def bulk_rows_xml(
    numbers: Sequence[int],
    columns: Sequence[Sequence[object]],
    pieces: Sequence[Callable[[object], str]],
    letters: Sequence[str],
) -> list[str]:
    """Whole ``<row>`` elements of equally long ``columns``, the rows numbered ``numbers``.

    ``pieces[c](value)`` is the cell's XML after its row number (``" s="3"><v>5</v></c>``); it
    is called once per distinct value of the column. A row is its row number joined between
    ``<row r="``, ``"><c r="A``, piece of A + ``<c r="B``, ..., piece of the last + ``</row>``.
    """
    n_cols = len(columns)
    mapped: list[object] = [repeat(ROW_OPEN), repeat(f'"><c r="{letters[0]}')]
    for c, column in enumerate(columns):
        after = f'<c r="{letters[c + 1]}' if c + 1 < n_cols else "</row>"
        render = pieces[c]
        if not set(map(type, column)) <= _KEYED:  # equal keys, other cells (True == 1)
            mapped.append([render(v) + after for v in column])
            continue
        table = dict.fromkeys(column)
        for value in table:
            table[value] = render(value) + after
        mapped.append(list(map(table.__getitem__, column)))
    return list(map(str.join, map(str, numbers), zip(*mapped, strict=False)))  # repeat()s
