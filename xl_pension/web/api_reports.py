"""Township and county routes of the API: summaries, the merge, pictures, declarations, purge.

Everything here is computed from the stored checked records (no file is read again).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..app.bulk_objects import objects_in_bulk
from ..reports.summary import rate_text
from . import services
from .api import XLSX, _date, _file, api
from .auth import Session
from .config import WebConfig, json_error


def tally_json(t) -> dict:
    """Counts and money of a tally (village, township or county)."""
    m = t.totals
    return {
        "rows": t.rows,
        "expected": t.expected,
        "paid": t.paid,
        "unpaid": t.unpaid,
        "rate": rate_text(t.rate),
        "errors": t.errors,
        "warnings": t.warnings,
        "paying": m.people,
        "personal": m.personal_due,
        "government_paid": m.government_paid,
        "subsidy": m.subsidy,
        "backpay": m.backpay,
        "credited": m.credited,
    }


def _township(request: Request, config: WebConfig, session: Session):
    from ..core.places import township_named

    township = township_named(config.policy, request.path_params["name"])
    user = session.user
    if user.role == "village" or not services.may_see(user, township.name):
        raise services.Forbidden(f"您的账号无权查看{township.name}的汇总。")
    return township


def _report_date(request: Request) -> dt.date:
    return _date(request.query_params.get("date")) or dt.date.today()


@api
def township_summary(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/townships/{name}/summary``: one entry per village (its newest version)."""
    township = _township(request, config, session)
    latest = {s.village: s for s in config.store.latest(township.code)}
    summary, report = services.township_summary(
        config.store, config.policy, township, _report_date(request)
    )
    villages = []
    for v in summary.villages:
        s = latest[v.village]
        villages.append(
            {
                "village": v.village,
                "submission": s.id,
                "uploaded_at": s.uploaded_at.isoformat(timespec="seconds"),
                "uploader": s.uploader,
                **tally_json(v.tally),
            }
        )
    days = summary.days
    return JSONResponse(
        {
            "township": township.name,
            "date": summary.report_date.isoformat(),
            "report": report,
            "villages": villages,
            "total": tally_json(summary.total),
            "days": [
                {"date": d.isoformat(), "paid": n, "cumulative": c}
                for d, n, c in zip(days.days, days.daily_totals, days.cumulative, strict=True)
            ],
        }
    )


@api
def township_workbook(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/townships/{name}/summary.xlsx``: the workbook of ``summary``."""
    from ..app.summary import write_township_summary

    township = _township(request, config, session)
    summary, report = services.township_summary(
        config.store, config.policy, township, _report_date(request)
    )
    with tempfile.TemporaryDirectory(prefix="xl-pension-out-") as tmp:
        out = Path(tmp) / "summary.xlsx"
        write_township_summary(out, summary, config.policy, report=report, root=tmp)
        return _file(out, f"{township.name}乡镇汇总.xlsx", XLSX)


@api
def township_picture(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/townships/{name}/progress.png``: the progress picture of the township."""
    from ..app.pictures import township_picture as draw

    township = _township(request, config, session)
    summary, _ = services.township_summary(
        config.store, config.policy, township, _report_date(request)
    )
    return Response(draw(summary), media_type="image/png")


def _county(session: Session) -> None:
    if session.user.role != "county":
        raise services.Forbidden("只有县级账号可以查看全县合并数据。")


def duplicate_json(d) -> dict:
    """A person found in two villages (masked ID)."""

    def where(o) -> dict:
        return {"township": o.township, "village": o.village, "row": o.row}

    return {"masked_id": d.masked_id, "first": where(d.first), "later": where(d.later)}


@api
def county_merge(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/county/merge``: ranking, townships, duplicates and the conservation check."""
    _county(session)
    result, conservation, report = services.county_merge(
        config.store, config.policy, _report_date(request)
    )
    return JSONResponse(
        {
            "report": report,
            "ranking": [
                {
                    "rank": rank,
                    "township": t.township.name,
                    "villages": len(t.villages),
                    **tally_json(t.tally),
                }
                for rank, t in result.ranking()
            ],
            "villages": [
                {"township": v.township, "village": v.village, **tally_json(v.tally)}
                for v in result.villages
            ],
            "duplicates": [duplicate_json(d) for d in result.duplicates],
            "total": tally_json(result.total),
            "listed": result.listed,
            "conservation": {
                "ok": conservation.ok,
                "lines": conservation.lines,
                "differences": conservation.differences,
            },
        }
    )


@api
def county_workbook(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/county/merge.xlsx``: the workbook of ``merge``."""
    from ..app.merge import write_county

    _county(session)
    date = _report_date(request)
    with objects_in_bulk(), tempfile.TemporaryDirectory(prefix="xl-pension-out-") as tmp:
        result, conservation, report = services.county_merge(config.store, config.policy, date)
        out = Path(tmp) / "merge.xlsx"
        write_county(out, result, config.policy, conservation, report=report, root=tmp, date=date)
        return _file(out, "全县汇总.xlsx", XLSX)


@api
def county_picture(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/county/progress.png``: the county's ranking picture."""
    from ..app.pictures import county_picture as draw

    _county(session)
    result, _, _ = services.county_merge(config.store, config.policy, _report_date(request))
    return Response(draw(result, config.policy, _report_date(request)), media_type="image/png")


@api
def declarations(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/county/declarations.zip``: per township 批量申报清单 + 代缴申报表 (``declare``),
    from the stored checked records. Full ID numbers: county role only."""
    import io
    import zipfile

    from ..app.declare import declare_county

    _county(session)
    with objects_in_bulk(), tempfile.TemporaryDirectory(prefix="xl-pension-out-") as tmp:
        result, _, _ = services.county_merge(config.store, config.policy, _report_date(request))
        done = declare_county(result, Path(tmp), config.policy)
        if not done.written:
            return json_error(409, "还没有可申报的缴费记录。", "declare.empty")
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in done.written:
                zf.write(path, path.name)
    return Response(
        data.getvalue(),
        media_type="application/zip",
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''%E7%94%B3%E6%8A%A5%E6%B8%85%E5%8D%95.zip"
        },
    )


@api
async def purge(request: Request, config: WebConfig, session: Session) -> Response:
    """``POST /api/county/purge`` ``{"before": DATE}`` (default today; ``"all": true`` for every
    original): drop uploaded originals; the checked records stay."""
    from starlette.concurrency import run_in_threadpool

    _county(session)
    try:
        body = await request.json()
    except ValueError:
        body = {}
    before = dt.date.max if body.get("all") else _date(body.get("before"))
    dropped = await run_in_threadpool(config.store.purge_originals, before)
    return JSONResponse({"purged": dropped})


def routes():
    """The township and county routes."""
    from starlette.routing import Route

    return [
        Route("/api/townships/{name}/summary", township_summary),
        Route("/api/townships/{name}/summary.xlsx", township_workbook),
        Route("/api/townships/{name}/progress.png", township_picture),
        Route("/api/county/merge", county_merge),
        Route("/api/county/merge.xlsx", county_workbook),
        Route("/api/county/progress.png", county_picture),
        Route("/api/county/declarations.zip", declarations),
        Route("/api/county/purge", purge, methods=["POST"]),
    ]
