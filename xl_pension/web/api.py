"""The JSON API and the downloads of the web service (see the design's web contract).

Every route but the log-in needs a session; the role check is in each route (through
:mod:`.services`): a village agent sees its village, a township clerk its villages, the county
everything. Errors are ``{"error": Chinese sentence, "code"}`` with 401/403/404/409/413/422.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..app.accounts import verify_password
from ..core import catalogue as cat
from ..core.errors import XlPensionError
from ..core.findings import count_by_severity
from ..core.places import township_named
from . import services
from .auth import COOKIE, SESSION_LIFETIME, Session, client_key, current_session, user_key
from .config import WebConfig, json_error
from .uploads import unpack

log = logging.getLogger("xl_pension.web")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def config_of(request: Request) -> WebConfig:
    """The service's configuration."""
    return request.app.state.config


def _errors_to_json(handler: Callable) -> Callable:
    """Run a handler (sync ones in the thread pool) with a session; errors become JSON."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        config = config_of(request)
        session = await run_in_threadpool(current_session, config.store, request)
        if session is None:
            return json_error(401, "请先登录。", "auth.required")
        try:
            return await handler(request, config, session)
        except services.Forbidden as exc:
            return json_error(403, exc.message, "auth.forbidden")
        except LookupError:
            return json_error(404, "找不到这份数据。", "not_found")
        except services.Refused as exc:
            return json_error(409, exc.message, exc.code)
        except XlPensionError as exc:
            return json_error(422, exc.message, exc.code)

    return wrapper


def api(handler: Callable) -> Callable:
    """An API route: async handlers as they are, sync ones in the thread pool."""
    import inspect

    if inspect.iscoroutinefunction(handler):
        return _errors_to_json(handler)

    async def threaded(request: Request, config: WebConfig, session: Session) -> Response:
        return await run_in_threadpool(handler, request, config, session)

    return _errors_to_json(functools.wraps(handler)(threaded))


# --- log-in -----------------------------------------------------------------------------------


async def login(request: Request) -> Response:
    """``POST /api/login`` ``{"username", "password"}`` → the CSRF token and the role."""
    config = config_of(request)
    try:
        body = await request.json()
        name, password = str(body["username"]), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return json_error(400, '请求格式不对：需要 JSON {"username", "password"}。', "bad_request")
    keys = (user_key(name), client_key(request))
    if config.throttle.blocked(*keys):
        return json_error(429, "登录失败次数过多，请 15 分钟后再试。", "auth.throttled")
    user = await run_in_threadpool(config.store.user, name=name.strip())
    if not await run_in_threadpool(verify_password, user, password):
        config.throttle.fail(*keys)
        return json_error(401, "用户名或密码不正确。", "auth.failed")
    config.throttle.forget(keys[0])
    token, csrf = await run_in_threadpool(config.store.start_session, user, SESSION_LIFETIME)
    response = JSONResponse(
        {"csrf": csrf, "role": user.role, "township": user.township, "village": user.village}
    )
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=config.secure_cookie,
        path="/",
    )
    log.info("login ok: user #%d (%s)", user.id, user.role)
    return response


@api
def logout(request: Request, config: WebConfig, session: Session) -> Response:
    """``POST /api/logout``: end the session."""
    config.store.end_session(session.token)
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@api
def me(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/me``: who is logged in (and the CSRF token, for pages opened later)."""
    u = session.user
    return JSONResponse(
        {
            "username": u.name,
            "role": u.role,
            "township": u.township,
            "village": u.village,
            "csrf": session.csrf,
        }
    )


# --- uploads and submissions ----------------------------------------------------------------


def submission_json(s, findings) -> dict:
    """A stored upload as the contract's JSON."""
    return {
        "submission": s.id,
        "file": s.file_name,
        "township": s.township,
        "village": s.village,
        "rows": s.rows,
        "uploaded_at": s.uploaded_at.isoformat(timespec="seconds"),
        "uploader": s.uploader,
        "findings": [f.to_dict() for f in findings],
        "counts": count_by_severity(findings),
    }


def _store_uploads(config: WebConfig, session: Session, files: list[tuple[str, bytes]]) -> Response:
    uploads = [u for name, data in files for u in unpack(name, data, config.limits)]
    results, failures = [], []
    for upload in uploads:
        try:
            stored = services.store_upload(
                config.store, session.user, upload, config.policy, config.keep_originals_until
            )
        except XlPensionError as exc:
            if len(uploads) == 1:
                raise
            status = 403 if isinstance(exc, services.Forbidden) else 422
            failures.append(
                {"file": upload.name, "status": status, "error": exc.message, "code": exc.code}
            )
            continue
        s = stored.submission
        log.info(
            "submission #%d stored: %d rows, %d errors, %d warnings",
            s.id,
            s.rows,
            s.errors,
            s.warnings,
        )
        results.append(submission_json(s, stored.findings))
    if len(uploads) == 1:
        return JSONResponse(results[0])
    return JSONResponse({"submissions": results, "failed": failures})


@api
async def upload(request: Request, config: WebConfig, session: Session) -> Response:
    """``POST /api/rosters`` multipart ``file`` (one or more; a roster or a .zip of a folder)."""
    limits = config.limits
    form = await request.form(max_files=limits.bundle_files, max_part_size=limits.request_bytes)
    files = []
    for item in form.getlist("file"):
        if isinstance(item, str):
            continue
        data = await item.read(limits.request_bytes + 1)
        files.append((item.filename or "花名册.xlsx", data))
    await form.close()
    if not files:
        err = cat.UPLOAD_MISSING.error()
        return json_error(422, err.message, err.code)
    return await run_in_threadpool(_store_uploads, config, session, files)


@api
def submission_list(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/submissions``: every version the user may see (newest first)."""
    u = session.user
    rows = config.store.submissions(None if u.role == "county" else _code(config, u.township))
    visible = [s for s in rows if services.may_see(u, s.township, s.village)]
    return JSONResponse(
        {
            "submissions": [
                submission_json(s, []) | {"counts": {"error": s.errors, "warning": s.warnings}}
                for s in reversed(visible)
            ]
        }
    )


@api
def submission_detail(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/submissions/{id}``: one version with its findings."""
    s = services.visible_submission(config.store, session.user, request.path_params["sid"])
    return JSONResponse(submission_json(s, config.store.findings(s.id)))


def _code(config: WebConfig, township: str) -> str:
    return township_named(config.policy, township).code


def _file(path: Path, name: str, media: str) -> Response:
    data = path.read_bytes()
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _stem(s) -> str:
    return Path(s.file_name).stem


def _skip(request: Request) -> bool:
    return request.query_params.get("skip_invalid") in ("1", "true", "on")


@api
def download(request: Request, config: WebConfig, session: Session) -> Response:
    """``GET /api/submissions/{id}/annotated.xlsx|computed.xlsx|remit.xlsx|notice.html``."""
    s = services.visible_submission(config.store, session.user, request.path_params["sid"])
    what = request.path_params["what"]
    store, policy = config.store, config.policy
    with tempfile.TemporaryDirectory(prefix="xl-pension-out-") as tmp:
        folder = Path(tmp)
        if what == "annotated.xlsx":
            return _file(services.annotated(store, s, folder), f"{_stem(s)}_校验.xlsx", XLSX)
        if what in services.WRITE_BACKS:
            out = services.written_back(store, policy, s, folder, what, skip_invalid=_skip(request))
            return _file(out, f"{_stem(s)}{services.WRITE_BACKS[what]}.xlsx", XLSX)
        if what in ("notice.html", "notice.pdf"):
            start = _date(request.query_params.get("start")) or dt.date.today()
            html = services.notice_html(
                store,
                policy,
                s,
                start,
                request.query_params.get("phone", ""),
                skip_invalid=_skip(request),
            )
            if what == "notice.html":
                return HTMLResponse(html)
            from ..io.browser import find_browser, print_pdf

            browser = find_browser()
            if browser is None:
                return json_error(
                    503,
                    "服务器上没有安装 Chromium，无法生成 PDF；请下载网页版后用浏览器打印。",
                    "pdf.unavailable",
                )
            page = folder / f"{_stem(s)}_公示.html"
            page.write_text(html, encoding="utf-8")
            pdf = print_pdf(browser, page, folder / "notice.pdf")
            return _file(pdf, f"{_stem(s)}_公示.pdf", "application/pdf")
    raise LookupError(what)


def _date(text: str | None) -> dt.date | None:
    from ..core.values import BadValue, parse_date

    if not text:
        return None
    try:
        return parse_date(text)
    except BadValue:
        raise XlPensionError(
            f"“{text}”不是日期，请写成 2024-05-06 的形式。", code="bad_date"
        ) from None


def routes() -> list[Route]:
    """The API routes (the reports' routes are in :mod:`.api_reports`)."""
    return [
        Route("/api/login", login, methods=["POST"]),
        Route("/api/logout", logout, methods=["POST"]),
        Route("/api/me", me),
        Route("/api/rosters", upload, methods=["POST"]),
        Route("/api/submissions", submission_list),
        Route("/api/submissions/{sid:int}", submission_detail),
        Route("/api/submissions/{sid:int}/{what}", download),
    ]
