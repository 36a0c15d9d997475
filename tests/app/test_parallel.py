"""Per-file work on several processes gives the same results, in order, as one process."""

from __future__ import annotations

from pathlib import Path

from xl_pension.app.folders import check_job, checked_of
from xl_pension.app.parallel import jobs, map_files
from xl_pension.io.roster_writer import write_roster


def square(n: int) -> int:
    return n * n


def test_results_come_back_in_order_with_or_without_workers(monkeypatch) -> None:
    items = list(range(23))
    assert list(map_files(square, items, "x", workers=2)) == [n * n for n in items]
    assert list(map_files(square, items, "x", workers=1)) == [n * n for n in items]
    monkeypatch.setenv("XL_PENSION_JOBS", "3")
    assert jobs() == 3


def test_check_job_reports_an_unusable_file_instead_of_raising(tmp_path: Path, policy) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    good = write_roster(tmp_path / "good.xlsx", policy, policy.townships[0], "王庄村")
    results = list(map_files(check_job, [(str(bad), None), (str(good), None)] * 2, "x"))
    assert [status for status, _ in results] == ["unusable", "ok"] * 2
    message, code = results[0][1]
    assert code == "template.not_roster" and "bad.xlsx" in message
    assert checked_of(results[1][1]).roster.village == "王庄村"
