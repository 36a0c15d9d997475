"""Every paper output, printed through LibreOffice, has no text below 8 pt; a PNG of each page
is written under tmp/artifacts for a reviewer to look at.

The font size is computed from the glyph boxes ``pdftotext -bbox`` reports, calibrated in the
same LibreOffice run on a reference sheet printed at 100 % in a known size (the box height of a
font is a fixed multiple of its size).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import xlsxwriter
from _policy_variants import paid, unpaid, write
from conftest import libreoffice_convert_all, need_program

from xl_pension.cli import main
from xl_pension.core.policy import Policy
from xl_pension.io.print_layout import MIN_PRINTED_PT
from xl_pension.io.roster_writer import FONT

pytestmark = pytest.mark.real_client
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("XL_PENSION_ARTIFACTS", REPO / "tmp" / "artifacts"))
REFERENCE_PT = 10
_BOX = re.compile(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>')


def reference(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("参照")
    ws.write_string(
        0, 0, "校准文字 2024年 123", wb.add_format({"font_name": FONT, "font_size": REFERENCE_PT})
    )
    ws.set_paper(9)
    wb.close()
    return path


def boxes(pdf: Path) -> list[list[tuple[float, str]]]:
    """Per page: (box height, word) of every word."""
    tool = need_program("pdftotext")
    html = subprocess.run([tool, "-bbox", str(pdf), "-"], capture_output=True, check=True,
                          text=True).stdout  # fmt: skip
    return [
        [(float(b) - float(a), w) for a, b, w in _BOX.findall(p)] for p in html.split("<page")[1:]
    ]


def smallest_pt(pdf: Path, per_pt: float) -> tuple[float, str]:
    found = [(h / per_pt, w) for page in boxes(pdf) for h, w in page if w.strip()]
    return min(found)


def png(pdf: Path, name: str) -> None:
    tool = need_program("pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run([tool, "-png", "-r", "60", str(pdf), str(ARTIFACTS / name)], check=True)


@pytest.fixture(scope="module")
def printed(tmp_path_factory, policy: Policy) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("print")
    people = [paid(350, 350, method="线下", receipt=f"R-{i:03d}") for i in range(40)]
    people += [unpaid(), paid(500, 500)]
    src = write(d / "王庄村.xlsx", policy, people)
    assert main(["compute", str(src), "--in-place"]) == 0
    assert main(["notice", str(src), "--start", "2024-05-06", "--phone", "0530-1234567"]) == 0
    assert main(["remit", str(src)]) in (0, 1)
    files = {
        "reference": reference(d / "参照.xlsx"),
        "roster": src,
        "notice": d / "王庄村_公示.xlsx",
        "remit": next(d.glob("*解缴清单*.xlsx")),
    }
    pdfs = libreoffice_convert_all(list(files.values()), "pdf", d / "pdf")
    return dict(zip(files, pdfs, strict=True))


@pytest.fixture(scope="module")
def per_pt(printed: dict[str, Path]) -> float:
    heights = [h for page in boxes(printed["reference"]) for h, w in page if w.strip()]
    return min(heights) / REFERENCE_PT


@pytest.mark.parametrize("output", ["roster", "notice", "remit"])
def test_no_text_below_8_pt(printed: dict[str, Path], per_pt: float, output: str) -> None:
    size, word = smallest_pt(printed[output], per_pt)
    png(printed[output], output)
    with (ARTIFACTS / "smallest-pt.txt").open("a", encoding="utf-8") as fh:  # for the reviewer
        fh.write(f"{output}\t{size:.2f} pt\t{word}\n")
    assert size >= MIN_PRINTED_PT - 0.05, (output, round(size, 2), word)


def test_the_roster_prints_input_columns_first_and_every_page_names_its_people(
    printed: dict[str, Path],
) -> None:
    pages = [[w for _, w in page] for page in boxes(printed["roster"])]
    roster_pages = [p for p in pages if "序号" in p and "填表说明" not in "".join(p)]
    assert len(roster_pages) >= 2
    assert "身份证号码" in roster_pages[0] and "政府代缴" not in roster_pages[0]
    assert any("政府代缴" in p for p in roster_pages[1:])
    for page in roster_pages:  # 序号/村民小组/姓名 repeat on every page width
        assert {"序号", "姓名"} <= set(page)


def test_the_guide_is_readable_on_a4_portrait(printed: dict[str, Path], per_pt: float) -> None:
    pages = boxes(printed["roster"])
    guide = [p for p in pages if any("填表说明" in w for _, w in p)]
    assert guide, "填表说明 not printed"
    first = guide[0]
    start = pages.index(first)
    sizes = [h / per_pt for page in pages[start:] for h, w in page if w.strip()]
    assert min(sizes) >= MIN_PRINTED_PT - 0.05, min(sizes)
    with (ARTIFACTS / "smallest-pt.txt").open("a", encoding="utf-8") as fh:
        fh.write(f"填表说明\t{min(sizes):.2f} pt\n")
    title = next(w for _, w in first if "填表说明" in w)
    assert title.endswith("填表说明")  # the whole title on one line, not cut
    png(printed["roster"], "roster-and-guide")
