"""The county list as 人社 / the e-tax bureau export it: combined 行政区划, export headers,
参保身份 names, 参保状态 / 缴费状态, .xls; and the identities it fixes in the rosters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import libreoffice_convert

from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.places import TownshipMatcher
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.reports.county_list import ListRow, place_rows
from xl_pension.reports.region import split_region

EXPORT_HEADERS = (
    "个人编号",
    "姓名",
    "证件类型",
    "社会保障号码",
    "性别",
    "参保身份",
    "行政区划",
    "村组",
    "参保状态",
    "缴费状态",
    "缴费档次",
)


def _id(i: int) -> str:
    return idnum.make("371728", dt.date(1965, 3, 1) + dt.timedelta(days=131 * i), 2 * i + 1)


# (region, identity, enrol status, pay status) of each exported person
PEOPLE = (
    ("山东省菏泽市东明县城关街道王庄村委会", "普通", "正常参保", "正常缴费"),
    ("东明县城关街道王庄村委会", "低保", "正常参保", "正常缴费"),
    ("东明县城关街道王庄村委会", "残一级", "正常参保", "暂停缴费"),  # suspended: held back
    ("东明县/马头镇/马头村委会", "特困人员", "正常参保", "正常缴费"),
    ("东明县马头镇马头村委会", "建档立卡", "终止参保", "终止缴费"),  # ended: held back
    ("东明县马头镇马头村委会", "计生特扶", "正常参保", "正常缴费"),
    ("东明县马头镇马头村委会", "残三级", "正常参保", "正常缴费"),  # not mapped: placed, listed
)


def _export_rows() -> list[list[object]]:
    rows: list[list[object]] = [["东明县城乡居民养老保险参保人员信息"], list(EXPORT_HEADERS)]
    for i, (region, identity, enrol, pay) in enumerate(PEOPLE):
        ident = _id(i)
        rows.append(
            [
                f"37172800{i:04d}",
                ("王秀英", "李建国", "张桂兰", "刘洋", "陈玉梅", "赵德胜", "孙丽")[i],
                "居民身份证",
                ident,
                idnum.sex(ident),
                identity,
                region,
                "一组" if i % 2 else "二组",
                enrol,
                pay,
                500,
            ]
        )
    return rows


def _export_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "参保人员"
    for row in _export_rows():
        ws.append(row)
    for row in ws.iter_rows(min_row=3, min_col=4, max_col=4):
        row[0].number_format = "@"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


@pytest.mark.real_client
def test_an_xls_export_with_combined_region_splits_and_reports_the_suspended(
    tmp_path: Path, capsys
) -> None:
    xls = libreoffice_convert(
        _export_xlsx(tmp_path / "export" / "参保人员.xlsx"), "xls:MS Excel 97", tmp_path / "xls"
    )
    out = tmp_path / "rosters"
    assert main(["split", str(xls), "-o", str(out)]) == 1  # one 参保身份 to check
    said = capsys.readouterr().out
    assert "非本年应缴人员 2 行" in said and "暂停缴费 1 人" in said and "终止参保 1 人" in said
    rosters = {
        p.relative_to(out).as_posix(): read_roster(p)
        for p in out.rglob("*.xlsx")
        if p.name != "拆分问题清单.xlsx"
    }
    assert set(rosters) == {"城关街道/王庄村.xlsx", "马头镇/马头村.xlsx"}
    placed = {
        rec.get("id_number"): (name, rec.get("category"), rec.get("group"))
        for name, r in rosters.items()
        for rec in r.records
    }
    expected = {
        _id(0): ("城关街道/王庄村.xlsx", "普通", "二组"),
        _id(1): ("城关街道/王庄村.xlsx", "低保对象", "一组"),
        _id(3): ("马头镇/马头村.xlsx", "特困人员", "一组"),
        _id(5): ("马头镇/马头村.xlsx", "计划生育特殊家庭", "一组"),
        _id(6): ("马头镇/马头村.xlsx", None, "二组"),
    }
    assert placed == expected
    report = openpyxl.load_workbook(out / "拆分问题清单.xlsx").active
    lines = {r[0]: r for r in report.iter_rows(min_row=2, values_only=True)}
    assert {row: line[6] for row, line in lines.items()} == {
        5: "未放入（非本年应缴）",
        7: "未放入（非本年应缴）",
        9: "已放入（人员类别待核实）",
    }
    assert "暂停缴费" in lines[5][1] and "终止" in lines[7][1] and "残三级" in lines[9][1]
    assert all(_id(i) not in str(line) for i in range(7) for line in lines.values())

    # 人员类别 is locked where the list filled it; rows added below stay editable
    ws = openpyxl.load_workbook(out / "城关街道" / "王庄村.xlsx")["花名册"]
    col = [c.value for c in ws[2]].index("人员类别") + 1
    assert ws.protection.sheet
    assert ws.cell(3, col).protection.locked and ws.cell(4, col).protection.locked
    letter = openpyxl.utils.get_column_letter(col)
    assert (5, col) not in ws._cells and not ws.column_dimensions[letter].protection.locked


def _split_one_village(tmp_path: Path) -> Path:
    out = tmp_path / "rosters"
    src = _export_xlsx(tmp_path / "参保人员.xlsx")
    main(["split", str(src), "-o", str(out)])
    return out / "城关街道" / "王庄村.xlsx"


def _set(path: Path, changes: dict[tuple[int, str], object]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["花名册"]
    heads = [c.value for c in ws[2]]
    for (row, header), value in changes.items():
        ws.cell(row, heads.index(header) + 1).value = value
    wb.save(path)


def test_a_changed_category_and_a_new_enrollee_choosing_daijiao_are_warned(
    tmp_path: Path, policy
) -> None:
    path = _split_one_village(tmp_path)
    clean = check_roster(read_roster(path), policy)
    assert not [f for f in clean.findings if f.code == "category.changed"]
    _set(
        path,
        {
            (3, "人员类别"): "普通",  # 低保对象 in the list (一组, first) -> ordinary
            (4, "人员类别"): "重度残疾人",  # 普通 in the county list -> 代缴 category
            (5, "姓名"): "周海军",  # a new enrollee choosing a 代缴 category
            (5, "身份证号码"): _id(20),
            (5, "参保类型"): "新增",
            (5, "人员类别"): "特困人员",
        },
    )
    changed = {
        f.row: f
        for f in check_roster(read_roster(path), policy).findings
        if f.code == "category.changed"
    }
    assert set(changed) == {3, 4, 5}
    assert all(f.severity == "warning" and f.column == "人员类别" for f in changed.values())
    assert "“普通”改为“重度残疾人”" in changed[4].message and "认定材料" in changed[4].message
    assert "“低保对象”改为“普通”" in changed[3].message
    assert "新增" in changed[5].message and "认定材料" in changed[5].message


def test_region_paths_and_codes(policy) -> None:
    m = TownshipMatcher(policy)
    cases = {
        "山东省菏泽市东明县城关街道王庄村委会": ("城关街道", "王庄村", ""),
        "东明县-渔沃街道-城东社区居委会": ("渔沃街道", "城东社区", ""),
        "东明县马头镇马头村民委员会第三村民小组": ("马头镇", "马头村", "第三村民小组"),
        "菏泽市东明县小井镇小村庄村": ("小井镇", "小村庄村", ""),
        "371728104203": ("马头镇", "", ""),
        "371728104": ("马头镇", "", ""),
    }
    for value, (township, village, group) in cases.items():
        r = split_region(value, m)
        assert (getattr(r.township, "name", None), r.village, r.group) == (
            township,
            village,
            group,
        ), value
    assert split_region("东明县火星镇王庄村", m).township is None


def test_a_code_only_region_takes_the_village_column_or_says_why_not(policy) -> None:
    rows = [
        ListRow(
            3, {"region": "371728104203", "village": "马头村", "name": "王", "id_number": _id(1)}
        ),
        ListRow(4, {"region": "371728104203", "name": "李", "id_number": _id(2)}),
    ]
    result = place_rows(rows, policy)
    assert [k[1] for k in result.villages] == ["马头村"]
    assert [r.code for r in result.rejected] == ["village.empty"]
    assert "代码" in result.rejected[0].reason
    assert result.conserved
