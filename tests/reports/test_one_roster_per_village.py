"""One roster per village: copies claiming the same village are reported, never summed twice."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
from _policy_variants import paid, write

from xl_pension.cli import main
from xl_pension.core.policy import Policy


def township_folder(root: Path, policy: Policy) -> Path:
    folder = root / policy.townships[0].name
    folder.mkdir(parents=True)
    write(folder / "王庄村.xlsx", policy, [paid(350, 350), paid(500, 500)], village="王庄村")
    write(folder / "李村.xlsx", policy, [paid(350, 350)] * 1, village="李村")
    return folder


def copies(folder: Path) -> None:
    src = folder / "王庄村.xlsx"
    shutil.copy(src, folder / "王庄村 - 副本.xlsx")
    shutil.copy(src, folder / "王庄村(1).xlsx")
    shutil.copy(src, folder / "三组交来的.xlsx")  # a renamed copy: only _meta says which village


def test_summary_counts_no_copy_and_reports_every_claimant(
    tmp_path: Path, policy: Policy, capsys
) -> None:
    folder = township_folder(tmp_path, policy)
    assert main(["summary", str(folder), "-o", str(tmp_path / "s0.xlsx")]) == 0
    assert re.search(r"共 3 人", capsys.readouterr().out)
    copies(folder)
    assert main(["summary", str(folder), "-o", str(tmp_path / "s.xlsx")]) == 1
    captured = capsys.readouterr()
    assert re.search(r"共 1 人", captured.out), captured.out  # 李村 only: 王庄村 is in dispute
    for name in ("王庄村.xlsx", "王庄村 - 副本.xlsx", "王庄村(1).xlsx", "三组交来的.xlsx"):
        assert name in captured.err
    assert "都未计入" in captured.err


def test_merge_keeps_neither_copy(tmp_path: Path, policy: Policy, capsys) -> None:
    folder = township_folder(tmp_path / "county", policy)
    copies(folder)
    out = tmp_path / "county.xlsx"
    assert main(["merge", str(tmp_path / "county"), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "王庄村 - 副本.xlsx" in err and "都未计入" in err
    assert out.exists()


def test_a_roster_of_another_year_warns(tmp_path: Path, policy: Policy, capsys) -> None:
    src = write(tmp_path / "王庄村.xlsx", policy, [paid(350, 350)])
    wb = openpyxl.load_workbook(src)
    meta = wb["_meta"]
    for row in meta.iter_rows():
        if row[0].value == "year":
            row[1].value = policy.year - 1
    wb.save(src)
    assert main(["validate", str(src)]) == 0
    out = capsys.readouterr().out
    assert "template.year" in out and str(policy.year - 1) in out
