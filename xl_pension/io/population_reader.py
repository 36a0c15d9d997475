"""Read the population list (户籍人口名单) of ``summary --population FILE`` (python-calamine).

The list may be on any sheet of an .xlsx, .xls or .ods workbook (or a .csv in UTF-8 or GBK):
the first sheet with a header row (within the first ``HEADER_SEARCH_ROWS`` rows) holding 姓名,
身份证号码 and the village (村, or one combined 行政区划) is used. Headers are mapped through
:func:`xl_pension.core.schema.population_key` (the county list's variants). Every non-empty row
below the header becomes a :class:`~xl_pension.reports.county_list.ListRow`-like pair of its
Excel row number and raw values by key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core import catalogue as cat
from ..core.schema import POPULATION_COLUMNS, POPULATION_REQUIRED_KEYS, population_key
from .county_list_reader import clean_cell, is_empty_cell, list_sheets
from .reader import HEADER_SEARCH_ROWS

_HEADERS = {c.key: c.header for c in POPULATION_COLUMNS}


@dataclass
class PopulationList:
    """The rows of a population list: (Excel row, raw values by key), and where they were."""

    file: str
    sheet: str
    header_row: int
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def _keys(row: list[object]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for c, cell in enumerate(row):
        if not is_empty_cell(cell):
            key = population_key(cell)
            if key is not None and key not in keys:
                keys[key] = c
    if "region" in keys:  # 行政区划 stands for 乡镇 and 村
        keys.setdefault("village", keys["region"])
    return keys


def read_population(path: str | Path) -> PopulationList:
    """Read the population list at ``path``; raise the catalogue's ``population.not_list``
    (exit 2) when no sheet has its headers or no row below them."""
    p = Path(path)
    best: dict[str, int] = {}
    for sheet, rows in list_sheets(p):
        for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            keys = _keys(row)
            if all(k in keys for k in POPULATION_REQUIRED_KEYS):
                out = PopulationList(str(p), sheet, r + 1)
                for i in range(r + 1, len(rows)):
                    cells = rows[i]
                    if all(is_empty_cell(v) for v in cells):
                        continue
                    n = len(cells)
                    values = {k: clean_cell(cells[c]) if c < n else None for k, c in keys.items()}
                    out.rows.append((i + 1, values))
                if not out.rows:
                    raise cat.POPULATION_NOT_LIST.error(
                        "empty", file=p.name, sheet=sheet, header_row=r + 1
                    )
                return out
            if len(keys) > len(best):
                best = keys
    raise cat.POPULATION_NOT_LIST.error(
        file=p.name,
        rows=HEADER_SEARCH_ROWS,
        wanted="、".join(_HEADERS[k] for k in POPULATION_REQUIRED_KEYS),
        missing="、".join(_HEADERS[k] for k in POPULATION_REQUIRED_KEYS if k not in best),
    )
