"""``xl-pension split``: the county's list of last year's payers becomes one roster per village."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from tests._policy_variants import DEFAULT_TEXT, altered
from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.groups import group_sort_key
from xl_pension.core.policy import Policy, Township, load_policy
from xl_pension.core.schema import DATA_START_ROW, HEADER_ROW, ROSTER_SHEET, header
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.reports.county_list import ListRow, place_rows
from xl_pension.sample import generate_county

LIST_HEADERS = (
    "序号",
    "乡镇（街道）",
    "村（社区）",
    "村民小组",
    "姓名",
    "公民身份号码",
    "人员类别",
    "上年缴费档次",
    "联系电话",
    "说明",  # not a list column: ignored
)
TITLE_ROWS = 2  # rows above the header (title, date)


def list_rows(policy: Policy, *, seed: int = 7) -> list[dict[str, object]]:
    """People of a small generated county as list rows (township, village, ...), shuffled."""
    county = generate_county(
        policy, seed=seed, townships=3, villages_per_township=3, min_people=8, max_people=20,
        mistake_rate=0,
    )  # fmt: skip
    rows = []
    for v in county.villages:
        for rec in v.records:
            rows.append(
                {
                    "township": v.township.name,
                    "village": v.village,
                    "group": rec.get("group"),
                    "name": rec["name"],
                    "id_number": rec["id_number"],
                    "category": rec.get("category"),
                    "last_tier": rec.get("last_tier") or policy.tiers[1].amount,
                    "phone": rec.get("phone"),
                }
            )
    random.Random(seed).shuffle(rows)
    return rows


def write_list(
    path: Path,
    rows: list[dict[str, object]],
    *,
    headers: tuple[str, ...] = LIST_HEADERS,
    cover_sheet: bool = False,
) -> Path:
    """A county list workbook: title rows, then the header, then one person a row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if cover_sheet:
        ws.title = "说明"
        ws["A1"] = "本名单由电子税务局导出，请勿修改表头。"
        ws = wb.create_sheet("名单")
    else:
        ws.title = "上年缴费人员"
    ws.append(["东明县2023年度城乡居民养老保险缴费人员名单"])
    ws.append(["导出日期：2024-03-20"])
    ws.append(list(headers))
    keys = {
        "乡镇（街道）": "township",
        "村（社区）": "village",
        "村民小组": "group",
        "姓名": "name",
        "公民身份号码": "id_number",
        "人员类别": "category",
        "上年缴费档次": "last_tier",
        "联系电话": "phone",
    }
    for i, row in enumerate(rows, start=1):
        values = [i if h == "序号" else row.get(keys.get(h, "")) for h in headers]
        ws.append(values)
        ws.append([])  # fully empty rows are not rows
    for cell in ws[TITLE_ROWS + 1]:
        cell.number_format = "@"
    wb.save(path)
    return path


def excel_row(index: int) -> int:
    """Excel row of list row ``index`` (0-based) as written by :func:`write_list`."""
    return TITLE_ROWS + 2 + 2 * index


@pytest.fixture
def people(policy: Policy) -> list[dict[str, object]]:
    return list_rows(policy)


def test_split_writes_one_prefilled_roster_per_village(
    tmp_path: Path, policy: Policy, people: list[dict[str, object]], capsys
) -> None:
    src = write_list(tmp_path / "名单.xlsx", people)
    out = tmp_path / "out"
    assert main(["split", str(src), "-o", str(out)]) == 0
    expected = {f"{p['township']}/{p['village']}.xlsx" for p in people}
    written = {str(p.relative_to(out)) for p in out.rglob("*.xlsx")}
    assert written == expected
    assert not (out / "拆分问题清单.xlsx").exists()

    by_id = {p["id_number"]: (i, p) for i, p in enumerate(people)}
    seen: list[str] = []
    for rel in sorted(expected):
        roster = read_roster(out / rel)
        township, village = rel.removesuffix(".xlsx").split("/")
        assert (roster.township, roster.village) == (township, village)
        assert roster.meta["township_code"] == policy.township_by_name[township].code
        order = []
        for n, rec in enumerate(roster.records, start=1):
            ident = rec.get("id_number")
            assert isinstance(ident, str) and len(ident) == 18
            index, person = by_id[ident]
            assert (person["township"], person["village"]) == (township, village)
            assert rec.get("name") == person["name"]
            assert rec.get("seq") == n
            assert rec.get("enrollment") == policy.enrollment_types[0] == "续保"
            assert rec.get("last_tier") == person["last_tier"]
            assert rec.get("tier") is None
            assert rec.get("category") == person["category"]
            order.append((group_sort_key(str(rec.get("group") or "")), index))
            seen.append(ident)
        assert order == sorted(order)  # by 村民小组, then list order
        checked = check_roster(roster, policy)
        assert checked.errors == []
        assert {f.code for f in checked.warnings} <= {"unpaid.no_reason"}
    assert sorted(seen) == sorted(by_id)  # every person exactly once

    stdout = capsys.readouterr().out
    n = len(people)
    assert f"读取 {n} 行 = 放入花名册 {n} 行 + 无法放入 0 行" in stdout
    for t in {p["township"] for p in people}:
        villages = {p["village"] for p in people if p["township"] == t}
        count = sum(p["township"] == t for p in people)
        assert f"{t}：{len(villages)} 个村，{count} 人" in stdout


def test_last_tier_column_stays_locked(
    tmp_path: Path, policy: Policy, people: list[dict[str, object]]
) -> None:
    src = write_list(tmp_path / "名单.xlsx", people)
    out = tmp_path / "out"
    assert main(["split", str(src), "-o", str(out)]) == 0
    ws = openpyxl.load_workbook(next(out.rglob("*.xlsx")))[ROSTER_SHEET]
    headers = {c.value: c.column for c in ws[HEADER_ROW]}
    last, name = headers[header("last_tier")], headers[header("name")]
    assert ws.protection.sheet
    assert ws.cell(DATA_START_ROW, last).value is not None
    assert ws.cell(DATA_START_ROW, last).protection.locked is True
    assert ws.cell(DATA_START_ROW, name).protection.locked is False
    letter = openpyxl.utils.get_column_letter(last)
    style = ws.parent._cell_styles[ws.column_dimensions[letter].style_id]
    assert ws.parent._protections[style.protectionId].locked is True


def test_unplaceable_rows_are_listed_with_reasons(
    tmp_path: Path, policy: Policy, people: list[dict[str, object]], capsys
) -> None:
    rows = [dict(p) for p in people[:12]]
    good = rows[0]["id_number"]
    rows[1]["township"] = "火星镇"
    rows[2]["village"] = None
    bad = str(rows[3]["id_number"])
    rows[3]["id_number"] = bad[:17] + ("0" if bad[17] != "0" else "1")
    rows[4]["id_number"] = int(str(rows[4]["id_number"])[:17] + "0")  # typed as a number
    rows.append({**rows[5], "name": "重复人"})  # same ID again: the second goes to the report
    rows[6]["township"] = " 城关 "  # short name and spaces: 城关街道
    rows[7]["township"] = "３７１７２８００２"  # full-width code of 渔沃街道
    rows[8]["name"] = "  "
    src = write_list(tmp_path / "名单.xlsx", rows)
    out = tmp_path / "out"
    assert main(["split", str(src), "-o", str(out)]) == 1
    report = out / "拆分问题清单.xlsx"
    ws = openpyxl.load_workbook(report).active
    lines = list(ws.iter_rows(values_only=True))
    assert lines[0] == ("源文件行号", "原因", "乡镇", "村", "姓名", "身份证号码", "处理")
    found = {r[0]: r for r in lines[1:]}
    expect = {
        excel_row(1): "不是东明县的乡镇",
        excel_row(2): "村为空",
        excel_row(3): "校验位",
        excel_row(4): "数值",
        excel_row(8): "姓名为空",
        excel_row(12): f"与第 {excel_row(5)} 行重复",
    }
    assert set(found) == set(expect)
    for row, reason in expect.items():
        assert reason in found[row][1]
        masked = found[row][5]
        assert (
            masked
            and "*" in masked
            and str(rows[(row - TITLE_ROWS - 2) // 2]["id_number"]) not in masked
        )
    assert found[excel_row(12)][4] == "重复人"
    assert {r[6] for r in found.values()} == {"未放入"}

    placed = {}
    for f in out.rglob("*.xlsx"):
        if f.name != report.name:
            r = read_roster(f)
            placed.update({rec.get("id_number"): r.township for rec in r.records})
    assert good in placed and rows[5]["id_number"] in placed
    assert placed[rows[6]["id_number"]] == "城关街道"
    assert placed[rows[7]["id_number"]] == "渔沃街道"
    assert len(placed) == len(rows) - len(expect)
    stdout = capsys.readouterr().out
    assert (
        f"读取 {len(rows)} 行 = 放入花名册 {len(placed)} 行 + 无法放入 {len(expect)} 行" in stdout
    )
    assert str(report) in stdout


def test_list_on_a_later_sheet_is_found(tmp_path: Path, people: list[dict[str, object]]) -> None:
    src = write_list(tmp_path / "名单.xlsx", people, cover_sheet=True)
    assert main(["split", str(src), "-o", str(tmp_path / "out")]) == 0


def test_list_without_the_needed_headers_is_unusable(
    tmp_path: Path, people: list[dict[str, object]], capsys
) -> None:
    headers = ("序号", "姓名", "公民身份号码", "上年缴费档次")
    src = write_list(tmp_path / "花名单.xlsx", people, headers=headers)
    out = tmp_path / "out"
    assert main(["split", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "\n" not in err
    assert "花名单.xlsx" in err and "缺少“乡镇、村”" in err
    assert not out.exists()


def test_non_empty_output_is_refused_unless_forced(
    tmp_path: Path, people: list[dict[str, object]], capsys
) -> None:
    src = write_list(tmp_path / "名单.xlsx", people)
    out = tmp_path / "out"
    assert main(["split", str(src), "-o", str(out)]) == 0
    first = sorted(out.rglob("*.xlsx"))
    before = first[0].read_bytes()
    capsys.readouterr()
    assert main(["split", str(src), "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["split", str(src), "-o", str(out), "--force"]) == 0
    backup = first[0].with_name(f"{first[0].stem}.bak.xlsx")
    assert backup.read_bytes() == before
    assert len(list(out.rglob("*.bak.xlsx"))) == len(first)


def test_ambiguous_township_rows_are_rejected(policy: Policy) -> None:
    twins = dataclasses.replace(
        policy, townships=(Township("371728901", "张庄镇"), Township("371728902", "张庄乡"))
    )
    result = place_rows(
        [ListRow(5, {"township": "张庄", "village": "甲村", "name": "王五", "id_number": "x"})],
        twins,
    )
    assert result.rejected[0].code == "township.unknown" and "不明确" in result.rejected[0].reason


def test_place_rows_values_and_order(policy: Policy) -> None:
    ident = [idnum.make("371728", dt.date(1970, 1, i), 11) for i in (1, 2, 3)]
    rows = [
        ListRow(10, {"township": "城关", "village": "王庄村", "group": "十二组", "name": "甲",
                     "id_number": ident[0], "last_tier": "300元", "phone": 13905301234.0}),
        ListRow(11, {"township": "城关", "village": "王庄村", "group": "二组", "name": "乙",
                     "id_number": ident[1].lower(), "last_tier": 500.0, "category": None}),
        ListRow(12, {"township": "城关", "village": "王庄村", "group": None, "name": "丙",
                     "id_number": f" {ident[2]} ", "last_tier": 1000}),
    ]  # fmt: skip
    result = place_rows(rows, policy)
    assert result.conserved and not result.rejected
    recs = result.villages[(policy.township_by_name["城关街道"], "王庄村")]
    assert [r["name"] for r in recs] == ["乙", "甲", "丙"]
    assert [r["seq"] for r in recs] == [1, 2, 3]
    assert [r["last_tier"] for r in recs] == [500, 300, 1000]
    assert recs[1]["phone"] == "13905301234" and recs[0]["category"] is None
    assert [r["id_number"] for r in recs] == [ident[1], ident[0], ident[2]]


def test_group_sort_key() -> None:
    groups = ["东组", "", "十二组", "3组", "二组", "一组", "第十村民小组"]
    assert sorted(groups, key=group_sort_key) == [
        "一组", "二组", "3组", "第十村民小组", "十二组", "东组", "",
    ]  # fmt: skip


def test_rosters_written_by_worker_processes_are_the_same(
    tmp_path: Path, people: list[dict[str, object]], monkeypatch, capsys
) -> None:
    src = write_list(tmp_path / "名单.xlsx", people)
    written: dict[str, dict[str, bytes]] = {}
    stdout: dict[str, str] = {}
    for jobs in ("1", "3"):  # in this process / in a pool of 3 workers
        monkeypatch.setenv("XL_PENSION_JOBS", jobs)
        out = tmp_path / f"out{jobs}"
        assert main(["split", str(src), "-o", str(out)]) == 0
        written[jobs] = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*.xlsx")}
        stdout[jobs] = capsys.readouterr().out.replace(str(out), "DIR")
    assert len(written["1"]) == len({(p["township"], p["village"]) for p in people}) >= 4
    assert written["1"] == written["3"]
    assert stdout["1"] == stdout["3"]


def test_workers_use_the_policy_file(
    tmp_path: Path, people: list[dict[str, object]], monkeypatch
) -> None:
    text = altered(DEFAULT_TEXT, 'name = "东明县"', 'name = "东明新县"')
    policy_file = tmp_path / "政策.toml"
    policy_file.write_text(text, encoding="utf-8")
    src = write_list(tmp_path / "名单.xlsx", people)
    out = tmp_path / "out"
    monkeypatch.setenv("XL_PENSION_JOBS", "2")
    assert main(["split", str(src), "-o", str(out), "--policy", str(policy_file)]) == 0
    rosters = list(out.rglob("*.xlsx"))
    assert len(rosters) >= 4
    for path in rosters:
        roster = read_roster(path)
        assert roster.meta["county_name"] == "东明新县"
        assert roster.meta["policy_id"] == load_policy(policy_file).id
