"""CPU seconds of the workbook writers, shipped against xlsxwriter's own ``write_*`` calls.

    python benchmarks/writers.py TOWNSHIP_DIR [--county COUNTY_DIR] [--repeat 3]

TOWNSHIP_DIR is a copy of one township's rosters (``cp -r /work/bench-scale2/full/county/三春集镇
/tmp/town``: the summary writes its checked-records cache there), COUNTY_DIR a copy of the
county's township folders. The township summary (and the county workbook) is planned once by
the real command (``xl-pension summary`` / ``merge``, run once to warm the cache; its plan is
kept), then written ``--repeat`` times by :func:`xl_pension.io.new_workbook.write_workbook` as
shipped (``fast``) and with every cell stored through one xlsxwriter ``write_*`` call
(``reference``: ``tests/io/test_plan_workbook_sameness.ReferenceWorkbook``, plain xlsxwriter,
slower than the writers before this one, which had a bulk path of their own); a generated
1,000-person roster is written both ways too (``io.roster_writer``, split's unit of work). For
the writers as they were, run this file's figures against an older checkout instead. Least CPU (``time.process_time``) of the repeats, as JSON, next to the raw
python-calamine read of TOWNSHIP_DIR measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.io: the reference writer


def _least(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _plans(args: list[str], out: Path) -> list[tuple[Path, object]]:
    """The plans the command gives ``write_workbook`` (the command writes them as usual)."""
    import contextlib
    import io

    import xl_pension.io.new_workbook as new_workbook
    from xl_pension.cli import main

    kept: list[tuple[Path, object]] = []
    write = new_workbook.write_workbook

    def keep(path, plan):
        kept.append((Path(path), plan))
        return write(path, plan)

    new_workbook.write_workbook = keep
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            main([*args, "-o", str(out)])
    finally:
        new_workbook.write_workbook = write
    return kept


def _both(repeat: int, write: Callable[[], object], module: object) -> dict[str, float]:
    """Least CPU of ``write()`` as shipped and with ``module.PlanWorkbook`` the reference."""
    from tests.io.test_plan_workbook_sameness import ReferenceWorkbook

    fast = _least(repeat, write)
    shipped = module.PlanWorkbook  # type: ignore[attr-defined]
    module.PlanWorkbook = ReferenceWorkbook  # type: ignore[attr-defined]
    try:
        reference = _least(repeat, write)
    finally:
        module.PlanWorkbook = shipped  # type: ignore[attr-defined]
    return {"fast": round(fast, 3), "reference": round(reference, 3)}


def main(argv: list[str] | None = None) -> int:
    """Measure the writers and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("township", type=Path)
    parser.add_argument("--county", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from python_calamine import CalamineWorkbook

    import xl_pension.io.new_workbook as new_workbook
    import xl_pension.io.roster_writer as roster_writer
    from xl_pension.core.policy import load_policy
    from xl_pension.core.schema import ROSTER_SHEET
    from xl_pension.sample import generate_county

    files = sorted(args.township.glob("*.xlsx"))
    raw = _least(
        args.repeat,
        lambda: [
            CalamineWorkbook.from_path(str(f)).get_sheet_by_name(ROSTER_SHEET).to_python()
            for f in files
        ],
    )
    figures: dict[str, object] = {"raw_read": round(raw, 3), "rosters": len(files)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        runs = [("summary", ["summary", str(args.township)], work / "summary.xlsx")]
        if args.county:
            runs.append(("county", ["merge", str(args.county)], work / "county.xlsx"))
        for name, command, out in runs:
            path, plan = _plans(command, out)[0]
            figures[name] = _both(
                args.repeat, lambda p=path, q=plan: new_workbook.write_workbook(p, q), new_workbook
            )
        policy = load_policy()
        village = generate_county(
            policy, seed=3, townships=1, villages_per_township=1, min_people=1000, max_people=1000
        ).villages[0]
        figures["roster_1000"] = _both(
            args.repeat,
            lambda: roster_writer.write_roster(
                work / "roster.xlsx",
                policy,
                village.township,
                village.village,
                village.records,
                lock_categories=True,
            ),
            roster_writer,
        )
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
