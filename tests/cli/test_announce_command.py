"""``xl-pension announce`` as a township clerk runs it: posters and leaflets from the policy."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import xlsxwriter

from tests._policy_variants import TEN_TIERS, ten_tier_text, write_policy
from xl_pension.cli import main
from xl_pension.core.policy import Policy
from xl_pension.core.schema import CONTACT_COLUMNS
from xl_pension.io.browser import BROWSER_ENV
from xl_pension.reports.notice import chinese_date

ID_LIKE = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")
OFFICE_PHONE = "0530-7221234"
SPECIALISTS = {"王庄村": ("张建国", "13805301234"), "李庄村": ("刘秀英", "13905305678")}
HEADERS = [c.header for c in CONTACT_COLUMNS[1:]]  # 村, 专员, 电话


class _Page(HTMLParser):
    """Text of a page and the rows of its tier table (``<table class="tiers">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.rows: list[list[str]] = []
        self._in_table = self._in_cell = False
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("style", "title"):
            self._skip += 1
        if tag == "table" and ("class", "tiers") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag) -> None:
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "table":
            self._in_table = False
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._in_cell:
            self.rows[-1][-1] += data.strip()


def read_page(path: Path) -> _Page:
    """Parse a written page."""
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.flat = re.sub(r"\s+", "", "".join(page.text))
    return page


def poster_tiers(page: _Page) -> list[tuple[int, int, int]]:
    """(amount, subsidy, credited) of every column of the poster's horizontal tier table."""
    amounts, subsidies, credited = ([c.rstrip("※") for c in row[1:]] for row in page.rows)
    return [(int(a), int(s), int(c)) for a, s, c in zip(amounts, subsidies, credited, strict=True)]


def write_contacts(path: Path, rows: list[list[str]]) -> Path:
    """A contacts file as a clerk would type it (.csv or .xlsx, title row above the header)."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([HEADERS, *rows])
        return path
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["城关街道各村征缴工作专员"])
    for r, row in enumerate([HEADERS, *rows], start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return path


@pytest.fixture
def contacts(tmp_path: Path) -> Path:
    rows = [["城关街道", "", OFFICE_PHONE]]
    rows += [[v, n, p] for v, (n, p) in SPECIALISTS.items()]
    rows.append(["赵庄村", "", ""])  # no specialist yet
    return write_contacts(tmp_path / "专员.xlsx", rows)


def announce(*args: str) -> int:
    return main(["announce", "--format", "html", *args])


def test_poster_says_what_the_policy_says(tmp_path, contacts, policy: Policy, capsys) -> None:
    out = tmp_path / "out"
    assert announce("--township", "城关街道", "--contacts", str(contacts), "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "赵庄村" in err and "王庄村" not in err  # the village without a specialist is named
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        f"{v}_{k}.html" for v in ("王庄村", "李庄村", "赵庄村") for k in ("缴费通知", "明白纸")
    )
    page = read_page(out / "王庄村_缴费通知.html")
    assert poster_tiers(page) == [(t.amount, t.subsidy, t.amount + t.subsidy) for t in policy.tiers]
    start, end = policy.collection_start, policy.collection_end
    assert chinese_date(start) in page.flat and f"{end.month}月{end.day}日" in page.flat
    for channel in policy.channels:
        assert channel.name in page.flat and re.sub(r"\s+", "", channel.how) in page.flat
    assert "收据" in page.flat and "村经办人员" in page.flat  # offline, with a receipt
    assert "新增" in page.flat and "户口簿或身份证原件及复印件" in page.flat
    assert "补缴" in page.flat and "补缴没有政府补贴" in page.flat
    assert "城关街道人社所" in page.flat and OFFICE_PHONE in page.flat
    assert "张建国" in page.flat and "13805301234" in page.flat
    assert "刘秀英" not in page.flat  # another village's specialist
    restricted = [t for t in policy.tiers if t.restricted_to]
    for t in restricted:
        assert f"※{t.amount}元档只限" in page.flat
    for c in policy.categories:
        assert (c.name in page.flat) == c.is_government_paid  # 代缴 groups, never a person
    assert "早缴费、得补贴" in page.flat


def test_a_changed_policy_changes_the_poster_and_leaflet(tmp_path, contacts) -> None:
    path, ten = write_policy(tmp_path, "ten.toml", ten_tier_text())
    out = tmp_path / "out"
    assert announce("--policy", str(path), "--township", "城关街道", "--village", "王庄村",
                    "--contacts", str(contacts), "-o", str(out)) == 0  # fmt: skip
    poster = read_page(out / "王庄村_缴费通知.html")
    assert poster_tiers(poster) == [(a, s, a + s) for a, s in TEN_TIERS]
    assert "※" not in poster.flat and "只限" not in poster.flat
    leaflet = read_page(out / "王庄村_明白纸.html")
    rows = [r for r in leaflet.rows[1:]]
    assert [(int(a), int(s), int(c)) for a, s, c in rows] == [(a, s, a + s) for a, s in TEN_TIERS]
    assert (
        f"满{ten.pension.min_years}年" in leaflet.flat and f"{ten.pension.age}周岁" in leaflet.flat
    )


def test_no_personal_data_and_missing_contacts_leave_lines(tmp_path, policy, capsys) -> None:
    out = tmp_path / "out"
    assert announce("--township", "城关街道", "--village", "王庄村", "-o", str(out)) == 0
    err = capsys.readouterr().err
    assert "城关街道王庄村" in err and "没有乡镇人社所电话" in err
    for path in out.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not ID_LIKE.search(html) and not MOBILE.search(html)
        assert html.count('class="blank') >= 2  # 专员, phones: lines to fill by hand


def test_csv_contacts_and_office_phone_option(tmp_path) -> None:
    csv_file = write_contacts(tmp_path / "c.csv", [["王庄村", "张建国", "13805301234"]])
    out = tmp_path / "out"
    assert announce("--township", "371728001", "--contacts", str(csv_file), "--phone",
                    OFFICE_PHONE, "-o", str(out)) == 0  # fmt: skip
    flat = read_page(out / "王庄村_明白纸.html").flat
    assert "张建国" in flat and OFFICE_PHONE in flat


def test_unusable_contacts_file_is_one_sentence(tmp_path, capsys) -> None:
    bad = tmp_path / "名单.csv"
    bad.write_text("姓名,地址\n张三,王庄\n", encoding="utf-8")
    assert announce("--township", "城关街道", "--contacts", str(bad), "-o", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert "名单.csv" in err and "表头" in err and "Traceback" not in err


def test_without_a_browser_the_html_is_still_written(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "no-such-browser"))
    out = tmp_path / "out"
    assert main(["announce", "--township", "城关街道", "-o", str(out)]) == 0
    assert "没有安装 Chromium" in capsys.readouterr().err
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".html"]


def test_contact_rows_that_cannot_be_used_are_named_by_row(tmp_path, capsys) -> None:
    rows = [["王庄村", "张建国", "12345"], ["", "无村名", "13805301234"]]
    file = write_contacts(tmp_path / "c.csv", rows)
    assert (
        announce("--township", "城关街道", "--contacts", str(file), "-o", str(tmp_path / "o")) == 0
    )
    err = capsys.readouterr().err
    assert "c.csv 第 2 行" in err and "“12345”" in err
    assert "c.csv 第 3 行" in err and "没有填村名" in err
    county = [
        ["乡镇", "村", "专员", "电话"],
        ["火星镇", "甲村", "某", ""],
        ["渔沃街道", "乙村", "", ""],
    ]
    wide = tmp_path / "county.csv"
    with wide.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(county)
    out = tmp_path / "county"
    assert announce("--contacts", str(wide), "-o", str(out)) == 0
    assert "“火星镇”不是东明县的乡镇" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["乙村_明白纸.html", "乙村_缴费通知.html"]
