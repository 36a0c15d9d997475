"""Folders of rosters: which files are rosters, the checks of a folder run, one file per worker.

Used by the folder use cases (summary, merge, notice of a folder): :func:`roster_folder`
refuses a missing folder, a file given as a folder or a folder without rosters (exit 2);
:func:`check_job` gives the checked records of one roster in a worker process (checked once:
kept in the cache beside the roster, :mod:`xl_pension.app.cache`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import catalogue as cat
from ..core.errors import UnusableInputError
from ..core.policy import Policy, load_policy

if TYPE_CHECKING:
    from ..core.validation import Checked

# Files our commands write next to rosters, and backups: never read back as rosters.
_OUTPUT_STEM = re.compile(r"(_公示|_计算|_校验|_解缴清单|_缴费人清单|申报清单|\.bak\d*)$")
_NOT_ROSTERS = frozenset({"拆分问题清单"})


def is_roster_candidate(path: Path, root: Path) -> bool:
    """True for an ``.xlsx``/``.xlsm``/``.xls``/``.ods`` under ``root`` that is not our own
    output, a backup, a lock file (``~$``) or hidden. An ``.xls``/``.ods`` with an ``.xlsx`` of
    the same name beside it is not one: that ``.xlsx`` is what compute or validate wrote from it."""
    from ..io.formats import ROSTER_SUFFIXES, is_native, written_beside

    rel = path.relative_to(root)
    if any(part.startswith((".", "~$")) for part in rel.parts):
        return False
    if not is_native(path) and written_beside(path).exists():
        return False
    return (
        path.suffix.lower() in ROSTER_SUFFIXES
        and not _OUTPUT_STEM.search(path.stem)
        and path.stem not in _NOT_ROSTERS
    )


def find_rosters(root: Path, *exclude: Path) -> list[Path]:
    """Roster candidates under ``root`` (recursively), in a stable order, without the
    ``exclude`` files (e.g. the summary being written into the same folder)."""
    skip = {p.resolve() for p in exclude}
    found = [
        p
        for p in root.rglob("*")
        if p.is_file() and is_roster_candidate(p, root) and p.resolve() not in skip
    ]
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def roster_folder(root: Path, out: Path, layout: str) -> list[Path]:
    """The roster files of a folder run (without ``out``, the file being written).

    Refuses (exit 2) a missing folder, a file given as folder, or a folder without rosters;
    ``layout`` says in the message where rosters are expected.
    """
    if not root.exists():
        raise cat.FOLDER_MISSING.error(root=root)
    if not root.is_dir():
        raise cat.FOLDER_INVALID.error(root=root)
    paths = find_rosters(root, out)
    if not paths:
        raise cat.FOLDER_NO_ROSTERS.error(root=root, layout=layout)
    return paths


class NoReadableRoster(UnusableInputError):
    """No file of a folder run could be read as a roster (exit 2); ``problems`` (file
    findings) says why for each, so that the front end can list them."""

    def __init__(self, message: str, *, code: str, problems: list | None = None) -> None:
        super().__init__(message, code=code)
        self.problems = list(problems or [])


def nothing_readable(root: Path, problems: list) -> NoReadableRoster:
    """The error of a folder run none of whose files is a readable roster."""
    error = cat.FOLDER_NO_ROSTERS.error("unreadable", root=root, problems=len(problems))
    return NoReadableRoster(error.message, code=error.code, problems=problems)


@lru_cache(maxsize=4)
def cached_policy(path: str | None) -> Policy:
    """The policy at ``path`` (``None``: the default), loaded once per process."""
    return load_policy(path or None)


def check_job(job: tuple[str, str | None]) -> tuple[str, object]:
    """Worker for folder runs: the checked records of one roster file, checked once
    (:func:`~xl_pension.app.cache.check_once_packed`: from the cache beside the roster when
    neither its content nor the rules changed).

    ``job`` is (roster path, policy path). Returns ``("ok", payload)`` — the pickled pack of
    a :class:`~xl_pension.app.checked.CheckedRoster` (plain tuples, small to send back and
    sent as stored; :func:`checked_of` turns it into the
    :class:`~xl_pension.core.validation.Checked` the reports take, without the raw records) —
    or ``("unusable", (message, code))`` for a file that is not a roster.
    """
    from .cache import check_once_packed

    path, policy_path = job
    return check_once_packed(path, cached_policy(policy_path))


def checked_of(payload: bytes) -> Checked:
    """The :class:`~xl_pension.core.validation.Checked` of a :func:`check_job` result."""
    from .cache import unpickled_checked

    return unpickled_checked(payload)


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, '/'-separated."""
    from pathlib import PurePosixPath

    return PurePosixPath(*path.relative_to(root).parts).as_posix()
