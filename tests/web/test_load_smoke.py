"""Smoke test of the web load test at its smallest scale: clerks upload at once through a real
``xl-pension serve`` on 127.0.0.1, nothing is lost or doubled, the county adds up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOAD = Path(__file__).resolve().parents[2] / "benchmarks" / "web_load.py"


def test_load_test_smoke_scale_passes_its_checks(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    proc = subprocess.run(
        [sys.executable, str(LOAD), "--scale", "smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["ok"] and all(figures["checks"].values())
    assert figures["rosters"] == 6 and figures["p95_s"] >= figures["p50_s"] > 0
    assert "| upload latency p50 |" in proc.stdout
