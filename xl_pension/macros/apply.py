"""Apply a cell plan (:mod:`xl_pension.core.plan`) to the open ``xw.Book``.

The same plans the file engine writes (``io.workbook_plan``) are applied here through the
portable xlwings API, grouped into as few range actions as the cells allow. What the engine
behind the book cannot do is left out instead of failing (:class:`Engine`): desktop Excel
(COM) and the Office.js add-in do everything (notes only where the client sends them); the
basic remote clients (xlwings' VBA ``Remote.bas`` and Office Scripts ``xlwings.ts``)
implement only :data:`BASIC_CLIENT_ACTIONS`. What was left out is reported in
:class:`Applied`, so that the macro can say so in its message box.

Every ``str`` value that Excel would turn into something else on entry (a formula, a number,
a date) is written into a text-formatted cell, so it stays the text that was planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..core.plan import TEXT_FORMAT, Cell, SheetPlan, WorkbookPlan
from ._book import Book, Sheet, cosmetic, find_sheet, fresh_sheet, write_rows

# The actions that xlwings' own basic remote interpreters implement (the Subs of
# xlwings/addin/Remote.bas and the callbacks of xlwings/js/xlwings.ts); checked by the tests.
BASIC_CLIENT_ACTIONS = frozenset(
    {
        "setValues", "rangeClearContents", "rangeClearFormats", "rangeClear", "addSheet",
        "setSheetName", "setAutofit", "setRangeColor", "activateSheet", "addHyperlink",
        "setNumberFormat", "alert", "setRangeName", "namesAdd", "nameDelete", "runMacro",
        "rangeDelete", "rangeInsert", "rangeSelect", "copyRange", "sheetDelete", "sheetClear",
        "sheetClearContents", "sheetClearFormats",
    }
)  # fmt: skip
NOTE_ACTIONS = ("addNote", "setNoteText", "deleteNote")


@dataclass(frozen=True)
class Engine:
    """What the engine behind an open book can do: ``actions`` it implements (``None``: all)."""

    actions: frozenset[str] | None = None
    notes: bool = True  # the client sends and takes notes
    clears_fill: bool = True  # "no fill" can be set (basic clients only take a colour)

    def can(self, action: str) -> bool:
        """Whether the client implements this remote action."""
        if action in NOTE_ACTIONS and not self.notes:
            return False
        return self.actions is None or action in self.actions


def engine_of(book: Book) -> Engine:
    """The capabilities of the engine behind ``book``."""
    if getattr(book.app.engine, "name", "") != "remote":
        return Engine()  # desktop Excel through COM
    payload = book.api
    if payload.get("client") == "Office.js":
        sheets = payload.get("sheets") or []
        notes = any("notes" in s for s in sheets) and not any(
            s.get("notes_supported") is False for s in sheets
        )
        return Engine(notes=notes)
    return Engine(BASIC_CLIENT_ACTIONS, notes=False, clears_fill=False)


@dataclass
class Applied:
    """What applying a plan left out because the engine cannot do it."""

    left_out: set[str] = field(default_factory=set)  # "notes", "hidden", "styles"


def rectangles(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of (row, column) cells with few rectangles (r1, c1, r2, c2): runs along each
    row, stacked while consecutive rows have the same run."""
    by_row: dict[int, list[int]] = defaultdict(list)
    for r, c in cells:
        by_row[r].append(c)
    out: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], tuple[int, int]] = {}
    for r in sorted(by_row):
        cols = sorted(set(by_row[r]))
        runs, start = [], cols[0]
        for a, b in zip(cols, [*cols[1:], None], strict=True):
            if b != a + 1:
                runs.append((start, a))
                start = b  # type: ignore[assignment]
        now: dict[tuple[int, int], tuple[int, int]] = {}
        for run in runs:
            prev = open_.get(run)
            now[run] = (prev[0], r) if prev and prev[1] == r - 1 else (r, r)
        for run, (a, b) in open_.items():
            if now.get(run, (None,))[0] != a:
                out.append((a, run[0], b, run[1]))
        open_ = now
    out += [(a, run[0], b, run[1]) for run, (a, b) in open_.items()]
    return out


def _converts(value: object) -> bool:
    """Whether Excel would turn this text into a formula, number or date on entry."""
    return isinstance(value, str) and (
        value[:1] in ("=", "+", "-", "@") or any(ch.isdigit() for ch in value)
    )


def _number_format(cell: Cell) -> str | None:
    fmt = cell.style.number_format if cell.style else None
    if cell.link is None and fmt is None and _converts(cell.value):
        return TEXT_FORMAT
    return fmt


def _shown(cell: Cell) -> object:
    """What goes into the cell: its value, or a HYPERLINK formula for a link."""
    if cell.link is None:
        return cell.value
    target = cell.link.location.replace('"', '""')
    text = str(cell.value or "").replace('"', '""')
    return f'=HYPERLINK("#{target}","{text}")'


def _by(cells: dict[tuple[int, int], Cell], attr: Callable[[Cell], object]) -> dict:
    groups: dict[object, list[tuple[int, int]]] = defaultdict(list)
    for key, cell in cells.items():
        value = attr(cell)
        if value not in (None, False, 0):
            groups[value].append(key)
    return groups


def _each(sheet: Sheet, keys: list[tuple[int, int]], action: Callable) -> None:
    for r1, c1, r2, c2 in rectangles(keys):
        rng = sheet.range((r1, c1), (r2, c2))
        cosmetic(lambda rng=rng: action(rng))


def _style_attr(name: str) -> Callable[[Cell], object]:
    return lambda cell: getattr(cell.style, name) if cell.style is not None else None


def _formats(sheet: Sheet, cells: dict[tuple[int, int], Cell]) -> None:
    """Number formats, before the values: text stays text."""
    for fmt, keys in _by(cells, _number_format).items():
        for r1, c1, r2, c2 in rectangles(keys):
            sheet.range((r1, c1), (r2, c2)).number_format = fmt


# style attribute -> (remote action, how to set it on a range)
_LOOKS: dict[str, tuple[str, Callable[[object, object], None]]] = {
    "bold": ("setFontProperty", lambda rng, v: setattr(rng.font, "bold", True)),
    "size": ("setFontProperty", lambda rng, v: setattr(rng.font, "size", v)),
    "font": ("setFontProperty", lambda rng, v: setattr(rng.font, "name", v)),
    "color": ("setFontProperty", lambda rng, v: setattr(rng.font, "color", f"#{v}")),
    "fill": ("setRangeColor", lambda rng, v: setattr(rng, "color", f"#{v}")),
    "horizontal": (
        "setHorizontalAlignment",
        lambda rng, v: setattr(rng, "horizontal_alignment", v),
    ),
    "vertical": ("setVerticalAlignment", lambda rng, v: setattr(rng, "vertical_alignment", v)),
    "wrap": ("setWrapText", lambda rng, v: setattr(rng, "wrap_text", True)),
    "border": (
        "setBorderProperty",
        lambda rng, v: setattr(rng.borders, "line_style", "continuous"),
    ),
}


def _looks(sheet: Sheet, cells: dict[tuple[int, int], Cell], engine: Engine) -> bool:
    """Fonts, fills, alignment, borders; False when the engine left some out."""
    complete = True
    for name, (action, setter) in _LOOKS.items():
        groups = _by(cells, _style_attr(name))
        if not groups:
            continue
        if not engine.can(action):
            complete = complete and name not in ("bold", "fill")
            continue
        for value, keys in groups.items():
            _each(sheet, keys, lambda rng, v=value, s=setter: s(rng, v))
    return complete


def write_cells(
    sheet: Sheet, cells: dict[tuple[int, int], Cell], engine: Engine, *, new: bool
) -> bool:
    """Write planned cells: number formats, values, then looks. On a ``new`` (empty) sheet the
    values go in one block from A1; on an existing sheet one block per run of a column, so
    that no other cell is touched. False when the engine left styles out."""
    if not cells:
        return True
    _formats(sheet, cells)
    if new:
        last_row = max(r for r, _ in cells)
        last_col = max(c for _, c in cells)
        block = [[None] * last_col for _ in range(last_row)]
        for (r, c), cell in cells.items():
            block[r - 1][c - 1] = _shown(cell)
        write_rows(sheet, 1, 1, block)
    else:
        by_col: dict[int, list[int]] = defaultdict(list)
        for r, c in cells:
            by_col[c].append(r)
        for c in sorted(by_col):
            for r1, _, r2, _ in _runs(by_col[c]):
                write_rows(sheet, r1, c, [[_shown(cells[(r, c)])] for r in range(r1, r2 + 1)])
    styled = {
        k: v for k, v in cells.items() if v.style is not None and (new or v.value is not None)
    }
    return _looks(sheet, styled, engine)


def _runs(rows: list[int]) -> list[tuple[int, int, int, int]]:
    """Consecutive runs of row numbers as (first, 0, last, 0)."""
    rows = sorted(rows)
    out, start = [], rows[0]
    for a, b in zip(rows, [*rows[1:], None], strict=True):
        if b != a + 1:
            out.append((start, 0, a, 0))
            start = b  # type: ignore[assignment]
    return out


def _layout(sheet: Sheet, plan: SheetPlan, engine: Engine) -> None:
    """Widths, heights, merges, freeze panes, print area, gridlines: cosmetic everywhere."""
    if engine.can("setColumnWidth"):
        for c, width in plan.widths.items():
            cosmetic(lambda c=c, w=width: setattr(sheet.range((1, c)), "column_width", w))
    if engine.can("setRowHeight"):
        for r, height in plan.heights.items():
            cosmetic(lambda r=r, h=height: setattr(sheet.range((r, 1)), "row_height", h))
    if engine.can("rangeMerge"):
        for r1, c1, r2, c2 in plan.merges:
            cosmetic(lambda a=(r1, c1), b=(r2, c2): sheet.range(a, b).merge())
    if plan.freeze is not None and engine.can("freezePaneAtRange"):
        cell = sheet.range(plan.freeze)
        cosmetic(lambda: sheet.freeze_panes.freeze_at(cell))
    setup = plan.print_setup
    if setup is not None and setup.area is not None and engine.can("setPrintArea"):
        area = sheet.range((1, 1), setup.area).address

        def set_area() -> None:
            sheet.page_setup.print_area = area

        cosmetic(set_area)
    if not plan.gridlines and engine.can("setShowGridlines"):
        cosmetic(lambda: setattr(sheet, "show_gridlines", False))


def add_sheet(book: Book, plan: SheetPlan, engine: Engine, applied: Applied) -> Sheet:
    """Create the planned sheet (replacing one of the same name) and fill it."""
    after = find_sheet(book, plan.after) if plan.after else None
    if after is None:
        old = next((s for s in book.sheets if s.name == plan.name), None)
        if old is not None and old.index > 1:
            after = book.sheets[old.index - 2]
    sheet = fresh_sheet(book, plan.name, after=after)
    if not write_cells(sheet, plan.cells, engine, new=True):
        applied.left_out.add("styles")
    _layout(sheet, plan, engine)
    if plan.hidden:
        if engine.can("setSheetVisibility"):
            sheet.visible = False
        else:
            applied.left_out.add("hidden")
    return sheet


def apply_plan(book: Book, plan: WorkbookPlan, engine: Engine | None = None) -> Applied:
    """Apply ``plan`` to the open book; returns what the engine could not do."""
    from .marks import apply_marks, remove_marks

    engine = engine or engine_of(book)
    applied = Applied()
    known_notes = remove_marks(book, engine) if plan.marks is not None else {}
    for name in plan.delete:
        sheet = next((s for s in book.sheets if s.name == name), None)
        if sheet is not None:
            sheet.delete()
    for edit in plan.edits:
        sheet = find_sheet(book, edit.name)
        if not write_cells(sheet, edit.cells, engine, new=False):
            applied.left_out.add("styles")
    for plan_sheet in plan.sheets:
        add_sheet(book, plan_sheet, engine, applied)
    if plan.marks is not None:
        apply_marks(book, plan.marks, engine, known_notes, applied)
    if plan.activate is not None:
        target = find_sheet(book, plan.activate)
        if target is not None:
            cosmetic(target.activate)
    return applied
