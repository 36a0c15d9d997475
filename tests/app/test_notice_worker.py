"""The notice worker of a folder run: small, picklable results, the errors as data."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

from tests.cli.test_notice_command import county_folder, working_day_policy
from xl_pension.app.notice import FAILED, OK, REFUSED, UNUSABLE, NoticeJob, notice_file
from xl_pension.core.policy import Policy


def test_worker_returns_errors_as_small_results(tmp_path: Path, policy: Policy) -> None:
    src = tmp_path / "in"
    good = county_folder(src, policy, 1)[0]

    def job(path: Path, fmt: str = "both", skip: bool = False, policy_path=None) -> NoticeJob:
        wb = None if fmt == "html" else str(tmp_path / f"{path.stem}_公示.xlsx")
        html = None if fmt == "sheet" else str(tmp_path / f"{path.stem}_公示.html")
        return NoticeJob(str(path), policy_path, dt.date(2024, 5, 6), "", fmt, wb, html, skip)

    ok = pickle.loads(pickle.dumps(notice_file(job(good))))
    listed = len(ok.notice.rows) + ok.notice.unlisted  # the reserved tier: in the totals only
    assert ok.status == OK and ok.people == ok.notice.totals.people == listed > 0
    assert (tmp_path / "村0_公示.xlsx").exists() and (tmp_path / "村0_公示.html").exists()
    sheet_only = notice_file(job(good, "sheet"))
    assert sheet_only.notice.rows == [] and sheet_only.people == ok.people
    assert [p.name for p in sheet_only.backups] == ["村0_公示.bak.xlsx"]

    not_roster = notice_file(job(src / "说明.xlsx"))
    assert not_roster.status == UNUSABLE and not_roster.notice is None and not_roster.message
    refused = notice_file(job(src / "城关街道" / "坏村.xlsx"))
    assert refused.status == REFUSED and refused.code == "roster.has_errors"
    assert any(f.value == "张3" for f in refused.errors)
    assert not (tmp_path / "坏村_公示.html").exists()

    working = working_day_policy(tmp_path, policy)
    failed = notice_file(job(good, policy_path=str(working))._replace(start=dt.date(2099, 5, 6)))
    assert failed.status == FAILED and "2099" in failed.message and failed.exit_code == 2
    assert pickle.loads(pickle.dumps(failed)) == failed
