"""Zip members written as they are stored: copied without inflating, or deflated by ISA-L.

:mod:`zipfile` has no public way to write bytes that are already compressed, so these write the
member's local header and stored bytes at the writer's position and register the entry the way
``ZipFile.writestr`` does (``filelist``, ``NameToInfo``, ``start_dir``); ``ZipFile.close`` then
writes the central directory as for any other member.
"""

from __future__ import annotations

import copy
import struct
import zipfile
import zlib

from isal import isal_zlib

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader, 30 bytes
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENCRYPTED = 0x1
_DATA_DESCRIPTOR = 0x8
# ISA-L's level 1 (its levels are 0-3): as small as zlib's level 1 (~13 % above zlib's 3 on a
# roster sheet) in a fifth of zlib 3's time; the workbook writers use it too (io/xlsx_package).
DEFLATE_LEVEL = 1


def deflated(data: bytes) -> bytes:
    """``data`` as a raw deflate stream (no zlib header), by ISA-L at :data:`DEFLATE_LEVEL`."""
    packer = isal_zlib.compressobj(DEFLATE_LEVEL, isal_zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def copy_member_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Append ``info`` of ``zin`` to ``zout`` with its compressed bytes unchanged; ``False``
    (nothing written) for a member this does not copy (encrypted, or a local header that does
    not match its directory entry)."""
    if info.flag_bits & _ENCRYPTED or zin.fp is None:
        return False
    zin.fp.seek(info.header_offset)
    header = zin.fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        return False
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        return False
    name_length, extra_length = fields[-2], fields[-1]
    zin.fp.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    data = zin.fp.read(info.compress_size)
    if len(data) != info.compress_size:
        return False
    _append(zout, copy.copy(info), data)
    return True


def write_deflated(zout: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Append ``data`` to ``zout`` as the member ``info`` (its name, date and attributes),
    deflated by ISA-L at :data:`DEFLATE_LEVEL`."""
    packed = deflated(data)
    entry = copy.copy(info)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.CRC, entry.file_size, entry.compress_size = zlib.crc32(data), len(data), len(packed)
    _append(zout, entry, packed)


def _append(zout: zipfile.ZipFile, entry: zipfile.ZipInfo, stored: bytes) -> None:
    """Write ``entry``'s local header and its ``stored`` bytes at the end of ``zout``."""
    if zout.fp is None:
        raise ValueError("the zip file is closed")
    entry.flag_bits &= ~_DATA_DESCRIPTOR  # sizes and CRC go into the local header instead
    entry.header_offset = zout.fp.tell()
    zout.fp.write(entry.FileHeader())
    zout.fp.write(stored)
    zout.start_dir = zout.fp.tell()
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
