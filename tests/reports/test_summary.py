"""The township summary: tally rules, key groups, the workbook, the command, LibreOffice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import need_program
from tests.lo_recalc import assert_formulas_match, recalc
from xl_pension.app.folders import find_rosters
from xl_pension.app.summary import collect, write_township_summary
from xl_pension.cli import main
from xl_pension.core import idnum, schema
from xl_pension.core.findings import Finding, Severity
from xl_pension.core.money import person_money
from xl_pension.core.policy import Policy
from xl_pension.core.validation import Person, check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.report_text import render_report
from xl_pension.io.roster_writer import write_roster
from xl_pension.reports.summary import (
    competition_ranks,
    daily_context,
    day_table,
    summarize,
    tier_columns,
    tier_table,
    top_bottom,
)
from xl_pension.reports.summary_plan import CHART_DAYS_TITLE, CHART_RATE_TITLE, INTERNAL
from xl_pension.reports.village import (
    GROUP_GOVERNMENT,
    GROUP_NEAR,
    Tally,
    key_groups,
    tally_of,
    village_from,
)
from xl_pension.sample import generate_county

DAY = dt.date(2024, 5, 6)
SAMPLE = {"townships": 1, "villages_per_township": 4, "min_people": 30, "max_people": 60}


@pytest.fixture(scope="module")
def township(tmp_path_factory: pytest.TempPathFactory, policy: Policy) -> Path:
    """A township folder of generated village rosters plus files that are not rosters."""
    root = tmp_path_factory.mktemp("township")
    county = generate_county(policy, seed=11, mistake_rate=0.05, **SAMPLE)
    for v in county.villages:
        write_roster(root / v.file, policy, v.township, v.village, v.records)
    folder = root / county.villages[0].township.name
    first = folder / f"{county.villages[0].village}.xlsx"
    for name in ("~$锁定.xlsx", ".隐藏.xlsx", f"{first.stem}_计算.xlsx", f"{first.stem}.bak.xlsx"):
        shutil.copy(first, folder / name)
    wb = xlsxwriter.Workbook(str(folder / "说明.xlsx"))
    wb.add_worksheet("Sheet1").write(0, 0, "这不是花名册")
    wb.close()
    return folder


@pytest.fixture(scope="module")
def written(township: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The summary written by the command into the township folder itself."""
    out = township / "乡镇汇总.xlsx"
    assert main(["summary", str(township), "-o", str(out), "--date", DAY.isoformat()]) == 1
    return out


def _person(policy: Policy, **kw) -> Person:
    defaults = {"row": 3, "name": "王秀英", "category": policy.default_category}
    return Person(**{**defaults, **kw})


def _id(policy: Policy, age: int) -> str:
    ref = policy.age_reference_date
    return idnum.make("371728", ref.replace(year=ref.year - age) - dt.timedelta(days=30), 2)


def test_tally_counts_paid_rows_and_money_of_error_free_rows(policy: Policy) -> None:
    excluded = next(r.name for r in policy.unpaid_reasons if r.excluded_from_expected)
    counted = next(r.name for r in policy.unpaid_reasons if not r.excluded_from_expected)
    online = policy.payment_methods[0].name
    paid = dict(paid=True, tier=350, amount=350, method=online, pay_date=DAY, enrollment="续保")
    error = Finding("receipt.missing", Severity.ERROR, "花名册", 4, "收据号", "", "")
    people = [
        _person(policy, **paid),
        _person(policy, **paid, findings=[error]),
        _person(policy, unpaid_reason=excluded),
        _person(policy, unpaid_reason=counted),
        _person(policy, **{**paid, "unpaid_reason": excluded}),  # paid: always expected
    ]
    t = Tally()
    for p in people:
        t.add(p, None if p.has_error else person_money(p, policy), policy)
    assert (t.rows, t.expected, t.paid, t.unpaid) == (5, 4, 3, 1)
    assert t.rate == Fraction(3, 4)
    assert t.totals.people == 2 and t.totals.personal_due == 700
    assert t.by_enrollment["续保"] == 3 and t.by_method[online] == 3
    assert t.by_day[DAY] == 3 and t.by_tier[350] == 3


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_tally_of_many_rows_at_once_equals_the_rows_one_by_one(policy: Policy, data) -> None:
    """Counting a whole roster in one call (column by column, money per distinct amount) gives
    what counting its rows one at a time gives, 差额缴费 rows and shared money included."""
    reasons = [r.name for r in policy.unpaid_reasons]
    tiers = [t.amount for t in policy.tiers]
    methods = [m.name for m in policy.payment_methods]
    row = st.fixed_dictionaries(
        {
            "paid": st.booleans(),
            "tier": st.sampled_from([*tiers, 123, None]),
            "method": st.sampled_from([*methods, ""]),
            "enrollment": st.sampled_from(["续保", "新增", ""]),
            "pay_date": st.sampled_from([DAY, DAY + dt.timedelta(days=1), None]),
            "unpaid_reason": st.sampled_from([*reasons, ""]),
            "topup_from": st.sampled_from([None, None, None, tiers[0]]),
            "backpay_amount": st.sampled_from([None, 300]),
            "error": st.booleans(),
        }
    )
    error = Finding("receipt.missing", Severity.ERROR, "花名册", 4, "收据号", "", "")
    people = []
    for r, kw in enumerate(data.draw(st.lists(row, max_size=25)), start=3):
        findings = [error] if kw.pop("error") else []
        backpay = kw.pop("backpay_amount")
        years = (2020,) if backpay else ()
        people.append(
            _person(
                policy, row=r, findings=findings, backpay_amount=backpay, backpay_years=years, **kw
            )
        )
    shared: dict[object, object] = {}  # money objects shared by alike rows, as when loaded
    moneys = []
    for p in people:
        m = None if p.has_error else person_money(p, policy)
        moneys.append(shared.setdefault(m, m) if m is not None else None)
    at_once, one_by_one = Tally(), Tally()
    at_once.add_rows(people, moneys, policy)
    for p, m in zip(people, moneys, strict=True):
        one_by_one.add_rows([p], [m], policy)
    assert at_once == one_by_one
    assert at_once.rows == len(people)
    assert at_once.totals.people == sum(
        m.people
        for p, m in zip(people, moneys, strict=True)
        if m is not None and (p.paid or p.topup_from is not None)
    )


def test_key_groups(policy: Policy) -> None:
    gov = next(c.name for c in policy.categories if c.is_government_paid)
    excluded = next(r.name for r in policy.unpaid_reasons if r.excluded_from_expected)

    def groups(age: int, pol: Policy = policy, **kw) -> tuple[str, ...]:
        ident = _id(pol, age)
        return key_groups(_person(pol, id_number=ident, id_valid=True, **kw), pol)

    pension, window = policy.pension.age, policy.key_group_rules.near_pension_years
    assert (pension, window) == (60, 2)  # the packaged policy's [pension] and [key_groups]
    assert groups(pension - 1) == (GROUP_NEAR,)
    assert groups(pension - window) == (GROUP_NEAR,)  # reaches 60 within the two years
    assert groups(pension - window - 1) == ()
    assert groups(45) == ()  # 45+ 未参保 come from the population list, not the rosters
    assert groups(30, category=gov) == (GROUP_GOVERNMENT,)
    assert groups(pension - 1, paid=True) == ()
    assert groups(pension - 1, unpaid_reason=excluded) == ()
    # the window and the pension age are the policy's
    wider = dataclasses.replace(
        policy, key_group_rules=dataclasses.replace(policy.key_group_rules, near_pension_years=5)
    )
    assert groups(pension - 5, wider) == (GROUP_NEAR,)
    # where the roster gives 累计缴费年限: only people short of the years a pension needs
    years = policy.pension.min_years
    assert groups(pension - 1, paid_years=years - 1) == (GROUP_NEAR,)
    assert groups(pension - 1, paid_years=years) == ()


def test_ranks_and_top_bottom() -> None:
    rates = [Fraction(1, 2), None, Fraction(9, 10), Fraction(1, 2), Fraction(1, 5)]
    assert competition_ranks(rates) == [2, None, 1, 2, 4]
    top, bottom = top_bottom(list(range(5)), lambda i: rates[i])
    assert top == [2, 0, 3] and bottom == [4]
    assert top_bottom([], lambda i: None) == ([], [])


def test_village_name_from_meta_or_file_name() -> None:
    assert village_from("张庄村", "城关街道/x.xlsx") == "张庄村"
    assert village_from("", "城关街道/李集村.xlsx") == "李集村"
    for generic in (
        "新建 Microsoft Excel 工作表",
        "工作簿1",
        "李集村 - 副本",
        "Book1",
        "村级花名册模板",
    ):
        assert village_from("", f"城关街道/{generic}.xlsx") == ""


def _table(ws, header_row: int) -> tuple[list[str], list[list], list, list]:
    """Headers, data rows, the 合计 row and the 公式核对 row of a table."""
    headers = [c.value for c in ws[header_row]]
    rows, r = [], header_row + 1
    while ws.cell(r, 1).value != "合计":
        rows.append([c.value for c in ws[r]])
        r += 1
    return headers, rows, [c.value for c in ws[r]], [c.value for c in ws[r + 1]]


def test_command_writes_every_sheet_and_skips_outputs(
    written: Path, township: Path, capsys
) -> None:
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames[:7] == [
        "汇总",
        "图表",
        "档次分布",
        "日进度",
        "重点人群",
        "问题清单",
        "明细",
    ]
    assert wb["_meta"].sheet_state == "hidden"
    files = {row[3] for row in wb["问题清单"].iter_rows(min_row=2, values_only=True)}
    assert "说明.xlsx" in files  # not a roster: listed, not fatal
    assert not any(re.search(r"_计算|\.bak|~\$|^\.", f) for f in files)
    assert len(find_rosters(township, written)) == 5  # 4 villages + 说明.xlsx
    # the summary itself in the folder is recognised on the next run
    assert main(["summary", str(township), "-o", str(township / "again.xlsx")]) == 1
    assert "跳过本程序生成的汇总表 1 个" in capsys.readouterr().out
    (township / "again.xlsx").unlink()


def test_totals_equal_sum_of_rows_and_roster_contents(
    written: Path, township: Path, policy: Policy
) -> None:
    wb = openpyxl.load_workbook(written, data_only=True)  # formulas: the values Python cached
    headers, rows, total, check = _table(wb["汇总"], 5)
    for c, h in enumerate(headers):
        if h in ("序号", "乡镇", "村", "完成率"):
            continue
        if h == "核对":
            assert {r[c] for r in rows} == {total[c], check[c]} == {"一致"}
        else:
            assert total[c] == sum(r[c] for r in rows) == check[c], h
    col = {h: i for i, h in enumerate(headers)}
    assert total[col["完成率"]] == pytest.approx(total[col["已缴人数"]] / total[col["应缴人数"]])
    for row in rows:  # independent recount from the roster files
        checked = check_roster(read_roster(township / f"{row[col['村']]}.xlsx"), policy)
        money = [person_money(p, policy) for p in checked.people if not p.has_error]
        assert row[col["已缴人数"]] == sum(p.paid for p in checked.people)
        assert row[col["个人缴费"]] == sum(m.personal_due for m in money if m)
        assert row[col["错误"]] == len(checked.errors)
    paid = total[col["已缴人数"]]
    _, tier_rows, tier_total, _ = _table(wb["档次分布"], 2)
    assert tier_total[-1] == paid and all(r[-1] == sum(r[2:-1]) for r in tier_rows)
    day_headers, day_rows, day_total, _ = _table(wb["日进度"], 2)
    today = day_headers.index("当日合计")
    assert day_total[today] == paid == sum(r[today] for r in day_rows)
    cumulative = [r[today + 1] for r in day_rows if isinstance(r[0], dt.datetime)]
    assert (
        cumulative == sorted(cumulative)
        and cumulative[-1] + day_rows[-1][today] + day_rows[-2][today] == paid
    )


def test_report_is_printed_and_written_above_the_table(
    township: Path, policy: Policy, capsys
) -> None:
    out = township.parent / "report.xlsx"
    main(["summary", str(township), "-o", str(out), "--date", DAY.isoformat()])
    printed = capsys.readouterr().out
    text = openpyxl.load_workbook(out)["汇总"]["A2"].value
    assert text and text in printed and "完成率前三" in text and "2024年5月6日" in text


def test_key_people_sheet_is_internal_and_masked(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["重点人群"]
    assert INTERNAL in ws["A1"].value and INTERNAL in ws.oddHeader.center.text
    ids = [r[6] for r in ws.iter_rows(min_row=4, values_only=True) if r[6]]
    assert ids and all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", i) for i in ids)


def test_findings_link_to_the_cell(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["问题清单"]
    assert ws.max_row > 2
    for row in ws.iter_rows(min_row=2):
        link = row[-1].hyperlink
        target = (written.parent / link.target.replace("\\", "/")).resolve()
        assert target.exists() and target.name == Path(row[3].value).name
        if row[5].value:
            assert re.fullmatch(rf"'花名册'![A-Z]+{row[5].value}", link.location)


def test_charts_are_in_the_workbook(written: Path) -> None:
    assert len(openpyxl.load_workbook(written)["图表"]._charts) == 2


def test_exit_codes(tmp_path: Path, policy: Policy) -> None:
    assert main(["summary", str(tmp_path / "nope")]) == 2
    assert main(["summary", str(tmp_path)]) == 2  # empty
    (tmp_path / "坏.xlsx").write_bytes(b"not a zip")
    assert main(["summary", str(tmp_path)]) == 2  # nothing usable
    county = generate_county(policy, seed=3, mistake_rate=0, townships=1, villages_per_township=2,
                             min_people=20, max_people=30)  # fmt: skip
    clean = tmp_path / "clean"
    for v in county.villages:
        write_roster(clean / v.file, policy, v.township, v.village, v.records)
    assert main(["summary", str(clean), "-o", str(tmp_path / "out.xlsx")]) == 0


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        [need_program("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    )
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


@pytest.mark.real_client
def test_libreoffice_recalculates_the_same_numbers_and_renders_charts(
    written: Path, township: Path, policy: Policy, tmp_path: Path
) -> None:
    results, problems, _ = collect(township, find_rosters(township, written), policy)
    summary = summarize(results, policy, report_date=DAY, problems=problems)
    plain = write_township_summary(
        tmp_path / "无图表.xlsx", summary, policy,
        report=render_report("daily.j2", daily_context(summary, policy)), root=township, charts=False,
    )  # fmt: skip
    pdf, plain_pdf = tmp_path / "汇总.pdf", tmp_path / "无图表.pdf"
    lo = recalc([(written, pdf), (plain, plain_pdf)], tmp_path / "lo")
    assert assert_formulas_match(written, lo) > 40
    assert assert_formulas_match(plain, lo) > 40
    assert _pdf_pages(pdf) > _pdf_pages(plain_pdf)
    text = subprocess.run(
        [need_program("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert CHART_RATE_TITLE in text and CHART_DAYS_TITLE in text
    assert schema.ROSTER_SHEET not in openpyxl.load_workbook(written).sheetnames


def test_the_detail_sheet_is_planned_as_rows_not_cells(township: Path, policy: Policy) -> None:
    from xl_pension.reports.summary_plan import DETAIL_SHEET, township_summary_plan

    results, problems, _ = collect(township, find_rosters(township), policy)
    summary = summarize(results, policy, report_date=DAY, problems=problems)
    out = township / "汇总.xlsx"
    plan = township_summary_plan(summary, policy, report="", root=township, out=out)
    detail = plan.sheet(DETAIL_SHEET)
    assert detail.last_row == 1 and detail.bulk is not None  # only the header row as cells
    people = [(d.name, d.row) for v in summary.villages for d in v.details]
    assert [(row[4], row[-1]) for row in detail.bulk.rows] == people
    assert len(detail.bulk.styles) == detail.last_col


def test_detail_rows_in_bulk_are_the_same_workbook_as_the_write_calls(
    township: Path, policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xl_pension.io.new_workbook as new_workbook
    from tests.io.test_plan_workbook_sameness import ReferenceWorkbook, assert_same_workbook
    from xl_pension.io.plan_sheet import PlanWorksheet

    results, problems, _ = collect(township, find_rosters(township), policy)
    summary = summarize(results, policy, report_date=DAY, problems=problems)
    assert any(d.money is None for v in summary.villages for d in v.details)  # blank cells
    report = render_report("daily.j2", daily_context(summary, policy))
    rendered: list[int] = []
    put_bulk = PlanWorksheet.put_bulk

    def spy(self, first, rows, *args, **kwargs) -> None:
        put_bulk(self, first, rows, *args, **kwargs)
        rendered.append(len(self._bulk_xml))  # rows rendered whole, not cell by cell

    monkeypatch.setattr(PlanWorksheet, "put_bulk", spy)
    bulk = write_township_summary(
        tmp_path / "bulk.xlsx", summary, policy, report=report, root=township
    )
    monkeypatch.setattr(new_workbook, "PlanWorkbook", ReferenceWorkbook)
    calls = write_township_summary(
        tmp_path / "calls.xlsx", summary, policy, report=report, root=township
    )
    assert rendered == [sum(len(v.details) for v in summary.villages)]
    assert_same_workbook(bulk, calls)


@given(
    days=st.lists(
        st.dictionaries(
            st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
            st.integers(1, 50),
            max_size=8,
        ),
        max_size=5,
    ),
    tiers=st.lists(
        st.dictionaries(st.sampled_from([None, 200, 300, 500, 1000, 350]), st.integers(1, 50)),
        max_size=5,
    ),
)
@settings(max_examples=40, deadline=None)
def test_day_and_tier_pivots_count_what_the_villages_counted(
    policy: Policy, days: list[dict], tiers: list[dict]
) -> None:
    tallies = [Tally() for _ in range(max(len(days), len(tiers)))]
    for t, counts in zip(tallies, days, strict=False):
        t.by_day.update(counts)
    for t, counts in zip(tallies, tiers, strict=False):
        t.by_tier.update({k if k is None or k in policy.tier_by_amount else None: n
                          for k, n in counts.items()})  # fmt: skip
    start, end = policy.collection_start, policy.collection_end
    table = day_table(tallies, policy)
    inside = sorted({d for t in tallies for d in t.by_day if d and start <= d <= end})
    assert table.days == inside
    assert table.counts == [[t.by_day[d] for t in tallies] for d in inside]
    assert table.outside == [
        sum(n for d, n in t.by_day.items() if d and not start <= d <= end) for t in tallies
    ]
    assert table.undated == [t.by_day[None] for t in tallies]
    columns = tier_columns(tally_of(tallies), policy)
    assert tier_table(tallies, columns) == [[t.by_tier[c] for c in columns] for t in tallies]


def test_key_group_sheet_wraps_instead_of_cutting(written: Path) -> None:
    from xl_pension.core.plan import wrapped_lines

    ws = openpyxl.load_workbook(written)["重点人群"]
    assert any(str(r) == "A2:L2" for r in ws.merged_cells.ranges)  # the note over every column
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height > 30
    width = ws.column_dimensions["B"].width
    reasons = [(c.row, c.value) for c in ws["B"][3:] if c.value]
    assert reasons, "the generated township has key-group people"
    for row, text in reasons:
        assert ws.cell(row, 2).alignment.wrap_text, row
        if wrapped_lines(text, width) > 1:  # e.g. 临近到龄未缴、代缴对象未缴
            assert ws.row_dimensions[row].height >= 14 * wrapped_lines(text, width), row
