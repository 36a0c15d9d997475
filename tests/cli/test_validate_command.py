"""``xl-pension validate`` on a corpus of bad inputs generated here, the way rosters really arrive.

Every case is run through :func:`xl_pension.cli.main` with ``--json``. For each one: the exit code
(0 ok / 1 errors / 2 unusable), the JSON contract, the Excel row numbers in the console, one
Chinese line on stderr naming the file when the file is unusable, the input's bytes unchanged and
nothing but the JSON added to the folder. A few cases also run as a real subprocess to prove that
no traceback ever reaches the clerk.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from _policy_variants import ORDINARY_TIER

from xl_pension.cli import main
from xl_pension.core import idnum
from xl_pension.core.policy import Policy
from xl_pension.core.schema import BY_KEY, COLUMNS, DATA_START_ROW, HEADER_ROW, ROSTER_SHEET
from xl_pension.io.roster_writer import write_roster

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
INPUT_KEYS = (
    "seq",
    "group",
    "name",
    "id_number",
    "phone",
    "enrollment",
    "category",
    "tier",
    "method",
    "amount",
    "receipt",
    "pay_date",
    "remark",
)
NAMES = ("王秀英", "李建国", "张桂兰", "刘洋", "陈玉梅", "赵德胜", "孙丽", "周海军")
FINDING_KEYS = {"code", "severity", "sheet", "row", "column", "value", "message"}


# ---------------------------------------------------------------------------------------------
# Building blocks: valid people, the standardized roster, and hand-made workbooks
# ---------------------------------------------------------------------------------------------


def person_id(i: int) -> str:
    """A valid, unique ID of someone aged 16..59 on the policy's reference date."""
    born = dt.date(1966, 1, 1) + dt.timedelta(days=i % 14000)
    return idnum.make("371728", born, (i // 14000) % 1000)


def person(i: int, **changes: object) -> dict[str, object]:
    """Record ``i`` (Excel row ``DATA_START_ROW + i`` in a standard roster): paid online, clean."""
    rec: dict[str, object] = {
        "seq": i + 1,
        "group": "一组",
        "name": NAMES[i % len(NAMES)],
        "id_number": person_id(i),
        "phone": "13905301234",
        "enrollment": "续保",
        "category": "普通",
        "tier": ORDINARY_TIER,
        "method": "线上",
        "amount": ORDINARY_TIER,
        "pay_date": dt.date(2024, 5, 6),
    }
    rec.update(changes)
    return rec


def people(n: int, changes: dict[int, dict[str, object]] | None = None) -> list[dict[str, object]]:
    changes = changes or {}
    return [person(i, **changes.get(i, {})) for i in range(n)]


def standard(path: Path, policy: Policy, records: list[dict[str, object]]) -> Path:
    """A roster as ``xl-pension template`` / ``split`` writes it."""
    return write_roster(path, policy, policy.townships[0], "王庄村", records)


def col(key: str) -> int:
    """1-based column of a key in the standardized roster."""
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)


def plain(
    path: Path,
    records: list[dict[str, object]],
    *,
    keys: tuple[str, ...] = INPUT_KEYS,
    sheet: str = ROSTER_SHEET,
    above: tuple[str, ...] = ("东明县城关街道王庄村2024年度缴费花名册",),
) -> Path:
    """A hand-made roster (openpyxl, no ``_meta``): lines ``above``, a header row, the people.

    ``keys`` are schema keys (written as their Chinese header) or any other header text.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for line in above:
        ws.append([line])
    ws.append([BY_KEY[k].header if k in BY_KEY else k for k in keys])
    for rec in records:
        ws.append([rec.get(k) for k in keys])
    wb.save(path)
    return path


def edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """Open a workbook with openpyxl, change it the way a user would, save it."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def id_ending_in_x() -> str:
    for seq in range(1000):
        candidate = idnum.make("371728", dt.date(1975, 3, 2), seq)
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no ID with check character X")


def wrong_checksum(good: str) -> str:
    """The same ID with a wrong check character (never 0: "...0000" reads as a lost number)."""
    last = "7" if good[-1] != "7" else "3"
    return good[:-1] + last


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

Builder = Callable[[Path, Policy], Path]


@dataclass(frozen=True)
class Case:
    """One input: how to make it, and what ``validate`` must answer."""

    id: str
    build: Builder
    exit: int
    errors: frozenset[tuple[str, int | None]] | None = None  # exact (code, row) of the errors
    has: frozenset[str] = frozenset()  # codes that must be among the findings
    rows: int | None = None  # expected "rows" of the JSON
    word: str = ""  # for unusable files: a word the one-line message must contain
    code: str = "template.not_roster"  # for unusable files: the finding code in the JSON
    warnings: bool = False  # at least one warning expected
    extra: Callable[[dict, Path], None] | None = field(default=None, compare=False)


def E(*pairs: tuple[str, int | None]) -> frozenset[tuple[str, int | None]]:
    return frozenset(pairs)


NO_ERRORS: frozenset[tuple[str, int | None]] = frozenset()


def raw(name: str, data: bytes) -> Builder:
    def build(d: Path, policy: Policy) -> Path:
        p = d / name
        p.write_bytes(data)
        return p

    return build


def truncated_zip(d: Path, policy: Policy) -> Path:
    good = standard(d / "tmp_source.xlsx", policy, people(5)).read_bytes()
    (d / "tmp_source.xlsx").unlink()
    p = d / "半截.xlsx"
    p.write_bytes(good[: len(good) // 2])
    return p


def damaged_zip(d: Path, policy: Policy) -> Path:
    good = bytearray(standard(d / "tmp_source.xlsx", policy, people(300)).read_bytes())
    (d / "tmp_source.xlsx").unlink()
    start = len(good) // 3
    good[start : start + 4000] = bytes(4000)  # the directory at the end is intact, data is not
    p = d / "损坏.xlsx"
    p.write_bytes(bytes(good))
    return p


def zip_not_workbook(d: Path, policy: Policy) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("说明.txt", "这不是工作簿")
    p = d / "压缩包.xlsx"
    p.write_bytes(buf.getvalue())
    return p


def missing_file(d: Path, policy: Policy) -> Path:
    return d / "不存在.xlsx"


def no_roster_sheet(d: Path, policy: Policy) -> Path:
    return plain(d / "没有花名册.xlsx", people(3), sheet="Sheet1")


def no_header_row(d: Path, policy: Policy) -> Path:
    return plain(d / "无表头.xlsx", people(3), keys=("name", "phone", "tier"))


def header_too_low(d: Path, policy: Policy) -> Path:
    above = tuple(f"说明第 {i} 行" for i in range(1, 41))
    return plain(d / "表头太靠下.xlsx", people(3), above=above)


def column_missing_tier(d: Path, policy: Policy) -> Path:
    keys = tuple(k for k in INPUT_KEYS if k != "tier")
    return plain(d / "缺档次列.xlsx", people(2), keys=keys)


def columns_reordered(d: Path, policy: Policy) -> Path:
    return plain(d / "列顺序.xlsx", people(4), keys=tuple(reversed(INPUT_KEYS)))


def extra_columns(d: Path, policy: Policy) -> Path:
    keys = ("家庭住址", *INPUT_KEYS[:5], "户主姓名", *INPUT_KEYS[5:], "银行卡号")
    recs = [
        dict(r, 家庭住址="王庄村3号", 户主姓名="王大", 银行卡号="6228480000") for r in people(3)
    ]
    return plain(d / "多列.xlsx", recs, keys=keys)


def merged_group_cells(d: Path, policy: Policy) -> Path:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[ROSTER_SHEET]
        c = col("group")
        ws.merge_cells(start_row=3, start_column=c, end_row=6, end_column=c)
        ws.merge_cells(
            start_row=7, start_column=col("remark"), end_row=7, end_column=col("remark") + 2
        )

    return edit(standard(d / "合并单元格.xlsx", policy, people(6)), change)


def formulas_in_seq_and_remark(d: Path, policy: Policy) -> Path:
    recs = people(3)
    for i, r in enumerate(recs):
        r["seq"] = f"=ROW()-{DATA_START_ROW - 1}"
        r["remark"] = f'="第"&{i + 1}&"户"'
    return plain(d / "公式.xlsx", recs)


def formula_in_amount(d: Path, policy: Policy) -> Path:
    # openpyxl stores the formula without a cached value, so there is no amount in the file
    return plain(d / "金额公式.xlsx", people(2, {0: {"amount": "=100+200"}}))


def id_as_number(d: Path, policy: Policy) -> Path:
    return plain(d / "数值身份证.xlsx", people(3, {1: {"id_number": int(person_id(1)[:17] + "1")}}))


def id_scientific_text(d: Path, policy: Policy) -> Path:
    return plain(d / "科学计数.xlsx", people(3, {1: {"id_number": "3.71728E+17"}}))


def id_full_width(d: Path, policy: Policy) -> Path:
    return plain(d / "全角.xlsx", people(3, {1: {"id_number": full_width(person_id(1))}}))


def id_lowercase_x(d: Path, policy: Policy) -> Path:
    return standard(
        d / "小写x.xlsx", policy, people(3, {2: {"id_number": id_ending_in_x().lower()}})
    )


def id_inner_spaces(d: Path, policy: Policy) -> Path:
    i = person_id(0)
    spaced = f" {i[:6]} {i[6:14]} {i[14:]}\u3000"
    return standard(d / "空格.xlsx", policy, people(2, {0: {"id_number": spaced}}))


def id_old_15(d: Path, policy: Policy) -> Path:
    return standard(d / "旧号码.xlsx", policy, people(3, {2: {"id_number": "371728680512002"}}))


def names_with_dot(d: Path, policy: Policy) -> Path:
    changes = {0: {"name": "阿依古丽·买买提"}, 1: {"name": "热依拉•艾力"}}
    return standard(d / "少数民族.xlsx", policy, people(3, changes))


def name_40_chars(d: Path, policy: Policy) -> Path:
    return standard(d / "长姓名.xlsx", policy, people(2, {1: {"name": "王" * 40}}))


def text_dates(d: Path, policy: Policy) -> Path:
    texts = ["2024-05-06", "2024/5/6", "2024.5.6", "2024年5月6日", "20240506", " 2024-5-6 "]
    changes = {i: {"pay_date": t} for i, t in enumerate(texts)}
    return standard(d / "文本日期.xlsx", policy, people(len(texts), changes))


def bad_text_dates(d: Path, policy: Policy) -> Path:
    changes = {0: {"pay_date": "5月6日"}, 1: {"pay_date": "2024-13-01"}, 3: {"pay_date": "昨天"}}
    return standard(d / "错误日期.xlsx", policy, people(4, changes))


def amounts_as_text(d: Path, policy: Policy) -> Path:
    changes = {
        0: {"amount": f"{ORDINARY_TIER}元"},
        1: {"amount": f"￥{ORDINARY_TIER}", "tier": f"{ORDINARY_TIER}元"},
        2: {"amount": f"{ORDINARY_TIER}.00"},
        3: {"amount": f" {ORDINARY_TIER} "},
    }
    return standard(d / "文本金额.xlsx", policy, people(4, changes))


def amount_in_words(d: Path, policy: Policy) -> Path:
    return standard(d / "大写金额.xlsx", policy, people(2, {1: {"amount": "三百元"}}))


def hidden_row_with_mistake(d: Path, policy: Policy) -> Path:
    def change(wb: openpyxl.Workbook) -> None:
        wb[ROSTER_SHEET].row_dimensions[4].hidden = True

    recs = people(3, {1: {"id_number": wrong_checksum(person_id(1))}})
    return edit(standard(d / "隐藏行.xlsx", policy, recs), change)


def autofilter_on(d: Path, policy: Policy) -> Path:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[ROSTER_SHEET]
        ws.auto_filter.ref = f"A{HEADER_ROW}:{openpyxl.utils.get_column_letter(len(COLUMNS))}6"

    return edit(standard(d / "筛选.xlsx", policy, people(4)), change)


def rows_10000(d: Path, policy: Policy) -> Path:
    return standard(d / "一万人.xlsx", policy, people(10_000))


def header_moved_down(d: Path, policy: Policy) -> Path:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[ROSTER_SHEET]
        ws.insert_rows(1, 3)
        ws["A1"] = "填表单位：王庄村村委会"
        ws["A2"] = "填表人：王五"

    recs = people(3, {1: {"id_number": wrong_checksum(person_id(1))}})
    return edit(standard(d / "表头下移.xlsx", policy, recs), change)


def sheet_name_with_spaces(d: Path, policy: Policy) -> Path:
    return plain(d / "表名空格.xlsx", people(3), sheet=f" {ROSTER_SHEET} ")


def xlsm(d: Path, policy: Policy) -> Path:
    p = standard(d / "tmp_source.xlsx", policy, people(3))
    return p.rename(d / "带宏.xlsm")


def header_only(d: Path, policy: Policy) -> Path:
    return standard(d / "空表.xlsx", policy, [])


def clean(d: Path, policy: Policy) -> Path:
    return standard(d / "干净.xlsx", policy, people(5))


def only_warnings(d: Path, policy: Policy) -> Path:
    changes = {1: {"pay_date": dt.date(2024, 8, 1)}, 3: {"phone": "1390530123"}}
    return standard(d / "只有警告.xlsx", policy, people(5, changes))


def _mask_checked(data: dict, src: Path) -> None:
    # the ID in findings is masked: never all 18 characters
    for f in data["findings"]:
        if f["column"] == BY_KEY["id_number"].header and f["value"]:
            assert "*" in f["value"], f


def _meta_missing_warned(data: dict, src: Path) -> None:
    assert any(f["code"] == "template.meta_missing" for f in data["findings"])


def _no_rows(data: dict, src: Path) -> None:
    assert data["rows"] == 0 and data["findings"] == []


OLE_FILE = OLE_MAGIC + bytes(504)

CASES = [
    # unusable: exit 2, one line on stderr naming the file
    Case("zero_byte", raw("空文件.xlsx", b""), 2, word="空文件"),
    Case("text_renamed", raw("名单.xlsx", "姓名,身份证号码\n王秀英,1\n".encode()), 2, word="损坏"),
    Case("truncated_zip", truncated_zip, 2, word="损坏"),
    Case("damaged_zip", damaged_zip, 2, word="损坏"),
    Case("zip_not_workbook", zip_not_workbook, 2, word="损坏"),
    Case("xls_ole", raw("旧表.xls", OLE_FILE), 2, word=".xls"),
    Case("encrypted_ole_named_xlsx", raw("加密.xlsx", OLE_FILE), 2, word="密码"),
    Case("csv", raw("名单.csv", "姓名,身份证号码\n王秀英,1\n".encode("gbk")), 2, word="CSV"),
    Case("ods", raw("名单.ods", b"PK\x03\x04"), 2, word="损坏"),
    Case("missing_file", missing_file, 2, word="找不到", code="file.missing"),
    Case("no_roster_sheet", no_roster_sheet, 2, word=ROSTER_SHEET),
    Case("no_header_row", no_header_row, 2, word="表头"),
    Case("header_below_row_30", header_too_low, 2, word="表头"),
    # findings: exit 1
    Case(
        "column_missing_tier",
        column_missing_tier,
        1,
        has=frozenset({"template.column_missing"}),
        rows=2,
    ),
    Case("formula_in_amount", formula_in_amount, 1, E(("required.missing", 3))),
    Case("id_as_number", id_as_number, 1, E(("id.numeric", 4)), warnings=True, extra=_mask_checked),
    Case("id_scientific_text", id_scientific_text, 1, E(("id.numeric", 4)), extra=_mask_checked),
    Case("id_15_digit", id_old_15, 1, E(("id.format", 5)), extra=_mask_checked),
    Case("name_40_chars", name_40_chars, 1, E(("name.invalid", 4))),
    Case(
        "bad_text_dates",
        bad_text_dates,
        1,
        E(("date.invalid", 3), ("date.invalid", 4), ("date.invalid", 6)),
    ),
    Case("amount_in_words", amount_in_words, 1, E(("amount.invalid", 4))),
    Case(
        "hidden_row_still_checked",
        hidden_row_with_mistake,
        1,
        E(("id.checksum", 4)),
        extra=_mask_checked,
    ),
    Case("header_moved_down", header_moved_down, 1, E(("id.checksum", 7)), rows=3),
    # usable: exit 0 (warnings allowed)
    Case("clean", clean, 0, NO_ERRORS, rows=5),
    Case("only_warnings", only_warnings, 0, NO_ERRORS, warnings=True),
    Case("columns_reordered", columns_reordered, 0, NO_ERRORS, rows=4, extra=_meta_missing_warned),
    Case("extra_columns", extra_columns, 0, NO_ERRORS, rows=3),
    Case("merged_group_cells", merged_group_cells, 0, NO_ERRORS, rows=6),
    Case("formulas_in_seq_and_remark", formulas_in_seq_and_remark, 0, NO_ERRORS, rows=3),
    Case("id_full_width_digits", id_full_width, 0, NO_ERRORS),
    Case("id_lowercase_x", id_lowercase_x, 0, NO_ERRORS),
    Case("id_inner_spaces", id_inner_spaces, 0, NO_ERRORS),
    Case("names_with_dot", names_with_dot, 0, NO_ERRORS),
    Case("text_dates_several_formats", text_dates, 0, NO_ERRORS, rows=6),
    Case("amounts_as_text", amounts_as_text, 0, NO_ERRORS),
    Case("autofilter_on", autofilter_on, 0, NO_ERRORS, rows=4),
    Case("rows_10000", rows_10000, 0, NO_ERRORS, rows=10_000),
    Case("sheet_named_with_spaces", sheet_name_with_spaces, 0, NO_ERRORS, rows=3),
    Case("xlsm", xlsm, 0, NO_ERRORS, rows=3),
    Case("header_only_no_people", header_only, 0, NO_ERRORS, extra=_no_rows),
]
BY_ID = {c.id: c for c in CASES}


# ---------------------------------------------------------------------------------------------
# Checks shared by the corpus tests
# ---------------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def check_contract(data: dict, src: Path) -> None:
    """The ``--json`` contract of the design document."""
    assert set(data) == {"file", "rows", "findings", "counts"}
    assert data["file"] == str(src)
    assert isinstance(data["rows"], int) and data["rows"] >= 0
    assert isinstance(data["findings"], list)
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS, f
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", f["code"]), f
        assert f["severity"] in ("error", "warning", "unusable"), f
        assert f["row"] is None or (isinstance(f["row"], int) and f["row"] >= 1), f
        assert isinstance(f["sheet"], str) and isinstance(f["column"], str)
        assert isinstance(f["value"], str)
        assert isinstance(f["message"], str) and re.search(r"[\u4e00-\u9fff]", f["message"])
    n_warn = sum(f["severity"] == "warning" for f in data["findings"])
    assert data["counts"] == {"error": len(data["findings"]) - n_warn, "warning": n_warn}


HANG_SECONDS = 60


def run_case(case: Case, tmp_path: Path, policy: Policy, capsys) -> tuple[int, dict, str, str]:
    folder = tmp_path / "in"
    folder.mkdir()
    src = case.build(folder, policy)
    before = snapshot(folder)
    json_path = folder / "result.json"
    started = time.perf_counter()
    code = main(["validate", str(src), "--json", str(json_path)])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    after = snapshot(folder)
    # the input is byte-for-byte unchanged and only the JSON was added (no temp or partial files)
    assert set(after) - set(before) == {"result.json"}, sorted(after)
    assert {k: after[k] for k in before} == before
    # a guard against a file that makes validate hang, not a speed test (speed is measured in
    # benchmarks/): 10,000 rows took 13.6 s once on two loaded cores against a 10 s bound
    assert elapsed < HANG_SECONDS, f"validate took {elapsed:.1f} s"
    data = json.loads(json_path.read_text(encoding="utf-8"))
    check_contract(data, src)
    return code, data, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_corpus(case: Case, tmp_path: Path, policy: Policy, capsys) -> None:
    code, data, out, err = run_case(case, tmp_path, policy, capsys)
    src_name = Path(data["file"]).name
    assert code == case.exit, (out, err)
    if case.exit == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("错误：") and src_name in lines[0], lines[0]
        assert case.word in lines[0], lines[0]
        assert "Traceback" not in err
        assert data["rows"] == 0
        [f] = data["findings"]
        assert f["severity"] == "unusable" and f["code"] == case.code
        assert f["message"] in lines[0]
    else:
        errors = {(f["code"], f["row"]) for f in data["findings"] if f["severity"] == "error"}
        if case.errors is not None:
            assert errors == case.errors, data["findings"]
        assert case.has <= {f["code"] for f in data["findings"]}
        assert (code == 1) == bool(errors)
        if case.rows is not None:
            assert data["rows"] == case.rows
        if case.warnings:
            assert data["counts"]["warning"] > 0
        # the console shows the Excel row of each finding (the first 200 are listed)
        assert f"共 {data['rows']} 人" in out
        for f in data["findings"][:200]:
            if f["row"]:
                assert f"第 {f['row']} 行" in out
        for f in data["findings"]:  # rows are Excel rows below a header, never 0-based indexes
            if f["row"] and not f["code"].startswith("template."):
                assert f["row"] > HEADER_ROW
    if case.extra:
        case.extra(data, Path(data["file"]))


SUBPROCESS_CASES = [
    "zero_byte",
    "truncated_zip",
    "encrypted_ole_named_xlsx",
    "no_roster_sheet",
    "csv",
    "id_as_number",
    "clean",
]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_console_script_never_shows_a_traceback(
    case_id: str, tmp_path: Path, policy: Policy
) -> None:
    case = BY_ID[case_id]
    folder = tmp_path / "in"
    folder.mkdir()
    src = case.build(folder, policy)
    before = snapshot(folder)
    env = {k: v for k, v in os.environ.items() if k != "XL_PENSION_DEBUG"}
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "xl_pension.cli", "validate", str(src), "--json", "out.json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=folder,
        env=env,
        timeout=120,
    )
    assert proc.returncode == case.exit, proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    if case.exit == 2:
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误：") and src.name in lines[0]
    after = snapshot(folder)
    assert set(after) - set(before) == {"out.json"}
    assert {k: after[k] for k in before} == before
    check_contract(json.loads((folder / "out.json").read_text(encoding="utf-8")), src)


# ---------------------------------------------------------------------------------------------
# Exit codes and console output on ordinary rosters
# ---------------------------------------------------------------------------------------------


def test_warnings_only_exit_0(tmp_path: Path, policy: Policy, capsys) -> None:
    src = only_warnings(tmp_path, policy)
    assert main(["validate", str(src)]) == 0
    out = capsys.readouterr().out
    assert "错误 0 条，警告 2 条" in out
    assert "第 4 行 缴费日期" in out and "[date.outside_window]" in out
    assert "第 6 行 联系电话" in out and "[phone.invalid]" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [src.name]  # nothing written


def test_errors_exit_1_and_name_the_excel_rows(tmp_path: Path, policy: Policy, capsys) -> None:
    changes = {
        0: {"method": "线下"},  # no receipt
        2: {"id_number": wrong_checksum(person_id(2))},
        4: {"tier": 100, "amount": 100},  # reserved tier
    }
    src = standard(tmp_path / "r.xlsx", policy, people(6, changes))
    assert main(["validate", str(src)]) == 1
    captured = capsys.readouterr()
    assert "错误 3 条" in captured.out
    assert re.search(r"第 3 行 收据号.*\[receipt\.missing\]", captured.out)
    assert re.search(r"第 5 行 身份证号码（371728\*{8}\d{3}[\dX]）.*\[id\.checksum\]", captured.out)
    assert re.search(r"第 7 行 缴费档次.*\[tier\.restricted\]", captured.out)
    assert person_id(2)[:-1] not in captured.out  # the ID is masked on the console too
    assert "改正" in captured.err


def test_json_rows_and_findings_point_at_the_row_the_user_sees(
    tmp_path: Path, policy: Policy
) -> None:
    recs = people(4, {3: {"name": "王2"}})
    src = edit(
        standard(tmp_path / "r.xlsx", policy, recs),
        lambda wb: wb[ROSTER_SHEET].insert_rows(DATA_START_ROW, 5),  # five empty rows inserted
    )
    out = tmp_path / "r.json"
    assert main(["validate", str(src), "--json", str(out)]) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["rows"] == 4
    [f] = data["findings"]
    assert (f["code"], f["row"], f["column"], f["sheet"]) == (
        "name.invalid",
        DATA_START_ROW + 5 + 3,
        BY_KEY["name"].header,
        ROSTER_SHEET,
    )
    wb = openpyxl.load_workbook(src)
    assert wb[ROSTER_SHEET].cell(f["row"], col("name")).value == "王2"
