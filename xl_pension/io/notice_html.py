"""Notice text and HTML from the county-editable jinja2 templates in ``templates/notice/``.

The short texts (title, intro, footer, sign-off, the page header and footer) are rendered as
plain text and shared by the workbook sheet and the HTML page; the page itself
(``notice.html.j2``) is rendered with autoescaping, so a name or village with ``<`` or ``&`` in
it cannot break the markup (nor, through :func:`css_string`, the print CSS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..core import catalogue as cat
from ..core.notice_page import NoticePage
from ..core.paths import templates_dir
from ..core.schema import NOTICE_MONEY_KEYS, TOTALS_LABEL
from .atomic import atomic_path

TITLE_TEMPLATE = "notice_title.j2"
INTRO_TEMPLATE = "notice_intro.j2"
FOOTER_TEMPLATE = "notice_footer.j2"
SIGNOFF_TEMPLATE = "notice_signoff.j2"
PAGE_TEMPLATE = "notice_page.j2"
HTML_TEMPLATE = "notice.html.j2"
INDEX_TEMPLATE = "notice_index.html.j2"


@dataclass(frozen=True)
class NoticeTexts:
    """The rendered texts of one notice: paragraphs and lines without markup."""

    title: str
    intro: list[str]
    footer: list[str]
    signoff: list[str]
    page_header: str  # on top of every printed page (the village)
    page_footer: str  # at the foot of every printed page, before the page numbers


def css_string(text: object) -> Markup:
    """``text`` as a quoted CSS string that cannot end the string or the ``<style>`` element."""
    out = []
    for ch in str(text):
        if ch in '"\\<>&' or ord(ch) < 0x20:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


@cache
def environment(folder: Path | None = None) -> jinja2.Environment:
    """The template environment: ``templates/notice`` (or ``folder``), strict about unknown
    variables, autoescaping for ``*.html.j2`` only, and the ``css_string`` filter."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or templates_dir() / "notice", encoding="utf-8"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2", "html"), default_for_string=False, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["css_string"] = css_string
    return env


def _render(name: str, variables: dict[str, object], folder: Path | None) -> str:
    try:
        return environment(folder).get_template(name).render(variables)
    except jinja2.TemplateNotFound:
        raise cat.NOTICE_TEMPLATE_MISSING.error(
            name=name, folder=templates_dir() / "notice"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise cat.NOTICE_TEMPLATE_INVALID.error(
            "syntax", name=name, line=exc.lineno, reason=exc.message
        ) from None
    except jinja2.UndefinedError as exc:
        raise cat.NOTICE_TEMPLATE_INVALID.error(
            "undefined", name=name, reason=exc.message
        ) from None


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a rendered text: separated by blank lines, inner line breaks joined."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        joined = "".join(line.strip() for line in block.split("\n"))
        if joined:
            out.append(joined)
    return out


def notice_texts(page: NoticePage, folder: Path | None = None) -> NoticeTexts:
    """Title, intro, footer and sign-off of a notice, rendered from the text templates."""
    v = dict(page.variables)
    title = " ".join(_render(TITLE_TEMPLATE, v, folder).split())
    signoff = [s.strip() for s in _render(SIGNOFF_TEMPLATE, v, folder).splitlines() if s.strip()]
    page = [s.strip() for s in _render(PAGE_TEMPLATE, v, folder).splitlines() if s.strip()]
    page += [""] * (2 - len(page))
    return NoticeTexts(
        title=title,
        intro=paragraphs(_render(INTRO_TEMPLATE, v, folder)),
        footer=paragraphs(_render(FOOTER_TEMPLATE, v, folder)),
        signoff=signoff,
        page_header=page[0],
        page_footer=page[1],
    )


class _Items(dict):
    """A mapping for the templates whose keys are plain attributes too: ``c.header`` and
    ``c["header"]`` both work.

    jinja2 tries attribute access first: on a plain dict every ``c.cls`` or ``n.columns`` (once
    per table cell) would fail over to item access, slowly.
    """

    def __init__(self, **items: object) -> None:
        super().__init__(items)
        self.__dict__.update(items)


@cache
def _columns(shown: tuple[tuple[str, str], ...]) -> tuple[_Items, ...]:
    def cls(key: str) -> str:
        return "num" if key in NOTICE_MONEY_KEYS else "id" if key == "id_number" else ""

    return tuple(_Items(key=k, header=h, cls=cls(k)) for k, h in shown)


def combined_title(pages: Sequence[NoticePage]) -> str:
    """Title of a file with several villages' notices."""
    first = pages[0]
    townships = {p.township for p in pages}
    place = first.township if len(townships) == 1 else ""
    return f"{first.county}{place}{first.year}年度城乡居民基本养老保险缴费情况公示汇总"


def render_html(
    pages: Sequence[NoticePage], *, title: str | None = None, folder: Path | None = None
) -> str:
    """The HTML page of one or more notices (each village starts on a new printed page).

    Page numbers ("第 X 页 共 Y 页") are printed only for a single village: in a combined file
    they would count across villages.
    """
    if not pages:
        raise ValueError("no notices to render")
    notices = []
    for page in pages:
        texts = notice_texts(page, folder)
        columns = _columns(page.columns)
        classes = tuple(c.cls for c in columns)
        notices.append(
            _Items(
                texts=texts,
                columns=columns,
                rows=page.rows,  # for templates of earlier versions kept in a folder
                cells=[tuple(zip(classes, row, strict=True)) for row in page.rows],
                totals=page.totals,
                totals_line=partial(list, page.totals_line),  # called by the template
            )
        )
    if title is None:
        title = notices[0]["texts"].title if len(pages) == 1 else combined_title(pages)
    return _render(
        HTML_TEMPLATE,
        {
            "doc_title": title,
            "notices": notices,
            "totals_label": TOTALS_LABEL,
            "page_numbers": len(pages) == 1,
        },
        folder,
    )


def write_html(path: str | Path, pages: Sequence[NoticePage], *, title: str | None = None) -> Path:
    """Write the HTML of one or more notices atomically (UTF-8)."""
    html = render_html(pages, title=title)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path


@dataclass(frozen=True)
class IndexEntry:
    """One combined page listed on the index page."""

    label: str  # township (folder) name
    href: str  # the page, relative to the index, '/'-separated
    villages: int
    people: int


def write_index(path: str | Path, title: str, pages: Sequence[IndexEntry]) -> Path:
    """Write the index page that links the townships' combined notice pages (UTF-8)."""
    html = _render(INDEX_TEMPLATE, {"doc_title": title, "pages": pages}, None)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
