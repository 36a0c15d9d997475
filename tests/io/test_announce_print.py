"""The poster and the leaflet as headless Chromium prints them: one A4 page each, no text
below 10 pt, nothing cut, and a PNG about 1080 px wide for the village chat."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_announce_command import OFFICE_PHONE, SPECIALISTS, write_contacts
from tests.conftest import need_program
from xl_pension.cli import main
from xl_pension.io.browser import find_browser, print_pdf

pytestmark = pytest.mark.real_client

CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
A4_PT, A3_PT = (595.3, 841.9), (841.9, 1190.6)


def words(pdf: Path) -> list[tuple[float, str]]:
    """(box height in pt, text) of every word of the PDF (``pdftotext -bbox``)."""
    html = subprocess.run(
        [need_program("pdftotext"), "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [(float(m[4]) - float(m[2]), m[5]) for m in WORD.finditer(html)]


def page_info(pdf: Path) -> tuple[int, tuple[float, float]]:
    info = subprocess.run(
        [need_program("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1]), (float(size[1]), float(size[2]))


@pytest.fixture(scope="module")
def ten_pt_height(tmp_path_factory) -> float:
    """The box height pdftotext gives a 10 pt CJK line in the pages' font, printed the same way."""
    browser = find_browser() or need_program("chromium")
    folder = tmp_path_factory.mktemp("calibrate")
    html = folder / "ten.html"
    html.write_text(
        '<!DOCTYPE html><meta charset="utf-8"><style>@page{size:A4;margin:0}body{margin:20mm;'
        'font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif}</style>'
        '<p style="font-size:10pt">十磅校准文字</p>',
        encoding="utf-8",
    )
    ((height, _),) = words(print_pdf(browser, html, folder / "ten.pdf"))
    return height


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    need_program("chromium")
    folder = tmp_path_factory.mktemp("announce")
    rows = [["城关街道", "", OFFICE_PHONE], ["王庄村", *SPECIALISTS["王庄村"]]]
    contacts = write_contacts(folder / "c.xlsx", rows)
    out = folder / "out"
    args = ["--township", "城关街道", "--village", "王庄村", "--contacts", str(contacts)]
    assert main(["announce", *args, "-o", str(out)]) == 0
    return out


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize(
    ("kind", "last"),
    [("缴费通知", "城关街道办事处"), ("明白纸", "城关街道办事处")],
)
def test_one_a4_page_no_text_below_10pt_nothing_cut(printed, ten_pt_height, kind, last) -> None:
    pdf = printed / f"王庄村_{kind}.pdf"
    pages, size = page_info(pdf)
    assert pages == 1
    assert abs(size[0] - A4_PT[0]) < 2 and abs(size[1] - A4_PT[1]) < 2
    found = words(pdf)
    cjk = [(h, w) for h, w in found if CJK.search(w)]
    assert cjk and min(h for h, _ in cjk) >= ten_pt_height * 0.99, min(cjk)
    text = "".join(w for _, w in found)
    assert text.rstrip("0123456789年").endswith(last)  # the sign-off, the page's last line
    assert "有问题找谁" in text or "征缴工作专员" in text
    assert OFFICE_PHONE in text and SPECIALISTS["王庄村"][1] in text
    width, height = png_size(printed / f"王庄村_{kind}.png")
    assert 1000 <= width <= 1100 and abs(height / width - 297 / 210) < 0.02


def test_a3_poster_is_one_a3_page(tmp_path) -> None:
    need_program("chromium")
    out = tmp_path / "a3"
    args = ["--township", "城关街道", "--village", "王庄村", "--format", "pdf", "--paper", "A3"]
    assert main(["announce", *args, "-o", str(out)]) == 0
    pages, size = page_info(out / "王庄村_缴费通知.pdf")
    assert pages == 1 and abs(size[0] - A3_PT[0]) < 3 and abs(size[1] - A3_PT[1]) < 3


def test_the_one_run_a_file_printer_makes_the_same_page(printed, tmp_path) -> None:
    """Windows (Edge, Chrome) prints with one browser run per file: same page, same text."""
    from xl_pension.io.browser import CommandLinePrinter

    browser = find_browser() or need_program("chromium")
    html = printed / "王庄村_缴费通知.html"
    pdf, png = tmp_path / "p.pdf", tmp_path / "p.png"
    assert CommandLinePrinter(browser).render(html, pdf=pdf, png=png) == [pdf, png]
    assert page_info(pdf) == page_info(printed / "王庄村_缴费通知.pdf")
    assert [w for _, w in words(pdf)] == [w for _, w in words(printed / "王庄村_缴费通知.pdf")]
    assert png_size(png) == png_size(printed / "王庄村_缴费通知.png")
