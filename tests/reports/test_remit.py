"""``xl-pension remit``: the cash remittance list (解缴清单) and its reconciliation."""

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
        paid(300, 300, method="线下", receipt="R-002", name="张秀英"),  # row 3
        paid(1000, 1000, name="李建国"),  # row 4 online: not listed
        paid(500, 400, category="低保对象", method="线下", receipt="R-001", name="王桂兰"),
        paid(100, 0, category="重度残疾人", name="赵志强"),  # nothing to hand over
        unpaid(),  # row 7
        paid(300, 300, method="线下", receipt="R-003", backpay=("2022,2023", 600), name="刘玉梅"),
        paid(800, 800, method="线下", receipt="R-004", name="陈国华"),  # row 9
    ]


# (receipt, name, record index, amount handed over): own share of the tier plus 补缴.
EXPECTED = [
    ("R-001", "王桂兰", 2, 400),
    ("R-002", "张秀英", 0, 300),
    ("R-003", "刘玉梅", 5, 900),
    ("R-004", "陈国华", 6, 800),
]
TOTAL = 400 + 300 + 900 + 800


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
    assert "线下缴费 4 笔，合计 2400 元" in capsys.readouterr().out
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    got = [(r[1], r[2], r[3], r[6]) for r in lines(rows)]
    assert got == [(rc, n, idnum.mask(recs[i]["id_number"]), a) for rc, n, i, a in EXPECTED]
    assert [r[0] for r in lines(rows)] == [1, 2, 3, 4]
    assert [r[5] for r in lines(rows)] == [500, 300, 300, 800]  # the tier, for reference
    for r in lines(rows):
        assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", r[3])
    total_row = next(r for r in rows if isinstance(r[0], str) and r[0].startswith("合计"))
    assert "4 笔" in total_row[0] and total_row[6] == TOTAL
    assert any(isinstance(r[0], str) and "线下缴费 4 笔，合计 2400 元" in r[0] for r in rows)


def test_remit_list_matches_the_money_of_each_row(tmp_path: Path, policy: Policy) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    checked = check_roster(read_roster(src), policy)
    money = {p.row: person_money(p, policy) for p in checked.people}
    rl = remit_list(checked.people, money, policy)
    assert [(x.receipt, x.row, x.amount) for x in rl.lines] == [
        (rc, row_of(i), a) for rc, _, i, a in EXPECTED
    ]
    assert rl.count == 4 and rl.total == TOTAL
    assert all(x.amount == money[x.row].personal_due + money[x.row].backpay for x in rl.lines)
    assert rl.difference(TOTAL + 5) == 5 and rl.difference(TOTAL - 5) == -5


def test_no_full_id_number_anywhere_in_the_file(tmp_path: Path, policy: Policy) -> None:
    recs = records()
    src = write(tmp_path / "r.xlsx", policy, recs)
    assert main(["remit", str(src), "--deposited", str(TOTAL)]) == 0
    out = tmp_path / "r_解缴清单.xlsx"
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert any(n.startswith("xl/worksheets/") for n in names)
        blobs = {n: z.read(n) for n in names}
    for name, blob in blobs.items():
        assert not FULL_ID.search(blob), name
        for r in recs:
            assert r["id_number"].encode() not in blob, name
    # The masked form is what is there.
    everything = b"".join(blobs.values())
    assert idnum.mask(recs[0]["id_number"]).encode() in everything


def test_deposited_equal_is_reconciled(tmp_path: Path, policy: Policy, capsys) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", "2400"]) == 0
    out, err = capsys.readouterr()
    assert "相符" in out and "不符" not in out + err
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    note = next(r[0] for r in rows if isinstance(r[0], str) and "回单" in r[0] and "核对" in r[0])
    assert "2400" in note and "相符" in note


@pytest.mark.parametrize("text", ["2400元", "￥2,400", " 2400 "])
def test_deposited_accepts_plain_money_text(tmp_path: Path, policy: Policy, text: str) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", text]) == 0


@pytest.mark.parametrize(("deposited", "word"), [(2300, "少 100 元"), (2450, "多 50 元")])
def test_deposited_different_is_a_finding(
    tmp_path: Path, policy: Policy, capsys, deposited: int, word: str
) -> None:
    src = write(tmp_path / "r.xlsx", policy, records())
    assert main(["remit", str(src), "--deposited", str(deposited)]) == 1
    out, err = capsys.readouterr()
    assert "不符" in err and word in err and str(deposited) in err and "2400" in err
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
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
    texts = [r[0] for r in rows if isinstance(r[0], str)]
    assert any("村协办员" in t and "签字" in t for t in texts)
    assert any("财政所" in t and "签字" in t for t in texts)
    assert texts[0].startswith(f"{policy.year}年度") and "解缴清单" in texts[0]
    assert ws.print_title_rows  # the header row repeats on every page


def test_refuses_a_roster_with_errors_unless_skipping(
    tmp_path: Path, policy: Policy, capsys
) -> None:
    recs = [*records(), paid(300, 350, method="线下", receipt="R-005")]  # amount.mismatch, row 10
    src = write(tmp_path / "r.xlsx", policy, recs)
    assert main(["remit", str(src)]) == 1
    assert "第 10 行" in capsys.readouterr().err
    assert not (tmp_path / "r_解缴清单.xlsx").exists()
    assert main(["remit", str(src), "--skip-invalid", "--deposited", "2400"]) == 0
    rows, _ = table(tmp_path / "r_解缴清单.xlsx")
    assert [r[1] for r in lines(rows)] == ["R-001", "R-002", "R-003", "R-004"]


def test_a_roster_without_cash_payments(tmp_path: Path, policy: Policy, capsys) -> None:
    src = write(tmp_path / "r.xlsx", policy, [paid(300, 300), unpaid()])
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
