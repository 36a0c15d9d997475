"""``xl-pension remit``: the 缴费人清单 of one deposit (sheet 解缴清单) and its reconciliation.

The operator declares from it: full ID numbers, one line for this year and one per 补缴 year,
内部资料 不得公开 on every printed page."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _policy_variants import paid, row_of, unpaid, write

from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.money import person_money
from xl_pension.core.policy import Policy, load_policy
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.reports.remit import remit_list

FULL_ID = re.compile(rb"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
SHEET = "解缴清单"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def records() -> list[dict]:
    return [
        paid(350, 350, method="线下", receipt="R-002", name="张秀英"),  # row 3
        paid(1000, 1000, name="李建国"),  # row 4 online: not listed
        paid(500, 400, category="低保对象", method="线下", receipt="R-001", name="王桂兰"),
        paid(100, 0, category="重度残疾人", name="赵志强"),  # nothing to hand over
        unpaid(),  # row 7
        paid(350, 350, method="线下", receipt="R-003", backpay=("2022,2023", 600), name="刘玉梅"),
        paid(800, 800, method="线下", receipt="R-004", name="陈国华"),  # row 9
    ]


# (receipt, name, record index, 缴费类型, 缴费年度, amount of the line): own share of the tier
# this year, and each 补缴 year on its own line.
EXPECTED = [
    ("R-001", "王桂兰", 2, "正常", 2024, 400),
    ("R-002", "张秀英", 0, "正常", 2024, 350),
    ("R-003", "刘玉梅", 5, "正常", 2024, 350),
    ("R-003", "刘玉梅", 5, "补缴", 2022, 300),
    ("R-003", "刘玉梅", 5, "补缴", 2023, 300),
    ("R-004", "陈国华", 6, "正常", 2024, 800),
]
TOTAL = 400 + 350 + 950 + 800
SUMMARY = "线下缴费 4 笔（6 行，含补缴 2 行），合计 2500 元"


def table(path: Path) -> tuple[list[list[object]], object]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return [[c.value for c in row] for row in ws.iter_rows()], ws


def lines(rows: list[list[object]]) -> list[list[object]]:
    """The receipt lines: rows whose first cell is a line number."""
    return [r for r in rows if isinstance(r[0], int)]


def test_lists_exactly_the_offline_payers(tmp_path: Path, policy: Policy, capsys) -> None:
    recs = records()
    src = write(tmp_path / "r.xlsx", policy, recs)
    assert main(["remit", str(src)]) == 0
    assert SUMMARY in capsys.readouterr().out
    rows, ws = table(tmp_path / "r_解缴清单.xlsx")
    got = [(r[1], r[2], r[3], r[5], r[6], r[8]) for r in lines(rows)]
    assert got == [(rc, n, recs[i]["id_number"], k, y, a) for rc, n, i, k, y, a in EXPECTED]
    assert [r[0] for r in lines(rows)] == [1, 2, 3, 4, 5, 6]
    assert [r[7] for r in lines(rows)] == [500, 350, 350, 300, 300, 800]  # the year's tier
    for row in ws.iter_rows(min_row=4, max_row=9):
        assert row[3].data_type == "s" and idnum.is_valid(row[3].value)  # full, as text
    total_row = next(r for r in rows if isinstance(r[0], str) and r[0].startswith("合计"))
    assert "4 笔" in total_row[0] and total_row[8] == TOTAL
    assert any(isinstance(r[0], str) and SUMMARY in r[0] for r in rows)
    assert "内部资料 不得公开" in ws.oddHeader.center.text  # every printed page


def test_remit_list_matches_the_money_of_each_row(tmp_path: Path, policy: Policy) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    checked = check_roster(read_roster(src), policy)
    money = {p.row: person_money(p, policy) for p in checked.people}
    rl = remit_list(checked.people, money, policy)
    assert [(x.receipt, x.row, x.year, x.amount) for x in rl.lines] == [
        (rc, row_of(i), y, a) for rc, _, i, _, y, a in EXPECTED
    ]
    assert rl.count == 4 and rl.total == TOTAL
    for row in {x.row for x in rl.lines}:
        m = money[row]
        assert sum(x.amount for x in rl.lines if x.row == row) == m.personal_due + m.backpay
    assert rl.difference(TOTAL + 5) == 5 and rl.difference(TOTAL - 5) == -5


def test_full_id_numbers_and_the_restricted_header_only(tmp_path: Path, policy: Policy) -> None:
    recs = records()
    src = write(tmp_path / "r.xlsx", policy, recs)
    assert main(["remit", str(src), "--deposited", str(TOTAL)]) == 0
    out = tmp_path / "r_解缴清单.xlsx"
    with zipfile.ZipFile(out) as z:
        everything = b"".join(z.read(n) for n in z.namelist())
    listed = {i for _, _, i, *_ in EXPECTED}
    for i, r in enumerate(recs):  # the listed payers' full IDs, nobody else's
        assert (r["id_number"].encode() in everything) == (i in listed), i
    assert "内部资料 不得公开".encode() in everything


def test_deposited_equal_is_reconciled(tmp_path: Path, policy: Policy, capsys) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", "2500"]) == 0
    out, err = capsys.readouterr()
    assert "相符" in out and "不符" not in out + err
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    note = next(r[0] for r in rows if isinstance(r[0], str) and "回单" in r[0] and "核对" in r[0])
    assert "2500" in note and "相符" in note


@pytest.mark.parametrize("text", ["2500元", "￥2,500", " 2500 "])
def test_deposited_accepts_plain_money_text(tmp_path: Path, policy: Policy, text: str) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", text]) == 0


@pytest.mark.parametrize(("deposited", "word"), [(2400, "少 100 元"), (2550, "多 50 元")])
def test_deposited_different_is_a_finding(
    tmp_path: Path, policy: Policy, capsys, deposited: int, word: str
) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", str(deposited)]) == 1
    out, err = capsys.readouterr()
    assert "不符" in err and word in err and str(deposited) in err and "2500" in err
    assert "相符" not in out
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")  # the list is still written, with the result
    assert any(isinstance(r[0], str) and "不符" in r[0] and word in r[0] for r in rows)


@pytest.mark.parametrize("text", ["abc", "12.5", "-300", "", "三百"])
def test_bad_deposited_is_one_chinese_line(
    tmp_path: Path, policy: Policy, capsys, text: str
) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", text]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("错误：") and "--deposited" in err
    assert re.search(r"[\u4e00-\u9fff]", err) and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_print_setup_and_signature_lines(tmp_path: Path, policy: Policy) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src)]) == 0
    rows, ws = table(tmp_path / "r_解缴清单.xlsx")
    assert int(ws.page_setup.paperSize) == 9  # A4
    # #16: landscape since the list has nine columns (full IDs, 缴费类型, 缴费年度): fitted onto a
    # portrait width it printed at 7.7 pt (tests/io/test_print_sizes.py measures >= 8 pt)
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
    texts = [r[0] for r in rows if isinstance(r[0], str)]
    assert any("村协办员" in t and "签字" in t for t in texts)
    assert any("财政所" in t and "签字" in t for t in texts)
    assert texts[0].startswith(f"{policy.year}年度") and "缴费人清单" in texts[0]
    assert ws.print_title_rows  # the header row repeats on every page


def test_refuses_a_roster_with_errors_unless_skipping(
    tmp_path: Path, policy: Policy, capsys
) -> None:
    recs = [*records(), paid(350, 400, method="线下", receipt="R-005")]  # amount.mismatch, row 10
    src = write(tmp_path / "r.xlsx", policy, recs)
    assert main(["remit", str(src)]) == 1
    assert "第 10 行" in capsys.readouterr().err
    assert not (tmp_path / "r_解缴清单.xlsx").exists()
    assert main(["remit", str(src), "--skip-invalid", "--deposited", "2500"]) == 0
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    assert [r[1] for r in lines(rows)] == ["R-001", "R-002", "R-003", "R-003", "R-003", "R-004"]
    # the bank slip holds the left-out receipt's cash too: the list names it
    assert main(["remit", str(src), "--skip-invalid", "--deposited", "2900"]) == 1
    assert "R-005（第 10 行，400 元）" in capsys.readouterr().err
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    assert any(isinstance(r[0], str) and "R-005" in r[0] for r in rows)


def test_a_roster_without_cash_payments(tmp_path: Path, policy: Policy, capsys) -> None:
    src = write(tmp_path / "r.xlsx", policy, [paid(350, 350), unpaid()])
    assert main(["remit", str(src), "--deposited", "0"]) == 0
    assert "线下缴费 0 笔，合计 0 元" in capsys.readouterr().out
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    assert lines(rows) == []


def test_remit_of_a_computed_roster_is_the_same(tmp_path: Path, policy: Policy) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src)]) == 0
    first, _ = table(tmp_path / "r_解缴清单.xlsx")
    assert main(["compute", str(src), "--in-place"]) == 0  # adds values and a totals line
    assert main(["remit", str(src)]) == 0
    again, _ = table(tmp_path / "r_解缴清单.xlsx")
    assert again == first
    assert (tmp_path / "r_解缴清单.bak.xlsx").exists()  # the earlier list was kept


def test_receipts_skipped_for_errors_are_named_on_the_printed_list(
    tmp_path: Path, policy: Policy
) -> None:
    # #16: a receipt number must not just jump on paper when a row is skipped for its error
    recs = [*records(), paid(350, 400, method="线下", receipt="R-009")]  # amount.mismatch
    src = write(tmp_path / "r.xlsx", policy, recs)
    assert main(["remit", str(src), "--skip-invalid"]) == 0
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    texts = [r[0] for r in rows if isinstance(r[0], str)]
    (named,) = [t for t in texts if "未列入清单" in t]
    row = 2 + len(recs)  # the Excel row of the last record
    assert "R-009" in named and f"第 {row} 行" in named and "400 元" in named
