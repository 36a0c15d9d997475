"""Uploaded files, distrusted: size limits, the type sniffed from the content, bounded zips.

A workbook (.xlsx/.xlsm/.ods) is a zip package and an .xls an OLE file; what the name says is
ignored. Every zip — a workbook's package or a ``.zip`` of a folder of rosters — is opened with
bounded member counts and inflated sizes, measured while inflating (the sizes a zip declares can
lie), and an XML part with a DTD (the entity bomb) is refused. Names of zip members are only
shown, never used as paths: each roster is written under a safe name in a private temp folder.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..core import catalogue as cat
from ..core.errors import XlPensionError
from ..core.paths import safe_file_stem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ROSTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """How much an upload may hold."""

    request_bytes: int = 64 * 1024 * 1024  # one request (413 beyond)
    file_bytes: int = 16 * 1024 * 1024  # one roster as uploaded
    inflated_bytes: int = 128 * 1024 * 1024  # one roster's package, inflated
    members: int = 2000  # parts of one workbook package
    bundle_files: int = 600  # rosters in one .zip of a folder
    bundle_inflated: int = 512 * 1024 * 1024  # a whole .zip of a folder, inflated


@dataclass(frozen=True)
class Upload:
    """One roster file as uploaded: its name for display, its kind and bytes."""

    name: str
    kind: str  # xlsx | xls | ods
    data: bytes = field(repr=False)

    @property
    def safe_name(self) -> str:
        """A file name made from the shown name: no folders, no control or reserved characters,
        the suffix of the sniffed kind."""
        stem = PurePosixPath(self.name.replace("\\", "/")).stem
        suffix = ".xlsm" if self.name.lower().endswith(".xlsm") else f".{self.kind}"
        return f"{safe_file_stem(stem.strip() or '花名册', 240)}{suffix}"


def size_text(size: int) -> str:
    """A size limit for people: ``64 MB``, ``20 KB``."""
    return f"{size // 1024 // 1024} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def not_roster(name: str, why: str) -> XlPensionError:
    """The 422 error of an upload that is not a workbook (``why`` says what it is instead)."""
    return cat.TEMPLATE_NOT_ROSTER.error(file=display_name(name), why=why)


def too_large(name: str, variant: str = "", limit: str = "") -> XlPensionError:
    """The 422 error of an upload over a limit (``variant``: which one)."""
    return cat.UPLOAD_TOO_LARGE.error(variant, file=display_name(name), limit=limit)


def display_name(name: str) -> str:
    """The name as shown to users and in messages (the last path part, bounded)."""
    return (PurePosixPath(name.replace("\\", "/")).name or "上传的文件")[:120]


def _inflate_checked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, name: str) -> int:
    """Inflate one member, counting; refuse past ``budget`` bytes or an XML part with a DTD."""
    size = 0
    head = b""
    with zf.open(info) as fh:
        while chunk := fh.read(256 * 1024):
            if len(head) < 4096:
                head += chunk[:4096]
                if info.filename.lower().endswith((".xml", ".rels", ".vml")) and _DTD.search(head):
                    raise cat.UPLOAD_XML_ENTITIES.error(file=display_name(name))
            size += len(chunk)
            if size > budget:
                raise too_large(name, "inflated")
    return size


def _checked_package(name: str, data: bytes, limits: Limits) -> str:
    """The kind of a zip-packaged workbook after bounding it; refuses anything else."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_roster(name, "文件已损坏，无法打开，请重新保存或重新下载。") from None
    if len(infos) > limits.members:
        raise too_large(name, "members")
    budget = limits.inflated_bytes
    try:
        for info in infos:
            budget -= _inflate_checked(zf, info, budget, name)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise not_roster(name, "文件已损坏，无法打开，请重新保存或重新下载。") from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "mimetype" in names and zf.read("mimetype").startswith(
        b"application/vnd.oasis.opendocument"
    ):
        return "ods"
    raise not_roster(name, "不是 Excel 工作簿，请上传标准花名册（.xlsx）或其压缩包（.zip）。")


def _is_bundle(data: bytes) -> bool:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" not in names and "mimetype" not in names


def _bundle(name: str, data: bytes, limits: Limits) -> list[Upload]:
    """The rosters inside a ``.zip`` of a folder (other files and folders are skipped)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    wanted = []
    for info in zf.infolist():
        shown = _member_name(info)
        base = display_name(shown)
        if (
            info.is_dir()
            or base.startswith((".", "~$"))
            or not base.lower().endswith(ROSTER_SUFFIXES)
        ):
            continue
        wanted.append((info, shown))
    if not wanted:
        raise not_roster(name, "压缩包里没有花名册（.xlsx）。")
    if len(wanted) > limits.bundle_files:
        raise too_large(name, "bundle", str(limits.bundle_files))
    budget = limits.bundle_inflated
    out = []
    for info, shown in wanted:
        with zf.open(info) as fh:
            member = fh.read(limits.file_bytes + 1)
        if len(member) > limits.file_bytes:
            raise too_large(shown, limit=size_text(limits.file_bytes))
        budget -= len(member)
        if budget < 0:
            raise too_large(name, "inflated")
        out.append(sniff(shown, member, limits))
    return out


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as the user saw it (zips from Chinese Windows use GBK without the flag)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def sniff(name: str, data: bytes, limits: Limits) -> Upload:
    """One roster upload after its checks; refuses what is not a workbook."""
    if len(data) > limits.file_bytes:
        raise too_large(name, limit=size_text(limits.file_bytes))
    if not data:
        raise not_roster(name, "是空文件（0 字节），请重新保存后再上传。")
    if data.startswith(OLE_MAGIC):
        return Upload(display_name(name), "xls", data)
    if data.startswith(ZIP_MAGIC):
        return Upload(display_name(name), _checked_package(name, data, limits), data)
    raise not_roster(name, "不是 Excel 工作簿（按文件内容判断），请上传标准花名册（.xlsx）。")


def unpack(name: str, data: bytes, limits: Limits) -> list[Upload]:
    """The rosters of one uploaded file: itself, or the rosters of a ``.zip`` of a folder."""
    if data.startswith(ZIP_MAGIC) and _is_bundle(data):
        return _bundle(name, data, limits)
    return [sniff(name, data, limits)]
