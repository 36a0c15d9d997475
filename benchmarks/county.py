"""County-scale benchmark: every stage of the year on a generated county, against raw I/O.

    python benchmarks/county.py [--scale full|medium|small] [--work DIR] [--keep] [--json FILE]
    python benchmarks/county.py --work DIR --only raw_read,summaries,merge_warm   (again, on it)

``full`` is 14 townships, ~450 villages, ~400,000 roster rows. Each stage runs in its own
process; its peak memory is the PSS of its whole process tree (the stage and its workers),
sampled from /proc/*/smaps_rollup while it runs. In the same run the raw python-calamine read
of the same rosters and an xlsxwriter write of the same cells are timed, and the table shows
ours / raw. Summary and merge run cold (the checked-records caches removed) and warm (again,
nothing changed); ``pandas_peer`` is the script a county analyst would write; ``year`` is
notices, summaries and merge in a row with each roster checked once (the end-to-end figure).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_figures import EXTRAS, extras, report, tree_pss_mb
from county_web import WEB_SECONDS, stage_web_county, stage_web_store

SCALES = {
    # townships, villages per township, min people, max people
    "full": (14, 32, 800, 985),
    "medium": (2, 15, 800, 985),
    "small": (2, 3, 40, 60),
}


# --- stages (each runs in a fresh process: `--stage NAME`) ------------------------------------


def _county(scale: str):
    from xl_pension.core.policy import load_policy
    from xl_pension.sample import generate_county

    t, v, lo, hi = SCALES[scale]
    policy = load_policy()
    return policy, generate_county(
        policy, seed=2024, townships=t, villages_per_township=v, min_people=lo, max_people=hi
    )


def stage_prepare(work: Path, scale: str) -> int:
    """Not timed against anything: the county's list of last year's payers, written once."""
    import xlsxwriter

    from xl_pension.core import idnum
    from xl_pension.core.schema import COUNTY_LIST_COLUMNS

    _policy, county = _county(scale)
    work.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(work / "上年缴费名单.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("名单")
    ws.write_row(0, 0, [c.header for c in COUNTY_LIST_COLUMNS])
    r = 1
    for v in county.villages:
        for rec in v.records:
            ident = rec.get("id_number")
            if not (isinstance(ident, str) and idnum.is_valid(ident)):
                continue
            values = {"township": v.township.name, "village": v.village, **rec}
            for c, col in enumerate(COUNTY_LIST_COLUMNS):
                value = values.get(col.key)
                if isinstance(value, int):
                    ws.write_number(r, c, value)
                elif value is not None:
                    ws.write_string(r, c, str(value))
            r += 1
    wb.close()
    (work / "county.json").write_text(
        json.dumps({"villages": len(county.villages), "people": county.people}), "utf-8"
    )
    return r - 1


def stage_split(work: Path, scale: str) -> int:
    """`xl-pension split` of the county list into one roster per village."""
    from xl_pension.cli import main

    out = work / "split"
    code = main(["split", str(work / "上年缴费名单.xlsx"), "-o", str(out), "--force"])
    assert code in (0, 1), code
    return _rows(out)


def _write_raw(args: tuple[str, list[list[object]]]) -> None:
    import xlsxwriter

    path, rows = args
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("花名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    wb.close()


def stage_raw_write(work: Path, scale: str) -> int:
    """Raw xlsxwriter: the same cells as the split rosters, values only, one process."""
    import python_calamine as calamine

    out = work / "raw_write"
    out.mkdir(exist_ok=True)
    n = 0
    for i, path in enumerate(sorted((work / "split").glob("*/*.xlsx"))):
        rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("花名册")
        values = [[None if v == "" else v for v in row] for row in rows.to_python()]
        n += len(values) - 2
        # only the writing is what this stage is about: time is measured around it below
        t = time.perf_counter()
        _write_raw((str(out / f"{i}.xlsx"), values))
        _RAW_WRITE_SECONDS.append(time.perf_counter() - t)
    return n


_RAW_WRITE_SECONDS: list[float] = []


def _fill_one(args: tuple[str, str, str, list[dict]]) -> int:
    from xl_pension.core.policy import load_policy
    from xl_pension.io.roster_writer import write_roster

    path, township, village, records = args
    policy = load_policy()
    write_roster(path, policy, policy.township_by_name[township], village, records)
    return len(records)


def stage_fill(work: Path, scale: str) -> int:
    """Not timed against anything: village agents fill in their rosters (the generated data)."""
    from xl_pension.app.parallel import map_files

    _policy, county = _county(scale)
    out = work / "county"
    shutil.rmtree(out, ignore_errors=True)
    jobs = [(str(out / v.file), v.township.name, v.village, v.records) for v in county.villages]
    for v in county.villages:
        (out / v.file).parent.mkdir(parents=True, exist_ok=True)
    return sum(map_files(_fill_one, jobs, "填写花名册"))


def _compute_one(path: str) -> int:
    """Check one roster on the bulk path and write its money back, as a folder worker would:
    the policy loaded once a process, the money once for each distinct tier and category."""
    from xl_pension.app.checked import CheckedRoster
    from xl_pension.app.folders import cached_policy
    from xl_pension.core.bulk_check import check_roster_bulk
    from xl_pension.core.money import totals_of
    from xl_pension.io.reader import read_roster
    from xl_pension.io.workbook_plan import apply_plan
    from xl_pension.reports.compute_plan import compute_plan

    policy = cached_policy(None)
    roster = read_roster(path)
    checked = check_roster_bulk(roster, policy)  # the bulk path: many rosters a worker
    money = CheckedRoster.of(checked, policy).money()
    apply_plan(path, path, compute_plan(roster, money, totals_of(money.values())))
    return len(roster.records)


def stage_validate_compute(work: Path, scale: str) -> int:
    """Validate every roster and write its money columns (rows with errors skipped)."""
    from xl_pension.app.parallel import map_files

    files = [str(p) for p in sorted((work / "county").glob("*/*.xlsx"))]
    return sum(map_files(_compute_one, files, "校验计算"))


def stage_notices(work: Path, scale: str) -> int:
    """`xl-pension notice DIR --format html`: the HTML notice of every village, cold."""
    _clear_cache(work)
    return stage_notices_kept(work)


def _clear_cache(work: Path) -> None:
    """Remove the checked-records caches beside the rosters (the next stage runs cold)."""
    from xl_pension.app.cache import CACHE_NAME

    for path in (work / "county").rglob(CACHE_NAME):
        path.unlink()


def stage_summaries(work: Path, scale: str) -> int:
    """`xl-pension summary` for every township, cold (no checked records kept)."""
    _clear_cache(work)
    return _summaries(work)


def stage_summaries_warm(work: Path, scale: str) -> int:
    """`xl-pension summary` for every township again, nothing changed."""
    return _summaries(work)


def _summaries(work: Path) -> int:
    from xl_pension.cli import main

    out = work / "summaries"
    out.mkdir(exist_ok=True)
    for township in sorted(p for p in (work / "county").iterdir() if p.is_dir()):
        code = main(["summary", str(township), "-o", str(out / f"{township.name}乡镇汇总.xlsx")])
        assert code in (0, 1), code
    return _rows(work / "county")


def stage_merge(work: Path, scale: str) -> int:
    """`xl-pension merge` of the whole county, cold (no checked records kept)."""
    _clear_cache(work)
    return _merge(work)


def stage_merge_warm(work: Path, scale: str) -> int:
    """`xl-pension merge` again, nothing changed."""
    return _merge(work)


def _merge(work: Path) -> int:
    from xl_pension.cli import main

    code = main(["merge", str(work / "county"), "-o", str(work / "全县汇总.xlsx")])
    assert code in (0, 1), code
    return _rows(work / "county")


def stage_year(work: Path, scale: str) -> int:
    """Notices, the 14 summaries and the merge one after the other, each roster checked once:
    cold at the start (the rosters as computed), the checked records kept between the steps."""
    _clear_cache(work)
    stage_notices_kept(work)
    _summaries(work)
    return _merge(work)


def stage_notices_kept(work: Path) -> int:
    """The notices of :func:`stage_notices`, without clearing the checked records first."""
    from xl_pension.cli import main

    args = ["notice", str(work / "county"), "--start", "2024-05-06", "-o", str(work / "notices")]
    code = main([*args, "--skip-invalid", "--format", "html"])
    assert code in (0, 1), code
    return _rows(work / "county")


def stage_raw_read(work: Path, scale: str) -> int:
    """Raw python-calamine: read every roster's values, no processing, one process."""
    import python_calamine as calamine

    n = 0
    for path in sorted((work / "county").glob("*/*.xlsx")):
        if path.stem.endswith(("_公示", "_解缴清单")):
            continue
        rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("花名册")
        n += len(rows.to_python()) - 2
    return n


def stage_pandas_peer(work: Path, scale: str) -> int:
    """The script a county analyst would write: every roster with pandas (calamine), one
    table, duplicates dropped, one workbook written."""
    import pandas as pd

    frames = []
    for path in sorted((work / "county").glob("*/*.xlsx")):
        if path.stem.endswith(("_公示", "_解缴清单")):
            continue
        frame = pd.read_excel(path, sheet_name="花名册", header=1, engine="calamine")
        frame.insert(0, "文件", path.stem)
        frames.append(frame)
    county = pd.concat(frames, ignore_index=True)
    county = county.drop_duplicates(subset=["身份证号码"])
    county.to_excel(work / "peer.xlsx", index=False)
    return _rows(work / "county")


def _rows(folder: Path) -> int:
    """Roster rows of the generated county (recorded by the prepare stage)."""
    return json.loads((folder.parent / "county.json").read_text("utf-8"))["people"]


STAGES = {
    "prepare": stage_prepare,
    "split": stage_split,
    "raw_write": stage_raw_write,
    "fill": stage_fill,
    "validate_compute": stage_validate_compute,
    "notices": stage_notices,
    "summaries": stage_summaries,
    "summaries_warm": stage_summaries_warm,
    "merge": stage_merge,
    "merge_warm": stage_merge_warm,
    "pandas_peer": stage_pandas_peer,
    "raw_read": stage_raw_read,
    "web_store": stage_web_store,
    "web_county": stage_web_county,
    "year": stage_year,
}


def run_stage(name: str, work: Path, scale: str) -> dict[str, float]:
    """Run one stage in this process and return its measurements."""
    os.environ.setdefault("XL_PENSION_QUIET", "1")
    t = time.perf_counter()
    rows = STAGES[name](work, scale)
    seconds = time.perf_counter() - t
    if name == "raw_write":
        seconds = sum(_RAW_WRITE_SECONDS)
    return {"seconds": seconds, "rows": rows, **WEB_SECONDS}


def run_measured(name: str, work: Path, scale: str) -> dict[str, float]:
    """Run one stage in a fresh process, sampling its process tree's PSS while it runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--stage", name, "--work", str(work), "--scale", scale],
            stdout=out,
            stderr=err,
        )
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, tree_pss_mb(proc.pid))
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            sys.stderr.write(err.read().decode("utf-8", "replace")[-3000:])
            raise SystemExit(f"stage {name} failed")
        result = json.loads(out.read().decode("utf-8").strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["peak_mb"] = peak
    # CPU seconds of the whole tree (the stage reaps its workers): robust on a shared machine
    result["cpu"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def main() -> int:
    """Run every stage in its own process and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, help="also write the measurements as JSON")
    ap.add_argument(
        "--only",
        help="comma-separated stages to measure again on the county kept in --work by an "
        "earlier run (e.g. raw_read,summaries,summaries_warm,merge,merge_warm; 'extras' for the "
        "2,000-row validate and the import times); prints JSON",
    )
    args = ap.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.work, args.scale)))
        return 0
    if args.only:
        if not args.work or not (args.work / "county.json").exists():
            ap.error("--only needs --work with the county of an earlier --keep run")
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        if unknown := [n for n in names if n not in STAGES and n != EXTRAS]:
            ap.error(f"unknown stages: {', '.join(unknown)}")
        again: dict[str, object] = {
            n: run_measured(n, args.work, args.scale) for n in names if n != EXTRAS
        }
        if EXTRAS in names:
            again[EXTRAS] = extras(args.work)
        print(json.dumps(again, indent=1))
        if args.json:
            args.json.write_text(json.dumps({"stages": again}, indent=1), "utf-8")
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="xlp-bench-"))
    results: dict[str, dict[str, float]] = {}
    try:
        for name in STAGES:
            print(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
            results[name] = run_measured(name, work, args.scale)
        extra = extras(work)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    table = report(results, extra, args.scale)
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"stages": results, **extra}, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
