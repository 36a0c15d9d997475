"""One writer at a time per file: an advisory lock for read-modify-write work (``--in-place``).

``compute --in-place`` and ``validate --annotate --in-place`` on the same roster at once would
otherwise both read the old file and the last to finish would drop the other's work. The lock is
an operating-system lock on ``.~xlp-<name>.lock`` beside the file, so it is released when the
process ends, however it ends; a second run waits for it a while, then refuses.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path

from .atomic import real_target
from .faults import TEMP_PREFIX, in_use, refuse_if_open

DEFAULT_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.1


def lock_path(target: Path) -> Path:
    """The lock file guarding ``target``."""
    name = target.name.encode("utf-8")[: 255 - len(TEMP_PREFIX) - len(".lock")]
    return target.with_name(f"{TEMP_PREFIX}{name.decode('utf-8', 'ignore')}.lock")


def _try_lock(fd: int) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@contextmanager
def exclusive(
    target: str | Path,
    *,
    wait_seconds: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[Path]:
    """Hold the write lock of ``target`` (a symlink is followed) for the block.

    Waits up to ``wait_seconds`` (default :data:`DEFAULT_WAIT_SECONDS`) for another run to finish (``on_wait`` is called once when it
    starts waiting), then raises :class:`FileInUseError`. Yields the real target path.
    """
    real = real_target(target)
    lock = lock_path(real)
    wait = DEFAULT_WAIT_SECONDS if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    told = False
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
        if _try_lock(fd) and _same_file(fd, lock):
            break
        os.close(fd)
        if time.monotonic() >= deadline:
            raise in_use("locked", real.name)
        if not told and on_wait is not None:
            on_wait()
            told = True
        time.sleep(_POLL_SECONDS)
    try:
        yield real
    finally:
        with suppress(OSError):
            lock.unlink()  # before unlocking: a waiter re-checks that its file is still the lock
        os.close(fd)


def guarded_write(
    src: str | Path, out: str | Path, *, on_wait: Callable[[], None] | None = None
) -> AbstractContextManager[object]:
    """The scope of work that reads ``src`` and writes ``out`` (a read-modify-write).

    Refuses at once an ``out`` that is a folder or is open in Excel/WPS; when ``out`` is ``src``
    itself (``--in-place``) holds the file's write lock (:func:`exclusive`, ``on_wait`` called
    once if another run holds it), so two runs on one roster take turns instead of losing work.
    """
    src, out = Path(src), Path(out)
    if out.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(out))
    refuse_if_open(out)
    if out.exists() and out.resolve() == src.resolve():
        return exclusive(src, on_wait=on_wait)
    return nullcontext()
