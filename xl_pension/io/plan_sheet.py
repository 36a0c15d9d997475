"""A worksheet whose planned cells are rendered straight to XML, not stored as xlsxwriter cells.

xlsxwriter keeps every ``write_*`` call as a cell object and writes each with several calls at
``close`` (about 5 µs a cell, most of a township summary's writing). A :class:`PlanWorksheet`
takes a plan's cells (:meth:`put_cells`) and bulk rows (:meth:`put_bulk`) and renders each
cell's XML once (:mod:`xl_pension.io.xlsx_cells`), as the ``write_*`` calls would have made it:
the same values, cached formula results, formats, shared strings and hyperlinks. Everything else
(columns, row heights, merges, charts, print setup, panes, autofilter) stays xlsxwriter's; the
few cells xlsxwriter itself holds (the blanks of merged ranges) are written between ours in
column order, and the data charts cache is read from the plan (:meth:`_get_range_data`).
"""

from __future__ import annotations

import datetime as dt
import io
import operator
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat

from xlsxwriter.format import Format
from xlsxwriter.url import Url
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..core.plan import Cell, Formula, Link
from .xlsx_cells import (
    XLS_STRMAX,
    bulk_rows_xml,
    escape_attribute,
    formula_xml,
    number_text,
    truncated,
)

MAX_URL = 2079  # the longest link xlsxwriter (Excel) takes; write_url writes nothing for longer
FormatOf = Callable[[object], Format | None]


class PlanWorksheet(Worksheet):
    """A worksheet filled from a cell plan (``add_worksheet(name, worksheet_class=...)``)."""

    def __init__(self) -> None:
        super().__init__()
        self._cells: dict[int, dict[int, str]] = {}  # 0-based row -> column -> cell XML
        self._bulk_numbers: list[int] = []  # 0-based rows written whole, increasing
        self._bulk_xml: list[str] = []
        self._links: list[tuple[int, int, Link | str, str, str]] = []
        self._plan: Mapping[tuple[int, int], Cell] = {}
        self._covered: set[tuple[int, int]] = set()
        self._bulk_first = 0
        self._bulk_rows: Sequence[Sequence[object]] = ()
        self._bulk_blanks = True
        self._urls: dict[str, str] = {}  # file part of a link -> relationship target
        self._letters: dict[int, str] = {}
        self._row_tags: dict[object, str] = {}  # row setting -> its <row> tag after r="..."

    # -- filling -----------------------------------------------------------------------------

    def _letter(self, col: int) -> str:
        letter = self._letters.get(col)
        if letter is None:
            letter = self._letters[col] = xl_col_to_name(col)
        return letter

    def _xf(self, fmt: Format | None, row: int, col: int) -> int:
        """The format index of a cell, falling back to its row's or column's as xlsxwriter."""
        if fmt is None:
            info = self.row_info.get(row)
            fmt = info.row_format if info is not None else None
        if fmt is None:
            info = self.col_info.get(col)
            fmt = info.column_format if info is not None else None
        return fmt._get_xf_index() if fmt is not None else 0

    def _string(self, ref: str, s: str, text: str) -> str:
        index = self.str_table._get_shared_string_index(truncated(text))
        return f'<c r="{ref}"{s} t="s"><v>{index}</v></c>'

    def _date(self, value: dt.date) -> float:
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        return self._convert_date_time(value)

    def _extent(self, rows: Sequence[int], cols: Sequence[int]) -> None:
        if rows and cols:
            for r, c in ((min(rows), min(cols)), (max(rows), max(cols))):
                if self._check_dimensions(r, c):
                    raise ValueError(f"cell {self._letter(c)}{r + 1} is beyond the sheet")

    def put_cells(
        self,
        cells: Mapping[tuple[int, int], Cell],
        format_of: FormatOf,
        covered: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        """Render a plan's cells (1-based keys), leaving out ``covered`` ones (merged away);
        each written as ``write_string``/``write_number``/``write_datetime``/``write_formula``/
        ``write_url``/``write_blank`` would write it in format ``format_of(cell.style)``."""
        self._plan, self._covered = cells, covered
        rows = self._cells
        index = self.str_table._get_shared_string_index
        letters = self._letters
        looks: dict[int, tuple[object, str]] = {}  # id(style) -> (style, ' s="7"')
        for (r1, c1), cell in cells.items():
            if covered and (r1, c1) in covered:
                continue
            style, value = cell.style, cell.value
            kind = type(value)
            # the plain text and whole numbers of most cells, inline; the rest by _cell_xml
            if style is not None and cell.link is None and (kind is str or kind is int):
                seen = looks.get(id(style))
                if seen is None or seen[0] is not style:
                    xf = format_of(style)._get_xf_index()  # type: ignore[union-attr]
                    seen = looks[id(style)] = (style, f' s="{xf}"' if xf else "")
                letter = letters.get(c1 - 1) or self._letter(c1 - 1)
                if kind is str:
                    if len(value) > XLS_STRMAX // 2:  # type: ignore[arg-type]
                        value = truncated(value)  # type: ignore[arg-type]
                    xml = f'<c r="{letter}{r1}"{seen[1]} t="s"><v>{index(value)}</v></c>'
                else:
                    xml = f'<c r="{letter}{r1}"{seen[1]}><v>{number_text(value)}</v></c>'  # type: ignore[arg-type]
            else:
                xml = self._cell_xml(r1 - 1, c1 - 1, cell, format_of(style))
                if xml is None:
                    continue
            row = rows.get(r1 - 1)
            if row is None:
                row = rows[r1 - 1] = {}
            row[c1 - 1] = xml
        if rows:
            self._extent(
                [min(rows), max(rows)], [min(map(min, rows.values())), max(map(max, rows.values()))]
            )

    def _cell_xml(self, r: int, c: int, cell: Cell, fmt: Format | None) -> str | None:
        value, link = cell.value, cell.link
        ref = f"{self._letter(c)}{r + 1}"
        if link is not None:
            url = (
                f"internal:{link.location}" if isinstance(link, Link) else f"external:{link.target}"
            )
            if max(map(len, url.split("#", 1))) > MAX_URL:
                return None  # as write_url: a link Excel cannot hold is not written
            text, fmt = str(value or ""), fmt or self.default_url_format
            tip = "" if isinstance(link, Link) else link.tip or ""
            self._links.append((r, c, link if isinstance(link, Link) else link.target, text, tip))
            xf = self._xf(fmt, r, c)
            return self._string(ref, f' s="{xf}"' if xf else "", text)
        xf = self._xf(fmt, r, c)
        s = f' s="{xf}"' if xf else ""
        kind = type(value)
        if kind is str:
            return self._string(ref, s, value)  # type: ignore[arg-type]
        if kind is Formula:
            return formula_xml(ref, s, value.text, value.result)  # type: ignore[union-attr]
        if isinstance(value, dt.date):
            return f'<c r="{ref}"{s}><v>{self._date(value):.16G}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}"{s}><v>{number_text(value)}</v></c>'
        return f'<c r="{ref}"{s}/>' if fmt is not None else None  # None: a formatted blank

    def put_bulk(
        self,
        first: int,
        rows: Sequence[Sequence[object]],
        formats: Sequence[Format | None],
        *,
        text_format: Format | None = None,
        blanks: bool = True,
    ) -> None:
        """Render ``rows`` as the rows from ``first`` (0-based): cell ``c`` in ``formats[c]``
        (a ``str`` in ``text_format`` when given); ``None`` is a blank in the column's format
        (``blanks``) or nothing. Rows are rendered column by column
        (:func:`~.xlsx_cells.bulk_rows_xml`), those with gaps in groups of the same columns
        filled; a row sharing its row with planned cells (or of another length) cell by cell."""
        self._bulk_first, self._bulk_rows, self._bulk_blanks = first, rows, blanks
        n = len(formats)
        pieces = [self._piece(fmt, text_format) for fmt in formats]
        letters = [self._letter(c) for c in range(n)]
        crowded = set(self._cells) | {r for r, v in self.table.items() if v}
        groups: dict[tuple[bool, ...] | None, list[int]] = {}
        for i, row in enumerate(rows):
            r = first + i
            if len(row) == n and r not in crowded:
                gaps = None if blanks else tuple(map(operator.is_, row, repeat(None)))
                groups.setdefault(gaps, []).append(i)
                continue
            cells = self._cells.setdefault(r, {})
            for c, value in enumerate(row):
                if value is not None or blanks:
                    cells[c] = f'<c r="{letters[c]}{r + 1}' + pieces[c](value)
        rendered: list[tuple[int, str]] = []
        for gaps, chosen in groups.items():
            filled = [c for c in range(n) if gaps is None or not gaps[c]]
            if not filled:
                continue  # nothing in these rows: no row element, as xlsxwriter
            columns = list(zip(*(rows[i] for i in chosen), strict=True))
            xml = bulk_rows_xml(
                [first + i + 1 for i in chosen],
                [columns[c] for c in filled],
                [pieces[c] for c in filled],
                [letters[c] for c in filled],
            )
            rendered.extend(zip(chosen, xml, strict=True))
        if len(groups) > 1:
            rendered.sort()
        self._bulk_numbers = [first + i for i, _ in rendered]
        self._bulk_xml = [x for _, x in rendered]
        self._extent([first, first + len(rows) - 1] if rows else [], list(range(n)))

    def _piece(self, fmt: Format | None, text_format: Format | None) -> Callable[[object], str]:
        """The cell XML after the row number, for one column: a value -> ``" s="3"><v>5</v></c>``
        (as the bulk rows were always written: other types as their text, ``bool`` too)."""
        xf = fmt._get_xf_index() if fmt is not None else 0
        txf = text_format._get_xf_index() if text_format is not None else xf
        index = self.str_table._get_shared_string_index
        s, ts = (f' s="{xf}"' if xf else ""), (f' s="{txf}"' if txf else "")
        number, text, blank = f'"{s}><v>', f'"{ts} t="s"><v>', f'"{s}/>'

        def piece(value: object) -> str:
            kind = type(value)
            if kind is str:
                return f"{text}{index(truncated(value))}</v></c>"  # type: ignore[arg-type]
            if kind is int or kind is float:
                return f"{number}{number_text(value)}</v></c>"  # type: ignore[arg-type]
            if value is None:
                return blank
            if isinstance(value, dt.date):
                return f"{number}{self._date(value):.16G}</v></c>"
            if isinstance(value, int | float) and not isinstance(value, bool):
                return f"{number}{number_text(value)}</v></c>"
            return f"{text}{index(truncated(str(value)))}</v></c>"

        return piece

    # -- writing at close ----------------------------------------------------------------------

    def _write_rows(self) -> None:
        table = {r: cells for r, cells in self.table.items() if cells}
        rows = sorted(set(self._cells) | set(table) | set(self.row_info) | set(self.comments))
        numbers, bulk, k = self._bulk_numbers, self._bulk_xml, 0
        write = self.fh.write
        for r in rows:
            end = k
            while end < len(numbers) and numbers[end] < r:
                end += 1
            if end > k:
                write("".join(bulk[k:end]))
                k = end
            body = None
            if k < len(numbers) and numbers[k] == r:  # a whole row with a height of its own
                body = bulk[k][bulk[k].index(">") + 1 : -len("</row>")]
                k += 1
            mine, theirs = self._cells.get(r, {}), table.get(r, {})
            if not mine and not theirs and body is None:
                write(self._row_tag(r, empty=True))
                continue
            write(self._row_tag(r))
            if body is not None:
                write(body)
            for c in sorted(mine.keys() | theirs.keys()):
                if c in mine:
                    write(mine[c])
                else:
                    self._write_cell(r, c, theirs[c])
            write("</row>")
        if k < len(bulk):
            write("".join(bulk[k:]))

    def _row_tag(self, r: int, *, empty: bool = False) -> str:
        """Row ``r``'s ``<row>`` tag as xlsxwriter's ``_write_row`` writes it (heights, formats,
        hidden, outline), made once per distinct row setting."""
        info = self.row_info.get(r)
        key = empty if info is None else (
            info.height, id(info.row_format), info.hidden, info.level, info.collapsed, empty
        )  # fmt: skip
        tail = self._row_tags.get(key)
        if tail is None:
            fh, self.fh = self.fh, io.StringIO()
            try:
                self._write_row(0, None, info, empty_row=empty)
                tag = self.fh.getvalue()
            finally:
                self.fh = fh
            if not tag.startswith('<row r="1"'):
                raise RuntimeError(f"unexpected row tag from xlsxwriter: {tag}")
            tail = self._row_tags[key] = tag[len('<row r="1"') :]
        return f'<row r="{r + 1}"{tail}'

    def _write_hyperlinks(self) -> None:
        if not self._links:
            super()._write_hyperlinks()
            return
        if self.hyperlinks:
            raise RuntimeError("links written both through write_url and the plan")
        parts = ["<hyperlinks>"]
        for r, c, link, text, tip in sorted(self._links, key=lambda x: (x[0], x[1])):
            ref = f"{self._letter(c)}{r + 1}"
            tip_attr = f' tooltip="{escape_attribute(tip)}"' if tip else ""
            if isinstance(link, Link):
                location, display = escape_attribute(link.location), escape_attribute(text)
                parts.append(
                    f'<hyperlink ref="{ref}" location="{location}"{tip_attr} display="{display}"/>'
                )
                continue
            file_part, _, anchor = link.partition("#")
            target = self._urls.get(file_part)
            if target is None:
                target = self._urls[file_part] = Url(f"external:{link}")._target()
            self.rel_count += 1
            self.external_hyper_links.append(["/hyperlink", target, "External"])
            location = anchor.replace("/", "\\")
            where = f' location="{escape_attribute(location)}"' if location else ""
            parts.append(f'<hyperlink ref="{ref}" r:id="rId{self.rel_count}"{where}{tip_attr}/>')
        parts.append("</hyperlinks>")
        self.fh.write("".join(parts))

    # -- chart data ----------------------------------------------------------------------------

    def _get_range_data(self, row_start, col_start, row_end, col_end):  # type: ignore[override]
        """The cached values of a chart's range, as xlsxwriter takes them from its cells."""
        data: list[object] = []
        bulk_rows = set(self._bulk_numbers)
        for r in range(row_start, row_end + 1):
            if r not in self._cells and r not in bulk_rows and not self.table.get(r):
                data.append(None)
                continue
            data.extend(self._chart_value(r, c) for c in range(col_start, col_end + 1))
        return data

    def _chart_value(self, r: int, c: int) -> object:
        i = r - self._bulk_first
        if 0 <= i < len(self._bulk_rows) and c < len(self._bulk_rows[i]):
            value = self._bulk_rows[i][c]
            if value is not None or self._bulk_blanks:
                if value is None:
                    return ""
                if isinstance(value, dt.date):
                    return f"{self._date(value):.16g}"
                if type(value) in (int, float):
                    return f"{value:.16g}"
                return truncated(str(value))
        cell = self._plan.get((r + 1, c + 1))
        if cell is not None and (r + 1, c + 1) not in self._covered and c in self._cells.get(r, {}):
            value = cell.value
            if cell.link is not None:
                return truncated(str(value or ""))
            if isinstance(value, str):
                return truncated(value)
            if isinstance(value, Formula):
                return value.result
            if isinstance(value, dt.date):
                return f"{self._date(value):.16g}"
            if isinstance(value, int | float):
                return f"{value:.16g}"
            return ""
        if self.table.get(r, {}).get(c) is not None:
            return super()._get_range_data(r, c, r, c)[0]
        return None
