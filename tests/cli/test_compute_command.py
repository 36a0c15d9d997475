"""``xl-pension compute`` on real roster workbooks: refusal, skipping, values, totals, safety."""

from __future__ import annotations

import re
import tempfile
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _policy_variants import (
    paid,
    policy_data,
    row_of,
    ten_tier_text,
    to_toml,
    unpaid,
    write,
    write_policy,
)
from conftest import libreoffice_convert
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from xl_pension.cli import main
from xl_pension.core.policy import DEFAULT_POLICY_PATH, Policy, load_policy, parse_policy
from xl_pension.core.schema import HEADER_ROW, ROSTER_SHEET, TOTALS_LABEL, header
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.sample import generate_county

COMPUTED = ("政府代缴", "个人应缴", "政府补贴", "记入个人账户")
TOTALED = ("实缴金额", "补缴金额", *COMPUTED)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def people() -> list[dict]:
    """Six rows: offline, 低保 on 500, offline with 补缴, 代缴 of the whole tier, unpaid, online."""
    return [
        paid(350, 350, method="线下", receipt="R-001"),
        paid(500, 400, category="低保对象", method="线下", receipt="R-003"),
        paid(350, 350, method="线下", receipt="R-002", backpay=("2022", 300)),
        paid(100, 0, category="重度残疾人"),
        unpaid(),
        paid(1000, 1000),
    ]


# 政府代缴, 个人应缴, 政府补贴, 记入个人账户 of each record above, worked out by hand.
EXPECTED = [
    (0, 350, 30, 380),
    (100, 400, 60, 560),
    (0, 350, 30, 680),  # 补缴 of 2022 at that year's 300 tier, no subsidy
    (100, 0, 30, 130),
    None,
    (0, 1000, 80, 1080),
]
BAD = paid(350, 400)  # amount.mismatch: the 350 tier is 350 yuan


def sheet(path: Path) -> tuple[dict[str, int], dict[int, dict[str, object]]]:
    """Header -> column, and every non-empty row below the header as header -> value."""
    ws = openpyxl.load_workbook(path)[ROSTER_SHEET]
    cols = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    rows = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        values = {h: ws.cell(r, c).value for h, c in cols.items()}
        if any(v not in (None, "") for v in values.values()):
            rows[r] = values
    return cols, rows


def totals_rows(rows: dict[int, dict[str, object]]) -> list[int]:
    return [r for r, v in rows.items() if v["序号"] == TOTALS_LABEL]


def computed(values: dict[str, object]) -> tuple | None:
    got = tuple(values[h] for h in COMPUTED)
    if all(v is None for v in got):
        return None
    assert all(type(v) is int for v in got), got
    return got


def assert_totals_line(rows: dict[int, dict[str, object]]) -> dict[str, object]:
    """Exactly one totals line, below every person, whose sums are the sums of the rows that
    were computed; returns it."""
    (at,) = totals_rows(rows)
    people = {r: v for r, v in rows.items() if r != at}
    assert at == max(people, default=HEADER_ROW) + 1
    done = [v for v in people.values() if computed(v) is not None]
    line = rows[at]
    for h in TOTALED:
        assert type(line[h]) is int, (h, line[h])
        assert line[h] == sum(v[h] or 0 for v in done), h
    assert line["村民小组"] == f"{len(done)}人"
    return line


def test_refuses_a_roster_with_errors(tmp_path: Path, capsys) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), [*people(), BAD])
    before = src.read_bytes()
    assert main(["compute", str(src)]) == 1
    err = capsys.readouterr().err
    assert "第 9 行" in err and "amount.mismatch" in err and "--skip-invalid" in err
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]
    assert main(["compute", str(src), "--in-place"]) == 1
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"]


def test_skip_invalid_computes_the_rest_and_names_skipped_rows(tmp_path: Path, capsys) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), [*people(), BAD, paid(800, 800)])
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(src), "--skip-invalid", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "跳过" in err and "第 9 行" in err
    _, rows = sheet(out)
    assert [computed(rows[row_of(i)]) for i in range(6)] == EXPECTED
    assert computed(rows[9]) is None  # skipped: nothing computed, nothing typed lost
    assert rows[9]["实缴金额"] == 400 and rows[9]["缴费档次"] == 350
    assert computed(rows[10]) == (0, 800, 80, 880)
    line = assert_totals_line(rows)
    assert line["记入个人账户"] == 380 + 560 + 680 + 130 + 1080 + 880
    assert line["实缴金额"] == 350 + 400 + 350 + 0 + 1000 + 800  # the skipped 400 is not in it


def test_written_values_and_totals(tmp_path: Path, capsys) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    assert main(["compute", str(src)]) == 0
    out = tmp_path / "r_计算.xlsx"
    assert out.exists()
    assert "记入个人账户 2830 元" in capsys.readouterr().out
    cols, rows = sheet(out)
    assert all(h in cols for h in COMPUTED)
    assert [computed(rows[row_of(i)]) for i in range(6)] == EXPECTED
    line = assert_totals_line(rows)
    assert [line[h] for h in TOTALED] == [2100, 300, 200, 2100, 230, 2830]
    assert line["村民小组"] == "5人"
    # Only values are written, never formulas.
    ws = openpyxl.load_workbook(out)[ROSTER_SHEET]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        for c in row:
            assert not (isinstance(c.value, str) and c.value.startswith("=")), c.coordinate


def test_computed_file_reads_back_with_the_same_records(tmp_path: Path, policy: Policy) -> None:
    src = write(tmp_path / "r.xlsx", policy, [*people(), BAD])
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(src), "--skip-invalid", "-o", str(out)]) == 0
    before, after = read_roster(src), read_roster(out)
    assert [r.row for r in after.records] == [r.row for r in before.records]
    assert len(after.records) == 7  # the totals line is not a person

    def findings(path: Path) -> list[tuple]:
        checked = check_roster(read_roster(path), policy)
        return [(f.code, f.row, f.column, f.severity) for f in checked.findings]

    assert findings(out) == findings(src)
    assert [f[0] for f in findings(out) if f[3].value == "error"] == ["amount.mismatch"]


def test_recomputing_is_idempotent(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    assert main(["compute", str(src), "-o", str(once)]) == 0
    assert main(["compute", str(once), "-o", str(twice)]) == 0
    assert sheet(twice) == sheet(once)
    assert main(["compute", str(twice), "--in-place"]) == 0
    assert sheet(twice) == sheet(once)
    assert len(totals_rows(sheet(twice)[1])) == 1


def test_recomputing_after_edits_moves_the_totals_line(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(src), "-o", str(out)]) == 0
    cols, rows = sheet(out)
    (old_totals,) = totals_rows(rows)
    wb = openpyxl.load_workbook(out)
    ws = wb[ROSTER_SHEET]
    # The agent changes one tier and adds a person below the old totals line.
    ws.cell(row_of(5), cols["缴费档次"]).value = 3000
    ws.cell(row_of(5), cols["实缴金额"]).value = 3000
    new = old_totals + 1
    for key, v in paid(500, 500).items():
        ws.cell(new, cols[header(key)]).value = v
    ws.cell(new, cols["序号"]).value = 7
    wb.save(out)
    assert main(["compute", str(out), "--in-place"]) == 0
    _, rows = sheet(out)
    assert totals_rows(rows) == [new + 1]
    assert old_totals not in rows  # the old totals line is cleared, not left behind
    assert computed(rows[row_of(5)]) == (0, 3000, 80, 3080)
    assert computed(rows[new]) == (0, 500, 60, 560)
    line = assert_totals_line(rows)
    assert line["记入个人账户"] == 2830 - 1080 + 3080 + 560


def test_in_place_keeps_a_backup_of_the_original(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    before = src.read_bytes()
    assert main(["compute", str(src), "--in-place"]) == 0
    assert (tmp_path / "r.bak.xlsx").read_bytes() == before
    assert src.read_bytes() != before
    _, rows = sheet(src)
    assert [computed(rows[row_of(i)]) for i in range(6)] == EXPECTED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.bak.xlsx", "r.xlsx"]


def _validations(ws) -> list[tuple]:
    return sorted(
        (str(dv.sqref), dv.type, dv.formula1, dv.prompt, dv.error)
        for dv in ws.data_validations.dataValidation
    )


def test_keeps_everything_the_user_had(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    wb = openpyxl.load_workbook(src)
    ws = wb[ROSTER_SHEET]
    cols = {c.value: c.column for c in ws[HEADER_ROW]}
    ws.cell(row_of(0), cols["备注"]).value = '=IF(1>0,"已核","")'
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    dv.add("X3:X50")
    ws.add_data_validation(dv)
    mine = wb.create_sheet("我的统计")
    mine["A1"] = "本村应缴人数"
    mine["B1"] = 6
    mine["B2"] = f"=COUNTA({ROSTER_SHEET}!C3:C100)"
    chart = BarChart()
    chart.add_data(Reference(mine, min_col=2, min_row=1, max_row=1))
    mine.add_chart(chart, "D2")
    ws.cell(row_of(1), cols["姓名"]).comment = Comment("已入户核对", "村协办员")
    yellow = PatternFill("solid", fgColor="FFFF00")
    ws.conditional_formatting.add(
        "L3:L100", CellIsRule(operator="greaterThan", formula=["1000"], fill=yellow)
    )
    wb.save(src)
    before = openpyxl.load_workbook(src)
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(src), "-o", str(out)]) == 0
    after = openpyxl.load_workbook(out)
    assert after.sheetnames == before.sheetnames
    assert [s.sheet_state for s in after] == [s.sheet_state for s in before]
    b, a = before[ROSTER_SHEET], after[ROSTER_SHEET]
    assert _validations(a) == _validations(b)
    assert any(v[2] == '"是,否"' for v in _validations(a))
    assert a.cell(row_of(0), cols["备注"]).value == '=IF(1>0,"已核","")'
    assert after["我的统计"]["A1"].value == "本村应缴人数"
    assert after["我的统计"]["B2"].value == f"=COUNTA({ROSTER_SHEET}!C3:C100)"
    assert len(after["我的统计"]._charts) == 1
    assert a.cell(row_of(1), cols["姓名"]).comment.text == "已入户核对"
    assert [str(r.sqref) for r in a.conditional_formatting] == ["L3:L100"]
    assert a.freeze_panes == b.freeze_panes
    assert a.protection.sheet == b.protection.sheet
    assert a["A1"].value == b["A1"].value  # title row
    for r in range(1, b.max_row + 1):  # every cell the user typed is still there
        for c in range(1, b.max_column + 1):
            if b.cell(r, c).value is not None and c not in [cols[h] for h in COMPUTED]:
                assert a.cell(r, c).value == b.cell(r, c).value, (r, c)
    assert _validations(a) == _validations(openpyxl.load_workbook(src)[ROSTER_SHEET])


def test_keeps_the_template_validations_of_a_fresh_roster(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(src), "-o", str(out)]) == 0
    b = openpyxl.load_workbook(src)[ROSTER_SHEET]
    a = openpyxl.load_workbook(out)[ROSTER_SHEET]
    assert len(_validations(b)) > 10
    assert _validations(a) == _validations(b)


def test_a_policy_variant_file_drives_compute(tmp_path: Path) -> None:
    pol_path, pol = write_policy(tmp_path, "ten-tiers.toml", ten_tier_text())
    src = write(
        tmp_path / "r.xlsx",
        pol,
        [paid(6000, 6000), paid(300, 0, category="低保对象"), paid(800, 500, category="脱贫人口")],
    )
    assert main(["compute", str(src), "--policy", str(pol_path)]) == 0
    _, rows = sheet(tmp_path / "r_计算.xlsx")
    got = [computed(rows[row_of(i)]) for i in range(3)]
    assert got == [(0, 6000, 220, 6220), (300, 0, 40, 340), (300, 500, 90, 890)]
    assert_totals_line(rows)
    # The same roster under the default policy is refused (6000 and 800-for-500 do not fit).
    assert main(["compute", str(src)]) == 1


# -- the demo county, recomputed independently ---------------------------------------------------


def _independent(policy_file: Path):
    """Money rules read straight from the TOML file (not through xl_pension.core.money)."""
    data = tomllib.loads(policy_file.read_text(encoding="utf-8"))
    start = data["collection"]["start"]  # this year's tiers: the schedule in force on this day
    this_year = max(
        (s for s in data["tier_schedules"] if s["from"] <= start), key=lambda s: s["from"]
    )
    subsidy = {t["amount"]: t["subsidy"] for t in this_year["tiers"]}
    lowest = min(subsidy)
    cats = {}
    for c in data["categories"]:
        pays = lowest if c["government_pays"] == "lowest_tier" else c["government_pays"]
        assert c["model"] == "inclusive"  # the packaged policy: 代缴 counts toward the tier
        cats[c["name"]] = (pays, c["subsidy_on_government_part"])
    default_category = data["categories"][0]["name"]
    assert data["backpay"]["subsidy"] is False  # 补缴 earns no subsidy under this policy

    def money(tier: int, category: str | None, backpay: int | None) -> tuple[int, int, int, int]:
        pays, on_gov = cats[category or default_category]
        gov = min(pays, tier)
        s = subsidy[tier]
        if not on_gov and gov:
            s -= max((v for a, v in subsidy.items() if a <= gov), default=0)
        return gov, tier - gov, s, tier + s + (backpay or 0)

    return money


def test_demo_county_totals_recomputed_independently(
    tmp_path: Path, policy: Policy, capsys
) -> None:
    county = generate_county(policy)
    money = _independent(DEFAULT_POLICY_PATH)
    county_sums = dict.fromkeys(COMPUTED, 0)
    checked_rows = 0
    for v in county.villages:
        src = write_roster(tmp_path / v.file, policy, v.township, v.village, v.records)
        errors = {p.row for p in check_roster(read_roster(src), policy).people if p.has_error}
        capsys.readouterr()
        assert main(["compute", str(src), "--skip-invalid"]) == 0
        out_text, err = capsys.readouterr()
        if errors:
            listed = re.search(r"第 ([\d, ]+)", err)
            assert listed and [int(x) for x in listed[1].split(", ")] == sorted(errors)[:30]
        _, rows = sheet(src.with_name(f"{src.stem}_计算.xlsx"))
        (at,) = totals_rows(rows)
        sums = dict.fromkeys(TOTALED, 0)
        people = 0
        for r, values in rows.items():
            if r == at:
                continue
            got = computed(values)
            if r in errors or values["缴费档次"] is None:
                assert got is None, r
                continue
            want = money(values["缴费档次"], values["人员类别"], values["补缴金额"])
            assert got == want, (v.file, r, values)
            people += 1
            checked_rows += 1
            for h, x in zip(COMPUTED, want, strict=True):
                sums[h] += x
            sums["实缴金额"] += want[1]
            sums["补缴金额"] += values["补缴金额"] or 0
        line = rows[at]
        assert {h: line[h] for h in TOTALED} == sums, v.file
        assert line["村民小组"] == f"{people}人"
        said = re.search(r"缴费 (\d+) 人，个人缴费 (\d+) 元.*记入个人账户 (\d+) 元", out_text)
        assert said and tuple(map(int, said.groups())) == (
            people,
            sums["个人应缴"],
            sums["记入个人账户"],
        )
        for h in COMPUTED:
            county_sums[h] += sums[h]
    assert checked_rows > 1000
    assert county_sums["政府代缴"] > 0 and county_sums["政府补贴"] > 0


def _content_type(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
    (main_type,) = re.findall(r'/xl/workbook\.xml" ContentType="([^"]+)"', types)
    return main_type


def test_macro_roster_saved_as_xlsx_opens_in_excel(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    xlsm = src.rename(tmp_path / "r.xlsm")
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(xlsm), "-o", str(out)]) == 0
    # An .xlsx must not claim to be macro-enabled, or Excel refuses to open it.
    assert _content_type(out).endswith("spreadsheetml.sheet.main+xml")
    assert main(["compute", str(xlsm)]) == 0
    assert "macroEnabled" in _content_type(tmp_path / "r_计算.xlsm")


def test_recompute_a_roster_without_a_seq_column(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    wb = openpyxl.load_workbook(src)
    wb[ROSTER_SHEET].delete_cols(1)  # the agent deleted 序号
    wb.save(src)
    once = tmp_path / "once.xlsx"
    assert main(["compute", str(src), "-o", str(once)]) == 0
    assert len(read_roster(once).records) == 6
    assert main(["compute", str(once), "-o", str(tmp_path / "twice.xlsx")]) == 0


@pytest.mark.real_client
def test_formula_inputs_keep_their_values_for_the_reader(tmp_path: Path) -> None:
    src = write(tmp_path / "r.xlsx", load_policy(), people())
    wb = openpyxl.load_workbook(src)
    ws = wb[ROSTER_SHEET]
    cols = {c.value: c.column_letter for c in ws[HEADER_ROW]}
    ws[f"{cols['实缴金额']}{row_of(0)}"] = f"={cols['缴费档次']}{row_of(0)}"
    wb.save(src)
    calculated = libreoffice_convert(src, "xlsx", tmp_path / "lo")  # stores the cached values
    assert read_roster(calculated).records[0].get("amount") == 350
    out = tmp_path / "out.xlsx"
    assert main(["compute", str(calculated), "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out)[ROSTER_SHEET][f"{cols['实缴金额']}{row_of(0)}"].value == (
        f"={cols['缴费档次']}{row_of(0)}"
    )
    assert read_roster(out).records[0].get("amount") == 350


# -- random policies and rosters through the command line ---------------------------------------


@st.composite
def random_case(draw) -> tuple[dict, list[dict]]:
    """A random valid policy (as TOML data) and a roster of people valid under it."""
    data = draw(policy_data())
    pol = parse_policy(data)
    lowest = pol.tiers[0].amount
    b = pol.backpay
    records: list[dict] = []
    for i in range(draw(st.integers(0, 25))):
        cat = draw(st.sampled_from(pol.categories))
        allowed = [t for t in pol.tiers if t.allowed_for(cat.name)]
        if not cat.may_choose_higher:
            allowed = [t for t in allowed if t.amount <= max(cat.government_pays, lowest)]
        if not allowed or not draw(st.integers(0, 5)):
            records.append(unpaid())
            continue
        tier = draw(st.sampled_from(allowed)).amount
        method = draw(st.sampled_from(pol.payment_methods))
        backpay = None
        years = sorted(draw(st.sets(st.integers(b.earliest_year, b.latest_year), max_size=3)))
        # a per-year amount that was a tier in each of the years (dated schedules)
        common = sorted(
            set.intersection(*({t.amount for t in pol.backpay_tiers(y)} for y in years))
            if years
            else set()
        )
        if years and (common or not b.per_year_must_be_tier):
            per_year = (
                draw(st.sampled_from(common))
                if b.per_year_must_be_tier
                else draw(st.integers(1, 5_000))
            )
            backpay = (",".join(map(str, years)), per_year * len(years))
        on_top = cat.model == "additive" and tier > cat.government_pays
        rec = paid(
            tier,
            tier if on_top else max(tier - cat.government_pays, 0),
            category=cat.name,
            method=method.name,
            receipt=f"R-{i:04d}" if method.receipt_required else None,
            backpay=backpay,
        )
        records.append(rec)
    return data, records


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_case())
def test_property_compute_on_random_policies_and_rosters(case: tuple[dict, list[dict]]) -> None:
    data, records = case
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        pol_file = tmp / "policy.toml"
        pol_file.write_text(to_toml(data), encoding="utf-8")
        pol = load_policy(pol_file)
        src = write(tmp / "r.xlsx", pol, records)
        out = tmp / "out.xlsx"
        assert main(["compute", str(src), "--policy", str(pol_file), "-o", str(out)]) == 0
        _, rows = sheet(out)
    line = assert_totals_line(rows)
    assert line["村民小组"] == f"{sum('tier' in r for r in records)}人"
    for i, rec in enumerate(records):
        got = computed(rows[row_of(i)])
        if "tier" not in rec:
            assert got is None
            continue
        gov, due, subsidy, credited = got
        backpay = rec.get("backpay_amount", 0)
        category = pol.category_by_name[rec.get("category") or pol.default_category]
        if category.model == "additive" and rec["tier"] > category.government_pays:
            assert (gov, due) == (category.government_pays, rec["tier"])  # 代缴 on top
        else:
            assert gov + due == rec["tier"]
        assert due == rec["amount"] and due >= 0
        assert subsidy >= 0 and credited == due + gov + subsidy + backpay
        assert credited >= due + backpay


def test_compute_fills_gender_and_birth_date_from_valid_ids(tmp_path: Path, policy: Policy) -> None:
    src = write(tmp_path / "r.xlsx", policy, people())
    assert main(["compute", str(src), "--in-place"]) == 0
    _, rows = sheet(src)
    people_rows = [v for v in rows.values() if v["身份证号码"]]
    assert people_rows
    for v in people_rows:
        ident = str(v["身份证号码"])
        assert v["性别"] == ("男" if int(ident[16]) % 2 else "女")
        assert str(v["出生日期"])[:10] == f"{ident[6:10]}-{ident[10:12]}-{ident[12:14]}"
    assert not check_roster(read_roster(src), policy).errors  # and they read back consistent
