"""``xl-pension notice`` on real roster workbooks: outputs, people, totals, privacy, folders."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from tests.reports.test_notice import ID_18, MOBILE_11, PHONE, village_records
from xl_pension.app.cache import CACHE_NAME
from xl_pension.cli import main
from xl_pension.core import idnum, schema
from xl_pension.core.errors import XlPensionError
from xl_pension.core.money import person_money, totals_of
from xl_pension.core.paths import templates_dir
from xl_pension.core.policy import Policy
from xl_pension.core.validation import check_roster
from xl_pension.io.notice_html import render_html
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster
from xl_pension.reports.notice import NOTICE_SHEET, build_notice, chinese_date

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
START = "2024-05-06"


def make_roster(path: Path, policy: Policy, village: str, n: int = 200, seed: int = 7) -> Path:
    """A clean roster of ``n`` generated people (城关街道)."""
    write_roster(path, policy, policy.townships[0], village, village_records(policy, n, seed=seed))
    return path


def expected(path: Path, policy: Policy):
    """Paid people listed one by one (masked ID, name) and the totals of everyone who paid, as
    the roster itself computes them. People on a tier reserved for some categories are in the
    totals only, unless the policy lists them."""
    checked = check_roster(read_roster(path), policy)
    money = {p.row: person_money(p, policy) for p in checked.people}
    hidden = set()
    if not policy.notice_rules.list_restricted_tiers:
        hidden = {t.amount for t in policy.tiers if t.restricted_to}
    paid = sorted(
        (idnum.mask(p.id_number), p.name) for p in checked.people if p.paid and p.tier not in hidden
    )
    return paid, totals_of(money.values())


def shown_headers(policy: Policy) -> list[str]:
    """The notice table's headers under ``policy``."""
    return [h for k, h in schema.NOTICE_COLUMNS if k in policy.notice_rules.columns]


def notice_rows(ws) -> tuple[int, list[list[object]], list[object]]:
    """(header row, person rows, totals row) of a 公示 sheet."""
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(values) if r[0] == schema.header("seq"))
    body = []
    for r in values[head + 1 :]:
        if r[0] == schema.TOTALS_LABEL:
            return head + 1, body, r
        body.append(r)
    raise AssertionError("no totals line")


def html_people(html: str) -> list[tuple[str, str]]:
    """(masked ID, name) of every person row of the notice tables in an HTML page."""
    rows = re.findall(
        r'<tr><td class="">\d+</td><td class="">[^<]*</td><td class="">([^<]*)</td>'
        r'<td class="id">([^<]*)</td>',
        html,
    )
    return [(masked, name) for name, masked in rows]


def notice_sheet_strings(xlsx: Path) -> list[str]:
    """The 公示 sheet's XML part, then the text of each of its string cells (inline or shared)."""
    with zipfile.ZipFile(xlsx) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rid = next(
            s.get(f"{{{NS['r']}}}id")
            for s in wb.iterfind("m:sheets/m:sheet", NS)
            if s.get("name") == NOTICE_SHEET
        )
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(
            r.get("Target") for r in rels.iterfind("rel:Relationship", NS) if r.get("Id") == rid
        )
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        sheet_xml = z.read(part).decode("utf-8")
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in sst]
    sheet = ET.fromstring(sheet_xml)
    texts = [sheet_xml]
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        v = c.find("m:v", NS)
        if c.get("t") == "s" and v is not None:
            texts.append(shared[int(v.text)])
        elif c.get("t") == "inlineStr":
            texts.append("".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t")))
    return texts


def assert_private(texts: list[str]) -> None:
    """No full ID number and no mobile number in any of the texts."""
    for text in texts:
        assert not ID_18.search(text), ID_18.search(text)
        assert not MOBILE_11.search(text), MOBILE_11.search(text)


@pytest.fixture(scope="module")
def village(tmp_path_factory, policy: Policy) -> dict[str, Path]:
    """A 200-person roster and its notice (single-roster command)."""
    folder = tmp_path_factory.mktemp("village")
    src = make_roster(folder / "王庄村.xlsx", policy, "王庄村")
    before = src.read_bytes()
    assert main(["notice", str(src), "--start", START, "--phone", PHONE]) == 0
    assert src.read_bytes() == before  # the roster itself is untouched
    return {
        "src": src,
        "xlsx": folder / "王庄村_公示.xlsx",
        "html": folder / "王庄村_公示.html",
    }


def test_every_paid_person_once_with_the_rosters_totals(village, policy: Policy) -> None:
    paid, totals = expected(village["src"], policy)
    assert len(paid) > 150
    ws = openpyxl.load_workbook(village["xlsx"])[NOTICE_SHEET]
    _, body, total = notice_rows(ws)
    shown = sorted((r[3], r[2]) for r in body)
    assert shown == paid  # each paid person exactly once (paid list has no duplicates)
    assert [r[0] for r in body] == list(range(1, len(body) + 1))
    assert total[1] == f"共 {totals.people} 人" and totals.people > len(paid)  # 100 tier: totals
    assert total[-1] == totals.subsidy and total[-2] is None  # the tiers are not summed
    intro = " ".join(str(r[0]) for r in ws.iter_rows(max_row=4, values_only=True))
    assert (
        f"个人缴费合计 {totals.personal_due} 元，政府代缴合计 {totals.government_paid} 元" in intro
    )
    html = village["html"].read_text(encoding="utf-8")
    assert sorted(html_people(html)) == paid
    assert f'<td colspan="3" class="">共 {totals.people} 人</td>' in html
    assert f">{totals.subsidy}</td>" in html and f"政府代缴合计 {totals.government_paid} 元" in html


def test_sheet_layout_and_print_setup(village, policy: Policy) -> None:
    wb = openpyxl.load_workbook(village["xlsx"])
    assert wb.sheetnames == [NOTICE_SHEET]  # the notice only: no roster, no hidden sheet
    assert not wb.defined_names.keys() - {"_xlnm.Print_Titles", "_xlnm.Print_Area"}
    assert wb.active.title == NOTICE_SHEET
    ws = wb[NOTICE_SHEET]
    head, body, _ = notice_rows(ws)
    headers = [c.value for c in ws[head]]
    keys = ("seq", "group", "name", "id_number", "tier", "subsidy")
    assert headers == [schema.header(k) for k in keys] == shown_headers(policy)
    assert "王庄村" in ws["A1"].value and "公示" in ws["A1"].value
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    intro = " ".join(str(ws.cell(r, 1).value) for r in range(2, head))
    assert "2024年5月6日至2024年5月15日" in intro
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # fitToWidth left out means 1 (the OOXML default, which xlsxwriter does not write)
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == f"${head}:${head}"  # the header row repeats on every page
    # every printed page names the village and ends 特此公示
    assert "城关街道王庄村" in ws.oddHeader.center.text
    assert ws.oddFooter.center.text == "特此公示\u3000第 &P 页 共 &N 页"
    assert ws.cell(head, 1).border.left.style == "thin"
    tail = [ws.cell(r, 4).value for r in range(head + len(body) + 2, ws.max_row + 1)]
    assert tail[-2:] == ["王庄村村民委员会", "2024年5月6日"]


def output_texts(path: Path) -> list[str]:
    """Everything a written file holds as text: each XML part of a workbook (every sheet, hidden
    or not, shared strings, document properties, defined names), or an HTML page."""
    if path.suffix != ".xlsx":
        return [path.read_text(encoding="utf-8")]
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))]


def test_every_output_reveals_no_identity(tmp_path: Path, policy: Policy) -> None:
    records = village_records(policy, 80, seed=5)
    for rec in [r for r in records if r.get("tier") and r["category"] == "普通"][:4]:
        rec.update(category="低保对象", tier=500, amount=400)  # 代缴 on a tier of their own
    town = tmp_path / "城关街道"
    write_roster(town / "王庄村.xlsx", policy, policy.townships[0], "王庄村", records)
    make_roster(town / "李庄村.xlsx", policy, "李庄村", 30, seed=6)
    before = {p: p.read_bytes() for p in town.iterdir()}
    assert main(["notice", str(tmp_path), "--start", START, "--phone", PHONE]) == 0
    assert {p: p.read_bytes() for p in before} == before  # the rosters are untouched
    # the check-once cache beside the rosters (app/cache.py) is the rosters' internal copy, not
    # an output of the notice: it stays in the roster folder, hidden
    outputs = sorted(
        p for p in tmp_path.rglob("*") if p.is_file() and p not in before and p.name != CACHE_NAME
    )
    assert [p.name for p in outputs] == [
        "公示汇总.html", "李庄村_公示.html", "李庄村_公示.xlsx", "王庄村_公示.html", "王庄村_公示.xlsx"
    ]  # fmt: skip
    ids = [str(r["id_number"]) for r in records]
    phones = [str(r["phone"]) for r in records]
    categories = [c.name for c in policy.categories]
    assert any(r["category"] != "普通" and r.get("tier") for r in records)
    hidden = ("<th>个人缴费</th>", "<th>政府代缴</th>", ">个人缴费</", ">政府代缴</")
    for path in outputs:
        for text in output_texts(path):
            assert not ID_18.search(text), (path.name, ID_18.search(text))
            assert not MOBILE_11.search(text), (path.name, MOBILE_11.search(text))
            found = [x for x in ids + phones + categories if x in text]
            assert not found, (path.name, found)
            # by default no per-person 政府代缴 (nor 个人缴费, which differs from the tier by it)
            assert not [h for h in hidden if h in text], path.name
    ws = openpyxl.load_workbook(town / "王庄村_公示.xlsx")[NOTICE_SHEET]
    head, body, _ = notice_rows(ws)
    assert [c.value for c in ws[head]] == shown_headers(policy)
    assert {(r[4], r[5]) for r in body} <= {(t.amount, t.subsidy) for t in policy.tiers}


def test_in_place_backs_up_and_replaces_the_notice(tmp_path: Path, policy: Policy) -> None:
    src = make_roster(tmp_path / "李庄村.xlsx", policy, "李庄村", 30)
    original = src.read_bytes()
    assert main(["notice", str(src), "--in-place", "--start", START]) == 0
    assert (tmp_path / "李庄村.bak.xlsx").read_bytes() == original
    assert not (tmp_path / "李庄村_公示.xlsx").exists()
    assert main(["notice", str(src), "--in-place", "--start", "2024-06-01"]) == 0
    assert (tmp_path / "李庄村.bak2.xlsx").exists()
    wb = openpyxl.load_workbook(src)
    assert wb.sheetnames.count(NOTICE_SHEET) == 1 and wb.sheetnames[-1] == NOTICE_SHEET
    ws = wb[NOTICE_SHEET]
    text = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "2024年6月1日至2024年6月10日" in text and "2024年5月6日" not in text
    assert (tmp_path / "李庄村_公示.html").exists()


def test_refuses_a_roster_with_errors(tmp_path: Path, policy: Policy, capsys) -> None:
    records = village_records(policy, 20)
    records[4]["name"] = "张3"
    src = tmp_path / "赵庄村.xlsx"
    write_roster(src, policy, policy.townships[0], "赵庄村", records)
    assert main(["notice", str(src), "--start", START]) == 1
    err = capsys.readouterr().err
    assert "name.invalid" in err and "赵庄村.xlsx" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["赵庄村.xlsx"]
    assert main(["notice", str(src), "--start", START, "--skip-invalid"]) == 0
    html = (tmp_path / "赵庄村_公示.html").read_text(encoding="utf-8")
    reserved = {t.amount for t in policy.tiers if t.restricted_to}  # in the totals only
    other = next(
        r for i, r in enumerate(records) if i != 4 and "tier" in r and r["tier"] not in reserved
    )
    assert "张3" not in html and f'<td class="id">{idnum.mask(other["id_number"])}</td>' in html


def test_output_dir_and_default_start(tmp_path: Path, policy: Policy) -> None:
    src = make_roster(tmp_path / "甲村.xlsx", policy, "甲村", 12)
    out = tmp_path / "公示"
    assert main(["notice", str(src), "-o", str(out)]) == 0
    assert {p.name for p in out.iterdir()} == {"甲村_公示.xlsx", "甲村_公示.html"}
    html = (out / "甲村_公示.html").read_text(encoding="utf-8")
    assert chinese_date(dt.date.today()) in html


def test_bad_start_date_is_a_usage_error(tmp_path: Path, policy, capsys) -> None:
    src = make_roster(tmp_path / "乙村.xlsx", policy, "乙村", 5)
    with pytest.raises(SystemExit) as exit_:
        main(["notice", str(src), "--start", "五月六日"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "五月六日" in err and "2024-05-06" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["乙村.xlsx"]


def test_bad_phone_is_one_chinese_line(tmp_path: Path, policy, capsys) -> None:
    src = make_roster(tmp_path / "乙村.xlsx", policy, "乙村", 5)
    assert main(["notice", str(src), "--phone", "12345"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "12345" in err and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["乙村.xlsx"]


def test_folder_run(tmp_path: Path, policy: Policy, capsys) -> None:
    town = tmp_path / "城关街道"
    (town / "北片").mkdir(parents=True)
    make_roster(town / "王庄村.xlsx", policy, "王庄村", 40, seed=1)
    make_roster(town / "北片" / "李庄村.xlsx", policy, "李庄村", 25, seed=2)
    bad = village_records(policy, 15, seed=3)
    bad[2]["tier"] = 350
    write_roster(town / "赵庄村.xlsx", policy, policy.townships[0], "赵庄村", bad)
    (town / "~$王庄村.xlsx").write_bytes(b"lock")
    shutil.copy(town / "王庄村.xlsx", town / "王庄村.bak.xlsx")
    shutil.copy(town / "王庄村.xlsx", town / "王庄村_计算.xlsx")
    (tmp_path / "说明.xlsx").write_bytes(b"not a workbook")

    assert main(["notice", str(tmp_path), "--start", START]) == 1
    captured = capsys.readouterr()
    assert "赵庄村.xlsx" in captured.err and "说明.xlsx" in captured.err
    made = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*_公示.*"))
    assert made == [
        "城关街道/北片/李庄村_公示.html",
        "城关街道/北片/李庄村_公示.xlsx",
        "城关街道/王庄村_公示.html",
        "城关街道/王庄村_公示.xlsx",
    ]
    combined = (tmp_path / "公示汇总.html").read_text(encoding="utf-8")
    assert combined.count('<section class="notice"') == 2
    assert "王庄村2024年度" in combined and "李庄村2024年度" in combined
    assert "赵庄村2024年度" not in combined
    assert "break-before: page" in combined and "counter(pages)" not in combined
    assert_private([combined])
    for village in ("王庄村", "北片/李庄村"):
        paid, _ = expected(town / f"{village}.xlsx", policy)
        assert set(paid) <= set(html_people(combined))
    assert len(html_people(combined)) == sum(
        len(expected(town / f"{v}.xlsx", policy)[0]) for v in ("王庄村", "北片/李庄村")
    )

    # a second run does not take its own outputs, backups or lock files for rosters
    assert main(["notice", str(tmp_path), "--start", START, "--skip-invalid"]) == 0
    assert not list(tmp_path.rglob("*_公示_公示*"))
    assert (town / "赵庄村_公示.xlsx").exists()


def test_folder_output_dir_mirrors_subfolders(tmp_path: Path, policy: Policy) -> None:
    src = tmp_path / "in"
    make_roster(src / "城关街道" / "王庄村.xlsx", policy, "王庄村", 8, seed=4)
    make_roster(src / "渔沃街道" / "王庄村.xlsx", policy, "王庄村", 9, seed=5)
    out = tmp_path / "out"
    assert main(["notice", str(src), "--start", START, "-o", str(out)]) == 0
    assert (out / "城关街道" / "王庄村_公示.html").exists()
    assert (out / "渔沃街道" / "王庄村_公示.xlsx").exists()
    assert (out / "公示汇总.html").exists()
    assert not list(src.rglob("*_公示*"))


def test_empty_folder_is_unusable(tmp_path: Path, capsys) -> None:
    assert main(["notice", str(tmp_path)]) == 2
    assert "没有找到花名册" in capsys.readouterr().err


def test_templates_are_editable_without_code(tmp_path: Path, policy: Policy) -> None:
    folder = tmp_path / "notice"
    shutil.copytree(templates_dir() / "notice", folder)
    (folder / "notice_title.j2").write_text("{{ township }}{{ village }}缴费公示", encoding="utf-8")
    records = village_records(policy, 10)
    write_roster(tmp_path / "r.xlsx", policy, policy.townships[0], "丙村", records)
    checked = check_roster(read_roster(tmp_path / "r.xlsx"), policy)
    money = {p.row: person_money(p, policy) for p in checked.people}
    ctx = build_notice(checked, money, policy, dt.date(2024, 5, 6))
    html = render_html([ctx.page()], folder=folder)
    assert "<h1>城关街道丙村缴费公示</h1>" in html
    (folder / "notice_title.j2").write_text("{{ villlage }}", encoding="utf-8")
    with pytest.raises(XlPensionError, match="villlage"):
        render_html([ctx.page()], folder=folder)


def test_sheet_strings_helper_sees_the_notice_part(village) -> None:
    texts = notice_sheet_strings(village["xlsx"])
    assert any("王庄村" in t for t in texts[1:])
    assert any(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", t) for t in texts[1:])


# --- --format and folder runs in worker processes ----------------------------------------------


def county_folder(root: Path, policy: Policy, villages: int = 5) -> list[Path]:
    """``villages`` clean rosters in two townships' folders, a roster with an error (refused
    without --skip-invalid) and a file that is not a workbook; returns the clean rosters."""
    made = []
    for i in range(villages):
        town = "城关街道" if i % 2 == 0 else "渔沃街道"
        made.append(make_roster(root / town / f"村{i}.xlsx", policy, f"村{i}", 12 + i, seed=i))
    bad = village_records(policy, 10, seed=99)
    bad[1]["name"] = "张3"
    write_roster(root / "城关街道" / "坏村.xlsx", policy, policy.townships[0], "坏村", bad)
    (root / "说明.xlsx").write_bytes(b"not a workbook")
    return made


def working_day_policy(folder: Path, policy: Policy) -> Path:
    """A copy of the policy file that counts the notice period in working days."""
    text = Path(policy.path).read_text(encoding="utf-8")
    assert 'day_kind = "calendar"' in text
    path = folder / "working.toml"
    path.write_text(text.replace('day_kind = "calendar"', 'day_kind = "working"'), "utf-8")
    return path


def test_format_html_writes_no_workbooks(tmp_path: Path, policy: Policy, capsys) -> None:
    src = tmp_path / "in"
    county_folder(src, policy, 2)
    both, html = tmp_path / "both", tmp_path / "html"
    assert main(["notice", str(src), "--start", START, "-o", str(both)]) == 1
    capsys.readouterr()
    assert main(["notice", str(src), "--start", START, "-o", str(html), "--format", "html"]) == 1
    out = capsys.readouterr().out
    assert "工作表" not in out and f"汇总页面：{html / '公示汇总.html'}" in out
    made = sorted(str(p.relative_to(html)) for p in html.rglob("*") if p.is_file())
    assert made == [
        "公示汇总.html",
        "城关街道/公示汇总.html",
        "城关街道/村0_公示.html",
        "渔沃街道/公示汇总.html",
        "渔沃街道/村1_公示.html",
    ]
    for rel in made:  # the same pages as with the workbooks
        assert (html / rel).read_bytes() == (both / rel).read_bytes()
    assert not list(src.rglob("*_公示*"))


def test_format_of_one_roster(tmp_path: Path, policy: Policy, capsys) -> None:
    src = make_roster(tmp_path / "甲村.xlsx", policy, "甲村", 12)
    before = src.read_bytes()
    assert main(["notice", str(src), "--start", START, "--format", "html", "--in-place"]) == 0
    out = capsys.readouterr().out
    assert "甲村_公示.html" in out and "工作表" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["甲村.xlsx", "甲村_公示.html"]
    assert src.read_bytes() == before  # no sheet, so --in-place touches nothing
    (tmp_path / "甲村_公示.html").unlink()
    assert main(["notice", str(src), "--start", START, "--format", "sheet"]) == 0
    out = capsys.readouterr().out
    assert "甲村_公示.xlsx（只含公示" in out and ".html" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["甲村.xlsx", "甲村_公示.xlsx"]
    with pytest.raises(SystemExit):
        main(["notice", str(src), "--format", "pdf"])


@pytest.mark.parametrize("fmt", ["both", "html", "sheet"])
def test_folder_run_in_workers_is_the_same_as_in_one_process(
    tmp_path: Path, policy: Policy, capsys, monkeypatch, fmt: str
) -> None:
    src = tmp_path / "in"
    rosters = county_folder(src, policy)
    runs = {}
    for jobs in ("2", "1"):  # 7 files: a pool of 2 workers, then everything in this process
        monkeypatch.setenv("XL_PENSION_JOBS", jobs)
        out = tmp_path / f"out{jobs}"
        code = main(["notice", str(src), "--start", START, "-o", str(out), "--format", fmt])
        captured = capsys.readouterr()
        files = {
            str(p.relative_to(out)): p.read_bytes() if p.suffix == ".html" else None
            for p in out.rglob("*")
            if p.is_file()
        }
        runs[jobs] = (code, captured.out.replace(str(out), "OUT"), captured.err, files)
    assert runs["2"] == runs["1"]
    code, stdout, stderr, files = runs["2"]
    assert code == 1
    assert "Traceback" not in stderr
    # per-file messages in file order; the worker's own messages come with their file
    lines = stderr.splitlines()
    skipped = next(i for i, s in enumerate(lines) if s.startswith("跳过 说明.xlsx"))
    listed = next(i for i, s in enumerate(lines) if s.startswith("坏村.xlsx 有 1 条错误"))
    refused = next(i for i, s in enumerate(lines) if s.startswith("未生成 城关街道/坏村.xlsx"))
    assert listed < refused < skipped
    assert "张3" in "\n".join(lines[listed:refused])
    assert "已生成 5 个村的公示" in stdout
    assert ("公示汇总.html" in files) == (fmt != "sheet")
    assert any(f.endswith(".xlsx") for f in files) == (fmt != "html")
    if fmt != "sheet":
        index = files["公示汇总.html"].decode("utf-8")
        towns = ("城关街道", "渔沃街道")
        assert [f'href="{t}/公示汇总.html"' in index for t in towns] == [True, True]
        assert '<section class="notice"' not in index  # an index, not the whole county
        combined = "".join(files[f"{t}/公示汇总.html"].decode("utf-8") for t in towns)
        titles = re.findall(r"<h1>(村\d)2024年度", combined)
        expected_order = [p.stem for p in sorted(rosters, key=lambda p: p.relative_to(src).parts)]
        assert titles == expected_order  # villages in file order, as one process does them


def test_a_county_folder_gets_one_page_per_township_and_an_index(
    tmp_path: Path, policy: Policy
) -> None:
    src = tmp_path / "county"
    county_folder(src, policy)
    make_roster(src / "丙村.xlsx", policy, "丙村", 6, seed=42)  # sorts before the folders
    make_roster(src / "直属村.xlsx", policy, "直属村", 5, seed=43)  # and after them
    assert main(["notice", str(src), "--start", START, "--format", "html", "--skip-invalid"]) == 0
    index = (src / "公示汇总.html").read_text(encoding="utf-8")
    pages = re.findall(r'<a href="([^"]+)">([^<]+)</a></td><td class="num">(\d+)</td>'
                       r'<td class="num">(\d+)</td>', index)  # fmt: skip
    assert [(href, label) for href, label, _, _ in pages] == [
        ("城关街道/公示汇总.html", "城关街道"),
        ("渔沃街道/公示汇总.html", "渔沃街道"),
        ("公示汇总_本文件夹.html", "county"),  # the rosters directly in the folder
    ]
    for href, _, villages, people in pages:
        page = (src / href).read_text(encoding="utf-8")
        assert page.count('<section class="notice"') == int(villages)
        unlisted = sum(int(n) for n in re.findall(r"另有 (\d+) 人", page))  # 100 tier: totals
        assert len(html_people(page)) + unlisted == int(people)
    every = sorted(src.rglob("*_公示.html"))
    assert sum(int(v) for *_, v, _ in pages) == len(every)
    assert sum(int(p) for *_, p in pages) == sum(
        len(html_people(text)) + sum(int(n) for n in re.findall(r"另有 (\d+) 人", text))
        for text in (p.read_text("utf-8") for p in every)
    )


def test_other_errors_still_end_a_folder_run(
    tmp_path: Path, policy: Policy, capsys, monkeypatch
) -> None:
    src = tmp_path / "in"
    county_folder(src, policy, 4)
    working = working_day_policy(tmp_path, policy)
    monkeypatch.setenv("XL_PENSION_JOBS", "2")
    argv = ["notice", str(src), "--start", "2099-05-06", "--policy", str(working)]
    assert main([*argv, "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("错误：") and "2099" in last
    assert not (tmp_path / "out").exists()
