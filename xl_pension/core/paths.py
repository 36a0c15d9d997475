"""Where the project's data files are: jinja2 templates, ribbon sources, checked-in workbooks."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_REPO = _PACKAGE.parent


def templates_dir() -> Path:
    """The ``templates/`` folder: the repository's own in a checkout or editable install,
    otherwise the copy installed inside the package (``xl_pension/templates``)."""
    for candidate in (_REPO / "templates", _PACKAGE / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates/ not found; reinstall xl-pension")


def workbooks_dir() -> Path:
    """The repository's ``workbooks/`` folder (checked-in generated workbooks)."""
    return _REPO / "workbooks"
