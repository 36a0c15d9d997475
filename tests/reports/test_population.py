"""45+ 未参保 from the population list (``summary --population``): who is counted, where it
shows (the 重点人群 sheet and the 日报), and what the summary says without a list."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests._policy_variants import new_id, paid, unpaid, write
from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.policy import Policy
from xl_pension.reports.summary_plan import KEY_SHEET

DAY = "2024-05-06"


def write_list(path: Path, headers: list[str], rows: list[list[object]]) -> Path:
    """A population list as an office exports it (IDs as text)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("人口")
    ws.write_string(0, 0, "户籍人口名单（2024年3月导出）")  # a title line above the header
    ws.write_row(1, 0, headers)
    for r, row in enumerate(rows, start=2):
        for c, v in enumerate(row):
            ws.write_string(r, c, str(v))
    wb.close()
    return path


@pytest.fixture
def township(tmp_path: Path, policy: Policy) -> tuple[Path, list, list]:
    """Two villages' rosters of 城关街道 and the residents the list adds."""
    folder = tmp_path / "城关街道"
    folder.mkdir()
    on_roster = [paid(350, 350), unpaid(), paid(500, 500)]
    on_roster[1]["id_number"] = new_id(50)  # 50, unpaid, on a roster: not 未参保
    write(folder / "王庄村.xlsx", policy, on_roster[:2], village="王庄村")
    write(folder / "李庄村.xlsx", policy, on_roster[2:], village="李庄村")
    low, high = policy.key_group_rules.unenrolled_age_from, policy.age_max
    residents = [  # (village as the list spells it, name, ID)
        ("王庄村委会", "赵德明", new_id(low)),  # counted: 45, on no roster
        ("李庄", "钱秀兰", new_id(high)),  # counted: 59
        ("王庄村", "孙国庆", new_id(low - 1)),  # too young
        ("王庄村", "周玉珍", new_id(high + 1)),  # past the paying ages
    ]
    return folder, on_roster, residents


def key_rows(path: Path) -> tuple[str, list[tuple]]:
    """The 重点人群 sheet's note and its person rows."""
    ws = openpyxl.load_workbook(path)[KEY_SHEET]
    return ws["A2"].value, [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]


def test_population_list_counts_45_plus_on_no_roster(township, tmp_path, policy, capsys) -> None:
    folder, on_roster, residents = township
    rows = [["城关街道", v, n, i] for v, n, i in residents]
    rows += [["城关街道", "王庄村", r["name"], r["id_number"]] for r in on_roster]
    rows += [
        ["渔沃街道", "张楼村", "吴建华", new_id(50)],
        ["城关街道", "王庄村", "郑丽", "37172819"],
    ]
    population = write_list(
        tmp_path / "人口.xlsx", ["乡镇（街道）", "村（居）委会", "姓名", "公民身份号码"], rows
    )
    out = tmp_path / "汇总.xlsx"
    args = ["summary", str(folder), "-o", str(out), "--date", DAY, "--population", str(population)]
    assert main(args) == 0
    note, people = key_rows(out)
    group = f"年满{policy.key_group_rules.unenrolled_age_from}周岁未参保"
    listed = [r for r in people if r[1] == group]
    assert sorted((r[3], r[5], r[6]) for r in listed) == [
        ("李庄村", "钱秀兰", idnum.mask(residents[1][2])),
        ("王庄村", "赵德明", idnum.mask(residents[0][2])),
    ]  # villages matched to the rosters' names, IDs masked
    assert f"{group}（户籍人口名单 人口.xlsx 共 9 行" in note and "）2 人" in note
    assert "其他乡镇 1 行" in note and "身份证号码无法识别 1 行" in note
    assert f"{group}2人" in capsys.readouterr().out.replace(" ", "")  # the 日报


def test_without_a_list_the_group_is_not_counted(township, tmp_path, policy, capsys) -> None:
    folder, _, _ = township
    out = tmp_path / "汇总.xlsx"
    assert main(["summary", str(folder), "-o", str(out), "--date", DAY]) == 0
    note, people = key_rows(out)
    assert "未参保人员无法统计" in note and "--population" in note
    assert not [r for r in people if "未参保" in str(r[1])]
    assert "未参保人数未统计（未提供户籍人口名单）" in capsys.readouterr().out


def test_a_file_that_is_not_a_population_list(township, tmp_path, capsys) -> None:
    folder, _, _ = township
    bad = write_list(tmp_path / "名单.xlsx", ["姓名", "电话"], [["王五", "13800000000"]])
    assert main(["summary", str(folder), "--population", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "名单.xlsx" in err and "身份证号码" in err and "不是户籍人口名单" in err
    assert "Traceback" not in err


def test_near_pension_counts_the_years_paid_where_the_roster_has_them(tmp_path, policy) -> None:
    near = policy.pension.age - 1
    people = [unpaid(), unpaid(), unpaid()]
    for rec in people:
        rec["id_number"] = new_id(near)
    roster = write(tmp_path / "城关街道" / "王庄村.xlsx", policy, people, village="王庄村")
    wb = openpyxl.load_workbook(roster)  # a column from the county's export, beside the template's
    ws = wb["花名册"]
    col = ws.max_column + 1
    ws.cell(2, col, "累计缴费年限")
    for row, years in zip(
        (3, 4, 5), (policy.pension.min_years, policy.pension.min_years - 1, None), strict=True
    ):
        ws.cell(row, col, years)
    wb.save(roster)
    out = tmp_path / "汇总.xlsx"
    assert main(["summary", str(tmp_path / "城关街道"), "-o", str(out), "--date", DAY]) == 0
    _, rows = key_rows(out)
    near_rows = sorted(r[11] for r in rows if "临近到龄" in str(r[1]))
    assert near_rows == [4, 5]  # 15 years paid: not short; 14: short; not given: counted
