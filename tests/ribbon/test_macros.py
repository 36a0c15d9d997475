"""The ribbon macros, driven through xlwings' remote engine like the Office.js client drives them.

Each test writes a roster with the standardized writer (planted mistakes from the sample
generator or by hand), turns it into the JSON payload the xlwings Office.js client sends
(``xw.Book(json=payload)``), runs the macro, and checks the returned actions (``book.json()``):
which cells are coloured, which values are written, which sheets are added, and that the clerk
gets exactly one Chinese message box. The expected findings and money come from the file path
(``read_roster`` + ``check_roster``, the CLI writers), so both front ends must agree.

The remote engine is xlwings PRO, used here under its PolyForm Noncommercial licence
(``XLWINGS_LICENSE_KEY=noncommercial``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from _policy_variants import ORDINARY_TIER
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

import xl_pension.macros as macros
from xl_pension.core import idnum
from xl_pension.core.money import person_money
from xl_pension.core.policy import Policy
from xl_pension.core.schema import COLUMNS, ROSTER_SHEET
from xl_pension.core.validation import check_roster
from xl_pension.io import annotate
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.macros import marks
from xl_pension.sample import generate_county

CJK = re.compile(r"[\u4e00-\u9fff]")
RED, YELLOW = "#FF9999", "#FFEB9C"


# --- the remote engine and the Office.js payload --------------------------------------------


@pytest.fixture
def xw(monkeypatch):
    """xlwings with its remote engine (xlwings PRO, noncommercial licence)."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings

    if "remote" not in [e.name for e in xlwings.engines]:  # xlwings imported without the key
        from xlwings.pro import _xlremote

        xlwings.engines.add(xlwings.Engine(impl=_xlremote.engine))
    return xlwings


@pytest.fixture(autouse=True)
def settings_file(tmp_path: Path, monkeypatch) -> Path:
    """The add-in's settings live in the test's folder, never in the real home directory."""
    path = tmp_path / "settings" / "settings.json"
    monkeypatch.setenv("XL_PENSION_SETTINGS", str(path))
    return path


def cell_json(value: object) -> object:
    """A cell value as the Office.js client sends it (dates as ISO text, empty as "")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    return value


def payload_of(path: Path, *, top_rows: int = 0) -> dict:
    """The JSON an Office.js client sends for the workbook at ``path`` (``top_rows`` empty rows
    inserted above every sheet's content, as a user may do)."""
    import xlwings

    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = [[""] * ws.max_column for _ in range(top_rows)]
        rows += [[cell_json(c.value) for c in row] for row in ws.iter_rows()]
        notes = [
            {"address": f"{get_column_letter(c.column)}{c.row + top_rows}"}
            for row in ws.iter_rows()
            for c in row
            if c.comment
        ]
        sheets.append(
            {
                "name": ws.title,
                "values": rows or [[]],
                "pictures": [],
                "tables": [],
                "notes": notes,
                "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden",
            }
        )
    book = {"name": path.name, "active_sheet_index": 0, "selection": "A1"}
    payload = {"client": "Office.js", "version": xlwings.__version__, "book": book}
    payload |= {"names": [], "sheets": sheets}
    return json.loads(json.dumps(payload, ensure_ascii=False))


def book_of(xw, payload: dict):
    return xw.Book(json=payload)


def actions(book) -> list[dict]:
    return book.json()["actions"]


def of(acts: list[dict], func: str, sheet: int | None = None) -> list[dict]:
    return [
        a for a in acts if a["func"] == func and (sheet is None or a["sheet_position"] == sheet)
    ]


def cell_of(a: dict) -> tuple[int, int]:
    """1-based (row, column) of a single-cell action."""
    return a["start_row"] + 1, a["start_column"] + 1


def written(acts: list[dict], sheet: int) -> dict[tuple[int, int], object]:
    """The values the actions leave on a sheet, by 1-based (row, column) ("" for cleared)."""
    grid: dict[tuple[int, int], object] = {}
    for a in of(acts, "setValues", sheet):
        for i, row in enumerate(a["values"]):
            for j, v in enumerate(row):
                grid[(a["start_row"] + 1 + i, a["start_column"] + 1 + j)] = v
    return grid


def added_sheets(acts: list[dict]) -> list[str]:
    return [a["args"][1] for a in of(acts, "addSheet")]


def position_of(acts: list[dict], name: str) -> int:
    return next(a["args"][0] for a in of(acts, "addSheet") if a["args"][1] == name)


def the_alert(acts: list[dict]) -> str:
    alerts = of(acts, "alert")
    assert len(alerts) == 1, acts
    text = alerts[0]["args"][0]
    assert CJK.search(text) and "Traceback" not in text and 'File "' not in text
    return text


def col(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)


def header_col(header: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.header == header)


# --- rosters ------------------------------------------------------------------------------------


def pid(i: int) -> str:
    return idnum.make("371728", dt.date(1970, 1, 1) + dt.timedelta(days=37 * i), i)


def person(i: int, **changes: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "seq": i + 1,
        "group": ("一组", "二组")[i % 2],
        "name": ("王秀英", "李建国", "张桂兰", "刘洋", "陈玉梅", "赵德胜")[i % 6],
        "id_number": pid(i),
        "phone": "13905301234",
        "enrollment": "续保",
        "category": "普通",
        "tier": ORDINARY_TIER,
        "method": "线上",
        "amount": ORDINARY_TIER,
        "pay_date": dt.date(2024, 5, 6),
    }
    rec.update(changes)
    return rec


def clean_records() -> list[dict[str, object]]:
    return [
        person(0),
        person(1, method="线下", receipt="000123"),
        person(2, tier=500, amount=500, method="线下", receipt="DM2024-0002"),
        person(3, category="重度残疾人", tier=100, amount=0),
        person(4, tier=None, amount=None, pay_date=None, method=None, unpaid_reason="拒缴"),
        person(5, tier=1000, amount=1000, backpay_years="2022", backpay_amount=300),
    ]


@pytest.fixture
def clean_roster(tmp_path: Path, policy: Policy) -> Path:
    path = write_roster(
        tmp_path / "王庄村.xlsx", policy, policy.townships[0], "王庄村", clean_records()
    )
    assert file_findings(path, policy) == []
    return path


@pytest.fixture
def planted_roster(tmp_path: Path, policy: Policy):
    """A generated village with many planted mistakes, and the list of them."""
    county = generate_county(
        policy, seed=7, townships=1, villages_per_township=1, min_people=90, max_people=90,
        mistake_rate=0.25,
    )  # fmt: skip
    village = county.villages[0]
    path = write_roster(
        tmp_path / "planted.xlsx", policy, village.township, village.village, village.records
    )
    return path, county.planted


def file_findings(path: Path, policy: Policy):
    return check_roster(read_roster(path), policy).findings


# --- 校验花名册 ---------------------------------------------------------------------------------


def test_validate_colours_exactly_the_bad_cells(xw, planted_roster, policy) -> None:
    path, planted = planted_roster
    assert len(planted) >= 15
    book = book_of(xw, payload_of(path))
    assert macros.run("validate", book) == 0
    acts = actions(book)
    expected: dict[tuple[int, int], str] = {}
    by_cell: dict[tuple[int, int], list] = {}
    for f in file_findings(path, policy):
        if f.row:
            by_cell.setdefault((f.row, header_col(f.column)), []).append(f)
    for cell, items in by_cell.items():
        expected[cell] = YELLOW if all(f.severity == "warning" for f in items) else RED
    coloured = {cell_of(a): a["args"][0] for a in of(acts, "setRangeColor", 0)}
    assert coloured == expected
    for m in planted:  # every planted mistake is marked on its own cell
        assert (m.row, header_col(m.column)) in coloured, m
    notes = {cell_of(a): a["args"][1] for a in of(acts, "addNote", 0)}
    assert set(notes) == set(expected)
    for cell, items in by_cell.items():
        for f in items:
            assert f.message in notes[cell]
    assert not of(acts, "setValues", 0), "validation never changes what the clerk typed"


def test_validate_lists_the_findings_on_a_result_sheet(xw, planted_roster, policy) -> None:
    path, _ = planted_roster
    book = book_of(xw, payload_of(path))
    macros.run("validate", book)
    acts = actions(book)
    assert added_sheets(acts) == [marks.RESULT_SHEET, marks.MARKS_SHEET]
    result = position_of(acts, marks.RESULT_SHEET)
    assert result == 1  # right after 花名册
    values = written(acts, result)
    findings = file_findings(path, policy)
    counts = (
        sum(f.severity == "error" for f in findings),
        sum(f.severity == "warning" for f in findings),
    )
    assert values[(1, 1)] == f"校验结果：错误 {counts[0]} 条，警告 {counts[1]} 条"
    assert [values[(4, c)] for c in range(1, 9)] == list(marks.RESULT_HEAD)
    for i, f in enumerate(findings):
        r = marks.RESULT_FIRST_ROW + i
        assert values[(r, 3)] == f.code and values[(r, 8)] == f.message
        if f.row:
            ref = f"{get_column_letter(header_col(f.column))}{f.row}"
            assert values[(r, 6)] == f'=HYPERLINK("#\'{ROSTER_SHEET}\'!{ref}","{ref}")'
    marks_at = position_of(acts, marks.MARKS_SHEET)
    assert of(acts, "setSheetVisibility", marks_at)[0]["args"] == ["Hidden"]
    saved = written(acts, marks_at)
    assert saved[(1, 1)] == "sheet"
    assert {saved[(r, 2)] for r in range(2, len(findings) + 2) if (r, 2) in saved} >= {
        f"{get_column_letter(header_col(f.column))}{f.row}" for f in findings if f.row
    }
    text = the_alert(acts)
    assert f"错误 {counts[0]} 条" in text and of(acts, "alert")[0]["args"][3] == "critical"


def test_validate_finds_a_header_moved_down(xw, clean_roster, policy) -> None:
    wb = openpyxl.load_workbook(clean_roster)
    wb[ROSTER_SHEET].cell(3, col("id_number")).value = pid(0)[:-1] + "0"  # wrong check digit
    wb.save(clean_roster)
    book = book_of(xw, payload_of(clean_roster, top_rows=2))
    macros.run("validate", book)
    coloured = [cell_of(a) for a in of(actions(book), "setRangeColor", 0)]
    assert coloured == [(5, col("id_number"))]


def test_the_grid_is_anchored_at_a1_whatever_the_used_range(xw) -> None:
    from xl_pension.macros._book import grid

    payload = not_rosters(xw)[0]
    payload["sheets"][0] |= {
        "values": [["", "", ""], ["", "姓名", "身份证号码"], ["", "王秀英", pid(0)]],
        "used_range_address": "B2:C3",
    }
    book = book_of(xw, payload)
    assert grid(book.sheets[0]) == [[], [None, "姓名", "身份证号码"], [None, "王秀英", pid(0)]]


def test_validate_a_clean_roster_says_so(xw, clean_roster) -> None:
    book = book_of(xw, payload_of(clean_roster))
    assert macros.run("validate", book) == 0
    acts = actions(book)
    assert not of(acts, "setRangeColor", 0) and not of(acts, "addNote")
    assert "没有发现问题" in the_alert(acts)


def test_validate_again_undoes_its_own_marks(xw, clean_roster) -> None:
    payload = payload_of(clean_roster)
    name_col, phone_col = col("name"), col("phone")
    old_name, old_phone = f"{get_column_letter(name_col)}4", f"{get_column_letter(phone_col)}5"
    payload["sheets"][0]["notes"] = [{"address": old_name}, {"address": old_phone}]
    rows = [
        ["sheet", "cell", "fill", "note", "author"],
        [ROSTER_SHEET, old_name, marks.fill_xml(None), "", ""],  # our note: remove it
        [ROSTER_SHEET, old_phone, marks.fill_xml("#BDD7EE"), "晚上打这个电话", "村协办员"],
    ]
    payload["sheets"].insert(1, {"name": marks.RESULT_SHEET, "values": [["旧结果"]]})
    payload["sheets"].append({"name": marks.MARKS_SHEET, "values": rows, "visibility": "Hidden"})
    book = book_of(xw, payload)
    macros.run("validate", book)
    acts = actions(book)
    restored = {cell_of(a): a["args"][0] for a in of(acts, "setRangeColor", 0)}
    assert restored == {(4, name_col): None, (5, phone_col): "#BDD7EE"}
    assert [cell_of(a) for a in of(acts, "deleteNote", 0)] == [(4, name_col)]
    assert [a["args"][1] for a in of(acts, "setNoteText", 0)] == ["晚上打这个电话"]
    deleted = [a["sheet_position"] for a in of(acts, "sheetDelete")]
    assert deleted == [5, 1]  # the old marks sheet (last), then the old result sheet
    assert "没有发现问题" in the_alert(acts)


def test_a_note_the_engine_cannot_read_is_left_alone(xw, clean_roster) -> None:
    """The remote engine cannot read a note's text: the clerk's note on a bad cell is kept as it
    is (the finding shows by colour and on 校验结果), and a re-run does not touch it either."""
    wb = openpyxl.load_workbook(clean_roster)
    wb[ROSTER_SHEET].cell(4, col("id_number")).value = pid(1)[:-1] + "0"
    wb.save(clean_roster)
    ref = f"{get_column_letter(col('id_number'))}4"
    payload = payload_of(clean_roster)
    payload["sheets"][0]["notes"] = [{"address": ref}]
    book = book_of(xw, payload)
    macros.run("validate", book)
    acts = actions(book)
    assert [cell_of(a) for a in of(acts, "setRangeColor", 0)] == [(4, col("id_number"))]
    assert not of(acts, "addNote") and not of(acts, "setNoteText") and not of(acts, "deleteNote")
    saved = written(acts, position_of(acts, marks.MARKS_SHEET))
    assert [saved[(2, c)] for c in range(1, 6)] == [
        ROSTER_SHEET, ref, marks.fill_xml(None), "", marks.KEEP_NOTE
    ]  # fmt: skip
    rows = [["sheet", "cell", "fill", "note", "author"], [saved[(2, c)] for c in range(1, 6)]]
    payload["sheets"].append({"name": marks.MARKS_SHEET, "values": rows, "visibility": "Hidden"})
    book = book_of(xw, payload)
    macros.run("validate", book)
    acts = actions(book)
    assert not of(acts, "addNote") and not of(acts, "setNoteText") and not of(acts, "deleteNote")


def test_marks_are_readable_by_the_command_line() -> None:
    """The fills the macros record are openpyxl PatternFill XML, as io.annotate records them."""
    for color in (None, "#BDD7EE"):
        fill = PatternFill.from_tree(ET.fromstring(marks.fill_xml(color)))
        assert (fill.fgColor.rgb if fill.fill_type == "solid" else None) == (
            f"FF{color[1:]}" if color else None
        )
        assert marks.color_of_fill_xml(marks.fill_xml(color)) == color
    ours = PatternFill(fill_type="solid", fgColor="FFC6EFCE", bgColor="FFC6EFCE")
    assert marks.color_of_fill_xml(annotate._fill_xml(ours)) == "#C6EFCE"
    for name in ("RESULT_SHEET", "MARKS_SHEET", "NOTE_SEPARATOR", "ERROR_FILL", "WARNING_FILL"):
        assert getattr(marks, name) == getattr(annotate, name), name


# --- 计算补贴 -----------------------------------------------------------------------------------


def test_compute_writes_what_the_command_line_writes(xw, clean_roster, tmp_path) -> None:
    from xl_pension.cli import main

    book = book_of(xw, payload_of(clean_roster))
    assert macros.run("compute", book) == 0
    acts = actions(book)
    values = written(acts, 0)
    cli_out = tmp_path / "cli.xlsx"
    assert main(["compute", str(clean_roster), "-o", str(cli_out)]) == 0
    ws = openpyxl.load_workbook(cli_out)[ROSTER_SHEET]
    keys = ("government_paid", "personal_due", "subsidy", "credited")
    last = 3 + len(clean_records())  # the totals line
    for row in range(3, last + 1):
        for key in keys:
            expected = ws.cell(row, col(key)).value
            assert values.get((row, col(key))) in (expected, "" if expected is None else None)
    for key in ("seq", "group", "amount", "backpay_amount", *keys):
        assert values[(last, col(key))] == ws.cell(last, col(key)).value, key
    assert values[(last, col("seq"))] == "合计"
    derived = ("gender", "birth_date")  # #16: compute fills them from the ID, as the CLI does
    for row in range(3, last):
        for key in derived:
            assert values.get((row, col(key))) == ws.cell(row, col(key)).value, (row, key)
    assert {c[1] for c in values} <= {
        col(k) for k in ("seq", "group", "amount", "backpay_amount", *keys, *derived)
    }
    assert not of(acts, "addSheet")
    assert "记入个人账户" in the_alert(acts)


def test_compute_refuses_a_roster_with_errors(xw, planted_roster) -> None:
    path, _ = planted_roster
    book = book_of(xw, payload_of(path))
    assert macros.run("compute", book) == 1
    acts = actions(book)
    assert len(acts) == 1 and "校验花名册" in the_alert(acts)


# --- 解缴清单 and 生成公示 ------------------------------------------------------------------------


def test_remit_adds_the_cash_list(xw, clean_roster, policy) -> None:
    from xl_pension.reports.remit import remit_list

    book = book_of(xw, payload_of(clean_roster))
    assert macros.run("remit", book) == 0
    acts = actions(book)
    assert added_sheets(acts) == ["解缴清单"]
    values = written(acts, position_of(acts, "解缴清单"))
    checked = check_roster(read_roster(clean_roster), policy)
    money = {p.row: person_money(p, policy) for p in checked.people}
    rl = remit_list(checked.people, money, policy)
    assert rl.count == 2
    kind = {True: policy.declaration.regular, False: policy.declaration.backpay}
    for i, line in enumerate(rl.lines):  # the 缴费人清单: full IDs, one line a year paid
        assert [values[(4 + i, c)] for c in range(2, 10)] == [
            line.receipt, line.name, line.id_number, line.group, kind[line.regular], line.year,
            line.tier, line.amount,
        ]  # fmt: skip
    assert values[(4 + len(rl.lines), 9)] == rl.total
    assert f"合计 {rl.total} 元" in the_alert(acts)


def test_notice_adds_the_public_notice(xw, clean_roster, policy, settings_file) -> None:
    from xl_pension.reports.notice import build_notice

    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"phone": "0530-7221234"}), encoding="utf-8")
    book = book_of(xw, payload_of(clean_roster))
    assert macros.run("notice", book) == 0
    acts = actions(book)
    assert added_sheets(acts) == ["公示"]
    values = written(acts, position_of(acts, "公示"))
    checked = check_roster(read_roster(clean_roster), policy)
    money = {p.row: person_money(p, policy) for p in checked.people}
    ctx = build_notice(checked, money, policy, dt.date.today(), "0530-7221234")
    cells = set(values.values())
    for row in ctx.rows:
        assert row.masked_id in cells and row.name in cells
    assert not any(pid(i) in cells for i in range(6)), "full ID numbers are never shown"
    assert any(isinstance(v, str) and "0530-7221234" in v for v in cells)
    assert f"公示 {ctx.totals.people} 人" in the_alert(acts)


# --- 乡镇汇总 and 合并上报 -----------------------------------------------------------------------


def township_folder(root: Path, policy: Policy) -> Path:
    """``root/<乡镇>/<村>.xlsx``: two village rosters of the first township."""
    township = policy.townships[0]
    folder = root / township.name
    folder.mkdir(parents=True)
    write_roster(folder / "王庄村.xlsx", policy, township, "王庄村", clean_records())
    write_roster(folder / "李庄村.xlsx", policy, township, "李庄村", clean_records()[:3])
    return folder


@pytest.mark.parametrize(
    ("tag", "output"), [("summary", "乡镇汇总.xlsx"), ("merge", "全县汇总.xlsx")]
)
def test_folder_reports_are_written_next_to_the_rosters(
    xw, tmp_path, policy, settings_file, tag, output
) -> None:
    folder = township_folder(tmp_path / "县", policy)
    target = folder if tag == "summary" else folder.parent
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text(json.dumps({"folder": str(target)}), encoding="utf-8")
    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run(tag, book) == 0
    acts = actions(book)
    assert len(acts) == 1 and str(target / output) in the_alert(acts)
    assert openpyxl.load_workbook(target / output).sheetnames


@pytest.mark.parametrize("tag", ["summary", "merge"])
def test_folder_reports_need_a_folder(xw, tag) -> None:
    book = book_of(xw, not_rosters(xw)[0])  # a remote book has no folder on this computer
    assert macros.run(tag, book) == 2
    acts = actions(book)
    assert len(acts) == 1 and "工作文件夹" in the_alert(acts)


# --- not a roster: one Chinese message, nothing else ---------------------------------------------


def not_rosters(xw) -> list[dict]:
    import xlwings

    def book(*sheets: tuple[str, list]) -> dict:
        return {
            "client": "Office.js",
            "version": xlwings.__version__,
            "book": {"name": "工作簿1.xlsx", "active_sheet_index": 0, "selection": "A1"},
            "names": [],
            "sheets": [
                {"name": n, "values": v, "pictures": [], "tables": [], "notes": []}
                for n, v in sheets
            ],
        }

    return [
        book(("Sheet1", [["姓名", "电话"], ["王秀英", "13905301234"]])),
        book((ROSTER_SHEET, [["村名单"], ["序号", "户主", "人口"], [1, "王秀英", 3]])),
        book((ROSTER_SHEET, [[]])),
    ]


@pytest.mark.parametrize("tag", ["validate", "compute", "notice", "remit"])
def test_a_workbook_that_is_not_a_roster_gets_one_message(xw, tag) -> None:
    for payload in not_rosters(xw):
        book = book_of(xw, payload)
        assert macros.run(tag, book) == 2
        acts = actions(book)
        assert len(acts) == 1, acts
        assert "花名册" in the_alert(acts)
        assert acts[0]["args"][3] == "critical"


# --- 设置, 新建花名册, 使用说明 ---------------------------------------------------------------------


def form_payload(xw, name: str, items: list[tuple[str, str]]) -> dict:
    payload = not_rosters(xw)[0]
    rows = [["标题"], ["说明"], *[[label, value, ""] for label, value in items]]
    payload["sheets"].append({"name": name, "values": rows, "notes": []})
    return payload


def test_settings_first_click_shows_the_form(xw) -> None:
    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run("settings", book) == 0
    acts = actions(book)
    assert added_sheets(acts) == ["设置"]
    labels = {v for v in written(acts, 1).values()}
    assert {"政策文件", "工作文件夹", "咨询电话", "本乡镇（街道）"} <= labels
    assert "再点一次" in the_alert(acts)


def test_settings_second_click_saves(xw, tmp_path, settings_file) -> None:
    from xl_pension.macros.settings import load_settings

    items = [
        ("工作文件夹", str(tmp_path)),
        ("咨询电话", "0530-7221234"),
        ("本乡镇（街道）", "城关街道"),
    ]
    book = book_of(xw, form_payload(xw, "设置", items))
    assert macros.run("settings", book) == 0
    acts = actions(book)
    assert [a["sheet_position"] for a in of(acts, "sheetDelete")] == [1]
    saved = load_settings()
    assert (saved.folder, saved.phone, saved.township, saved.policy) == (
        str(tmp_path), "0530-7221234", "城关街道", ""
    )  # fmt: skip
    assert "已保存" in the_alert(acts)


def test_settings_refuse_a_missing_folder(xw, tmp_path, settings_file) -> None:
    book = book_of(xw, form_payload(xw, "设置", [("工作文件夹", str(tmp_path / "没有"))]))
    assert macros.run("settings", book) == 2
    acts = actions(book)
    assert len(acts) == 1 and "找不到文件夹" in the_alert(acts)
    assert not settings_file.exists()


def test_new_roster_asks_then_writes(xw, tmp_path) -> None:
    book = book_of(xw, not_rosters(xw)[0])
    macros.run("new_roster", book)
    acts = actions(book)
    assert added_sheets(acts) == ["新建花名册"] and "再点一次" in the_alert(acts)
    items = [
        ("乡镇（街道）", "城关街道"),
        ("村（社区）", "李庄村"),
        ("保存到文件夹", str(tmp_path)),
    ]
    book = book_of(xw, form_payload(xw, "新建花名册", items))
    assert macros.run("new_roster", book) == 0
    out = tmp_path / "城关街道李庄村花名册.xlsx"
    roster = read_roster(out)
    assert (roster.township, roster.village, roster.records) == ("城关街道", "李庄村", [])
    acts = actions(book)
    assert [a["sheet_position"] for a in of(acts, "sheetDelete")] == [1]
    assert str(out) in the_alert(acts)
    book = book_of(xw, form_payload(xw, "新建花名册", items))  # never overwrites a roster
    assert macros.run("new_roster", book) == 2 and "已存在" in the_alert(actions(book))


def test_help_lists_the_buttons(xw) -> None:
    from xl_pension.addin.build import load_manifest

    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run("help", book) == 0
    acts = actions(book)
    text = the_alert(acts)
    assert len(acts) == 1 and len(text) < 1024  # a message box shows at most 1024 characters
    for b in load_manifest().buttons:
        assert b.tag == "help" or b.label in text


# --- the dispatcher ------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", ["nope", "validate;import os", "", "../x", "VALIDATE"])
def test_unknown_tags_get_one_message(xw, tag) -> None:
    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run(tag, book) == 2
    acts = actions(book)
    assert len(acts) == 1 and "按钮" in the_alert(acts)


def test_an_unexpected_error_is_one_sentence_and_a_log(xw, monkeypatch, tmp_path) -> None:
    log = tmp_path / "macro.log"
    monkeypatch.setattr(macros, "log_path", lambda: log)

    def broken(book) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(macros, "resolve", lambda tag: broken)
    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run("validate", book) == 2
    text = the_alert(actions(book))
    assert "内部错误" in text and "\n" not in text and str(log) in text
    assert "ZeroDivisionError: boom" in log.read_text(encoding="utf-8")


def test_an_os_fault_is_one_sentence_naming_the_file(xw, monkeypatch) -> None:
    import errno

    def full_disk(book) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "D:/村/王庄村.xlsx")

    monkeypatch.setattr(macros, "resolve", lambda tag: full_disk)
    book = book_of(xw, not_rosters(xw)[0])
    assert macros.run("validate", book) == 2
    text = the_alert(actions(book))
    assert "磁盘空间不足" in text and "王庄村.xlsx" in text and "内部错误" not in text


def test_every_tag_resolves_to_a_function() -> None:
    for tag in macros.MACROS:
        assert callable(macros.resolve(tag)), tag


def test_importing_the_macros_is_fast_and_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import xl_pension.macros; "
        "print(time.perf_counter() - t); "
        "print(sorted(m for m in ('xlwings', 'openpyxl', 'pandas', 'numpy', 'jinja2') "
        "if m in sys.modules))"
    )
    best = 1.0
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        best = min(best, float(out[0]))
        assert out[1] == "[]"
    assert best < 0.3, f"import xl_pension.macros took {best:.3f} s"
