"""Operating-system faults turned into one Chinese sentence naming the file and what to do.

Every command ends an :class:`OSError` (permission, disk full, name too long, a folder where a
file was meant, a file held open by Excel/WPS) through :func:`os_fault`, so a clerk never sees a
traceback or "内部错误" for something they can fix. The office programs' lock files
(``~$name.xlsx`` of Excel/WPS, ``.~lock.name#`` of LibreOffice) are found by :func:`open_by_office`.
"""

from __future__ import annotations

import errno
from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import UnusableInputError, XlPensionError

# Prefix of every temporary file this program writes; a leftover is recognisable by it.
TEMP_PREFIX = ".~xlp-"
# Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (a file open in Excel/WPS).
_WIN_LOCKED = (32, 33)
# Windows: ERROR_FILENAME_EXCED_RANGE, ERROR_INVALID_NAME
_WIN_TOO_LONG = (206,)


class FileInUseError(UnusableInputError):
    """A file is open in an office program or being changed by another xl-pension run."""


def in_use(variant: str, name: str) -> FileInUseError:
    """The :class:`FileInUseError` of ``file.in_use`` (``office``, ``sharing`` or ``locked``)."""
    return FileInUseError(cat.FILE_IN_USE.message(variant, name=name), code=cat.FILE_IN_USE.code)


def office_lock_files(path: Path) -> list[Path]:
    """The lock files Excel, WPS and LibreOffice leave beside ``path`` while it is open."""
    name = path.name
    names = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        names.append(f"~${name[2:]}")  # Excel shortens long names by their first two characters
    return [path.with_name(n) for n in names]


def open_by_office(path: str | Path) -> Path | None:
    """The office lock file beside ``path`` when the file is open in Excel/WPS/LibreOffice."""
    p = Path(path)
    for lock in office_lock_files(p):
        try:
            if lock.is_file():
                return lock
        except OSError:
            continue
    return None


def refuse_if_open(path: str | Path) -> None:
    """Raise :class:`FileInUseError` when ``path`` is open in an office program.

    Replacing a workbook that Excel holds open either fails (Windows) or is silently undone the
    next time the clerk presses 保存 — so it is refused before any work is done.
    """
    p = Path(path)
    if p.exists() and open_by_office(p) is not None:
        raise in_use("office", p.name)


def shown_name(filename: object) -> str:
    """The file a user knows: a temporary ``.~xlp-<name>.<pid>.tmp<suffix>`` is shown as ``<name>``."""
    if filename is None:
        return ""
    text = str(filename)
    p = Path(text)
    if p.name.startswith(TEMP_PREFIX) and ".tmp" in p.name:
        core = p.name[len(TEMP_PREFIX) : p.name.rindex(".tmp")]
        core = core.rsplit(".", 1)[0] if "." in core else core  # drop the process id
        return str(p.with_name(core))
    return text


def os_fault(exc: OSError) -> XlPensionError:
    """The user-facing error (exit 2) for an operating-system fault."""
    name = shown_name(exc.filename) or shown_name(exc.filename2) or "文件"
    winerror = getattr(exc, "winerror", None)
    code = exc.errno
    if winerror in _WIN_LOCKED:
        return in_use("sharing", name)
    if isinstance(exc, IsADirectoryError):
        variant = "folder"
    elif isinstance(exc, NotADirectoryError):
        variant = "not_folder"
    elif isinstance(exc, FileNotFoundError):
        variant = "missing"
    elif isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        variant = "permission"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        variant = "disk_full"
    elif code == errno.ENAMETOOLONG or winerror in _WIN_TOO_LONG:
        variant = "too_long"
    elif code == errno.EROFS:
        variant = "read_only"
    else:
        variant = ""
    reason = exc.strerror or type(exc).__name__
    return cat.FILE_OS_ERROR.error(variant, name=name, reason=reason)


def out_of_memory() -> XlPensionError:
    """The user-facing error (exit 2) when the machine runs out of memory."""
    return cat.FILE_OS_ERROR.error("memory")
