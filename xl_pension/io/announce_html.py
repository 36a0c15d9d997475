"""The 缴费通知 poster and the 明白纸 leaflet as HTML, from the jinja2 templates in
``templates/announce/`` (county-editable), autoescaped, one A4 (or A3) page each."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

from ..core import catalogue as cat
from ..core.paths import templates_dir
from .atomic import atomic_path

TEMPLATE_FOLDER = "announce"
TEMPLATES = {"poster": "poster.html.j2", "leaflet": "leaflet.html.j2"}


@dataclass(frozen=True)
class Paper:
    """A sheet size (mm) and how much the A4 layout's type is scaled to fill it."""

    name: str
    width: float
    height: float
    scale: float


PAPERS = {
    "A4": Paper("A4", 210, 297, 1.0),
    "A3": Paper("A3", 297, 420, 1.4142),
}


@cache
def environment(folder: Path | None = None) -> jinja2.Environment:
    """Templates of ``templates/announce`` (or ``folder``): autoescaped, strict variables."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            folder or templates_dir() / TEMPLATE_FOLDER, encoding="utf-8"
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_page(
    kind: str, variables: dict[str, object], paper: str = "A4", folder: Path | None = None
) -> str:
    """The HTML of a poster or leaflet; a broken county edit is one Chinese sentence."""
    name = TEMPLATES[kind]
    try:
        template = environment(folder).get_template(name)
        return template.render({**variables, "paper": PAPERS[paper]})
    except jinja2.TemplateNotFound as exc:
        where = folder or templates_dir() / TEMPLATE_FOLDER
        raise cat.ANNOUNCE_TEMPLATE_MISSING.error(name=exc.name or name, folder=where) from None
    except jinja2.TemplateSyntaxError as exc:
        raise cat.ANNOUNCE_TEMPLATE_INVALID.error(
            "syntax", name=exc.name or name, line=exc.lineno, reason=exc.message
        ) from None
    except jinja2.UndefinedError as exc:
        raise cat.ANNOUNCE_TEMPLATE_INVALID.error(
            "undefined", name=name, reason=exc.message
        ) from None


def write_page(path: str | Path, html: str) -> Path:
    """Write one page's HTML atomically (UTF-8)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
