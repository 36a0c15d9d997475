"""Totals reconcile village -> township -> county through ``xl-pension merge`` (the county
workbook re-read), under the packaged policy and an additive-代缴 variant; a 差额缴费 person is
counted once in the county."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests._policy_variants import (
    DEFAULT_TEXT,
    additive_text,
    paid,
    topup_text,
    write,
    write_policy,
)
from xl_pension.cli import main
from xl_pension.core import schema
from xl_pension.core.money import person_money, totals_of
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.reports.merge_plan import TOWNSHIP_SHEET
from xl_pension.sample import generate_county

MONEY = {  # county-sheet header -> Totals attribute
    "个人缴费": "personal_due",
    schema.header("government_paid"): "government_paid",
    schema.header("subsidy"): "subsidy",
    schema.header("credited"): "credited",
}


def township_table(path: Path) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    """The county workbook's township rows (by township) and its totals line, by header."""
    ws = openpyxl.load_workbook(path, data_only=True)[TOWNSHIP_SHEET]
    headers = [c.value for c in ws[3]]
    rows, r = {}, 4
    while ws.cell(r, 1).value != "合计":
        row = dict(zip(headers, (c.value for c in ws[r]), strict=True))
        rows[row["乡镇"]] = row
        r += 1
    return rows, dict(zip(headers, (c.value for c in ws[r]), strict=True))


@pytest.mark.parametrize("text", [DEFAULT_TEXT, additive_text()], ids=["inclusive", "additive"])
def test_money_reconciles_through_the_merge(tmp_path: Path, text: str) -> None:
    path, policy = write_policy(tmp_path, "policy.toml", text)
    county = generate_county(policy, seed=7, mistake_rate=0, townships=2, villages_per_township=3,
                             min_people=40, max_people=70)  # fmt: skip
    expected: dict[str, list] = {}
    for v in county.villages:
        roster = write_roster(tmp_path / "in" / v.file, policy, v.township, v.village, v.records)
        checked = check_roster(read_roster(roster), policy)
        assert not checked.errors
        expected.setdefault(v.township.name, []).extend(
            person_money(p, policy) for p in checked.people
        )
    daijiao = [m for ms in expected.values() for m in ms if m and m.government_paid]
    assert daijiao and (text == DEFAULT_TEXT) == all(m.personal_due < m.tier for m in daijiao)
    out = tmp_path / "county.xlsx"
    # exit 0: no finding and the conservation check (rows, people, money) holds
    assert main(["merge", str(tmp_path / "in"), "-o", str(out), "--policy", str(path)]) == 0
    rows, total = township_table(out)
    for header, attr in MONEY.items():
        for township, moneys in expected.items():  # township = its villages' rows
            assert rows[township][header] == getattr(totals_of(moneys), attr), (township, header)
        assert total[header] == sum(r[header] for r in rows.values()), header  # county


def test_a_topup_person_is_counted_once_in_the_county(tmp_path: Path) -> None:
    path, policy = write_policy(tmp_path, "topup.toml", topup_text())
    first, other = paid(350, 350), paid(500, 500)
    topup = paid(1000, 650, name=str(first["name"]))
    topup.update(id_number=first["id_number"], enrollment=policy.topup.enrollment_type)
    write(tmp_path / "in" / "城关街道" / "王庄村.xlsx", policy, [first, other, topup])
    out = tmp_path / "county.xlsx"
    assert main(["merge", str(tmp_path / "in"), "-o", str(out), "--policy", str(path)]) == 0
    rows, total = township_table(out)
    assert (total["已缴人数"], total["个人缴费"]) == (2, 350 + 500 + 650)
    assert rows["城关街道"]["已缴人数"] == 2
