"""CPU seconds of the cold per-roster read + check, stage by stage, in one process.

    python benchmarks/cold_stages.py DIR [--repeat 3]

DIR is a folder of rosters (e.g. a copy of one township of the kept county:
``cp -r /work/bench-scale2/full/county/三春集镇 /tmp/town``). Each stage runs over every
roster of DIR, ``--repeat`` times; the least CPU time (this process, ``time.process_time``) of
the repeats is printed, as JSON, next to the raw python-calamine read measured in the same run:

- ``calamine``: the raw read (the yardstick): the ``花名册`` sheet's values
- ``guard``: :func:`xl_pension.io.guard.guard_workbook` alone
- ``reader``: :func:`xl_pension.io.reader.read_roster` (guard + calamine + the roster grid)
- ``check``: :func:`xl_pension.core.bulk_check.check_roster_bulk` of the rosters read
- ``read_check`` = reader + check, and its ratio to ``calamine``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _least(
    repeat: int, run: Callable[[object], object], setup: Callable[[], object] = lambda: None
) -> float:
    best = float("inf")
    for _ in range(repeat):
        given = setup()
        start = time.process_time()
        run(given)
        best = min(best, time.process_time() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    """Measure the stages over the rosters of a folder and print them as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    import python_calamine as calamine

    from xl_pension.core.bulk_check import check_roster_bulk
    from xl_pension.core.policy import load_policy
    from xl_pension.io.guard import guard_workbook
    from xl_pension.io.reader import read_roster

    policy = load_policy()
    paths = sorted(p for p in args.folder.glob("*.xlsx") if not p.name.startswith(("~", ".")))
    rosters = [read_roster(p) for p in paths]  # warms imports and the file cache
    for roster in rosters:
        check_roster_bulk(roster, policy)

    def raw(_: object) -> None:
        for p in paths:
            calamine.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("花名册").to_python(
                skip_empty_area=False
            )

    def guard(_: object) -> None:
        for p in paths:
            guard_workbook(p)

    def reader(_: object) -> None:
        for p in paths:
            read_roster(p)

    def fresh() -> list:  # as a worker has them: read, not yet checked
        return [read_roster(p) for p in paths]

    def check(fresh_rosters: object) -> None:
        for roster in fresh_rosters:  # type: ignore[attr-defined]
            check_roster_bulk(roster, policy)

    figures = {
        "calamine": _least(args.repeat, raw),
        "guard": _least(args.repeat, guard),
        "reader": _least(args.repeat, reader),
    }
    figures["check"] = _least(args.repeat, check, fresh)
    figures["read_check"] = figures["reader"] + figures["check"]
    result = {k: round(v, 3) for k, v in figures.items()}
    result["read_check_ratio"] = round(figures["read_check"] / figures["calamine"], 2)
    result["rosters"] = len(paths)
    result["rows"] = sum(len(r.records) for r in rosters)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
