"""What the web service does with rosters, in one place: check an upload once and store it, and
build summaries, merges and downloads from the stored checked records.

This is the web's only door to the lower layers; the pages and the JSON API call nothing else.
It calls the same core/reports/io functions as the command line, so a download is value-equal
to the command's output on the same roster.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from ..app.bulk_objects import objects_in_bulk
from ..app.check import UsableRoster
from ..app.checked import CheckedRoster
from ..app.compute import COMPUTED_SUFFIX
from ..app.remit import REMIT_SUFFIX
from ..app.store import Store, Submission, User
from ..core import catalogue as cat
from ..core.errors import XlPensionError
from ..core.findings import Finding
from ..core.money import Money
from ..core.places import township_named, village_key
from ..core.policy import Policy, Township
from ..core.validation import Checked
from .uploads import Upload


class Forbidden(XlPensionError):
    """The user may not see or change this place."""


class Refused(XlPensionError):
    """The request cannot be done on this submission (e.g. errors left, original purged)."""


@dataclass(frozen=True)
class Stored:
    """A checked and stored upload."""

    submission: Submission
    findings: list[Finding]


def money_of(checked: Checked, policy: Policy) -> dict[int, Money | None]:
    """Money of every row (``None`` for rows with errors): as kept with the stored checked
    records, else (a submission of the first store schema) computed as the commands do."""
    return {p.row: checked.money_of(p, policy) for p in checked.people}


def check_upload(upload: Upload, policy: Policy) -> CheckedRoster:
    """Read and check one uploaded workbook, as the command line checks a roster file (written
    to a private temp file under a safe name of our own, so messages name the user's file and
    no uploaded path is ever used)."""
    from ..app.cache import check_now

    with tempfile.TemporaryDirectory(prefix="xl-pension-upload-") as tmp:
        path = Path(tmp) / upload.safe_name
        path.write_bytes(upload.data)
        return check_now(path, policy)


def place_of(
    meta: dict[str, str], upload: Upload, user: User, policy: Policy
) -> tuple[Township, str]:
    """The township and village of an uploaded roster, refused when the user may not upload it.

    The roster's ``_meta`` (or its file name for the village) says where it belongs; a roster
    that does not say is taken as the uploader's own township or village.
    """
    from ..reports.merge import resolve_place

    place = resolve_place(upload.safe_name, meta, policy)
    township = place.township if place.known else None
    village = place.village
    if township is None and not meta.get("township_name") and user.township:
        township = township_named(policy, user.township)
    if not village and user.role == "village":
        village = user.village
    if township is None or not village:
        raise cat.UPLOAD_PLACE_UNKNOWN.error(
            file=upload.name, problem=place.problem or "看不出是哪个乡镇、哪个村"
        )
    if user.role != "county" and township.name != user.township:
        raise Forbidden(
            f"{upload.name} 是{township.name}的花名册，您的账号只能上传{user.township}的花名册。"
        )
    if user.role == "village" and village_key(village) != village_key(user.village):
        raise Forbidden(
            f"{upload.name} 是{village}的花名册，您的账号只能上传{user.village}的花名册。"
        )
    return township, village


def store_upload(
    store: Store, user: User, upload: Upload, policy: Policy, keep_until: dt.date
) -> Stored:
    """Check an upload once and store it as a new version of its village."""
    checked = check_upload(upload, policy)
    township, village = place_of(checked.meta, upload, user, policy)
    submission = store.add_submission(
        user,
        checked,
        township=township.name,
        township_code=township.code,
        village=village,
        file_name=upload.name,
        original=upload.data,
        policy_id=policy.id,
        keep_until=keep_until,
    )
    return Stored(submission, checked.checked().findings)


# --- who may see what ----------------------------------------------------------------------


def may_see(user: User, township: str, village: str | None = None) -> bool:
    """True when ``user`` may see this township (and village)."""
    if user.role == "county":
        return True
    if township != user.township:
        return False
    return user.role == "township" or village_key(village or "") == village_key(user.village)


def visible_submission(store: Store, user: User, sid: int) -> Submission:
    """The submission, or :class:`Forbidden` / ``LookupError`` for the user."""
    submission = store.submission(sid)
    if submission is None:
        raise LookupError(sid)
    if not may_see(user, submission.township, submission.village):
        raise Forbidden("您的账号无权查看这份花名册。")
    return submission


# --- summaries and the county merge from the stored records ----------------------------------


def village_results(store: Store, policy: Policy, township: Township, *, details: bool = True):
    """The village results of the newest version of each village of a township."""
    from ..reports.village import village_result

    with objects_in_bulk():
        return [
            village_result(
                store.checked(s.id),
                policy,
                file=s.file_name,
                township=s.township,
                township_code=s.township_code,
                village=s.village,
                details=details,
            )
            for s in store.latest(township.code)
        ]


def township_summary(store: Store, policy: Policy, township: Township, report_date: dt.date):
    """The township summary (as ``summary`` makes it) and its 日报 paragraph."""
    from ..io.report_text import render_report
    from ..reports.summary import daily_context, summarize

    results = village_results(store, policy, township)
    summary = summarize(results, policy, report_date=report_date, place=township.name)
    return summary, render_report("daily.j2", daily_context(summary, policy))


@dataclass(frozen=True)
class _CountyView:
    """The last county merge made, and what it was made of."""

    store: Store
    policy: Policy
    date: dt.date
    versions: tuple[tuple[int, str], ...]  # (submission, file hash) of each village's newest
    merge: tuple


_county_lock = threading.Lock()
_county_view: _CountyView | None = None


def county_merge(store: Store, policy: Policy, date: dt.date):
    """The county merge (as ``merge`` makes it) of the newest version of every village, its
    conservation check and its 通报 paragraph.

    The county page, its JSON, workbook, picture and declarations all ask for it: the last one
    made is kept and given again while the same store and policy hold the same newest versions
    and the date is the same (an upload makes a new version, so a new merge). It is read-only.
    """
    global _county_view
    latest = store.latest()
    versions = tuple((s.id, s.sha256) for s in latest)
    with _county_lock:
        view = _county_view
    if (
        view is not None
        and view.store is store
        and view.policy is policy
        and (view.date, view.versions) == (date, versions)
    ):
        return view.merge
    merge = _merge_latest(store, policy, date, latest)
    with _county_lock:
        _county_view = _CountyView(store, policy, date, versions, merge)
    return merge


def _merge_latest(store: Store, policy: Policy, date: dt.date, latest: list[Submission]) -> tuple:
    """:func:`county_merge` made now from the stored records of ``latest``, one village at a
    time in the merge's order."""
    from ..io.report_text import render_report
    from ..reports.merge import (
        CountyMerge,
        RosterInput,
        bulletin_context,
        check_conservation,
        place_order,
        resolve_place,
    )

    metas = store.metas(s.id for s in latest)
    placed = []
    for s in latest:
        file = f"{s.township}/{s.file_name}"
        place = resolve_place(file, {**metas[s.id], "village": s.village}, policy)
        placed.append((s.id, file, place))
    merger = CountyMerge(policy)
    with objects_in_bulk():
        for sid, file, place in sorted(placed, key=lambda p: place_order(p[2], p[1])):
            merger.add(RosterInput(file, store.checked(sid), place))
        result = merger.result()
    report = render_report("county.j2", bulletin_context(result, policy, date))
    return result, check_conservation(result), report


# --- downloads of one submission -------------------------------------------------------------


def _original(store: Store, submission: Submission, folder: Path) -> Path:
    data = store.original(submission.id)
    if data is None:
        raise Refused(f"{submission.file_name} 的原始文件已按保存期限删除，请重新上传后再下载。")
    path = folder / (
        "roster.xlsm" if submission.file_name.lower().endswith(".xlsm") else "roster.xlsx"
    )
    path.write_bytes(data)
    return path


def _usable(
    store: Store, policy: Policy, submission: Submission, *, skip_invalid: bool
) -> UsableRoster:
    """The stored checked roster and its money, refused while it has errors (as the commands
    refuse) unless the rows with errors are to be skipped."""
    if submission.errors and not skip_invalid:
        raise Refused(
            f"{submission.file_name} 还有 {submission.errors} 条错误，请改正后重新上传；"
            "也可以勾选“跳过有错误的行”。"
        )
    checked = store.checked(submission.id)
    skipped = sorted({p.row for p in checked.people if p.has_error})
    return UsableRoster(checked, money_of(checked, policy), skipped)


def annotated(store: Store, submission: Submission, folder: Path) -> Path:
    """The workbook with its problems marked (``validate --annotate``)."""
    from ..io.workbook_plan import apply_planned
    from ..reports.marks_plan import marks_plan

    checked = store.checked(submission.id)
    out = folder / "annotated.xlsx"
    roster, findings = checked.roster, checked.findings
    apply_planned(
        _original(store, submission, folder),
        out,
        lambda anchor: marks_plan(roster, findings, anchor),
        roster.sheet,
    )
    return out


# The write-backs of a submission: file name -> what the download's name adds to the roster's.
WRITE_BACKS = {"computed.xlsx": COMPUTED_SUFFIX, "remit.xlsx": REMIT_SUFFIX}


def written_back(
    store: Store,
    policy: Policy,
    submission: Submission,
    folder: Path,
    what: str,
    *,
    skip_invalid: bool,
) -> Path:
    """``folder/what``, one of :data:`WRITE_BACKS`: ``computed.xlsx``, the workbook with its
    money columns filled (``compute``), or ``remit.xlsx``, the 缴费人清单 of offline payments
    (``remit``), written as the commands write them."""
    from ..app.compute import write_computed
    from ..app.remit import write_remit

    usable = _usable(store, policy, submission, skip_invalid=skip_invalid)
    out = folder / what
    if what == "computed.xlsx":
        write_computed(_original(store, submission, folder), out, usable)
    else:
        write_remit(out, usable, policy)
    return out


def notice_html(
    store: Store,
    policy: Policy,
    submission: Submission,
    start: dt.date,
    phone: str,
    *,
    skip_invalid: bool,
) -> str:
    """The 10-day public notice page (``notice --format html``)."""
    from ..io.notice_html import render_html
    from ..reports.notice import build_notice

    usable = _usable(store, policy, submission, skip_invalid=skip_invalid)
    return render_html([build_notice(usable.checked, usable.money, policy, start, phone).page()])
