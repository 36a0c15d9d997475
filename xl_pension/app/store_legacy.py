"""Submissions of store schema 0001: one JSON row a person (``records.person``).

Since revision 0002 a submission's checked records are one document
(:mod:`.store_records`); a database upgraded from 0001 keeps its earlier submissions in the old
form, and they are read back here, as they always were (their money is computed when a report
needs it, as before). :func:`person_to_json` is the writer of that form, kept for the test that
upgrades a database made at 0001.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import sqlalchemy as sa

from ..core.findings import Finding, Severity
from ..core.roster import Record, Roster
from ..core.validation import Checked, Person
from .store_tables import findings, records, submissions

_DATE_FIELDS = ("birth_date", "pay_date")


def person_to_json(person: Person) -> str:
    """A person's parsed values as JSON (its findings are stored in their own table)."""
    data = {f.name: getattr(person, f.name) for f in dataclasses.fields(Person)}
    data.pop("findings")
    for key in _DATE_FIELDS:
        data[key] = data[key].isoformat() if data[key] else None
    data["backpay_years"] = list(person.backpay_years)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def person_from_json(text: str, person_findings: list[Finding]) -> Person:
    """The :class:`Person` stored by :func:`person_to_json`, with its findings."""
    data = json.loads(text)
    for key in _DATE_FIELDS:
        data[key] = dt.date.fromisoformat(data[key]) if data[key] else None
    data["backpay_years"] = tuple(data["backpay_years"])
    return Person(**data, findings=person_findings)


def layout_json(roster) -> str:
    """Where a roster's data is (sheet, columns, meta ...), as the ``layout`` column holds it;
    ``roster`` is a :class:`Roster` or a :class:`~.checked.CheckedRoster`."""
    return json.dumps(
        {
            "file": Path(roster.file).name,
            "sheet": roster.sheet,
            "header_row": roster.header_row,
            "columns": roster.columns,
            "extra_headers": {str(k): v for k, v in roster.extra_headers.items()},
            "meta": roster.meta,
            "last_row": roster.last_row,
            "totals_rows": roster.totals_rows,
        },
        ensure_ascii=False,
    )


def _roster(layout: str, rows: Iterable[int]) -> Roster:
    data = json.loads(layout)
    return Roster(
        file=data["file"],
        sheet=data["sheet"],
        header_row=data["header_row"],
        columns=data["columns"],
        extra_headers={int(k): v for k, v in data["extra_headers"].items()},
        meta=data["meta"],
        records=[Record(row, {}) for row in rows],  # values stay in the people
        last_row=data["last_row"],
        totals_rows=data["totals_rows"],
    )


def stored_finding(row: Mapping) -> Finding:
    """A finding of the ``findings`` table."""
    return Finding(
        row["code"],
        Severity(row["severity"]),
        row["sheet"],
        row["row"],
        row["column"],
        row["value"],
        row["message"],
    )


def legacy_checked(con: sa.Connection, sid: int) -> Checked:
    """The checked roster of a submission stored in the 0001 form (no money kept)."""
    layout = con.execute(
        sa.select(submissions.c.layout).where(submissions.c.id == sid)
    ).scalar_one()
    frows = list(
        con.execute(
            sa.select(findings).where(findings.c.submission_id == sid).order_by(findings.c.seq)
        ).mappings()
    )
    prows = con.execute(
        sa.select(records.c.row, records.c.person)
        .where(records.c.submission_id == sid)
        .order_by(records.c.id)
    ).all()
    all_findings, by_row = [], {}
    for r in frows:
        f = stored_finding(r)
        all_findings.append(f)
        if r["on_person"]:
            by_row.setdefault(f.row, []).append(f)
    people = [person_from_json(text, by_row.get(row, [])) for row, text in prows]
    return Checked(_roster(layout, (p.row for p in people)), people, all_findings)
