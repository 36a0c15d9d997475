"""Smoke test of the county benchmark at its small scale: it completes and computes its ratios
(the figures themselves are measured by running it at full scale, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "county.py"


def test_benchmark_small_scale_completes(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    work = tmp_path / "work"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            "--scale",
            "small",
            "--json",
            str(out),
            "--work",
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    stages = data["stages"]
    timed = ("split", "validate_compute", "notices", "summaries", "merge")
    for name in (*timed, "summaries_warm", "merge_warm", "pandas_peer", "year"):
        assert stages[name]["seconds"] > 0 and stages[name]["rows"] > 0
        assert stages[name]["cpu"] > 0 and stages[name]["peak_mb"] > 0  # the process tree's
    assert stages["raw_read"]["seconds"] > 0 and stages["raw_write"]["seconds"] > 0
    assert "| merge |" in proc.stdout and " x |" in proc.stdout  # ratios are in the table
    assert "| merge_warm |" in proc.stdout and "pandas peer script" in proc.stdout
    assert "each roster checked once (split + validate_compute + year)" in proc.stdout
    assert data["validate_2000"] > 0 and data["import_macros"] < 5

    again = subprocess.run(  # some stages measured again on the kept county
        [sys.executable, str(BENCHMARK), "--scale", "small", "--work", str(work),
         "--only", "raw_read,merge_warm,extras"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    stages = json.loads(again.stdout)
    assert sorted(stages) == ["extras", "merge_warm", "raw_read"]
    assert stages.pop("extras")["validate_2000"] > 0
    assert all(s["cpu"] > 0 and s["rows"] > 0 for s in stages.values())
