"""The Chinese pages of the web service (jinja2, autoescaped; a little vanilla JavaScript).

Pages read the same data as the JSON API, through :mod:`.services`, with the same role checks;
without a session they send the browser to the log-in page.
"""

from __future__ import annotations

import datetime as dt

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..app.accounts import ROLE_NAMES
from ..core.errors import XlPensionError
from ..core.paths import templates_dir
from ..core.places import township_named
from ..reports.summary import rate_text
from . import services
from .api_reports import duplicate_json, tally_json
from .auth import Session, current_session

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(templates_dir() / "web", encoding="utf-8"),
    autoescape=True,  # every user text is escaped
    undefined=jinja2.StrictUndefined,
)
TEMPLATES = Jinja2Templates(env=_ENV)


def _page(handler):
    """A page: a session or a redirect to the log-in; role refusals as a 403 page."""

    async def wrapper(request: Request) -> Response:
        config = request.app.state.config
        session = await run_in_threadpool(current_session, config.store, request)
        if session is None:
            return RedirectResponse("/login", status_code=303)
        try:
            name, context = await run_in_threadpool(handler, request, config, session)
        except services.Forbidden as exc:
            return _message(request, session, 403, exc.message)
        except LookupError:
            return _message(request, session, 404, "找不到这个页面或这份数据。")
        except XlPensionError as exc:
            return _message(request, session, 422, exc.message)
        return TEMPLATES.TemplateResponse(request, name, _base(session) | context)

    return wrapper


def _base(session: Session | None) -> dict:
    user = session.user if session else None
    return {
        "user": user,
        "role_name": ROLE_NAMES.get(user.role, "") if user else "",
        "csrf": session.csrf if session else "",
    }


def _message(request: Request, session: Session | None, status: int, message: str) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "message.html", _base(session) | {"message": message}, status_code=status
    )


async def login_page(request: Request) -> Response:
    """``GET /login``."""
    return TEMPLATES.TemplateResponse(request, "login.html", _base(None))


async def home(request: Request) -> Response:
    """``GET /``: each role's own first page."""
    config = request.app.state.config
    session = await run_in_threadpool(current_session, config.store, request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    user = session.user
    if user.role == "county":
        return RedirectResponse("/county", status_code=303)
    if user.role == "township":
        return RedirectResponse(f"/townships/{user.township}", status_code=303)
    return RedirectResponse("/upload", status_code=303)


@_page
def upload_page(request: Request, config, session: Session):
    """``GET /upload``: drop rosters (or a .zip of a folder); the user's recent uploads."""
    user = session.user
    code = None if user.role == "county" else township_named(config.policy, user.township).code
    recent = [
        s for s in config.store.submissions(code) if services.may_see(user, s.township, s.village)
    ]
    return "upload.html", {
        "recent": list(reversed(recent))[:50],
        "limit_mb": config.limits.file_bytes // 1024 // 1024,
    }


@_page
def submission_page(request: Request, config, session: Session):
    """``GET /submissions/{id}``: the findings table and the downloads."""
    s = services.visible_submission(config.store, session.user, request.path_params["sid"])
    return "submission.html", {
        "s": s,
        "findings": config.store.findings(s.id),
        "today": dt.date.today().isoformat(),
    }


@_page
def township_page(request: Request, config, session: Session):
    """``GET /townships/{name}``: each village's newest submission, progress, 日报."""
    township = township_named(config.policy, request.path_params["name"])
    user = session.user
    if user.role == "village" or not services.may_see(user, township.name):
        raise services.Forbidden(f"您的账号无权查看{township.name}的汇总。")
    latest = {s.village: s for s in config.store.latest(township.code)}
    summary, report = services.township_summary(
        config.store, config.policy, township, dt.date.today()
    )
    villages = [(v, latest[v.village], tally_json(v.tally)) for v in summary.villages]
    days = summary.days
    day_rows = list(zip(days.days, days.daily_totals, days.cumulative, strict=True))
    history = config.store.submissions(township.code)
    uploads_by_day: dict[str, int] = {}
    for s in history:
        key = s.uploaded_at.astimezone().date().isoformat()
        uploads_by_day[key] = uploads_by_day.get(key, 0) + 1
    return "township.html", {
        "township": township,
        "villages": villages,
        "total": tally_json(summary.total),
        "report": report,
        "days": day_rows,
        "uploads_by_day": sorted(uploads_by_day.items()),
        "rate_text": rate_text,
    }


@_page
def county_page(request: Request, config, session: Session):
    """``GET /county``: ranking, duplicates across villages, downloads."""
    if session.user.role != "county":
        raise services.Forbidden("只有县级账号可以查看全县页面。")
    result, conservation, report = services.county_merge(
        config.store, config.policy, dt.date.today()
    )
    ranking = [(rank, t, tally_json(t.tally)) for rank, t in result.ranking()]
    return "county.html", {
        "ranking": ranking,
        "duplicates": [duplicate_json(d) for d in result.duplicates],
        "total": tally_json(result.total),
        "report": report,
        "conservation": conservation,
        "listed": result.listed,
    }


def routes() -> list[Route]:
    """The page routes."""
    return [
        Route("/", home),
        Route("/login", login_page),
        Route("/upload", upload_page),
        Route("/submissions/{sid:int}", submission_page),
        Route("/townships/{name}", township_page),
        Route("/county", county_page),
    ]


__all__ = ["HTMLResponse", "routes"]
