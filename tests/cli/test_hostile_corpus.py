"""The hostile corpus: what a county really throws at the command line, run in a child process.

Every input of the validate corpus (``test_validate_command.CASES``) is also computed and
noticed, and the families of #16 are added: bombs, far cells, OS faults, office lock files,
formula text, copies of rosters, hostile village names, totals lines, 序号-only rows, shifted
IDs. For each command line: no traceback, no 内部错误, no abort (the child must live), the exit
code the contract allows, no full ID or mobile number in anything printed, no temporary file
left, and the input untouched unless the command was asked to change it; for the outputs: no
formula made from user text, and every person accounted for.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import test_validate_command as vc
from _hostile import (
    Run,
    run_cli_batch,
    with_far_cell,
    with_inflated_sheet,
    with_members,
    with_unreferenced_member,
)
from _policy_variants import new_id, paid, unpaid, write

from xl_pension.core.policy import Policy
from xl_pension.core.schema import header
from xl_pension.io.atomic import temp_name
from xl_pension.io.faults import TEMP_PREFIX

FULL_ID = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ABORT_WORDS = ("Traceback", "内部错误", "panicked", "RUST_BACKTRACE", "Segmentation")
START = ["--start", "2024-05-06", "--phone", "0530-1234567"]


@dataclass
class Step:
    """One command line and the exit codes the contract allows for it."""

    argv: list[str]
    codes: frozenset[int]
    changes: bool = False  # the command may change its input file


@dataclass
class Hostile:
    """One hostile input or fault: the files it needs and the command lines run on them."""

    id: str
    build: Callable[[Path, Policy], list[Step]]
    after: Callable[[Path, list[Run]], None] | None = field(default=None, compare=False)


ANY = frozenset({0, 1, 2})
OK_OR_FINDINGS = frozenset({0, 1})
UNUSABLE = frozenset({2})


def on_file(path: Path, validate: frozenset[int], compute: frozenset[int] = ANY) -> list[Step]:
    """validate (with --json), compute -o and notice on one input file."""
    out = path.parent / "out"
    return [
        Step(["validate", str(path), "--json", str(out / f"{path.stem}.json")], validate),
        Step(["compute", str(path), "-o", str(out / f"{path.stem}_算.xlsx")], compute),
        Step(["notice", str(path), *START, "-o", str(out)], compute),
    ]


def from_validate_corpus(case: vc.Case) -> Hostile:
    """An input of the validate corpus (validated there), computed and noticed here."""

    def build(d: Path, policy: Policy) -> list[Step]:
        path = case.build(d, policy)
        out = d / "out"
        return [Step(["compute", str(path), "-o", str(out / "算.xlsx")], ANY),
                Step(["notice", str(path), *START, "-o", str(out)], ANY)]  # fmt: skip

    return Hostile(f"validate-corpus:{case.id}", build)


def roster(d: Path, policy: Policy, name: str = "王庄村.xlsx", n: int = 3, **kw) -> Path:
    people = [paid(350, 350) for _ in range(n)]
    return write(d / name, policy, people, **kw)


def single(make: Callable[[Path, Policy], Path], codes: frozenset[int]) -> Callable:
    return lambda d, policy: on_file(make(d, policy), codes)


def bomb_cases() -> list[Hostile]:
    def bomb(make: Callable[[Path, Path], Path]) -> Callable:
        def build(d: Path, policy: Policy) -> list[Step]:
            good = roster(d, policy, "原表.xlsx")
            path = make(good, d / "村表.xlsx")
            good.unlink()
            return [
                *on_file(path, UNUSABLE, UNUSABLE),
                Step(["compute", str(path), "--in-place"], UNUSABLE),
            ]

        return build

    return [
        Hostile("far-cell-XFD1048576", bomb(with_far_cell)),
        Hostile("far-cell-CV500000", bomb(lambda a, b: with_far_cell(a, b, "CV500000"))),
        Hostile("sheet-inflating-to-5GB", bomb(lambda a, b: with_inflated_sheet(a, b, 5))),
        Hostile("sheet-inflating-to-390MB", bomb(lambda a, b: with_inflated_sheet(a, b, 0.38))),
        Hostile("unreferenced-5GB-member", bomb(lambda a, b: with_unreferenced_member(a, b, 5))),
        Hostile(
            "10000-members",
            bomb(
                lambda a, b: with_members(a, b, {f"xl/media/{i}.bin": b"" for i in range(10_000)})
            ),
        ),
        Hostile(
            "zip-slip-member-name",
            lambda d, p: on_file(
                with_members(roster(d, p, "原表.xlsx"), d / "村表.xlsx", {"../../evil.txt": b"x"}),
                OK_OR_FINDINGS,
            ),
        ),
    ]


def _bytes(name: str, data: bytes) -> Callable:
    def make(d: Path, policy: Policy) -> Path:
        (d / name).write_bytes(data)
        return d / name

    return make


def _encrypted(d: Path, policy: Policy) -> Path:
    # An OLE compound file holding EncryptedPackage: what Excel writes for a password-protected book.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(24) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    body = "EncryptedPackage".encode("utf-16-le") + "EncryptionInfo".encode("utf-16-le")
    return _bytes("加密的.xlsx", header + bytes(512 - len(header)) + body + bytes(4096))(d, policy)


def _ods(d: Path, policy: Policy) -> Path:
    path = d / "名单.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')  # fmt: skip
    return path


def _csv_roster(d: Path, policy: Policy) -> Path:
    path = d / "花名册.csv"
    path.write_text(f"序号,姓名,公民身份号码\n1,王秀英,{new_id()}\n", encoding="gbk")
    return path


def _html_renamed(d: Path, policy: Policy) -> Path:
    html = "<html><body><table><tr><td>姓名</td></tr></table></body></html>"
    return _bytes("网页导出.xlsx", html.encode())(d, policy)


def _truncated(d: Path, policy: Policy) -> Path:
    good = roster(d, policy, "原.xlsx")
    data = good.read_bytes()
    good.unlink()
    return _bytes("半截.xlsx", data[: len(data) // 2])(d, policy)


def _edited(name: str, change: Callable[[openpyxl.Workbook], None]) -> Callable:
    def make(d: Path, policy: Policy) -> Path:
        path = roster(d, policy, name, n=4)
        wb = openpyxl.load_workbook(path)
        change(wb)
        wb.save(path)
        return path

    return make


def _hide_rows(wb: openpyxl.Workbook) -> None:
    for r in (3, 4):
        wb["花名册"].row_dimensions[r].hidden = True


def _merge(wb: openpyxl.Workbook) -> None:
    wb["花名册"].merge_cells("B3:B5")


def _year(wb: openpyxl.Workbook) -> None:
    for row in wb["_meta"].iter_rows():
        if row[0].value == "year":
            row[1].value = 2023


def _no_meta(wb: openpyxl.Workbook) -> None:
    del wb["_meta"]


def _seq_only(wb: openpyxl.Workbook) -> None:
    ws = wb["花名册"]
    for r in range(7, 207):
        ws.cell(r, 1, r - 2)


def _hand_totals(wb: openpyxl.Workbook) -> None:
    ws = wb["花名册"]
    cols = {c.value: c.column for c in ws[2] if c.value}
    ws.insert_rows(5)
    ws.cell(5, cols["序号"], "合计")
    ws.cell(5, cols["缴费档次"], 700)
    ws.cell(5, cols["实缴金额"], 700)


def _ids_into_names(wb: openpyxl.Workbook) -> None:
    ws = wb["花名册"]
    cols = {c.value: c.column for c in ws[2] if c.value}
    ws.cell(3, cols["姓名"], ws.cell(3, cols[header("id_number")]).value)
    ws.cell(4, cols["姓名"], "13812345678")


def _huge_text(wb: openpyxl.Workbook) -> None:
    ws = wb["花名册"]
    cols = {c.value: c.column for c in ws[2] if c.value}
    ws.cell(3, cols["村民小组"], "组" * 32_000)
    ws.cell(4, cols["村民小组"], "一组\u200b\ufeff\u202e")


def _formulas_in_text(d: Path, policy: Policy) -> list[Step]:
    people = [paid(350, 350, group=g) for g in ("=1+1", "+1+2", "@SUM(A1)", "-3+4")]
    path = write(d / "王庄村.xlsx", policy, people)
    return [
        Step(["compute", str(path), "--in-place"], frozenset({0}), changes=True),
        Step(["notice", str(path), *START], frozenset({0})),
        Step(["validate", str(path), "--annotate"], OK_OR_FINDINGS),
        Step(["remit", str(path)], OK_OR_FINDINGS),
    ]


def _no_user_formulas(d: Path, runs: list[Run]) -> None:
    for out in d.rglob("*.xlsx"):
        with zipfile.ZipFile(out) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    xml = z.read(name).decode("utf-8")
                    for f in re.findall(r"<f\b[^>]*>([^<]*)</f>", xml):
                        assert not re.fullmatch(r"1\+1|\+1\+2|@?SUM\(A1\)|-3\+4", f), (out, f)


def _people_said(n: int) -> Callable[[Path, list[Run]], None]:
    def check(d: Path, runs: list[Run]) -> None:
        said = [
            int(m)
            for r in runs
            if r.argv[0] == "validate"
            for m in re.findall(r"共 (\d+) 人", r.out)
        ]
        assert said and all(s == n for s in said), (n, said)

    return check


def fault_cases() -> list[Hostile]:
    def to_folder(d: Path, policy: Policy) -> list[Step]:
        src = roster(d, policy)
        (d / "结果").mkdir()
        return [Step(["compute", str(src), "-o", str(d / "结果")], UNUSABLE),
                Step(["validate", str(src), "--json", str(d / "结果")], UNUSABLE)]  # fmt: skip

    def long_name(d: Path, policy: Policy) -> list[Step]:
        src = roster(d, policy, "王" * 82 + ".xlsx")
        return [Step(["compute", str(src)], UNUSABLE), Step(["notice", str(src), *START], ANY)]

    def excel_lock(d: Path, policy: Policy) -> list[Step]:
        src = roster(d, policy)
        (d / f"~${src.name}").write_bytes(b"\0" * 165)
        return [Step(["compute", str(src), "--in-place"], UNUSABLE),
                Step(["validate", str(src), "--annotate", "--in-place"], UNUSABLE),
                Step(["validate", str(src)], frozenset({0}))]  # fmt: skip

    def symlink(d: Path, policy: Policy) -> list[Step]:
        real = roster(d, policy, "真表.xlsx")
        (d / "链接.xlsx").symlink_to(real)
        return [Step(["compute", str(d / "链接.xlsx"), "--in-place"], frozenset({0}), changes=True)]

    def leftover(d: Path, policy: Policy) -> list[Step]:
        src = roster(d, policy)
        (d / temp_name(src, 999_999_999)).write_bytes(b"half")
        return [Step(["compute", str(src), "--in-place"], frozenset({0}), changes=True)]

    def missing_policy(d: Path, policy: Policy) -> list[Step]:
        src = roster(d, policy)
        return [Step(["validate", str(src), "--policy", str(d / "无.toml")], UNUSABLE)]

    def emoji_name(d: Path, policy: Policy) -> list[Step]:
        return on_file(roster(d, policy, "王庄村😀𠀀.xlsx"), frozenset({0}))

    def missing_folder(d: Path, policy: Policy) -> list[Step]:
        return [Step(["summary", str(d / "无此文件夹"), "-o", str(d / "s.xlsx")], UNUSABLE),
                Step(["merge", str(d / "无此文件夹"), "-o", str(d / "m.xlsx")], UNUSABLE)]  # fmt: skip

    return [
        Hostile("output-is-a-folder", to_folder),
        Hostile("name-over-255-bytes", long_name),
        Hostile("excel-lock-file", excel_lock),
        Hostile("in-place-on-symlink", symlink),
        Hostile("leftover-temp-file", leftover, after=lambda d, r: None),
        Hostile("missing-policy-file", missing_policy),
        Hostile("emoji-and-extension-b-file-name", emoji_name),
        Hostile("missing-folder", missing_folder),
    ]


def folder_cases() -> list[Hostile]:
    def copies(d: Path, policy: Policy) -> list[Step]:
        t = d / "county" / policy.townships[0].name
        t.mkdir(parents=True)
        src = roster(t, policy)
        roster(t, policy, "李村.xlsx", village="李村")
        for name in ("王庄村 - 副本.xlsx", "王庄村(1).xlsx", "交来的.xlsx"):
            shutil.copy(src, t / name)
        return [Step(["summary", str(t), "-o", str(d / "s.xlsx")], frozenset({1})),
                Step(["merge", str(d / "county"), "-o", str(d / "m.xlsx")], frozenset({1}))]  # fmt: skip

    def bomb_among(d: Path, policy: Policy) -> list[Step]:
        t = d / policy.townships[0].name
        t.mkdir()
        good = roster(t, policy)
        with_far_cell(good, t / "坏表.xlsx")
        return [Step(["summary", str(t), "-o", str(d / "s.xlsx")], frozenset({1}))]

    def empty(d: Path, policy: Policy) -> list[Step]:
        (d / "空").mkdir()
        return [Step(["summary", str(d / "空"), "-o", str(d / "s.xlsx")], UNUSABLE)]

    return [
        Hostile("copies-of-a-roster", copies),
        Hostile("bomb-among-rosters", bomb_among),
        Hostile("empty-folder", empty),
    ]


def content_cases() -> list[Hostile]:
    return [
        Hostile("xls-ole", single(_bytes("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)), UNUSABLE)),
        Hostile("encrypted-ole-cfb", single(_encrypted, UNUSABLE)),
        Hostile("ods-without-roster", single(_ods, UNUSABLE)),
        Hostile("csv-roster", single(_csv_roster, ANY)),
        Hostile("html-renamed-xlsx", single(_html_renamed, UNUSABLE)),
        Hostile("truncated-xlsx", single(_truncated, UNUSABLE)),
        Hostile("random-bytes", single(_bytes("乱码.xlsx", bytes(range(256)) * 40), UNUSABLE)),
        Hostile("a-folder-named-xlsx", single(lambda d, p: (d / "表.xlsx").mkdir() or d / "表.xlsx", UNUSABLE)),
        Hostile("hidden-rows", single(_edited("隐藏.xlsx", _hide_rows), frozenset({0})), _people_said(4)),
        Hostile("merged-group-cells", single(_edited("合并.xlsx", _merge), OK_OR_FINDINGS), _people_said(4)),
        Hostile("meta-year-2023", single(_edited("去年.xlsx", _year), frozenset({0}))),
        Hostile("meta-missing", single(_edited("无meta.xlsx", _no_meta), frozenset({0}))),
        Hostile("seq-only-rows", single(_edited("预编号.xlsx", _seq_only), frozenset({0})), _people_said(4)),
        Hostile("hand-typed-totals", single(_edited("手工合计.xlsx", _hand_totals), frozenset({0})), _people_said(4)),
        Hostile("ids-pasted-into-names", single(_edited("错列.xlsx", _ids_into_names), frozenset({1}))),
        Hostile("huge-and-control-text", single(_edited("长文本.xlsx", _huge_text), OK_OR_FINDINGS)),
        Hostile("formula-text", _formulas_in_text, _no_user_formulas),
        Hostile(
            "unpaid-row",
            single(lambda d, p: write(d / "未缴.xlsx", p, [unpaid(), paid(350, 350)]), frozenset({0})),
        ),
    ]  # fmt: skip


HOSTILE = [
    *(from_validate_corpus(c) for c in vc.CASES if c.id != "rows_10000"),  # 10k: below
    *bomb_cases(),
    *fault_cases(),
    *folder_cases(),
    *content_cases(),
]


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 60, len(HOSTILE)
    assert len({h.id for h in HOSTILE}) == len(HOSTILE)


def _snapshot(d: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(d)): p.read_bytes()
        for p in d.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.mark.parametrize("part", [0, 1])
def test_hostile_corpus(part: int, tmp_path: Path, policy: Policy) -> None:
    cases = HOSTILE[part::2]  # two children; each bounds the peak memory of its commands
    plans: list[tuple[Hostile, Path, list[Step], dict[str, bytes]]] = []
    for i, case in enumerate(cases):
        d = tmp_path / f"c{i}"
        d.mkdir()
        steps = case.build(d, policy)
        plans.append((case, d, steps, _snapshot(d)))
    argvs = [s.argv for _, _, steps, _ in plans for s in steps]
    runs, peak = run_cli_batch(argvs, timeout=600)
    assert peak < 1024, peak
    it = iter(runs)
    for case, d, steps, before in plans:
        mine = [next(it) for _ in steps]
        for step, run in zip(steps, mine, strict=True):
            said = run.out + run.err
            where = (case.id, step.argv[0], run.code, said[-600:])
            assert run.code in step.codes, where
            assert not any(w in said for w in ABORT_WORDS), where
            assert not FULL_ID.search(said) and not MOBILE.search(said), where
            if run.code == 2:
                assert run.err.strip().startswith(("错误：", "参数错误")), where
        left = [p.name for p in d.rglob(f"{TEMP_PREFIX}*") if ".tmp" in p.name]
        assert not left, (case.id, left)
        if not any(s.changes for s in steps):  # inputs untouched by commands that only read
            now = _snapshot(d)
            assert {k: v for k, v in now.items() if k in before} == before, case.id
        if case.after is not None:
            case.after(d, mine)


def test_a_100000_row_roster_is_read_whole_within_the_limits(
    tmp_path: Path, policy: Policy
) -> None:
    src = vc.standard(tmp_path / "十万人.xlsx", policy, vc.people(100_000))
    (run,), peak = run_cli_batch([["validate", str(src)]], timeout=600)
    assert run.code in (0, 1), run.err[-500:]
    assert "共 100000 人" in run.out  # no row lost to the guard
    assert peak < 1024, peak
