"""Reading rosters the way village agents really leave them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from xl_pension.core.errors import EXIT_UNUSABLE, UnusableInputError
from xl_pension.core.schema import ROSTER_SHEET, header
from xl_pension.io.reader import read_roster
from xl_pension.io.roster_writer import write_roster

ID1 = "371728196805120023"
ID2 = "37293019750302121X"


def make_workbook(path: Path, rows: list[list[object]], sheet: str = ROSTER_SHEET) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_two_extra_rows_reordered_columns_spaced_headers_and_blank_rows(tmp_path: Path) -> None:
    head = [
        header("id_number") + " ",  # trailing space
        "\u3000" + header("name"),  # full-width space
        "缴费 档次",  # inner space
        "备注",
        "自编列",  # a column the schema does not know
    ]
    rows = [
        ["东明县某村花名册"],
        ["填表人：张三"],
        head,
        [ID1, "王秀英", 300, "", "x"],
        *[[None] * 5 for _ in range(5)],
        [ID2, "李强", "300元", "补录", None],
    ]
    roster = read_roster(make_workbook(tmp_path / "a.xlsx", rows))
    assert roster.header_row == 3
    assert roster.columns["id_number"] == 1 and roster.columns["name"] == 2
    assert roster.columns["tier"] == 3
    assert roster.extra_headers == {5: "自编列"}
    assert [r.row for r in roster.records] == [4, 10]
    assert [r.get("name") for r in roster.records] == ["王秀英", "李强"]
    assert roster.records[1].get("tier") == "300元"  # parsed later, not guessed here
    assert any(f.code == "template.meta_missing" for f in roster.findings)


def test_full_width_header_characters(tmp_path: Path) -> None:
    rows = [["姓名", "身份证号码", "缴费档次（自动）".replace("自动", "元")], ["王秀英", ID1, 300]]
    roster = read_roster(make_workbook(tmp_path / "b.xlsx", rows))
    assert set(roster.columns) == {"name", "id_number", "tier"}


def test_standard_roster_has_meta_and_no_findings(tmp_path: Path, policy) -> None:
    path = write_roster(
        tmp_path / "r.xlsx",
        policy,
        policy.townships[0],
        "王庄村",
        [{"name": "王", "id_number": ID1}],
    )
    roster = read_roster(path)
    assert roster.findings == []
    assert roster.township == "城关街道" and roster.village == "王庄村"
    assert roster.records[0].row == 3


def test_older_template_version_warns(tmp_path: Path, policy) -> None:
    path = write_roster(tmp_path / "r.xlsx", policy, None, "", extra_meta={})
    wb = openpyxl.load_workbook(path)
    for row in wb["_meta"].iter_rows():
        if row[0].value == "template_version":
            row[1].value = 0
    wb.save(path)
    codes = [f.code for f in read_roster(path).findings]
    assert codes == ["template.version"]


def assert_refused(path: Path, *words: str) -> None:
    with pytest.raises(UnusableInputError) as err:
        read_roster(path)
    e = err.value
    assert e.exit_code == EXIT_UNUSABLE
    assert "\n" not in e.message
    assert path.name in e.message
    for w in words:
        assert w in e.message
    assert e.code in ("template.not_roster", "file.missing")


def test_refuses_a_random_workbook(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "random.xlsx", [["a", "b"], [1, 2]], sheet="Sheet1")
    assert_refused(path, "花名册")


def test_refuses_a_roster_sheet_without_the_key_headers(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "nohead.xlsx", [["姓名", "电话"], ["王", "1"]])
    assert_refused(path, "身份证号码")


@pytest.mark.parametrize(
    ("name", "content", "word"),
    [
        ("empty.xlsx", b"", "空文件"),
        ("text.xlsx", "姓名,身份证号码\n".encode(), "损坏"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        ("list.csv", "姓名,身份证号码\n".encode(), "CSV"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "密码"),
        ("notes.docx", b"PK\x03\x04", ".xlsx"),
    ],
)
def test_refuses_files_that_are_not_workbooks(
    tmp_path: Path, name: str, content: bytes, word: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert_refused(path, word)


def test_refuses_a_truncated_zip(tmp_path: Path, policy) -> None:
    good = write_roster(tmp_path / "good.xlsx", policy, None, "")
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    assert_refused(bad)


def test_refuses_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "zip.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    assert_refused(path)


def test_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "nope.xlsx", "找不到")
