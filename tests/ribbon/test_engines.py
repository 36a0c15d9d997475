"""The macros on the three kinds of remote client, and what each engine lacks degrading.

- Office.js with notes: every finding is coloured and noted;
- Office.js without notes (Excel 2021/2024: the payload has no ``notes`` key): the findings are
  coloured and listed on 校验结果, and the message box says notes were not possible;
- desktop-style (xlwings' VBA client, ``Remote.bas``): every action the macros send is one
  that client implements, read from the installed xlwings package itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlwings
from test_macros import (  # the fixtures too: the remote engine, rosters, settings file
    actions,
    added_sheets,
    book_of,
    cell_of,
    clean_roster,
    col,
    file_findings,
    form_payload,
    header_col,
    not_rosters,
    of,
    payload_of,
    planted_roster,
    position_of,
    settings_file,
    the_alert,
    written,
    xw,
)

import xl_pension.macros as macros
from xl_pension.core.marking import MARKS_SHEET, RESULT_SHEET
from xl_pension.macros.apply import BASIC_CLIENT_ACTIONS, Engine, engine_of, rectangles

NOTE_ACTIONS = {"addNote", "setNoteText", "deleteNote"}
FIXTURES = (clean_roster, planted_roster, settings_file, xw)  # used by name below


def remote_bas_actions() -> set[str]:
    """The actions xlwings' VBA remote interpreter implements: its ``Sub name(wb, action)``."""
    text = (Path(xlwings.__file__).parent / "addin" / "Remote.bas").read_text(encoding="utf-8")
    return set(re.findall(r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)", text, re.M))


def office_scripts_actions() -> set[str]:
    """The callbacks xlwings' Office Scripts client registers."""
    text = (Path(xlwings.__file__).parent / "js" / "xlwings.ts").read_text(encoding="utf-8")
    return set(re.findall(r"^registerCallback\((\w+)\);", text, re.M))


def without_notes(payload: dict) -> dict:
    for sheet in payload["sheets"]:
        sheet.pop("notes", None)
    return payload


def desktop_style(payload: dict) -> dict:
    """The payload as xlwings' VBA client (Remote.bas) sends it: no notes, no visibility."""
    payload["client"] = "VBA"
    payload["version"] = xlwings.__version__
    for sheet in payload["sheets"]:
        sheet.pop("notes", None)
        sheet.pop("visibility", None)
    return payload


def test_the_basic_actions_are_what_xlwings_clients_implement() -> None:
    assert remote_bas_actions() >= BASIC_CLIENT_ACTIONS
    assert office_scripts_actions() >= BASIC_CLIENT_ACTIONS


def test_engines_are_told_apart(xw, clean_roster) -> None:
    payload = payload_of(clean_roster)
    assert engine_of(book_of(xw, payload)) == Engine()
    assert not engine_of(book_of(xw, without_notes(payload_of(clean_roster)))).notes
    vba = engine_of(book_of(xw, desktop_style(payload_of(clean_roster))))
    assert not vba.notes and not vba.can("setFontProperty") and vba.can("setValues")


def coloured(acts: list[dict]) -> dict[tuple[int, int], str]:
    return {cell_of(a): a["args"][0] for a in of(acts, "setRangeColor", 0)}


def test_validate_with_and_without_notes(xw, planted_roster, policy) -> None:
    path, _ = planted_roster
    with_notes = book_of(xw, payload_of(path))
    assert macros.run("validate", with_notes) == 0
    noted = actions(with_notes)
    bare = book_of(xw, without_notes(payload_of(path)))
    assert macros.run("validate", bare) == 0  # never 内部错误 (NotImplementedError)
    acts = actions(bare)
    assert coloured(acts) == coloured(noted) and coloured(acts)
    assert not {a["func"] for a in acts} & NOTE_ACTIONS
    assert added_sheets(acts) == [RESULT_SHEET, MARKS_SHEET]
    findings = file_findings(path, policy)
    listed = written(acts, position_of(acts, RESULT_SHEET))
    assert [listed[(5 + i, 8)] for i in range(len(findings))] == [f.message for f in findings]
    text = the_alert(acts)
    assert "批注" in the_alert(noted) and "不能添加批注" not in the_alert(noted)
    assert "不能添加批注" in text and "校验结果" in text
    record = written(acts, position_of(acts, MARKS_SHEET))
    assert {record[(r, 5)] for r in range(2, len(coloured(acts)) + 2)} == {"xl_pension:keep-note"}


@pytest.mark.parametrize("tag", ["validate", "compute", "remit", "notice"])
def test_desktop_style_client_gets_only_actions_it_implements(xw, clean_roster, tag) -> None:
    implemented = remote_bas_actions()
    book = book_of(xw, desktop_style(payload_of(clean_roster)))
    assert macros.run(tag, book) == 0
    acts = actions(book)
    assert {a["func"] for a in acts} <= implemented, {a["func"] for a in acts} - implemented
    the_alert(acts)


def test_desktop_style_marks_by_colour_and_says_what_it_could_not_do(
    xw, planted_roster, policy
) -> None:
    path, _ = planted_roster
    book = book_of(xw, desktop_style(payload_of(path)))
    assert macros.run("validate", book) == 0
    acts = actions(book)
    assert {a["func"] for a in acts} <= remote_bas_actions()
    expected = {(f.row, header_col(f.column)) for f in file_findings(path, policy) if f.row}
    assert set(coloured(acts)) == expected
    text = the_alert(acts)
    assert "不能添加批注" in text and MARKS_SHEET in text
    # the next run undoes the colours with a colour the client can set (no "no fill" there)
    record = written(acts, position_of(acts, MARKS_SHEET))
    rows = [[record.get((r, c), "") for c in range(1, 6)] for r in range(1, len(expected) + 2)]
    payload = desktop_style(payload_of(path))
    payload["sheets"].append({"name": MARKS_SHEET, "values": rows})
    again = book_of(xw, payload)
    assert macros.run("validate", again) == 0
    acts = actions(again)
    assert {a["func"] for a in acts} <= remote_bas_actions()
    assert all(a["args"][0] for a in of(acts, "setRangeColor", 0))


@pytest.mark.parametrize("tag", ["settings", "new_roster", "help", "validate"])
def test_desktop_style_forms_and_refusals(xw, tag, tmp_path) -> None:
    payload = desktop_style(not_rosters(xw)[0])
    if tag == "new_roster":
        items = [
            ("乡镇（街道）", "城关街道"),
            ("村（社区）", "李庄村"),
            ("保存到文件夹", str(tmp_path)),
        ]
        payload = desktop_style(form_payload(xw, "新建花名册", items))
    book = book_of(xw, payload)
    macros.run(tag, book)
    acts = actions(book)
    assert {a["func"] for a in acts} <= remote_bas_actions()
    the_alert(acts)


def test_a_text_that_looks_like_a_formula_is_written_as_text(xw, clean_roster) -> None:
    """The remit list of a receipt "=1+1" and "000123": the cells are text-formatted first."""
    import openpyxl

    from xl_pension.core.schema import ROSTER_SHEET

    wb = openpyxl.load_workbook(clean_roster)
    cell = wb[ROSTER_SHEET].cell(5, col("receipt"))
    cell.value, cell.data_type = "=1+1", "s"  # text the clerk typed
    wb.save(clean_roster)
    book = book_of(xw, payload_of(clean_roster))
    assert macros.run("remit", book) == 0
    acts = actions(book)
    sheet = position_of(acts, "解缴清单")
    values = written(acts, sheet)
    cells = [k for k, v in values.items() if v in ("=1+1", "000123")]
    assert len(cells) == 2
    first_value = next(i for i, a in enumerate(acts) if a["func"] == "setValues")
    for r, c in cells:
        assert any(
            a["func"] == "setNumberFormat" and a["args"][0] == "@" and i < first_value
            and a["start_row"] < r <= a["start_row"] + a["row_count"]
            and a["start_column"] < c <= a["start_column"] + a["column_count"]
            for i, a in enumerate(acts) if a["sheet_position"] == sheet
        ), (r, c)  # fmt: skip


def test_rectangles_cover_exactly_the_cells() -> None:
    cells = {(r, c) for r in range(3, 9) for c in (2, 3, 5)} | {(10, 1)}
    rects = rectangles(cells)
    covered = [
        (r, c) for r1, c1, r2, c2 in rects for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)
    ]
    assert sorted(covered) == sorted(cells)
    assert len(rects) == 3
