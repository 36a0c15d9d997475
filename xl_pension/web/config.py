"""What the web service is configured with (:class:`WebConfig`) and its JSON error shape.

Kept apart from :mod:`.app` (which registers the routes) so that the route modules can import
it without importing the app that imports them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from starlette.responses import JSONResponse

from ..app.store import Store
from ..core.policy import Policy
from .auth import Throttle
from .uploads import Limits


@dataclass
class WebConfig:
    """Everything the service needs: the store, the policy and its limits."""

    store: Store
    policy: Policy
    limits: Limits = field(default_factory=Limits)
    keep_until: dt.date | None = None  # originals kept until (default: end of the policy year)
    throttle: Throttle = field(default_factory=Throttle)
    secure_cookie: bool = False  # set when served over HTTPS

    @property
    def keep_originals_until(self) -> dt.date:
        """The day uploaded originals may be purged after."""
        return self.keep_until or dt.date(self.policy.year, 12, 31)


def json_error(status: int, message: str, code: str = "error") -> JSONResponse:
    """A JSON error: ``{"error": message, "code": code}``."""
    return JSONResponse({"error": message, "code": code}, status_code=status)
