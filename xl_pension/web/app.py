"""The ASGI application of ``xl-pension serve``: configuration, middleware and the route table.

Routes live in :mod:`.api` (JSON and downloads) and :mod:`.pages` (the Chinese pages); every
route is checked against the user's role there. This module adds what holds for every request:
the request size limit (413 before the body is read), the CSRF check on every POST but the
log-in, and errors turned into one Chinese sentence (never a traceback).
"""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from ..app.store import Store
from ..core import catalogue as cat
from ..core.paths import templates_dir
from . import announce, api, api_reports, pages
from .auth import csrf_ok, current_session
from .config import WebConfig, json_error
from .uploads import size_text

log = logging.getLogger("xl_pension.web")


class BodyLimit:
    """Refuse a request body over the configured limit with 413, by its Content-Length or while
    it streams in (the body is never read past the limit)."""

    def __init__(self, app: ASGIApp, config: WebConfig) -> None:
        self.app, self.config = app, config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.config.limits.request_bytes
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        refused = cat.UPLOAD_TOO_LARGE.error("request", limit=size_text(limit))
        too_big = json_error(413, refused.message, refused.code)
        if length is not None and (not length.isdigit() or int(length) > limit):
            await too_big(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def watched_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched_send)
        except _TooLarge:
            if not started:
                await too_big(scope, receive, send)


class _TooLarge(Exception):
    pass


class CsrfGuard:
    """Every POST but ``/api/login`` needs a session (401) and its CSRF token (403)."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app, self.store = app, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            from starlette.concurrency import run_in_threadpool
            from starlette.requests import Request

            request = Request(scope)
            if scope["path"] != "/api/login":
                session = await run_in_threadpool(current_session, self.store, request)
                if session is None:
                    await json_error(401, "请先登录。", "auth.required")(scope, receive, send)
                    return
                if not csrf_ok(session, request):
                    await json_error(
                        403, "请求缺少有效的 CSRF 令牌，请刷新页面后重试。", "auth.csrf"
                    )(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def create_app(config: WebConfig) -> Starlette:
    """The web service's ASGI app over ``config``."""
    routes = [
        *api.routes(),
        *api_reports.routes(),
        *announce.routes(),
        *pages.routes(),
        Mount("/static", StaticFiles(directory=templates_dir() / "web" / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={Exception: _internal_error})
    app.state.config = config
    app.add_middleware(CsrfGuard, store=config.store)
    app.add_middleware(BodyLimit, config=config)
    return app


async def _internal_error(request, exc: Exception) -> JSONResponse:
    # The type only: an exception's text or traceback could hold a roster's values.
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return json_error(500, "服务器内部错误，操作未完成；请稍后重试或联系技术人员。", "internal")


__all__ = ["Route", "WebConfig", "create_app", "json_error"]
