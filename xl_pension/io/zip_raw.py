"""Copy a zip member from one archive to another as it is stored: no inflate, no deflate.

:mod:`zipfile` has no public way to write bytes that are already compressed, so this writes the
member's local header and stored bytes at the writer's position and registers the entry the way
``ZipFile.writestr`` does (``filelist``, ``NameToInfo``, ``start_dir``); ``ZipFile.close`` then
writes the central directory as for any other member.
"""

from __future__ import annotations

import copy
import struct
import zipfile

_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader, 30 bytes
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENCRYPTED = 0x1
_DATA_DESCRIPTOR = 0x8


def copy_member_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Append ``info`` of ``zin`` to ``zout`` with its compressed bytes unchanged; ``False``
    (nothing written) for a member this does not copy (encrypted, or a local header that does
    not match its directory entry)."""
    if info.flag_bits & _ENCRYPTED or zin.fp is None or zout.fp is None:
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
    entry = copy.copy(info)
    entry.flag_bits &= ~_DATA_DESCRIPTOR  # sizes and CRC go into the local header instead
    entry.header_offset = zout.fp.tell()
    zout.fp.write(entry.FileHeader())
    zout.fp.write(data)
    zout.start_dir = zout.fp.tell()
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
    return True
