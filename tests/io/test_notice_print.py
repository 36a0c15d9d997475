"""The notice as printed by real clients: headless Chromium (HTML) and LibreOffice (sheet)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.cli.test_notice_command import expected, make_roster, shown_headers
from tests.conftest import libreoffice_convert, need_program
from tests.reports.test_notice import ID_18, MOBILE_11, PHONE
from xl_pension.cli import main
from xl_pension.core import schema
from xl_pension.core.policy import Policy
from xl_pension.reports.notice import NOTICE_SHEET

pytestmark = pytest.mark.real_client

PERIOD = "2024年5月6日至2024年5月15日"
TITLE = "王庄村2024年度城乡居民基本养老保险缴费情况公示"
MASKED = re.compile(r"\d{6}\*{8}[\dX]{4}")


def chromium_pdf(html: Path, pdf: Path) -> Path:
    """Print an HTML file to PDF with headless Chromium (fresh profile, no network chatter)."""
    chromium = need_program("chromium")
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={pdf.parent / 'chromium-profile'}",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert pdf.exists() and pdf.stat().st_size > 0
    return pdf


def pages(pdf: Path) -> list[str]:
    """The text of every page (``pdftotext -layout``), page by page."""
    tool = need_program("pdftotext")
    info = subprocess.run(
        [need_program("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    out = []
    for n in range(1, count + 1):
        out.append(
            subprocess.run(
                [tool, "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    return out


def squeeze(text: str) -> str:
    """Text without spaces (pdftotext spreads table cells with blanks)."""
    return re.sub(r"\s+", "", text)


def header_line(text: str) -> str | None:
    """The line of a page holding the table header, spaces removed."""
    for line in text.splitlines():
        s = squeeze(line)
        if s.startswith(schema.header("seq")) and s.endswith(schema.header("subsidy")):
            return s
    return None


@pytest.fixture(scope="module")
def notice(tmp_path_factory, policy: Policy) -> dict[str, Path]:
    """A 200-person village and its notice."""
    folder = tmp_path_factory.mktemp("print")
    src = make_roster(folder / "王庄村.xlsx", policy, "王庄村", 200)
    assert main(["notice", str(src), "--start", "2024-05-06", "--phone", PHONE]) == 0
    return {"src": src, "xlsx": folder / "王庄村_公示.xlsx", "html": folder / "王庄村_公示.html"}


def check_printed(texts: list[str], src: Path, policy: Policy) -> None:
    """What every printed notice must show, whatever printed it."""
    headers = squeeze("".join(shown_headers(policy)))
    assert len(texts) >= 2
    assert TITLE in squeeze(texts[0]) and PERIOD in squeeze(texts[0])
    for n, text in enumerate(texts, start=1):
        # one page wide and the header row repeated: every page has the whole header line
        assert header_line(text) == headers, f"page {n} lacks the table header"
        # every page: the village on top, 特此公示 and the page number at the foot
        assert squeeze(text).startswith("城关街道王庄村2024年度缴费情况公示"), f"page {n} header"
        assert f"特此公示第{n}页共{len(texts)}页" in squeeze(text), f"page {n} number"
        assert not ID_18.search(text) and not MOBILE_11.search(text)
    assert TITLE not in squeeze(texts[1])
    everything = "\n".join(texts)
    paid, totals = expected(src, policy)
    printed = MASKED.findall(everything)
    assert sorted(printed) == sorted(m for m, _ in paid)  # each person once, none lost
    last = squeeze(texts[-1])
    total = f"{schema.TOTALS_LABEL}共{totals.people}人"
    assert f"{total}{totals.subsidy}" in squeeze(everything)
    assert last.index("王庄村村民委员会") < last.index(
        "2024年5月6日", last.index("王庄村村民委员会")
    )
    assert PHONE in squeeze(everything)


def test_chromium_prints_the_html_on_a4_with_repeated_header(notice, tmp_path, policy) -> None:
    pdf = chromium_pdf(notice["html"], tmp_path / "notice.pdf")
    texts = pages(pdf)
    check_printed(texts, notice["src"], policy)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size[1]) - 595.3) < 2 and abs(float(size[2]) - 841.9) < 2  # A4


def test_chromium_starts_each_village_on_a_new_page(tmp_path: Path, policy: Policy) -> None:
    for name, n, seed in (("甲村", 20, 11), ("乙村", 15, 12)):
        make_roster(tmp_path / "城关街道" / f"{name}.xlsx", policy, name, n, seed=seed)
    assert main(["notice", str(tmp_path), "--start", "2024-05-06"]) == 0
    texts = pages(chromium_pdf(tmp_path / "公示汇总.html", tmp_path / "all.pdf"))
    assert len(texts) == 2
    order = sorted(["甲村", "乙村"])  # the folder's files in name order
    for village, text in zip(order, texts, strict=True):
        # each village's own page header and title, and 特此公示 at the foot of its page
        page = squeeze(text)
        assert page.startswith(f"城关街道{village}2024年度缴费情况公示"), page[:40]
        assert f"{village}2024年度城乡居民基本养老保险缴费情况公示" in page[:80]
        assert page.endswith("特此公示"), page[-20:]


def test_libreoffice_prints_the_sheet_one_page_wide(notice, tmp_path, policy) -> None:
    # LibreOffice prints every visible sheet: print a copy where only 公示 is visible.
    wb = openpyxl.load_workbook(notice["xlsx"])
    for ws in wb.worksheets:
        if ws.title != NOTICE_SHEET:
            ws.sheet_state = "hidden"
    only = tmp_path / "公示.xlsx"
    wb.save(only)
    pdf = libreoffice_convert(only, "pdf", tmp_path / "lo")
    texts = pages(pdf)
    check_printed(texts, notice["src"], policy)
    rows_per_page = [len(MASKED.findall(t)) for t in texts]
    full = [n for n in rows_per_page if n][:-1]  # pages the table fills (not its last one)
    assert min(full) >= 30  # fitted to width only: rows stay readable
