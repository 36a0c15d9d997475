"""Use case ``announce``: the village 缴费通知 posters and 明白纸 leaflets of a township.

:func:`make_announcements` builds the content from the policy (reports/announce), renders each
page to HTML from the county's templates (io/announce_html) and, when a Chromium-family browser
is installed, prints it to PDF and a PNG for the village chat (io/browser). It prints nothing:
it returns what was written, what was skipped and why, and which villages lack a contact; the
front end says so. :func:`load_contacts` turns a contacts file into a :class:`ContactBook`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..core import catalogue as cat
from ..core.contacts import Contact, ContactBook
from ..core.findings import Finding
from ..core.policy import Policy, Township
from ..core.values import phone_ok
from ..io.announce_html import PAPERS, render_page, write_page
from ..io.browser import find_browser, open_printer
from ..reports.announce import KINDS, Publicity, build_publicity, file_stem

HTML, PDF, PNG = "html", "pdf", "png"
FORMATS = (HTML, PDF, PNG)
PNG_WIDTH_PX = 1080  # about what a phone chat shows at full width

# (done, total, what) after each page; the front end draws it
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Target:
    """One poster + leaflet to make: a village of a township (either may be empty)."""

    township: str
    village: str

    @property
    def label(self) -> str:
        """How the place is named in messages."""
        return f"{self.township}{self.village}" or "全县"


@dataclass
class AnnounceResult:
    """What :func:`make_announcements` did."""

    written: list[Path] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    missing_contacts: list[str] = field(default_factory=list)  # villages without 专员 or phone
    missing_office: list[str] = field(default_factory=list)  # townships without an office phone
    browser: str | None = None  # the browser used; None: PDF/PNG were not made
    skipped: list[str] = field(default_factory=list)  # sentences: what was not made, and why


@dataclass
class ContactsLoaded:
    """A contacts file as a :class:`ContactBook`, with its warnings (findings on its rows)."""

    book: ContactBook
    warnings: list[Finding]
    townships: list[str]  # townships named in the file, in order (empty: no 乡镇 column)


def load_contacts(path: str | Path, policy: Policy, township: Township | None) -> ContactsLoaded:
    """Read a contacts file; rows without 乡镇 belong to ``township`` (when given)."""
    from ..core.places import TownshipMatcher
    from ..io.contacts import read_contacts

    file = read_contacts(path)
    matcher = TownshipMatcher(policy)
    book, warnings, townships = ContactBook(), [], []
    default = township.name if township else ""
    sheet = file.path.name
    for r in file.rows:
        name = default
        if r.township:
            found = matcher.match(r.township)
            if not isinstance(found, Township):
                warnings.append(
                    cat.CONTACTS_ROW_SKIPPED.at(
                        sheet, r.row, r.township, variant="township", township=r.township,
                        county=policy.county_name,
                    )
                )  # fmt: skip
                continue
            name = found.name
            if township and found != township:
                continue
            if name not in townships:
                townships.append(name)
        if not r.village:
            warnings.append(cat.CONTACTS_ROW_SKIPPED.at(sheet, r.row, variant="village"))
            continue
        if r.phone and not phone_ok(r.phone):
            warnings.append(cat.CONTACTS_PHONE.at(sheet, r.row, r.phone, phone=r.phone))
        book.add(name, r.village, Contact(r.name, r.phone))
    return ContactsLoaded(book, warnings, townships)


def describe_row(f: Finding) -> str:
    """A finding on a row of the contacts file as one line (for a message or the console)."""
    return f"专员名单 {f.sheet} 第 {f.row} 行：{f.message}"


def targets_for(
    township: Township | None,
    villages: Sequence[str],
    contacts: ContactsLoaded | None,
) -> list[Target]:
    """The places to make posters for: the villages asked for, else the contacts file's
    villages, else one poster for the township (or the county) with lines to fill by hand."""
    t = township.name if township else ""
    if villages:
        return [Target(t, v) for v in villages]
    if contacts is not None:
        if t or not contacts.townships:
            found = [Target(t, v) for v in contacts.book.villages_of(t)]
        else:
            found = [
                Target(tt, v) for tt in contacts.townships for v in contacts.book.villages_of(tt)
            ]
        if found:
            return found
    return [Target(t, "")]


def _publicity(
    policy: Policy, target: Target, book: ContactBook, office_phone: str, result: AnnounceResult
) -> Publicity:
    """The content of one target, noting in ``result`` which contacts are missing."""
    specialist = book.village(target.township, target.village) if target.village else None
    office = book.office(target.township)
    if office_phone and not (office and office.phone):
        office = Contact(office.name if office else "", office_phone)
    if target.village and not (specialist and specialist.complete):
        result.missing_contacts.append(target.label)
    lacks_office = target.township and not (office and office.phone)
    if lacks_office and target.township not in result.missing_office:
        result.missing_office.append(target.township)
    return build_publicity(
        policy, target.township, target.village, specialist=specialist, office=office
    )


def make_announcements(
    policy: Policy,
    targets: Sequence[Target],
    out_dir: str | Path,
    *,
    contacts: ContactBook | None = None,
    office_phone: str = "",
    formats: Collection[str] = FORMATS,
    paper: str = "A4",
    kinds: Sequence[str] = KINDS,
    progress: Progress | None = None,
) -> AnnounceResult:
    """Write the poster and the leaflet of every target into ``out_dir`` (a sub-folder per
    township when there are several): HTML always, PDF and PNG when asked and a browser is
    installed. ``office_phone`` is the township office's phone where the contacts have none."""
    out = Path(out_dir)
    result = AnnounceResult(targets=list(targets))
    printing = [f for f in (PDF, PNG) if f in formats]
    if printing:
        result.browser = find_browser()
        if result.browser is None:
            result.skipped.append(
                "本机没有安装 Chromium（或 Chrome、Edge）浏览器，未生成 PDF 和 PNG；"
                "已生成的网页（.html）可以用任何浏览器打开后打印（A4 纵向、不缩放）。"
            )
    book = contacts or ContactBook()
    several = len({t.township for t in targets}) > 1
    size = PAPERS[paper]
    total, done = len(targets) * len(kinds), 0
    with ExitStack() as stack:
        printer = stack.enter_context(open_printer(result.browser)) if result.browser else None
        for target in targets:
            pub = _publicity(policy, target, book, office_phone, result)
            folder = out / target.township if several and target.township else out
            for kind in kinds:
                stem = file_stem(pub, kind)
                page = render_page(kind, pub.template_vars(), paper)
                html = write_page(folder / f"{stem}.html", page)
                result.written.append(html)
                if printer is not None:
                    result.written += printer.render(
                        html,
                        pdf=folder / f"{stem}.pdf" if PDF in printing else None,
                        png=folder / f"{stem}.png" if PNG in printing else None,
                        page_mm=(size.width, size.height),
                        width_px=PNG_WIDTH_PX,
                    )
                done += 1
                if progress is not None:
                    progress(done, total, stem)
    return result


def page_html(
    policy: Policy,
    kind: str,
    township: str = "",
    village: str = "",
    *,
    contacts: ContactBook | None = None,
    office_phone: str = "",
    paper: str = "A4",
) -> str:
    """One poster or leaflet as HTML text (the web service serves it; the browser prints it),
    with the contacts found as :func:`make_announcements` finds them."""
    if kind not in KINDS:
        raise LookupError(kind)
    scratch = AnnounceResult()
    pub = _publicity(
        policy, Target(township, village), contacts or ContactBook(), office_phone, scratch
    )
    return render_page(kind, pub.template_vars(), paper)
