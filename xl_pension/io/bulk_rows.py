"""Bulk data rows for xlsxwriter: many plain rows of a sheet converted once, written in one pass.

Through ``write_string``/``write_number``/``write_datetime`` xlsxwriter keeps every cell as an
object and writes it with several calls each (about 5 µs a cell); for the data rows of a big
roster or of a township summary's 明细 sheet that was most of the writing time. A
:class:`BulkRowsWorksheet` converts the rows below some row once — plain-type dispatch on
``type(value)``, strings to shared-string indexes in the order ``write_string`` would take them,
dates to serial numbers — and writes them in :meth:`_write_rows` with xlsxwriter's own row tags,
after the rows above written the ordinary way. The file is byte-for-byte the one the ``write_*``
calls make (the roster and summary writers' tests compare both, so an xlsxwriter upgrade that
changes its internals shows there); rows it does not handle make :meth:`store_rows` return
``False`` so that the caller writes them the ordinary way.

A stored row is a flat list ``[code, value, code, value, ...]`` in column order: ``code`` is
the 0-based column of a string (``value`` its shared-string index) or ``~column`` of a number
(``value`` ``None`` for a blank, formatted cell).

xlsxwriter's ``constant_memory`` mode was measured and not used for these sheets: it writes
inline strings, which cost more CPU than the shared-string table (a 20,000 x 17 sheet: about
7.7 s against 6.0 s of CPU on the shared build machine), and the writers stay far below the
memory target without it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet


class Unsupported(Exception):
    """A value the bulk path leaves to the ``write_*`` calls."""


# Longer strings may need truncating to Excel's limit, numbers beyond these may not be finite:
# both are left to the ordinary write_* path.
_MAX_FAST_STRING = 32767 // 2
_MAX_INT = 10**300


def _column(code: object) -> int:
    """The 0-based column of a stored cell's code (``~column`` for a number)."""
    return code if code >= 0 else ~code  # type: ignore[operator,return-value]


class BulkRowsWorksheet(Worksheet):
    """A worksheet whose rows from some row on are stored compactly and written in one pass
    (``workbook.add_worksheet(name, worksheet_class=BulkRowsWorksheet)``)."""

    def __init__(self) -> None:
        super().__init__()
        self._data_first = 0
        self._data_rows: list[list[object]] = []
        self._data_formats: list[Format] = []
        self._string_format: Format | None = None

    def store_rows(
        self,
        first: int,
        rows: Iterable[Sequence[object]],
        formats: Sequence[Format],
        *,
        string_format: Format | None = None,
        blanks: bool = False,
    ) -> bool:
        """Keep ``rows`` as the rows from ``first`` (0-based): cell ``c`` in ``formats[c]``, or
        in ``string_format`` when given and the value is a string. ``None`` values are not
        written, or (``blanks``) written as empty cells in the column's format — as
        ``write_blank`` does.

        Returns ``False``, storing nothing, when a value needs the ordinary ``write_*`` path
        (a string over 16,383 characters, a number that is not finite), when the rows run past the sheet's end, or when the sheet
        already has cells, row settings or comments from row ``first`` on.
        """
        below = range(first, self.xls_rowmax)
        if any(r in below for r in (*self.table, *self.row_info, *self.comments)):
            return False  # written after the stored rows: nothing else may be at or below
        try:
            stored = [self._convert_row(row, blanks) for row in rows]
        except Unsupported:
            return False
        if first + len(stored) > self.xls_rowmax:
            return False
        index = self.str_table._get_shared_string_index  # in the order write_string would
        for r, cells in enumerate(stored, start=first):
            if not cells:
                continue
            for k in range(0, len(cells), 2):
                if cells[k] >= 0:  # type: ignore[operator]
                    cells[k + 1] = index(cells[k + 1])
            self._check_dimensions(r, _column(cells[0]))
            self._check_dimensions(r, _column(cells[-2]))
        self._data_first, self._data_rows, self._data_formats = first, stored, list(formats)
        self._string_format = string_format
        return True

    def _convert_row(self, values: Sequence[object], blanks: bool) -> list[object]:
        """A row of values as a stored row (strings not yet indexed), as the ``write_*``
        calls write it."""
        cells: list[object] = []
        append = cells.append
        for c, value in enumerate(values):
            kind = type(value)
            if kind is str:  # nearly every cell: plain str and int first
                if len(value) > _MAX_FAST_STRING:
                    raise Unsupported
                append(c)
            elif kind is int:
                if not -_MAX_INT < value < _MAX_INT:
                    raise Unsupported
                append(~c)
            elif value is None:
                if not blanks:
                    continue
                append(~c)
            else:
                is_string, value = self._convert_other(value)
                append(c if is_string else ~c)
            append(value)
        return cells

    def _convert_other(self, value: object) -> tuple[bool, object]:
        """(is_string, text or number) of a value that is not a plain ``str``, ``int`` or
        ``None`` (bool and other types as their text)."""
        if isinstance(value, bool):
            return True, str(value)
        if isinstance(value, (int, float)):
            try:
                finite = math.isfinite(value)
            except OverflowError:
                finite = False
            if not finite:
                raise Unsupported
            return False, value
        if isinstance(value, dt.datetime):
            return False, self._convert_date_time(value)
        if isinstance(value, dt.date):
            return False, self._convert_date_time(dt.datetime(value.year, value.month, value.day))
        text = str(value)  # any other type is written as its text, as write_string(str(v))
        if len(text) > _MAX_FAST_STRING:
            raise Unsupported
        return True, text

    def _calculate_spans(self) -> None:
        super()._calculate_spans()
        spans = self.row_spans
        for r, cells in enumerate(self._data_rows, start=self._data_first):
            if not cells:
                continue
            block, lo, hi = r // 16, _column(cells[0]) + 1, _column(cells[-2]) + 1
            if block in spans:
                a, b = spans[block].split(":")
                lo, hi = min(lo, int(a)), max(hi, int(b))
            spans[block] = f"{lo}:{hi}"

    def _write_rows(self) -> None:
        if not self._data_rows:
            super()._write_rows()
            return
        first = self._data_first
        if any(r >= first for r in (*(r for r, c in self.table.items() if c), *self.row_info)):
            raise RuntimeError("cells or row settings were added to the stored data rows")
        super()._write_rows()  # the rows above, kept in the table
        # '<c r="' + letter + row + tail + value + '</v></c>', tail by column code:
        # '" s="7" t="s"><v>' for a string, '" s="7"><v>' for a number (code ~column);
        # a blank is '<c r="' + letter + row + '" s="7"/>'.
        n_cols = len(self._data_formats)
        xf = [f._get_xf_index() for f in self._data_formats]
        text_xf = self._string_format._get_xf_index() if self._string_format else None
        letter = {c: xl_col_to_name(c) for c in range(n_cols)}
        tail = {
            c: f'" s="{xf[c] if text_xf is None else text_xf}" t="s"><v>' for c in range(n_cols)
        }
        blank = {}
        for c in range(n_cols):
            letter[~c] = letter[c]
            tail[~c] = f'" s="{xf[c]}"><v>'
            blank[~c] = f'" s="{xf[c]}"/>'
        write = self.fh.write
        spans = self.row_spans
        for r, cells in enumerate(self._data_rows, start=self._data_first):
            if not cells:
                continue
            self._write_row(r, spans.get(r // 16))
            n = r + 1
            parts = []
            for k in range(0, len(cells), 2):
                code, value = cells[k], cells[k + 1]
                if code >= 0:  # type: ignore[operator]
                    parts.append(f'<c r="{letter[code]}{n}{tail[code]}{value}</v></c>')
                elif value is None:
                    parts.append(f'<c r="{letter[code]}{n}{blank[code]}')
                else:
                    parts.append(f'<c r="{letter[code]}{n}{tail[code]}{value:.16G}</v></c>')
            parts.append("</row>")
            write("".join(parts))
