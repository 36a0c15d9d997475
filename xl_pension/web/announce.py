"""The 缴费通知 poster and the 明白纸 leaflet of a village, served by the web service.

``GET /api/townships/{name}/announce/{kind}.html?village=V`` (kind: ``poster`` or ``leaflet``):
the page, rendered from the policy like ``xl-pension announce``; the browser prints it on A4.
The server holds no contacts file, so the 专员 and phones are lines to fill by hand. The pages
carry no personal data; the role check is the township page's (a village account: its own
village).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from . import services
from .api import api
from .auth import Session
from .config import WebConfig


@api
def announce_page(request: Request, config: WebConfig, session: Session) -> Response:
    """The poster or leaflet of ``?village=`` (the township's own when empty)."""
    from ..app.announce import page_html
    from ..core.places import township_named

    township = township_named(config.policy, request.path_params["name"])
    user = session.user
    village = request.query_params.get("village", "").strip()
    if user.role == "village" and not village:
        village = user.village
    if not services.may_see(user, township.name, village or None):
        raise services.Forbidden(f"您的账号无权查看{township.name}{village}的宣传材料。")
    html = page_html(config.policy, request.path_params["kind"], township.name, village)
    return HTMLResponse(html)


def routes() -> list[Route]:
    """The announce routes."""
    return [Route("/api/townships/{name}/announce/{kind}.html", announce_page)]
