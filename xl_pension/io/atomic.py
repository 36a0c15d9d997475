"""Atomic file replacement: write to a temporary file beside the target, then rename.

The temporary file is called ``.~xlp-<name>.<pid>.tmp<suffix>`` (the target's own suffix last,
for programs that write by extension, such as a browser's screenshot) so a leftover (the machine lost power
mid-write) is recognisable; it is removed on the next write to the same target once its process
is gone. A symlinked target is followed: the file it points at is replaced, never the link.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from .faults import TEMP_PREFIX, refuse_if_open

MAX_NAME_BYTES = 255
# A leftover whose writer cannot be checked (no process ids on this system) is stale after this.
_STALE_SECONDS = 3600


def _fit_name(name: str, budget: int) -> str:
    """``name`` cut (on a character boundary) to at most ``budget`` UTF-8 bytes."""
    data = name.encode("utf-8")
    if len(data) <= budget:
        return name
    return data[:budget].decode("utf-8", errors="ignore")


def temp_name(target: Path, pid: int | None = None) -> str:
    """The temporary file name used while writing ``target``, within the 255-byte limit."""
    pid = os.getpid() if pid is None else pid
    tail = f".{pid}.tmp{target.suffix}"
    budget = MAX_NAME_BYTES - len(TEMP_PREFIX.encode()) - len(tail.encode())
    return f"{TEMP_PREFIX}{_fit_name(target.name, budget)}{tail}"


def _process_alive(pid: int) -> bool | None:
    """Whether process ``pid`` runs (``None``: cannot tell on this system)."""
    if os.name != "posix":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def remove_leftovers(target: Path) -> list[Path]:
    """Remove temporary files an earlier, interrupted write of ``target`` left behind."""
    removed: list[Path] = []
    stem = temp_name(target, 0)[: -len(f".0.tmp{target.suffix}")]
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        name = p.name
        tail = f".tmp{target.suffix}"
        if not (name.startswith(stem + ".") and name.endswith(tail)):
            continue
        pid_text = name[len(stem) + 1 : -len(tail)]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        alive = _process_alive(int(pid_text))
        if alive is None:
            with suppress(OSError):
                alive = time.time() - p.stat().st_mtime < _STALE_SECONDS
        if not alive:
            with suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def real_target(target: str | Path) -> Path:
    """The file a write to ``target`` really changes (a symlink is followed)."""
    p = Path(target)
    return Path(os.path.realpath(p)) if p.is_symlink() else p


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    If the block raises (or the process is interrupted), the temporary file is removed and
    ``target`` is left untouched. A target open in Excel/WPS is refused before any work.
    """
    target = real_target(target)
    if len(target.name.encode("utf-8")) > MAX_NAME_BYTES:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), str(target))
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    refuse_if_open(target)
    remove_leftovers(target)
    tmp_path = target.with_name(temp_name(target))
    fd = os.open(tmp_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        yield tmp_path
        if target.exists():
            mode = target.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, target)
    finally:
        with suppress(FileNotFoundError):
            tmp_path.unlink()


def backup(path: str | Path) -> Path:
    """Copy ``path`` to ``<name>.bak.xlsx`` (or ``.bak2`` ... if taken) and return the copy."""
    path = real_target(path)
    n = 1
    while True:
        suffix = ".bak" if n == 1 else f".bak{n}"
        candidate = path.with_name(f"{path.stem}{suffix}{path.suffix}")
        if not candidate.exists():
            shutil.copy2(path, candidate)
            return candidate
        n += 1
