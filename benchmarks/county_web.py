"""The web service's county view, for ``benchmarks/county.py``: the stages ``web_store`` and
``web_county``.

``web_store`` (not timed against anything, like ``fill``) uploads every roster of the county
into a fresh SQLite store in ``WORK/web-store`` the way ``POST /api/rosters`` does (checked once,
stored as a new version of its village), two worker processes at a time. ``web_county`` then
asks the service, as the county account, for ``GET /api/county/merge`` and
``GET /api/county/merge.xlsx``: the county view, computed from the stored checked records only
(no roster is read). Its CPU seconds are compared with the raw read of the same rosters.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from functools import lru_cache
from pathlib import Path

PASSWORD = "benchmark-password"
WEB_SECONDS: dict[str, float] = {}  # the parts of web_county, reported with the stage


def _store_folder(work: Path) -> Path:
    return work / "web-store"


@lru_cache(maxsize=1)
def _worker(folder: str):
    """The store, the policy and the county account of this worker process."""
    from xl_pension.app.store import Store
    from xl_pension.core.policy import load_policy

    store = Store.open(folder)
    return store, load_policy(), store.user(name="county")


def _upload_one(job: tuple[str, str]) -> int:
    """Upload one roster as the county account; returns its rows."""
    from xl_pension.web.services import store_upload
    from xl_pension.web.uploads import Upload

    folder, path = job
    store, policy, county = _worker(folder)
    upload = Upload(Path(path).name, "xlsx", Path(path).read_bytes())
    stored = store_upload(store, county, upload, policy, keep_until=policy_end(policy))
    return stored.submission.rows


def policy_end(policy) -> dt.date:
    """The last day of the policy's year (how long the service keeps originals by default)."""
    return dt.date(policy.year, 12, 31)


def stage_web_store(work: Path, scale: str) -> int:
    """Every roster of the county uploaded into a fresh store (the service's own path)."""
    from xl_pension.app.accounts import add_account
    from xl_pension.app.parallel import map_files
    from xl_pension.app.store import Store
    from xl_pension.core.policy import load_policy

    folder = _store_folder(work)
    shutil.rmtree(folder, ignore_errors=True)
    store = Store.open(folder)
    add_account(store, load_policy(), "county", PASSWORD, role="county")
    store.close()
    files = [
        (str(folder), str(p))
        for p in sorted((work / "county").glob("*/*.xlsx"))
        if not p.stem.endswith(("_公示", "_解缴清单"))
    ]
    return sum(map_files(_upload_one, files, "上传花名册", workers=2))


def stage_web_county(work: Path, scale: str) -> int:
    """The county view from the store: the merge as JSON, then the merge workbook."""
    from starlette.testclient import TestClient

    from xl_pension.app.store import Store
    from xl_pension.core.policy import load_policy
    from xl_pension.web.app import WebConfig, create_app

    store = Store.open(_store_folder(work))
    try:
        app = create_app(WebConfig(store=store, policy=load_policy()))
        with TestClient(app) as client:
            r = client.post("/api/login", json={"username": "county", "password": PASSWORD})
            r.raise_for_status()
            t = time.perf_counter()
            merged = client.get("/api/county/merge")
            merged.raise_for_status()
            WEB_SECONDS["merge_json_s"] = time.perf_counter() - t
            t = time.perf_counter()
            book = client.get("/api/county/merge.xlsx")
            book.raise_for_status()
            WEB_SECONDS["merge_xlsx_s"] = time.perf_counter() - t
    finally:
        store.close()
    rows = sum(t["rows"] for t in merged.json()["ranking"])
    assert rows > 0 and book.content[:2] == b"PK"
    return rows
