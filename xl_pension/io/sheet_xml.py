"""Set cell values in a worksheet's XML (one sheet part of an .xlsx), touching nothing else.

The sheet's XML is edited in one forward pass: rows and, inside a row, cells are found with
``str.find`` from where the last edit ended (cells of a row are in column order, as the format
requires), so a sheet costs time in proportion to its length plus the cells set. Only plain rows
and cells are handled; anything unusual raises :class:`PatchUnsupported` so the caller can fall
back to openpyxl. :mod:`.xlsx_patch` puts the edited part back into the package.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping

CellValue = int | str | None

_ATTR = re.compile(r'(\w[\w:]*)="([^"]*)"')
_COL = re.compile(r"<col\b([^>]*?)/?>", re.S)
_ROW_NUMBER = re.compile(r'\sr="(\d+)"')
_ROW_SPANS = re.compile(r'\s+spans="[^"]*"')
_STYLE = re.compile(r'\ss="([^"]*)"')
_PLAIN_CELL = re.compile(r'<c r="([A-Z]+)')
_CELL_TAG = re.compile(r"<c(?=[\s/>])([^>]*)>")
_CELL_COLUMN = re.compile(r'\sr="([A-Z]+)\d+"')
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>')
_COLUMN_INDEX: dict[str, int] = {}  # "AB" -> 28, filled as letters are met
_COLUMN_LETTERS: dict[int, str] = {}  # 28 -> "AB", likewise
_END = 1 << 30  # the column of "the row's end": above every column


def column_index_from_string(letters: str) -> int:
    """1-based column number of column letters ("A" -> 1, "AB" -> 28)."""
    index = _COLUMN_INDEX.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        _COLUMN_INDEX[letters] = index
    return index


def column_numbers(letters: list[str]) -> list[int]:
    """1-based column numbers of a list of column letters."""
    try:
        return list(map(_COLUMN_INDEX.__getitem__, letters))
    except KeyError:
        return list(map(column_index_from_string, letters))


def column_letters(index: int) -> str:
    """Column letters of a 1-based column number (1 -> "A", 28 -> "AB")."""
    letters = _COLUMN_LETTERS.get(index)
    if letters is None:
        letters, n = "", index
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(65 + rest) + letters
        _COLUMN_LETTERS[index] = letters
    return letters


class PatchUnsupported(Exception):
    """The sheet uses a layout this patcher does not edit (caller falls back to openpyxl)."""


def attributes(text: str) -> dict[str, str]:
    """The attributes of a tag's text, by name."""
    return dict(_ATTR.findall(text))


def _column_styles(xml: str) -> dict[int, str]:
    styles: dict[int, str] = {}
    for m in _COL.finditer(xml):
        a = attributes(m.group(1))
        if "style" in a:
            for c in range(int(a["min"]), int(a["max"]) + 1):
                styles[c] = a["style"]
    return styles


def _cell_tail(value: CellValue, style: str | None) -> str:
    """A cell's XML after ``<c r="B7"``: its style, type and value."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f"{s}/>"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"unsupported cell value {value!r}")
    if isinstance(value, int):
        return f"{s}><v>{value}</v></c>"
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


class _SheetPatch:
    """One forward pass over a worksheet's XML, writing it with the planned cells into ``out``."""

    def __init__(
        self, xml: str, values: Mapping[tuple[int, int], CellValue], col_styles: dict[int, str]
    ) -> None:
        self.xml = xml
        self.col_styles = col_styles
        by_row: dict[int, dict[int, CellValue]] = {}
        for (r, c), v in values.items():
            row = by_row.get(r)
            if row is None:
                row = by_row[r] = {}
            row[c] = v
        self.by_row = by_row
        self.columns = sorted({c for _, c in values})
        self.letters = {c: column_letters(c) for c in self.columns}
        self.heads = {c: f'<c r="{column_letters(c)}' for c in self.columns}
        # Memos: rows share a handful of column sets (each put in order once, never a row's
        # cells sorted), cells a handful of values, old cells a handful of texts.
        self.orders: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.tails: dict[tuple[CellValue, str | None], str] = {}
        self.rewrites: dict[tuple[str, CellValue], str] = {}
        self.out: list[str] = []

    def in_order(self, cells: dict[int, CellValue]) -> tuple[int, ...]:
        """The columns of a row's planned ``cells``, in order."""
        columns = tuple(cells)
        order = self.orders.get(columns)
        if order is None:
            order = self.orders[columns] = tuple(sorted(columns))
        return order

    def cell(self, head: str, value: CellValue, style: str | None) -> str:
        """The XML of a cell whose tag starts ``head`` (``<c r="B7"``)."""
        if value.__class__ is bool:  # True == 1: never let it meet 1's XML in the memo
            raise TypeError(f"unsupported cell value {value!r}")
        key = (value, style)
        tail = self.tails.get(key)
        if tail is None:
            tail = self.tails[key] = _cell_tail(value, style)
        return head + tail

    def new_row(self, r: int) -> str:
        """A row that is not in the sheet yet, with its planned cells in their columns' styles."""
        cells = self.by_row[r]
        rs = str(r)
        heads, styles = self.heads, self.col_styles
        body = "".join(
            self.cell(f'{heads[c]}{rs}"', cells[c], styles.get(c)) for c in self.in_order(cells)
        )
        return f'<row r="{r}">{body}</row>'

    def run(self, head_end: int, data_end: int) -> int:
        """Patch the rows of ``xml[head_end:data_end]``; returns the last row number present."""
        xml, out, by_row = self.xml, self.out, self.by_row
        wanted = sorted(by_row)
        i, n = 0, len(wanted)
        pos = scan = head_end
        while i < n:
            start = xml.find("<row", scan, data_end)
            if start < 0:
                break
            gt = xml.index(">", start)
            tag = xml[start + 4 : gt]
            if tag.startswith(' r="'):  # as every writer puts it
                r = int(tag[4 : tag.index('"', 4)])
            else:
                number = _ROW_NUMBER.search(tag)
                if number is None:
                    raise PatchUnsupported("row without a number")
                r = int(number.group(1))
            empty = tag.endswith("/")
            scan = gt + 1 if empty else xml.index("</row>", gt)
            while i < n and wanted[i] < r:  # new rows that come before this one
                out.append(xml[pos:start])
                out.append(self.new_row(wanted[i]))
                pos = start
                i += 1
            if i == n or wanted[i] != r:
                continue
            i += 1
            attrs = tag[:-1] if empty else tag
            row_style = None
            if 'customFormat="1"' in attrs:
                found = _STYLE.search(attrs)
                row_style = found and found.group(1)
            if "spans=" in attrs:  # spans would be stale
                attrs = _ROW_SPANS.sub("", attrs)
            out.append(xml[pos:start])
            out.append(f"<row{attrs}>")
            if empty:
                pos = self.patch_row(r, scan, scan, row_style)
                out.append("</row>")
            else:
                pos = self.patch_row(r, gt + 1, scan, row_style)
        while i < n:
            out.append(xml[pos:data_end])
            out.append(self.new_row(wanted[i]))
            pos = data_end
            i += 1
        out.append(xml[pos:data_end])
        last = xml.rfind("<row", head_end, data_end)
        m = _ROW_NUMBER.search(xml, last, xml.index(">", last)) if last >= 0 else None
        return int(m.group(1)) if m else 0

    def _overwrite(self, pos: int, at: int, head: str, value: CellValue, plain: bool) -> int:
        """Write the XML from ``pos`` up to the cell whose tag starts at ``at``, then that cell
        (``head``: its ``<c r="B7"``) with ``value`` in its own style; returns where the old
        cell ends. ``plain``: the old tag starts with ``head`` too. Refuses to overwrite a
        formula."""
        xml = self.xml
        gt = xml.index(">", at)
        end = gt + 1 if xml[gt - 1] == "/" else xml.index("</c>", gt) + 4
        if value.__class__ is bool:  # True == 1: never let it meet 1's XML in the memo
            raise TypeError(f"unsupported cell value {value!r}")
        # the old cell but its reference: the same for many cells of a plain sheet
        key = (xml[at + len(head) if plain else at + 2 : end], value)
        tail = self.rewrites.get(key)
        if tail is None:
            old = key[0]
            tag_end = old.index(">")
            if "<f" in old[tag_end:]:
                raise PatchUnsupported("a formula would be overwritten")
            style = _STYLE.search(old, 0, tag_end)
            tail = self.rewrites[key] = _cell_tail(value, style and style.group(1))
        self.out.append(xml[pos:at])
        self.out.append(head + tail)
        return end

    def patch_row(self, r: int, body: int, close: int, row_style: str | None) -> int:
        """Write the planned cells of row ``r`` (content ``xml[body:close]``) into ``out``,
        inserting the new ones in column order; returns the position up to which the XML has
        been written.

        A cell is looked for as ``<c r="B7"`` (what Excel, WPS, LibreOffice, openpyxl and
        xlsxwriter write: that *is* cell B7). Only when one is missing are the row's cells
        listed, to find where it goes; a row whose tags are written otherwise is done again by
        :meth:`_patch_any_row`.
        """
        xml, out, cells, heads, letters = (
            self.xml,
            self.out,
            self.by_row[r],
            self.heads,
            self.letters,
        )
        rs = str(r)
        mark = len(out)
        row_letters: list[str] | None = None  # the row's cells' columns, in order: on a miss
        row_cols: list[int] | None = None
        pos = body
        next_at, next_col = close, 0  # the first cell after the last one inserted, its column
        for col in self.in_order(cells):
            value = cells[col]
            head = f'{heads[col]}{rs}"'
            if row_letters is None or letters[col] in row_letters:
                at = xml.find(head, pos, close)
                if at >= 0:
                    pos = self._overwrite(pos, at, head, value, True)
                    continue
                if row_letters is not None:
                    raise PatchUnsupported("cells out of order")
            if row_letters is None:
                row_letters = _PLAIN_CELL.findall(xml, body, close)
                if len(row_letters) != xml.count("<c", body, close):
                    del out[mark:]
                    return self._patch_any_row(r, body, close, row_style)
                if letters[col] in row_letters:
                    raise PatchUnsupported("cells out of order")
            if col > next_col:  # the next cell after this column: found once for a run
                if row_cols is None:
                    row_cols = column_numbers(row_letters)
                after = bisect_right(row_cols, col)
                next_at, next_col = close, _END
                if after < len(row_cols):
                    next_col = row_cols[after]
                    next_at = xml.find(f'<c r="{row_letters[after]}{rs}"', pos, close)
                    if next_at < 0:
                        raise PatchUnsupported("cells out of order")
            out.append(xml[pos:next_at])
            out.append(self.cell(head, value, self.col_styles.get(col) or row_style))
            pos = next_at
        return pos

    def _patch_any_row(self, r: int, body: int, close: int, row_style: str | None) -> int:
        """:meth:`patch_row` for any row: cells found by their ``r`` wherever it stands in the
        tag (slower; rows of unusual writers only)."""
        xml, out = self.xml, self.out
        cells = self.by_row[r]
        rs = str(r)
        pos = body
        checked = False
        next_at, next_col = body, 0  # the first cell after the last one inserted, its column
        for col in self.in_order(cells):
            value = cells[col]
            head = f'{self.heads[col]}{rs}"'
            at = (
                -1
                if col < next_col
                else self._find_cell(f' r="{self.letters[col]}{rs}"', pos, close)
            )
            if at >= 0:
                pos = self._overwrite(pos, at, head, value, False)
                continue
            if not checked:  # every cell must say where it is, or positions mean nothing
                self._check_references(body, close)
                checked = True
            if col > next_col:
                next_at, next_col = self._insertion_point(col, pos, close, rs)
            out.append(xml[pos:next_at])
            out.append(self.cell(head, value, self.col_styles.get(col) or row_style))
            pos = next_at
        return pos

    def _find_cell(self, needle: str, start: int, end: int) -> int:
        """Start of the ``<c`` tag holding ``needle`` (`` r="B7"``) in ``xml[start:end]``, or -1.

        In XML content ``<`` only opens a tag, so the nearest ``<`` before the attribute starts
        the tag that holds it; text that merely contains ``r="B7"`` is skipped.
        """
        xml = self.xml
        pos = xml.find(needle, start, end)
        while pos >= 0:
            lt = xml.rfind("<", start, pos)
            if (
                lt >= 0
                and xml.startswith("<c", lt)
                and xml[lt + 2].isspace()
                and xml.find(">", lt, pos) < 0
            ):
                return lt
            pos = xml.find(needle, pos + 1, end)
        return -1

    def _insertion_point(self, col: int, cursor: int, close: int, rs: str) -> tuple[int, int]:
        """Where a new cell of column ``col`` goes — before the first cell after ``cursor`` whose
        column is greater (cells of a row are in column order), else at the row's end — and
        that cell's column (``_END`` at the row's end)."""
        xml = self.xml
        last = xml.rfind("<c", cursor, close)
        while last >= 0 and not xml[last + 2].isspace():  # not a cell's tag
            last = xml.rfind("<c", cursor, last)
        if last < 0:
            return close, _END
        m = _CELL_COLUMN.search(xml, last + 2, xml.index(">", last))
        if m is None:
            raise PatchUnsupported("cell without a reference")
        last_col = column_index_from_string(m.group(1))
        if last_col < col:
            return close, _END
        for probe in range(col + 1, last_col + 1):
            at = self._find_cell(f' r="{column_letters(probe)}{rs}"', cursor, close)
            if at >= 0:
                return at, probe
        raise PatchUnsupported("cells out of order")  # a valid sheet never gets here

    def _check_references(self, body: int, close: int) -> None:
        """Raise :class:`PatchUnsupported` unless every cell of ``xml[body:close]`` has ``r``.

        As many ``<c`` as `` r="`` settles it at C speed (``<`` in content only opens a tag and
        no other tag inside a row starts with ``c``); only a row whose text holds `` r="`` is
        looked at tag by tag.
        """
        xml = self.xml
        if xml.count("<c", body, close) == xml.count(' r="', body, close):
            return
        for m in _CELL_TAG.finditer(xml, body, close):
            if not _CELL_COLUMN.search(m.group(1)):
                raise PatchUnsupported("cell without a reference")


def patch_sheet_xml(xml: str, values: Mapping[tuple[int, int], CellValue]) -> str:
    """Return ``xml`` (a worksheet part) with the cell values set; ``None`` empties a cell."""
    start = xml.find("<sheetData")
    if start < 0:
        raise PatchUnsupported("no sheetData")
    head_end = xml.index(">", start) + 1
    patch = _SheetPatch(xml, values, _column_styles(xml[:start]))
    if xml[head_end - 2] == "/":  # <sheetData/>
        patch.out.append(xml[:start] + "<sheetData>")
        last = patch.run(head_end, head_end)
        patch.out.append("</sheetData>" + xml[head_end:])
    else:
        data_end = xml.index("</sheetData>", head_end)
        patch.out.append(xml[:head_end])
        last = patch.run(head_end, data_end)
        patch.out.append(xml[data_end:])
    max_row = max(last, max(patch.by_row, default=0))
    patch.out[0] = _fix_dimension(patch.out[0], max_row, max(patch.columns, default=1))
    return "".join(patch.out)


def _fix_dimension(xml: str, max_row: int, max_col: int) -> str:
    m = _DIMENSION.search(xml)
    if not m:
        return xml
    c1, r1 = m.group(1), int(m.group(2))
    c2 = m.group(3) or c1
    r2 = int(m.group(4) or r1)
    c2i = max(column_index_from_string(c2), max_col)
    ref = f"{c1}{r1}:{column_letters(c2i)}{max(r2, max_row)}"
    return xml[: m.start()] + f'<dimension ref="{ref}"/>' + xml[m.end() :]


for _number in range(1, 703):  # "A".."ZZ": every column a roster uses, known before the first
    _COLUMN_INDEX[column_letters(_number)] = _number
