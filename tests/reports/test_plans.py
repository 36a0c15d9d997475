"""The write-back plans, made once in reports/: what each sheet holds, before any engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _policy_variants import paid, row_of, unpaid, write

from xl_pension.core.findings import Finding, Severity
from xl_pension.core.marking import ERROR_FILL, RESULT_SHEET, WARNING_FILL
from xl_pension.core.money import person_money, totals_of
from xl_pension.core.plan import TEXT_FORMAT, Link
from xl_pension.core.policy import Policy
from xl_pension.core.schema import BY_KEY, REMIT_COLUMNS, TOTALS_LABEL, header
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.reports.compute_plan import COMPUTED_KEYS, compute_plan
from xl_pension.reports.marks_plan import RESULT_FIRST_ROW, marks_plan
from xl_pension.reports.notice import NOTICE_COLUMNS, build_notice
from xl_pension.reports.notice_plan import notice_plan
from xl_pension.reports.remit import remit_list
from xl_pension.reports.remit_plan import remit_plan


@pytest.fixture
def checked(tmp_path: Path, policy: Policy):
    records = [
        paid(350, 350, method="线下", receipt="=R-2", name="张秀英"),
        paid(1000, 1000, name="李建国"),
        unpaid(),
        paid(500, 500, method="线下", receipt="000123", name="王桂兰"),
    ]
    checked = check_roster(read_roster(write(tmp_path / "r.xlsx", policy, records)), policy)
    assert not checked.errors
    money = {p.row: person_money(p, policy) for p in checked.people}
    return checked, money


def test_compute_plan_fills_money_and_one_totals_line(checked) -> None:
    checked, money = checked
    roster = checked.roster
    totals = totals_of(money.values())
    [edit] = compute_plan(roster, money, totals).edits
    assert edit.name == roster.sheet
    cols = dict(roster.columns)
    for key in COMPUTED_KEYS:
        col = cols.get(key) or next(
            c for (r, c), cell in edit.cells.items() if cell.value == BY_KEY[key].header
        )
        for row, m in money.items():
            assert edit.cells[(row, col)].value == (getattr(m, key) if m else None)
    total_row = row_of(len(roster.records) - 1) + 1
    line = {c: cell for (r, c), cell in edit.cells.items() if r == total_row}
    assert line[cols["seq"]].value == TOTALS_LABEL and line[cols["seq"]].style.bold
    assert line[cols["group"]].value == f"{totals.people}人"
    assert line[cols["amount"]].value == totals.personal_due


def test_remit_plan_columns_come_from_the_schema(checked, policy: Policy) -> None:
    checked, money = checked
    rl = remit_list(checked.people, money, policy)
    plan = remit_plan(policy, checked.roster, rl, deposited=rl.total + 100)
    sheet = plan.sheet("解缴清单")
    width = len(REMIT_COLUMNS)
    assert [sheet.cells[(3, c)].value for c in range(1, width + 1)] == [
        c.header for c in REMIT_COLUMNS
    ]
    assert header("receipt") == REMIT_COLUMNS[1].header
    receipts = [sheet.cells[(4 + i, 2)].value for i in range(rl.count)]
    assert sorted(receipts) == ["000123", "=R-2"] and all(isinstance(r, str) for r in receipts)
    assert len(rl.lines) == rl.count  # no 补缴 here: one line a receipt
    assert sheet.cells[(4 + rl.count, width)].value == rl.total == 850
    texts = [c.value for c in sheet.cells.values() if isinstance(c.value, str)]
    assert "银行缴款回单金额：950 元；核对结果：不符，回单多 100 元" in texts
    assert (4 + rl.count, 1, 4 + rl.count, width - 1) in sheet.merges
    assert sheet.print_setup.header == "内部资料 不得公开"
    assert plan.created == dt.datetime(policy.year, 1, 1)


def test_notice_plan_prints_the_whole_notice(checked, policy: Policy) -> None:
    from xl_pension.io.notice_html import notice_texts

    checked, money = checked
    ctx = build_notice(checked, money, policy, dt.date(2024, 6, 1), "0530-7221234")
    sheet = notice_plan(ctx, notice_texts(ctx.page())).sheet("公示")
    setup = sheet.print_setup
    head = setup.title_rows[0]
    shown = [h for k, h in NOTICE_COLUMNS if k in policy.notice_rules.columns]
    width = len(shown)
    assert [sheet.cells[(head, c)].value for c in range(1, width + 1)] == shown
    assert (head, width + 1) not in sheet.cells
    assert setup.area == (sheet.last_row, width)
    assert sheet.freeze == (head + 1, 1) and not sheet.gridlines
    ids = [sheet.cells[(head + 1 + i, 4)] for i in range(len(ctx.rows))]
    assert [c.value for c in ids] == [r.masked_id for r in ctx.rows]
    assert all(c.style.number_format == TEXT_FORMAT for c in ids)
    assert all(c2 <= width for _, _, _, c2 in sheet.merges)
    # every printed page: the village on top, 特此公示 and the page numbers at the foot
    assert "王庄村" in setup.header
    assert setup.footer.startswith("特此公示") and setup.footer.endswith("第 &P 页 共 &N 页")


def test_marks_plan_groups_findings_by_cell(checked) -> None:
    checked, _ = checked
    roster = checked.roster
    name, phone = header("name"), header("phone")

    def finding(code: str, severity: Severity, row: int | None, column: str) -> Finding:
        return Finding(code, severity, roster.sheet, row, column, "=x", f"{code} 的说明")

    findings = [
        finding("a.one", Severity.ERROR, 3, name),
        finding("a.two", Severity.WARNING, 3, name),
        finding("b.one", Severity.WARNING, 4, phone),
        finding("c.file", Severity.WARNING, None, ""),
    ]
    plan = marks_plan(roster, findings, lambda r, c: (3, c) if r == 4 else (r, c))
    marks = {(m.row, m.column): m for m in plan.marks.marks}
    name_col, phone_col = roster.columns["name"], roster.columns["phone"]
    assert marks[(3, name_col)].fill == ERROR_FILL[2:]
    assert marks[(3, name_col)].note == "【错误】a.one 的说明\n【警告】a.two 的说明"
    assert marks[(3, phone_col)].fill == WARNING_FILL[2:]  # anchored on its merged range
    result = plan.sheet(RESULT_SHEET)
    assert plan.activate == RESULT_SHEET and result.after == roster.sheet
    links = [result.cells.get((RESULT_FIRST_ROW + i, 6)) for i in range(len(findings))]
    assert [c.link for c in links[:3]] == [
        Link(roster.sheet, 3, name_col), Link(roster.sheet, 3, name_col),
        Link(roster.sheet, 3, phone_col),
    ]  # fmt: skip
    assert links[3] is None
    assert result.cells[(RESULT_FIRST_ROW, 7)].value == "=x"


def test_a_link_location_quotes_the_sheet_name() -> None:
    assert Link("王's 花名册", 7, 28).location == "'王''s 花名册'!AB7"
