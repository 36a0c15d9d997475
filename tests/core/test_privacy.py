"""Masking by shape: an ID or mobile number is masked in findings whatever its column."""

from __future__ import annotations

import json
import re
from pathlib import Path

from _policy_variants import new_id, paid, write
from hypothesis import given
from hypothesis import strategies as st

from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.findings import Finding, Severity
from xl_pension.core.policy import Policy
from xl_pension.core.privacy import mask_sensitive

FULL_ID = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")


@given(st.integers(0, 999), st.text(max_size=5), st.text(max_size=5))
def test_any_id_inside_any_text_is_masked(seq: int, before: str, after: str) -> None:
    import datetime as dt

    ident = idnum.make("371728", dt.date(1980, 1, 1), seq)
    text = mask_sensitive(f"{before}{ident}{after}")
    assert ident not in text


def test_a_finding_masks_its_value_and_message() -> None:
    f = Finding("name.invalid", Severity.ERROR, "花名册", 3, "姓名", "371728198001010018",
                "姓名 13812345678 有误")  # fmt: skip
    assert f.value == "371728********0018" and "13812345678" not in f.message


def test_ids_pasted_into_the_name_column_are_masked_in_console_and_json(
    tmp_path: Path, policy: Policy, capsys
) -> None:
    people = [paid(300, 300, name=new_id()), paid(300, 300, name="13812345678")]
    src = write(tmp_path / "王庄村.xlsx", policy, people)
    report = tmp_path / "r.json"
    assert main(["validate", str(src), "--json", str(report), "--annotate"]) == 1
    shown = capsys.readouterr()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert any(f["column"] == "姓名" for f in data["findings"])
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "王庄村_校验.xlsx")
    marks = [str(v) for ws in wb if ws.title not in ("花名册", "填表说明") for r in ws.iter_rows(values_only=True)
             for v in r if v is not None]  # fmt: skip
    for text in (shown.out, shown.err, report.read_text(encoding="utf-8"), *marks):
        assert not FULL_ID.search(text), FULL_ID.search(text)
        assert not MOBILE.search(text), MOBILE.search(text)
