"""The demo county as a new user runs it: files written, and validation finds exactly the
mistakes the generator planted (no more, no less)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xl_pension.cli import main
from xl_pension.core.policy import load_policy
from xl_pension.core.validation import check_roster
from xl_pension.io.reader import read_roster


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo-2024"
    assert main(["demo", "-o", str(out)]) == 0
    return out


def rosters(demo_dir: Path) -> list[Path]:
    root = demo_dir / "村级花名册"
    return sorted(p for p in root.glob("*/*.xlsx") if not p.stem.endswith("_解缴清单"))


def test_demo_writes_3_townships_of_4_villages(demo_dir: Path) -> None:
    files = rosters(demo_dir)
    assert len(files) == 12
    assert len({p.parent.name for p in files}) == 3
    for p in files:
        assert p.with_name(f"{p.stem}_解缴清单.xlsx").exists()
        people = len(read_roster(p).records)
        assert 50 <= people <= 300


def test_validation_finds_exactly_the_planted_mistakes(demo_dir: Path) -> None:
    planted = json.loads((demo_dir / "planted.json").read_text(encoding="utf-8"))["planted"]
    expected = {(m["file"], m["row"], m["column"], m["code"]) for m in planted}
    policy = load_policy()
    found = set()
    for p in rosters(demo_dir):
        rel = p.relative_to(demo_dir / "村级花名册").as_posix()
        for f in check_roster(read_roster(p), policy).findings:
            found.add((rel, f.row, f.column, f.code))
    assert found - expected == set(), "false positives on clean rows"
    assert expected - found == set(), "planted mistakes not found"
    assert len({m["code"] for m in planted}) >= 19


def test_demo_is_reproducible(tmp_path: Path, demo_dir: Path) -> None:
    again = tmp_path / "again"
    assert main(["demo", "-o", str(again)]) == 0
    assert (again / "planted.json").read_bytes() == (demo_dir / "planted.json").read_bytes()


def test_demo_runs_the_whole_year(demo_dir: Path) -> None:
    assert (demo_dir / "上年缴费名单.xlsx").exists()
    notices = demo_dir / "公示"
    assert len(list(notices.glob("*/*_公示.html"))) == 12
    assert len(list(notices.glob("*/*_公示.xlsx"))) == 12
    assert (notices / "公示汇总.html").exists()
    reports = demo_dir / "汇总"
    assert len(list(reports.glob("*乡镇汇总.xlsx"))) == 3
    assert (reports / "全县汇总.xlsx").exists()


def test_demo_writes_a_poster_and_a_leaflet_per_village(demo_dir: Path) -> None:
    villages = {(p.parent.name, p.stem) for p in rosters(demo_dir)}
    pages = {(p.parent.name, p.stem) for p in (demo_dir / "宣传材料").glob("*/*.html")}
    expected = {(t, f"{v}_{k}") for t, v in villages for k in ("缴费通知", "明白纸")}
    assert pages == expected


def test_demo_counts_45_plus_unenrolled_from_its_population_list(demo_dir: Path) -> None:
    import openpyxl

    from xl_pension.io.population_reader import read_population

    policy = load_policy()
    group = f"年满{policy.key_group_rules.unenrolled_age_from}周岁未参保"
    listed = read_population(demo_dir / "户籍人口名单.xlsx")
    rostered = {str(r.get("id_number")) for p in rosters(demo_dir) for r in read_roster(p).records}
    assert rostered & {str(v["id_number"]) for _, v in listed.rows}  # the list holds payers too
    found = 0
    for summary in sorted((demo_dir / "汇总").glob("*乡镇汇总.xlsx")):
        ws = openpyxl.load_workbook(summary)["重点人群"]
        assert group in ws["A2"].value and "户籍人口名单" in ws["A2"].value
        rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == group]
        assert rows and all(policy.key_group_rules.unenrolled_age_from <= r[7] <= policy.age_max
                            for r in rows)  # fmt: skip
        found += len(rows)
    assert found >= 12  # at least one a village (sample.population.UNENROLLED_PER_VILLAGE)
