"""The report paragraphs (日报, 通报) from the county-editable jinja2 templates in
``templates/report/``; the summary and county workbooks show them above their tables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..core import catalogue as cat
from ..core.paths import templates_dir


@lru_cache(maxsize=4)
def _environment(folder: Path) -> jinja2.Environment:
    """One template environment a folder: a template is compiled once a process (and again
    when its file changes: the loader checks its modification time)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder, encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(name: str, variables: dict[str, object]) -> str:
    """Render ``templates/report/<name>`` to one paragraph (its lines joined)."""
    folder = templates_dir() / "report"
    env = _environment(folder)
    try:
        text = env.get_template(name).render(variables)
    except jinja2.TemplateNotFound:
        raise cat.REPORT_TEMPLATE_MISSING.error(name=name, folder=folder) from None
    except (jinja2.TemplateSyntaxError, jinja2.UndefinedError) as exc:
        raise cat.REPORT_TEMPLATE_INVALID.error(name=name, reason=exc.message) from None
    return "".join(line.strip() for line in text.splitlines())
