"""The fast workbook writer writes what xlsxwriter's own ``write_*`` calls write.

``io.new_workbook`` renders cells itself (``io.plan_sheet``, ``io.xlsx_cells``) and packages
the file itself (``io.xlsx_package``). Here every report workbook of a generated county is
written twice — as shipped, and with the cells stored through xlsxwriter's ordinary ``write_*``
calls (:class:`ReferenceWorkbook`, the writer as it was) — and both files are read back cell by
cell: values, cached formula results, styles, links, merges, sizes, panes, print setup,
autofilter and the charts' parts must be the same.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

import xl_pension.io.new_workbook as new_workbook
from xl_pension.cli import main
from xl_pension.core.plan import (
    BulkRows,
    Cell,
    Formula,
    Link,
    SheetPlan,
    Style,
    Url,
    WorkbookPlan,
)
from xl_pension.core.policy import Policy
from xl_pension.io.roster_writer import write_roster
from xl_pension.sample import generate_county

DAY = dt.date(2024, 5, 6)
SMALL_COUNTY = {"seed": 7, "townships": 2, "villages_per_township": 3, "min_people": 40,
                "max_people": 90, "mistake_rate": 0.06}  # fmt: skip


def _write_value(ws: Worksheet, r: int, c: int, value: object, fmt: Format | None) -> None:
    if isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    elif isinstance(value, Formula):
        ws.write_formula(r, c, value.text, fmt, value.result)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(r, c, value, fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    elif fmt is not None:
        ws.write_blank(r, c, None, fmt)


def _write_bulk_value(ws: Worksheet, r: int, c: int, value: object, fmt: Format | None) -> None:
    """A bulk row's value as the bulk writers always wrote it: ``None`` a blank, a ``bool``
    and any other type as its text."""
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool) or not isinstance(value, int | float | dt.date | str):
        ws.write_string(r, c, str(value), fmt)
    else:
        _write_value(ws, r, c, value, fmt)


class ReferenceSheet(Worksheet):
    """The plan's cells through xlsxwriter's ``write_*`` calls, one call a cell, as
    ``new_workbook`` (and the roster writer) wrote them before they rendered cells
    themselves."""

    def put_cells(self, cells, format_of, covered=frozenset()) -> None:
        for (r, c), cell in sorted(cells.items()):
            if (r, c) in covered:
                continue
            fmt, link, value = format_of(cell.style), cell.link, cell.value
            if isinstance(link, Link):
                self.write_url(r - 1, c - 1, f"internal:{link.location}", fmt, str(value or ""))
            elif link is not None:
                text = str(value or "")
                self.write_url(r - 1, c - 1, f"external:{link.target}", fmt, text, link.tip)
            else:
                _write_value(self, r - 1, c - 1, value, fmt)

    def put_bulk(self, first, rows, formats, *, text_format=None, blanks=True) -> None:
        for r, values in enumerate(rows, start=first):
            for c, value in enumerate(values):
                if value is None and not blanks:
                    continue
                text = text_format is not None and isinstance(value, str)
                _write_bulk_value(self, r, c, value, text_format if text else formats[c])


class ReferenceWorkbook(xlsxwriter.Workbook):
    """A plain xlsxwriter workbook of :class:`ReferenceSheet` sheets."""

    worksheet_class = ReferenceSheet

    def __init__(self, options: dict[str, object]) -> None:
        super().__init__(None, options)

    def save(self, path: Path) -> None:
        self.filename = str(path)
        self.close()


# -- reading both files back -------------------------------------------------------------------


def _looks(styled) -> tuple[str, ...]:
    """What a cell's (or column's) style shows; index numbers differ between writers."""
    parts = (styled.font, styled.fill, styled.border, styled.alignment, styled.protection)
    return (styled.number_format, *map(repr, parts))


def _sheet_facts(ws) -> dict[str, object]:
    ps, pm = ws.page_setup, ws.page_margins
    return {
        "state": ws.sheet_state,
        "dims": (ws.max_row, ws.max_column),
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "merges": sorted(str(r) for r in ws.merged_cells.ranges),
        "titles": (ws.print_title_rows, ws.print_title_cols, ws.print_area),
        "page": (ps.orientation, ps.paperSize, ps.fitToWidth, ps.fitToHeight, ps.scale),
        "fit": ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage,
        "margins": (pm.left, pm.right, pm.top, pm.bottom, pm.header, pm.footer),
        "header": [(h.center.text, h.center.font, h.center.size) for h in (ws.oddHeader,)],
        "footer": [(f.center.text, f.center.font, f.center.size) for f in (ws.oddFooter,)],
        "centred": ws.print_options.horizontalCentered,
        "grid": ws.sheet_view.showGridLines,
        "validations": [repr(dv) for dv in ws.data_validations.dataValidation],
        "protection": repr(ws.protection),
        "breaks": (repr(ws.row_breaks), repr(ws.col_breaks)),
        "columns": {
            k: (d.width, d.min, d.max, *_looks(d)) for k, d in ws.column_dimensions.items()
        },
        "rows": {k: (d.height, d.customHeight) for k, d in ws.row_dimensions.items() if d.height},
    }


def _cells(ws, cached) -> Iterator[tuple[str, tuple[object, ...]]]:
    for row in ws.iter_rows():
        for cell in row:
            link = cell.hyperlink
            facts = (
                cell.value,
                cached[cell.coordinate].value,
                cell.data_type,
                *_looks(cell),
                link and (link.target, link.location, link.tooltip, link.display),
            )
            yield cell.coordinate, facts


def _parts(path: Path, prefixes: Sequence[str]) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith(tuple(prefixes))}


def assert_same_workbook(ours: Path, reference: Path) -> None:
    """Both files hold the same sheets, cells (values, cached results, styles, links) and
    sheet settings, read by openpyxl and calamine; charts' and drawings' parts are equal."""
    with zipfile.ZipFile(ours) as z:
        assert z.testzip() is None  # every member's CRC checks
    a, b = openpyxl.load_workbook(ours), openpyxl.load_workbook(reference)
    a_cached = openpyxl.load_workbook(ours, data_only=True)
    b_cached = openpyxl.load_workbook(reference, data_only=True)
    assert a.sheetnames == b.sheetnames and a.active.title == b.active.title
    pa, pb = a.properties, b.properties
    assert (pa.title, pa.creator, pa.description) == (pb.title, pb.creator, pb.description)
    assert a.defined_names.keys() == b.defined_names.keys()
    for name in a.sheetnames:
        wa, wb = a[name], b[name]
        assert _sheet_facts(wa) == _sheet_facts(wb), name
        cells_a = dict(_cells(wa, a_cached[name]))
        cells_b = dict(_cells(wb, b_cached[name]))
        assert cells_a.keys() == cells_b.keys(), name
        for ref, facts in cells_a.items():
            assert facts == cells_b[ref], (name, ref)
    ca, cb = CalamineWorkbook.from_path(str(ours)), CalamineWorkbook.from_path(str(reference))
    for name in ca.sheet_names:
        assert ca.get_sheet_by_name(name).to_python() == cb.get_sheet_by_name(name).to_python()
    graphics = ("xl/charts/", "xl/drawings/")
    assert _parts(ours, graphics) == _parts(reference, graphics)


# -- the reports of a generated county, both ways ---------------------------------------------


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Path:
    """Two townships of generated rosters with planted mistakes."""
    root = tmp_path_factory.mktemp("county")
    for v in generate_county(policy, **SMALL_COUNTY).villages:
        write_roster(root / v.file, policy, v.township, v.village, v.records)
    return root


def _both(
    monkeypatch: pytest.MonkeyPatch, out: Path, args: Sequence[str], file: str | None = "book.xlsx"
) -> tuple[Path, Path]:
    """Run the command writing (``-o``) into ``out/fast`` and, with the reference writer, into
    ``out/reference`` (``file`` in each, or the folder itself)."""
    folders = out / "fast", out / "reference"
    for folder in folders:
        folder.mkdir(parents=True)
        with monkeypatch.context() as m:
            if folder.name == "reference":
                m.setattr(new_workbook, "PlanWorkbook", ReferenceWorkbook)
            main([*args, "-o", str(folder / file if file else folder)])
    return folders


def test_the_township_summary_is_the_same_workbook(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    township = sorted(p for p in county.iterdir() if p.is_dir())[0]
    fast, reference = _both(monkeypatch, tmp_path, ["summary", str(township), "--date", str(DAY)])
    assert_same_workbook(fast / "book.xlsx", reference / "book.xlsx")


def test_the_county_workbook_is_the_same_workbook(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, reference = _both(monkeypatch, tmp_path, ["merge", str(county), "--date", str(DAY)])
    assert_same_workbook(fast / "book.xlsx", reference / "book.xlsx")


def test_the_declarations_are_the_same_workbooks(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, reference = _both(monkeypatch, tmp_path, ["declare", str(county)], None)
    names = sorted(p.name for p in fast.glob("*.xlsx"))
    assert names and names == sorted(p.name for p in reference.glob("*.xlsx"))
    for name in names:
        assert_same_workbook(fast / name, reference / name)


def _odd_plan() -> WorkbookPlan:
    """Every kind of value, link and placement a plan may hold, including the awkward ones."""
    sheet = SheetPlan(
        "表 & <x>", widths={1: 14, 3: 30}, heights={4: 30, 11: 22.5}, merges=[(1, 1, 1, 3)]
    )
    sheet.column_styles[3] = Style(wrap=True)
    sheet.put(1, 1, "标题", Style(bold=True, size=14))
    texts = ["=1+1", " 前后空格 ", "a & b < c > d", "tab\there", "x_x0041_y", "\x01控制", "é\n二行"]
    for r, text in enumerate(texts, start=2):
        sheet.put(r, 1, text, Style(border="thin"))
        sheet.put(r, 2, [r * 100, -0.125, 1e-7, 2**60, True, dt.date(1900, 1, 5), None][r - 2])
    sheet.put(2, 3, None)  # no style in a styled column: the column's format
    sheet.put(3, 3, Formula("=B2*2", 400), Style(number_format="0"))
    sheet.put(4, 3, Formula('=IF(B2>0,"有","无")', "有"))
    sheet.put(5, 3, Formula("=1/0", "#DIV/0!"))
    sheet.put(6, 3, Formula("=B3", ""))
    sheet.put(7, 3, dt.datetime(2024, 5, 6, 13, 30), Style(number_format="yyyy-mm-dd hh:mm"))
    sheet.cells[(8, 1)] = Cell("跳转", None, Link("表 & <x>", 2, 1))
    sheet.cells[(8, 2)] = Cell(None, Style(underline=True), Link("它's", 1, 1))
    sheet.cells[(8, 3)] = Cell("打开", None, Url("../乡 镇/村[1].xlsx#'花名册'!A5", 'tip "q"'))
    sheet.cells[(9, 3)] = Cell(7, None, Url("村.xlsx"))
    rows = [("甲", 1, None, dt.date(2024, 5, 6)), ("乙", None, 2.5, None), (" 甲", True, "x", None)]
    sheet.bulk = BulkRows(10, rows, (Style(number_format="@"), Style(), Style(bold=True), Style()))
    gaps = SheetPlan("gaps")
    gaps.put(1, 2, "头")
    gaps.bulk = BulkRows(1, [("a", None, 1), ("b", 2), (None, None, None), ("c", True, 3)],
                         (Style(), Style(), Style()), blanks=False)  # fmt: skip
    return WorkbookPlan(sheets=[sheet, gaps], title="t", activate="gaps", comments="内部")


def test_awkward_values_are_written_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = new_workbook.write_workbook(tmp_path / "ours.xlsx", _odd_plan())
    monkeypatch.setattr(new_workbook, "PlanWorkbook", ReferenceWorkbook)
    reference = new_workbook.write_workbook(tmp_path / "reference.xlsx", _odd_plan())
    assert_same_workbook(ours, reference)
    ws = openpyxl.load_workbook(ours)["表 & <x>"]
    assert ws["A3"].value == " 前后空格 " and ws["A6"].value == "x_x0041_y"
    assert ws["C8"].hyperlink.location == "'花名册'!A5"


def test_a_workbook_too_big_for_a_plain_zip_is_zipped_with_zip64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xl_pension.io.xlsx_package as package

    monkeypatch.setattr(package, "_ZIP32", 2000)  # "4 GB" reached after a part or two
    ours = new_workbook.write_workbook(tmp_path / "ours.xlsx", _odd_plan())
    monkeypatch.setattr(new_workbook, "PlanWorkbook", ReferenceWorkbook)
    reference = new_workbook.write_workbook(tmp_path / "reference.xlsx", _odd_plan())
    assert_same_workbook(ours, reference)
