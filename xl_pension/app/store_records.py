"""The stored form of one submission's checked records: one compressed JSON document.

The web store keeps each upload's :class:`~xl_pension.app.checked.CheckedRoster` (what checking
the roster yielded: its layout, the file-level findings and one record a person with its parsed
values, findings and money) as one document, so that a summary, a merge, a notice or the
declarations read a village back with one query and one ``json.loads`` instead of one JSON row
and one object a person. JSON rather than a pickle: the database is a source of truth kept for
years, its content must never be able to run code, and it stays readable by any tool.

The document names its fields (``person_fields``, ``money_fields``), so a document written
before a field was added to :class:`~xl_pension.core.validation.Person` or
:class:`~xl_pension.core.money.Money` still reads (the new field takes its default). Dates are
ISO text and tuples lists; which fields are dates or tuples is taken from the type hints.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
import zlib
from pathlib import PurePath

from ..core import catalogue as cat
from ..core.money import Money
from ..core.validation import Person
from .checked import (
    MONEY_FIELDS,
    PERSON_FIELDS,
    CheckedRecord,
    CheckedRoster,
    pack_finding,
    unpack_finding,
)

FORMAT = 1  # the layout of the document; a new one must still read every older one
_HINTS = typing.get_type_hints(Person)


def _is_date(hint: object) -> bool:
    return hint is dt.date or dt.date in typing.get_args(hint)


_DATE_FIELDS = frozenset(n for n in PERSON_FIELDS if _is_date(_HINTS[n]))
_TUPLE_FIELDS = frozenset(n for n in PERSON_FIELDS if typing.get_origin(_HINTS[n]) is tuple)
_PERSON_NAMES = frozenset(PERSON_FIELDS)


def encode(checked: CheckedRoster) -> bytes:
    """The stored form of ``checked`` (the file is kept by its name only, never a path)."""
    dates = [i for i, n in enumerate(PERSON_FIELDS) if n in _DATE_FIELDS]
    people = []
    for r in checked.records:
        values = [getattr(r.person, n) for n in PERSON_FIELDS]
        for i in dates:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        money = None if r.money is None else [getattr(r.money, n) for n in MONEY_FIELDS]
        people.append([values, [pack_finding(f) for f in r.person.findings], money])
    document = {
        "format": FORMAT,
        "file": PurePath(checked.file).name,
        "sheet": checked.sheet,
        "header_row": checked.header_row,
        "columns": checked.columns,
        "extra_headers": sorted(checked.extra_headers.items()),
        "meta": checked.meta,
        "last_row": checked.last_row,
        "county_categories": checked.county_categories,
        "totals_rows": list(checked.totals_rows),
        "head_findings": [pack_finding(f) for f in checked.head_findings],
        "reader_findings": checked.reader_findings,
        "person_fields": list(PERSON_FIELDS),
        "money_fields": list(MONEY_FIELDS),
        "people": people,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode("utf-8"), 6)


def decode(data: bytes) -> CheckedRoster:
    """The :class:`CheckedRoster` stored by :func:`encode` (any format up to :data:`FORMAT`)."""
    document = json.loads(zlib.decompress(data))
    if document["format"] > FORMAT:
        raise cat.STORE_NEWER_FORMAT.error(found=document["format"], known=FORMAT)
    make_person = _person_maker(document["person_fields"])
    make_money = _money_maker(document["money_fields"])
    records = []
    for values, findings, money in document["people"]:
        person = make_person(values)
        person.findings = [unpack_finding(f) for f in findings]
        records.append(CheckedRecord(person, None if money is None else make_money(money)))
    return CheckedRoster(
        file=document["file"],
        sheet=document["sheet"],
        header_row=document["header_row"],
        columns=document["columns"],
        extra_headers={int(c): h for c, h in document["extra_headers"]},
        meta=document["meta"],
        last_row=document["last_row"],
        county_categories=document["county_categories"],
        totals_rows=document["totals_rows"],
        head_findings=[unpack_finding(f) for f in document["head_findings"]],
        reader_findings=document["reader_findings"],
        records=records,
    )


def _person_maker(names: list[str]) -> typing.Callable[[list], Person]:
    """A function making a :class:`Person` of one stored value list named by ``names``."""
    dates = [i for i, n in enumerate(names) if n in _DATE_FIELDS]
    tuples = [i for i, n in enumerate(names) if n in _TUPLE_FIELDS]
    positional = tuple(names) == PERSON_FIELDS

    def make(values: list) -> Person:
        for i in dates:
            if values[i] is not None:
                values[i] = dt.date.fromisoformat(values[i])
        for i in tuples:
            values[i] = tuple(values[i])
        if positional:
            return Person(*values)
        return Person(**{n: v for n, v in zip(names, values, strict=True) if n in _PERSON_NAMES})

    return make


def _money_maker(names: list[str]) -> typing.Callable[[list], Money]:
    """A function making a :class:`Money` of one stored value list named by ``names``."""
    if tuple(names) == MONEY_FIELDS:
        return lambda values: Money(*values)
    known = set(MONEY_FIELDS)
    return lambda values: Money(**{n: v for n, v in zip(names, values, strict=True) if n in known})
