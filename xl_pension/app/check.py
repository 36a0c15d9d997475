"""Use case *check a file*: read and validate one roster; the usable rows for the write-backs.

:func:`check_file` is what ``validate``, the ribbon's 校验花名册 and the web upload do: it
never prints and never raises for a file that is not a roster (the reason is a finding of the
result). :func:`usable_roster` is the first step of compute, notice and remit: it refuses a
roster with errors (:class:`RosterRefused`, exit 1, the errors as data) or, with
``skip_invalid``, leaves the rows with errors out and says which.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, FindingsError, XlPensionError
from ..core.findings import Finding, Severity, count_by_severity
from ..core.money import Money, person_money
from ..core.policy import Policy
from ..core.validation import Checked, check_roster


@dataclass
class CheckResult:
    """One roster checked: its findings and what was written.

    ``checked`` is ``None`` when the file is not a usable roster; ``error`` then says why (and
    ``findings`` holds it as one ``unusable`` finding, as the JSON contract wants).
    """

    file: Path
    checked: Checked | None
    findings: list[Finding]
    rows: int = 0
    error: XlPensionError | None = None
    json: Path | None = None  # the findings JSON written, if asked for
    annotated: Path | None = None  # the annotated workbook written, if asked for
    backups: list[Path] = field(default_factory=list)  # files saved before being replaced

    @property
    def counts(self) -> dict[str, int]:
        """``{"error": n, "warning": m}``."""
        return count_by_severity(self.findings)

    @property
    def exit_code(self) -> int:
        """0 without errors, 1 with errors, 2 for a file that is not a usable roster."""
        if self.error is not None:
            return self.error.exit_code
        if self.counts["error"]:
            return EXIT_FINDINGS
        unusable = any(f.severity is Severity.UNUSABLE for f in self.findings)
        return EXIT_UNUSABLE if unusable else EXIT_OK


def findings_document(file: str, rows: int, findings: list[Finding]) -> dict[str, object]:
    """The findings JSON contract: ``{"file", "rows", "findings": [...], "counts"}``."""
    return {
        "file": file,
        "rows": rows,
        "findings": [f.to_dict() for f in findings],
        "counts": count_by_severity(findings),
    }


def write_findings_json(path: str | Path, file: str, rows: int, findings: list[Finding]) -> None:
    """Write :func:`findings_document` to ``path`` (temp file, then replace)."""
    from ..io.atomic import atomic_path

    data = findings_document(file, rows, findings)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def check_file(
    path: str | Path,
    policy: Policy,
    *,
    json_to: str | Path | None = None,
    annotate_to: str | Path | None = None,
    on_wait: Callable[[], None] | None = None,
) -> CheckResult:
    """Check one roster file; optionally write the findings JSON and an annotated workbook.

    ``annotate_to`` may be the roster itself (a backup ``*.bak.xlsx`` is made first, as for any
    existing file replaced; the read and the write then hold the roster's write lock, see
    :func:`xl_pension.io.locks.guarded_write`, ``on_wait`` told when another run holds it).
    Nothing is printed; an unusable file gives a result whose ``error`` is set (no workbook is
    annotated then).
    """
    src = Path(path)
    if annotate_to is None:
        return _check_file(src, policy, json_to, None)
    from ..io.locks import guarded_write

    with guarded_write(src, Path(annotate_to), on_wait=on_wait):
        return _check_file(src, policy, json_to, Path(annotate_to))


def _check_file(
    src: Path, policy: Policy, json_to: str | Path | None, annotate_to: Path | None
) -> CheckResult:
    from ..io.reader import read_roster

    try:
        roster = read_roster(src)
    except XlPensionError as exc:
        f = Finding(exc.code, Severity.UNUSABLE, "", None, "", "", exc.message)
        result = CheckResult(src, None, [f], error=exc)
        if json_to is not None:
            write_findings_json(json_to, str(src), 0, [f])
            result.json = Path(json_to)
        return result
    checked = check_roster(roster, policy)
    result = CheckResult(src, checked, checked.findings, rows=len(roster.records))
    if json_to is not None:
        write_findings_json(json_to, str(src), result.rows, result.findings)
        result.json = Path(json_to)
    if annotate_to is not None:
        from ..io.atomic import backup
        from ..io.workbook_plan import apply_planned
        from ..reports.marks_plan import marks_plan

        out = Path(annotate_to)
        if out.exists():
            result.backups.append(backup(src if out.resolve() == src.resolve() else out))
        findings = result.findings
        apply_planned(src, out, lambda anchor: marks_plan(roster, findings, anchor), roster.sheet)
        result.annotated = out
    return result


class RosterRefused(FindingsError):
    """A write-back refused because the roster has errors (exit 1); ``errors`` lists them."""

    def __init__(self, message: str, *, code: str = cat.ROSTER_HAS_ERRORS.code) -> None:
        super().__init__(message, code=code)
        self.file = ""
        self.errors: list[Finding] = []


@dataclass
class UsableRoster:
    """A checked roster and the money of each row a write-back may use.

    ``money`` maps every person's Excel row to their :class:`Money` (``None``: unpaid, or left
    out because of an error); ``skipped`` lists the rows left out (``skip_invalid``).
    """

    checked: Checked
    money: dict[int, Money | None]
    skipped: list[int]


def usable_roster(
    path: str | Path, policy: Policy, *, skip_invalid: bool, once: bool = False
) -> UsableRoster:
    """Read and validate a roster for compute, notice or remit.

    Raises :class:`RosterRefused` (exit 1, carrying the errors) when the roster has errors,
    unless ``skip_invalid``: then the rows with errors are left out and listed in ``skipped``.
    ``once``: take the checked records from the cache beside the roster when neither it nor
    the rules changed (:mod:`xl_pension.app.cache`); the raw records are then not kept, so
    only a use case that reads the roster (notice), not one that writes its cells back from
    them (compute), may ask for it.
    """
    if once:
        from .cache import checked_once

        stored = checked_once(path, policy)
        checked, money = stored.checked(), stored.money()
    else:
        from ..io.reader import read_roster

        checked = check_roster(read_roster(path), policy)
        money = {p.row: (None if p.has_error else person_money(p, policy)) for p in checked.people}
    errors = checked.errors
    if errors and not skip_invalid:
        name = Path(path).name
        refused = RosterRefused(cat.ROSTER_HAS_ERRORS.message(file=name))
        refused.file, refused.errors = name, errors
        raise refused
    skipped = sorted({p.row for p in checked.people if p.has_error})
    return UsableRoster(checked, money, skipped)
