"""Load test of the web service on loopback: township clerks uploading a county's rosters at once.

Starts ``xl-pension serve`` on 127.0.0.1 (SQLite in a temp folder, or ``--db URL``), creates
one township account per township, and lets every clerk upload its township's rosters at the
same time (a bounded loop each: exactly its own files, then it stops). Then it checks that no
submission was lost or stored twice and that the county merge's totals equal the sum of the
uploads, and reports upload latency (p50/p95/max). No traffic leaves 127.0.0.1.

    python benchmarks/web_load.py                       # 14 townships, 450 rosters
    python benchmarks/web_load.py --scale smoke         # a few rosters (the unit suite's smoke)
    python benchmarks/web_load.py --results benchmarks/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SCALES = {  # townships, rosters, min people, max people
    "full": (14, 450, 50, 300),
    "smoke": (3, 6, 8, 12),
}
PASSWORD = "load-test-password"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_rosters(folder: Path, townships: int, rosters: int, low: int, high: int):
    """``rosters`` generated rosters spread over ``townships`` townships: {township: [paths]}."""
    from xl_pension.core.policy import load_policy
    from xl_pension.io.roster_writer import write_roster
    from xl_pension.sample import generate_county

    policy = load_policy()
    per_township = -(-rosters // townships)
    county = generate_county(
        policy, seed=450, townships=townships, villages_per_township=per_township,
        min_people=low, max_people=high,
    )  # fmt: skip
    wanted = {
        t.name: rosters // townships + (i < rosters % townships)
        for i, t in enumerate(policy.townships[:townships])
    }
    by_township: dict[str, list[Path]] = {}
    for v in county.villages:
        paths = by_township.setdefault(v.township.name, [])
        if len(paths) < wanted[v.township.name]:
            path = folder / v.file
            write_roster(path, policy, v.township, v.village, v.records)
            paths.append(path)
    return by_township


def start_server(data: Path, db: str | None, port: int, townships: list[str]) -> subprocess.Popen:
    """Accounts (one per township + the county), then ``xl-pension serve`` on 127.0.0.1."""
    from xl_pension.app.accounts import add_account
    from xl_pension.app.store import Store
    from xl_pension.core.policy import load_policy

    policy = load_policy()
    store = Store.open(data, db)
    add_account(store, policy, "county", PASSWORD, role="county")
    for i, name in enumerate(townships):
        add_account(store, policy, f"clerk{i}", PASSWORD, role="township", township=name)
    store.close()
    where = ["--db", db] if db else ["--data", str(data)]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xl_pension.cli",
            "serve",
            *where,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = proc.stdout.readline()
    while line and "已启动" not in line:
        line = proc.stdout.readline()
    if not line:
        raise SystemExit("the server did not start: " + proc.stdout.read())
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep its pipe drained
    wait_for_port(port)
    return proc


def wait_for_port(port: int, timeout: float = 60) -> None:
    """Wait until the server accepts connections on 127.0.0.1:``port``."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def client(base: str, user: str):
    """An HTTP client logged in as ``user`` (CSRF header set)."""
    import httpx2

    c = httpx2.Client(base_url=base, timeout=600, trust_env=False)
    r = c.post("/api/login", json={"username": user, "password": PASSWORD})
    r.raise_for_status()
    c.headers["X-CSRF-Token"] = r.json()["csrf"]
    return c


def clerk_uploads(c, paths: list[Path]) -> list[tuple[float, dict]]:
    """One clerk (a logged-in client): upload each of its files once (a bounded loop), timing
    each upload."""
    out = []
    try:
        for path in paths:
            started = time.perf_counter()
            r = c.post("/api/rosters", files={"file": (path.name, path.read_bytes())})
            elapsed = time.perf_counter() - started
            r.raise_for_status()
            out.append((elapsed, r.json()))
    finally:
        c.close()
    return out


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def run(scale: str, db: str | None) -> dict:
    """Generate, serve, upload concurrently, verify; returns the measured figures."""
    townships, rosters, low, high = SCALES[scale]
    with tempfile.TemporaryDirectory(prefix="xl-pension-load-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        by_township = make_rosters(folder / "rosters", townships, rosters, low, high)
        prepare = time.perf_counter() - t0
        names = sorted(by_township)
        port = free_port()
        proc = start_server(folder / "data", db, port, names)
        base = f"http://127.0.0.1:{port}"
        try:
            clerks = [client(base, f"clerk{i}") for i in range(len(names))]
            t1 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(names)) as pool:
                jobs = [
                    pool.submit(clerk_uploads, c, by_township[n])
                    for c, n in zip(clerks, names, strict=True)
                ]
                results = [item for job in jobs for item in job.result()]
            wall = time.perf_counter() - t1
            c = client(base, "county")
            try:
                listed = c.get("/api/submissions").json()["submissions"]
                t2 = time.perf_counter()
                merged = c.get("/api/county/merge").json()
                merge_seconds = time.perf_counter() - t2
            finally:
                c.close()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    ids = [body["submission"] for _, body in results]
    sent = sum(len(p) for p in by_township.values())
    rows = sum(body["rows"] for _, body in results)
    checks = {
        "every upload answered once": len(results) == sent,
        "no submission lost or duplicated": len(set(ids)) == len(ids) == sent == len(listed),
        "county rows = sum of uploads": sum(t["rows"] for t in merged["ranking"]) == rows,
        "county total = sum of townships": merged["total"]["credited"]
        == sum(t["credited"] for t in merged["ranking"]),
        "conservation check holds": merged["conservation"]["ok"],
    }
    latencies = [t for t, _ in results]
    return {
        "scale": scale,
        "engine": "postgresql" if db else "sqlite",
        "townships": len(names),
        "rosters": sent,
        "rows": rows,
        "prepare_s": round(prepare, 1),
        "upload_wall_s": round(wall, 1),
        "uploads_per_s": round(sent / wall, 2),
        "rows_per_s": round(rows / wall),
        "p50_s": round(statistics.median(latencies), 2),
        "p95_s": round(percentile(latencies, 95), 2),
        "max_s": round(max(latencies), 2),
        "merge_s": round(merge_seconds, 1),
        "checks": checks,
        "ok": all(checks.values()),
    }


def markdown(r: dict) -> str:
    """The RESULTS.md section of one run."""
    checks = "\n".join(f"- {'ok' if v else 'FAILED'}: {k}" for k, v in r["checks"].items())
    return (
        f"\n## Web service load test ({r['engine']})\n\n"
        f"Measured with `python benchmarks/web_load.py --scale {r['scale']}` on {dt.date.today().isoformat()}, "
        f"{os.cpu_count()} cores shared with other sessions: `xl-pension serve` (uvicorn, one process) on 127.0.0.1, "
        f"{r['townships']} township clerks uploading {r['rosters']} rosters ({r['rows']:,} rows) at the same time, "
        "each its own township's files once, one after another.\n\n"
        "| upload latency p50 | p95 | max | uploads/s | rows/s | all uploads (wall) | county merge from the store |\n"
        "|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {r['p50_s']} s | {r['p95_s']} s | {r['max_s']} s | {r['uploads_per_s']} | {r['rows_per_s']:,} | {r['upload_wall_s']} s | {r['merge_s']} s |\n\n"
        f"{checks}\n"
    )


def main() -> int:
    """Run and print (and optionally append to a results file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--db", help="PostgreSQL URL instead of SQLite in a temp folder")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--results", metavar="FILE", help="append the Markdown section to FILE")
    args = parser.parse_args()
    figures = run(args.scale, args.db)
    text = markdown(figures)
    print(text)
    if args.json:
        Path(args.json).write_text(
            json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    if args.results:
        with open(args.results, "a", encoding="utf-8") as fh:
            fh.write(text)
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
