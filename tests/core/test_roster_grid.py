"""The grid reader: hand-typed totals lines anywhere, and rows holding nothing but a 序号."""

from __future__ import annotations

import pickle
from pathlib import Path

import openpyxl
from _policy_variants import paid, write

from xl_pension.cli import main
from xl_pension.core.policy import Policy
from xl_pension.core.roster import Record
from xl_pension.core.roster_grid import roster_from_rows
from xl_pension.core.schema import header
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster

KEYS = ("seq", "group", "name", "id_number", "tier", "amount")
HEAD = [header(k) for k in KEYS]
IDS = ("371728198001010018", "371728198001020014", "371728198001030010")


def grid(*rows: list[object]) -> list[list[object]]:
    return [["花名册"], HEAD, *rows]


def person(i: int) -> list[object]:
    return [i + 1, "一组", f"张{'一二三'[i]}", IDS[i], 300, 300]


def test_totals_words_anywhere_are_not_people() -> None:
    for label, where in (("合计", 0), ("合 计", 2), ("总计：", 1), ("本页小计", 2)):
        line: list[object] = [None] * len(KEYS)
        line[where] = label
        line[5] = 600
        roster = roster_from_rows("x.xlsx", "花名册", grid(person(0), person(1), line), {})
        assert [r.row for r in roster.records] == [3, 4], label
        assert roster.totals_rows == [5]


def test_a_row_that_sums_the_rows_above_is_a_totals_line() -> None:
    line = [None, None, None, None, 600, 600]
    roster = roster_from_rows("x.xlsx", "花名册", grid(person(0), person(1), line), {})
    assert len(roster.records) == 2 and roster.totals_rows == [5]
    assert [f.code for f in roster.findings if f.row] == ["roster.totals_line"]


def test_people_below_a_hand_typed_totals_line_are_said_so() -> None:
    line = ["合计", None, None, None, 600, 600]
    roster = roster_from_rows("x.xlsx", "花名册", grid(person(0), person(1), line, person(2)), {})
    assert [r.row for r in roster.records] == [3, 4, 6]
    (f,) = [f for f in roster.findings if f.code == "roster.totals_line"]
    assert f.row == 5 and "下面还有人员" in f.message


def test_compute_own_last_totals_line_is_quiet() -> None:
    line = ["合计", "2人", None, None, None, 600]
    roster = roster_from_rows("x.xlsx", "花名册", grid(person(0), person(1), line), {})
    assert roster.totals_rows == [5]
    assert not [f for f in roster.findings if f.code == "roster.totals_line"]


def test_rows_with_only_a_seq_number_are_not_people() -> None:
    numbered = [[n, None, None, None, None, None] for n in range(3, 201)]
    roster = roster_from_rows("x.xlsx", "花名册", grid(person(0), person(1), *numbered), {})
    assert len(roster.records) == 2


def test_compute_after_a_hand_typed_totals_line_with_people_below(
    tmp_path: Path, policy: Policy
) -> None:
    src = write(tmp_path / "王庄村.xlsx", policy, [paid(350, 350), paid(500, 500)])
    wb = openpyxl.load_workbook(src)
    ws = wb["花名册"]
    cols = {c.value: c.column for c in ws[2] if c.value}
    # the clerk typed a totals line under row 4 (tier and amount summed: 350 + 500), then added a person
    ws.cell(5, cols["序号"], "合计")
    ws.cell(5, cols["缴费档次"], 850)
    ws.cell(5, cols["实缴金额"], 850)
    for key, value in paid(350, 350).items():
        if header(key) in cols:
            ws.cell(6, cols[header(key)], value)
    ws.cell(6, cols["序号"], 3)
    ws.cell(7, cols["序号"], 4)  # pre-numbered, nobody there
    wb.save(src)
    roster = read_roster(src)
    assert [r.row for r in roster.records] == [3, 4, 6]
    assert main(["compute", str(src), "--in-place"]) == 0
    again = read_roster(src)
    assert [r.row for r in again.records] == [3, 4, 6]
    checked = check_roster(again, policy)
    assert not checked.errors, checked.errors
    ws = openpyxl.load_workbook(src)["花名册"]
    assert all(ws.cell(5, c).value is None for c in cols.values())
    assert ws.cell(7, cols["序号"]).value == "合计"  # compute's line right after the last person


def test_the_records_behave_as_a_list_and_hand_the_check_their_columns() -> None:
    roster = roster_from_rows("x.xlsx", "花名册", grid(person(0), [], person(1)), {})
    records = roster.records
    cells = records.columns()  # type: ignore[attr-defined]
    assert cells is not None and list(cells["name"]) == ["张一", "张二"]  # nothing made yet
    want = [Record(3, dict(zip(KEYS, person(0), strict=True))), Record(5, want_two())]
    assert records == want and want == records and len(records) == 2
    assert records[-1] == want[1] and records[:1] == want[:1] and list(records) == want
    assert records[0] is records[0]  # one record a row: a change to it is kept
    assert records.columns() is None  # type: ignore[attr-defined]  # (so the check asks them)
    assert pickle.loads(pickle.dumps(roster)) == roster


def want_two() -> dict[str, object]:
    return dict(zip(KEYS, person(1), strict=True))


def test_short_and_long_rows_and_a_zero_beside_blank_text() -> None:
    short = person(0)[:3]  # no ID, no tier or amount typed
    long = [*person(1), "备注", "多余"]  # cells beyond the last header
    zero = [None, "  ", None, None, None, 0]  # 0 is a value, blank text is not
    roster = roster_from_rows("x.xlsx", "花名册", grid(short, long, zero, [None, " "]), {})
    assert [r.row for r in roster.records] == [3, 4, 5]
    first, second, third = roster.records
    assert first.values == {**dict(zip(KEYS[:3], short, strict=True)), **dict.fromkeys(KEYS[3:])}
    assert second.values == want_two()
    assert third.values == {**dict.fromkeys(KEYS), "amount": 0}
    assert roster.last_row == 5
