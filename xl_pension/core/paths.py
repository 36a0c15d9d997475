"""Where the project's data files are: jinja2 templates, ribbon sources, checked-in workbooks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_REPO = _PACKAGE.parent


def templates_dir() -> Path:
    """The ``templates/`` folder: the repository's own in a checkout or editable install,
    otherwise the copy installed inside the package (``xl_pension/templates``)."""
    for candidate in (_REPO / "templates", _PACKAGE / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("templates/ not found; reinstall xl-pension")


def workbooks_dir() -> Path:
    """The repository's ``workbooks/`` folder (checked-in generated workbooks)."""
    return _REPO / "workbooks"


# Characters Windows forbids in a name, and control characters.
_BAD_NAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"}
    | {f"{d}{n}" for d in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
# Bytes left for a stem: room for "（12）", "_解缴清单", ".bak12", ".xlsx" within 255 bytes.
MAX_STEM_BYTES = 200


def safe_file_stem(text: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file or folder name made from user text (a village's name), safe on every system.

    No path separators or characters Windows forbids (they become ``_``), no leading dot or
    ``~`` (hidden files and office lock files are skipped when folders are read), no trailing dot
    or space, no reserved device name (``CON``, ``NUL``, ``COM1`` …), at most ``max_bytes``
    UTF-8 bytes (a long name is cut and ends with a short digest, so two long names stay apart).
    The real name is kept inside the workbook (``_meta``); this is only where it is stored.
    """
    name = _BAD_NAME_CHARS.sub("_", unicodedata.normalize("NFC", text)).strip()
    name = name.lstrip(". ~$").rstrip(". ")
    if not name:
        name = "_"
    if name.split(".", 1)[0].strip().upper() in _RESERVED:
        name = f"_{name}"
    data = name.encode("utf-8")
    if len(data) > max_bytes:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
        cut = data[: max_bytes - len(digest) - 1].decode("utf-8", errors="ignore").rstrip(". ")
        name = f"{cut}~{digest}"
    return name
