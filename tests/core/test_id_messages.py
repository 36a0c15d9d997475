"""The three ID messages: future birth dates, text ending in 000, and the county-level table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _policy_variants import paid, write

from xl_pension.core import idnum
from xl_pension.core.policy import Policy
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster


def findings_of(tmp_path: Path, policy: Policy, ident: object):
    rec = paid(350, 350)
    rec["id_number"] = ident
    src = write(tmp_path / "r.xlsx", policy, [rec])
    return [f for f in check_roster(read_roster(src), policy).findings if f.row]


def test_a_future_birth_date_is_said_to_be_in_the_future(tmp_path: Path, policy: Policy) -> None:
    born = dt.date.today() + dt.timedelta(days=400)
    ident = idnum.make("371728", born, 12)
    (f,) = [f for f in findings_of(tmp_path, policy, ident) if f.code == "id.birthdate"]
    assert "之后" in f.message and "不是真实日期" not in f.message
    assert f"{born:%Y-%m-%d}" in f.message


def test_an_impossible_birth_date_is_not_a_real_date(tmp_path: Path, policy: Policy) -> None:
    first17 = "37172819800231" + "001"
    (f,) = [f for f in findings_of(tmp_path, policy, first17 + idnum.check_char(first17))
            if f.code == "id.birthdate"]  # fmt: skip
    assert "不是真实日期" in f.message


def test_text_ending_in_000_is_a_checksum_error_not_a_lost_number(
    tmp_path: Path, policy: Policy
) -> None:
    first17 = "371728198001010" + "00"
    ident = first17 + "0"
    assert idnum.check_char(first17) != "0"
    codes = [f.code for f in findings_of(tmp_path, policy, ident)]
    assert "id.checksum" in codes and "id.numeric" not in codes
    codes = [f.code for f in findings_of(tmp_path, policy, float(ident))]
    assert "id.numeric" in codes


@pytest.mark.parametrize(
    ("area", "warns"),
    [("379999", True), ("370199", True), ("371700", True), ("370000", True),
     ("371728", False), ("372930", False), ("110105", False), ("410225", False)],
)  # fmt: skip
def test_region_checks_county_level_codes(
    tmp_path: Path, policy: Policy, area: str, warns: bool
) -> None:
    ident = idnum.make(area, dt.date(1980, 1, 1), 12)
    found = findings_of(tmp_path, policy, ident)
    region = [f for f in found if f.code == "id.region"]
    assert bool(region) is warns, (area, found)
    assert all(f.severity == "warning" for f in region)
