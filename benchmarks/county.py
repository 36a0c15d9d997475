"""County-scale benchmark: every stage of the year on a generated county, against raw I/O.

    python benchmarks/county.py [--scale full|medium|small] [--work DIR] [--keep]

``full`` is 14 townships, ~450 villages, ~400,000 roster rows. Each stage runs in its own
process so that its peak memory (main process + workers) is measured on its own. In the same
run the raw python-calamine read of the same rosters and an xlsxwriter write of the same cells
are timed, and the table shows ours / raw.
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
    from xl_pension.core.money import person_money, totals_of
    from xl_pension.core.policy import load_policy
    from xl_pension.core.validation import check_roster
    from xl_pension.io.reader import read_roster
    from xl_pension.io.workbook_plan import apply_plan
    from xl_pension.reports.compute_plan import compute_plan

    policy = load_policy()
    roster = read_roster(path)
    checked = check_roster(roster, policy)
    money = {p.row: None if p.has_error else person_money(p, policy) for p in checked.people}
    apply_plan(path, path, compute_plan(roster, money, totals_of(money.values())))
    return len(roster.records)


def stage_validate_compute(work: Path, scale: str) -> int:
    """Validate every roster and write its money columns (rows with errors skipped)."""
    from xl_pension.app.parallel import map_files

    files = [str(p) for p in sorted((work / "county").glob("*/*.xlsx"))]
    return sum(map_files(_compute_one, files, "校验计算"))


def stage_notices(work: Path, scale: str) -> int:
    """`xl-pension notice DIR --format html`: the HTML notice of every village."""
    from xl_pension.cli import main

    out = work / "notices"
    code = main(
        [
            "notice",
            str(work / "county"),
            "--start",
            "2024-05-06",
            "-o",
            str(out),
            "--skip-invalid",
            "--format",
            "html",
        ]
    )
    assert code in (0, 1), code
    return _rows(work / "county")


def stage_summaries(work: Path, scale: str) -> int:
    """`xl-pension summary` for every township."""
    from xl_pension.cli import main

    out = work / "summaries"
    out.mkdir(exist_ok=True)
    for township in sorted(p for p in (work / "county").iterdir() if p.is_dir()):
        code = main(["summary", str(township), "-o", str(out / f"{township.name}乡镇汇总.xlsx")])
        assert code in (0, 1), code
    return _rows(work / "county")


def stage_merge(work: Path, scale: str) -> int:
    """`xl-pension merge` of the whole county."""
    from xl_pension.cli import main

    code = main(["merge", str(work / "county"), "-o", str(work / "全县汇总.xlsx")])
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
    "merge": stage_merge,
    "raw_read": stage_raw_read,
}
TIMED = ("split", "validate_compute", "notices", "summaries", "merge")


def run_stage(name: str, work: Path, scale: str) -> dict[str, float]:
    """Run one stage in this process and return its measurements."""
    os.environ.setdefault("XL_PENSION_QUIET", "1")
    t = time.perf_counter()
    rows = STAGES[name](work, scale)
    seconds = time.perf_counter() - t
    if name == "raw_write":
        seconds = sum(_RAW_WRITE_SECONDS)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    from xl_pension.app.parallel import jobs

    workers = jobs() if kids else 0
    return {"seconds": seconds, "rows": rows, "peak_mb": (own + workers * kids) / 1024}


def import_seconds(module: str) -> float:
    """Seconds to import ``module`` in a fresh interpreter (best of 5; interpreter start-up is
    not counted)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(5)
    ]
    return min(runs)


def validate_2000_seconds(work: Path) -> float:
    """Whole-process wall time of `xl-pension validate` on a 2,000-row roster (best of 3)."""
    from xl_pension.core.policy import load_policy
    from xl_pension.io.roster_writer import write_roster
    from xl_pension.sample import generate_county

    policy = load_policy()
    county = generate_county(
        policy, townships=1, villages_per_township=1, min_people=2000, max_people=2000
    )
    v = county.villages[0]
    path = work / "2000.xlsx"
    write_roster(path, policy, v.township, v.village, v.records)
    exe = shutil.which("xl-pension")
    cmd = [exe] if exe else [sys.executable, "-m", "xl_pension.cli"]
    best = 1e9
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([*cmd, "validate", str(path)], capture_output=True)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> int:
    """Run every stage in its own process and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = ap.parse_args()
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.work, args.scale)))
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="xlp-bench-"))
    results: dict[str, dict[str, float]] = {}
    try:
        for name in STAGES:
            print(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--stage",
                    name,
                    "--work",
                    str(work),
                    "--scale",
                    args.scale,
                ],
                capture_output=True,
                text=True,
            )
            if proc.returncode:
                sys.stderr.write(proc.stderr[-3000:])
                raise SystemExit(f"stage {name} failed")
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        extra = {
            "validate_2000": validate_2000_seconds(work),
            "import_macros": import_seconds("xl_pension.macros"),
            "import_cli": import_seconds("xl_pension.cli"),
        }
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    table = report(results, extra, args.scale)
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"stages": results, **extra}, indent=1), "utf-8")
    return 0


def report(results: dict[str, dict[str, float]], extra: dict[str, float], scale: str) -> str:
    """The results table (Markdown)."""
    raw_read = results["raw_read"]["seconds"]
    raw_write = results["raw_write"]["seconds"]
    ratio = {
        "split": raw_write,
        "merge": raw_read,
        "summaries": raw_read,
        "validate_compute": raw_read,
        "notices": raw_read,
    }
    lines = [
        f"scale: {scale}, {results['prepare']['rows']:,} rows in the county list, "
        f"{results['fill']['rows']:,} roster rows; {os.cpu_count()} cores",
        "",
        "| stage | seconds | rows/s | peak MB | ours / raw |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        versus = ratio.get(name)
        cell = f"{r['seconds'] / versus:.2f} x" if versus else ""
        lines.append(f"| {name} | {r['seconds']:.1f} | {rate:,.0f} | {r['peak_mb']:.0f} | {cell} |")
    total = sum(results[n]["seconds"] for n in TIMED)
    lines += [
        "",
        f"whole county, end to end ({' + '.join(TIMED)}): {total:.1f} s",
        f"raw read = python-calamine values of every roster ({raw_read:.1f} s); "
        f"raw write = xlsxwriter of the same cells as the split rosters ({raw_write:.1f} s)",
        f"`xl-pension validate` on a 2,000-row roster, whole process: {extra['validate_2000']:.2f} s",
        f"import xl_pension.macros: {extra['import_macros']:.3f} s; "
        f"import xl_pension.cli: {extra['import_cli']:.3f} s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
