"""The figures of the county benchmark besides its stages: the process tree's memory, the
whole-process times (a 2,000-row validate, imports) and the results table."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

TIMED = ("split", "validate_compute", "notices", "summaries", "merge")
# The year as a county lives it: split, the villages compute, then notices, summaries and the
# merge with each roster checked once (the checked records kept beside the rosters).
CHECKED_ONCE = ("split", "validate_compute", "year")


def _children(pid: int) -> list[int]:
    """Child processes of ``pid`` (Linux /proc)."""
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            kids += [int(k) for k in task.read_text().split()]
    return kids


def tree_pss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` and all its descendants (shared pages counted once
    across the tree, in proportion), from /proc/*/smaps_rollup."""
    total_kb, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
                    break
        except (OSError, ValueError):
            continue
        todo += _children(p)
    return total_kb / 1024


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


EXTRAS = "extras"  # --only name of the whole-process figures below


def extras(work: Path) -> dict[str, float]:
    """The whole-process figures: a 2,000-row validate, the macro and CLI imports."""
    return {
        "validate_2000": validate_2000_seconds(work),
        "import_macros": import_seconds("xl_pension.macros"),
        "import_cli": import_seconds("xl_pension.cli"),
    }


# The raw stage each stage's CPU time is compared with (raw_write's CPU includes its reading).
_RAW_CPU = {
    "merge": "raw_read",
    "merge_warm": "raw_read",
    "summaries": "raw_read",
    "summaries_warm": "raw_read",
    "validate_compute": "raw_read",
    "notices": "raw_read",
    "pandas_peer": "raw_read",
    "web_county": "raw_read",
    "year": "raw_read",
}


def report(results: dict[str, dict[str, float]], extra: dict[str, float], scale: str) -> str:
    """The results table (Markdown)."""
    raw_read = results["raw_read"]["seconds"]
    raw_write = results["raw_write"]["seconds"]
    ratio = {
        "split": raw_write,
        "merge": raw_read,
        "summaries": raw_read,
        "summaries_warm": raw_read,
        "merge_warm": raw_read,
        "pandas_peer": raw_read,
        "validate_compute": raw_read,
        "notices": raw_read,
        "web_county": raw_read,
        "year": raw_read,
    }
    lines = [
        f"scale: {scale}, {results['prepare']['rows']:,} rows in the county list, "
        f"{results['fill']['rows']:,} roster rows; {os.cpu_count()} cores",
        "",
        "| stage | seconds | rows/s | peak PSS MB (process tree) | ours / raw | CPU s "
        "(process tree) | CPU ours / raw |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    raw_cpu = {k: results[v]["cpu"] for k, v in _RAW_CPU.items() if v in results}
    for name, r in results.items():
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        versus = ratio.get(name)
        cell = f"{r['seconds'] / versus:.2f} x" if versus else ""
        cpu_versus = raw_cpu.get(name) if name != "raw_write" else None
        cpu_cell = f"{r['cpu'] / cpu_versus:.2f} x" if cpu_versus else ""
        lines.append(
            f"| {name} | {r['seconds']:.1f} | {rate:,.0f} | {r['peak_mb']:.0f} | {cell} "
            f"| {r['cpu']:.1f} | {cpu_cell} |"
        )
    total = sum(results[n]["seconds"] for n in TIMED)
    once = sum(results[n]["seconds"] for n in CHECKED_ONCE)
    lines += [
        "",
        f"whole county, end to end, each roster checked once ({' + '.join(CHECKED_ONCE)}): "
        f"{once:.1f} s",
        f"whole county, every stage cold ({' + '.join(TIMED)}): {total:.1f} s",
        f"raw read = python-calamine values of every roster ({raw_read:.1f} s); "
        f"raw write = xlsxwriter of the same cells as the split rosters ({raw_write:.1f} s)",
        f"pandas peer script / our cold merge: "
        f"{results['pandas_peer']['seconds'] / results['merge']['seconds']:.2f}",
        f"`xl-pension validate` on a 2,000-row roster, whole process: {extra['validate_2000']:.2f} s",
        f"import xl_pension.macros: {extra['import_macros']:.3f} s; "
        f"import xl_pension.cli: {extra['import_cli']:.3f} s",
    ]
    return "\n".join(lines)
