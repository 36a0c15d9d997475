"""Hostile workbooks made by code: zip bombs (small on disk), far cells, huge used ranges.

A bomb member is a deflate stream of one compressed segment repeated: each segment ends with a
full flush, so the copies are independent and the stream inflates to ``repeats`` times the
segment's text. Its CRC is computed with ``crc32_combine`` (no need to inflate gigabytes).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path


def _gf2_times(mat: list[int], vec: int) -> int:
    s, i = 0, 0
    while vec:
        if vec & 1:
            s ^= mat[i]
        vec >>= 1
        i += 1
    return s


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B): crc(A) shifted through len(B) zero bytes
    (a GF(2) matrix raised to that power by squaring), then xor crc(B) (zlib's algorithm)."""
    mat = [0xEDB88320] + [1 << n for n in range(31)]  # the operator of one zero bit
    for _ in range(3):
        mat = _gf2_square(mat)  # ... of one zero byte
    while len2:
        if len2 & 1:
            crc1 = _gf2_times(mat, crc1)
        len2 >>= 1
        mat = _gf2_square(mat)
    return crc1 ^ crc2


@dataclass(frozen=True)
class Bomb:
    """``head`` + ``body`` * ``repeats`` + ``tail``, deflated without ever being inflated."""

    body: bytes
    repeats: int
    head: bytes = b""
    tail: bytes = b""

    def deflated(self) -> tuple[bytes, int, int]:
        """(raw deflate stream, CRC-32, inflated size)."""
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = co.compress(self.head) + co.flush(zlib.Z_FULL_FLUSH)
        seg = co.compress(self.body) + co.flush(zlib.Z_FULL_FLUSH)
        tail = co.compress(self.tail) + co.flush()
        crc_body, n, size = 0, self.repeats, len(self.body)
        block_crc, block_len = zlib.crc32(self.body), size
        while n:  # crc of body * repeats by doubling
            if n & 1:
                crc_body = crc32_combine(crc_body, block_crc, block_len)
            block_crc = crc32_combine(block_crc, block_crc, block_len)
            block_len *= 2
            n >>= 1
        crc = zlib.crc32(self.head)
        crc = crc32_combine(crc, crc_body, size * self.repeats)
        crc = crc32_combine(crc, zlib.crc32(self.tail), len(self.tail))
        total = len(self.head) + size * self.repeats + len(self.tail)
        return head + seg * self.repeats + tail, crc, total


def write_zip(path: Path, members: list[tuple[str, bytes | Bomb]]) -> Path:
    """A zip (zip64 where a size needs it) of plain and bomb members, written by hand."""
    out = bytearray()
    central = bytearray()
    for name, content in members:
        if isinstance(content, Bomb):
            data, crc, usize = content.deflated()
        else:
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            data, crc, usize = co.compress(content) + co.flush(), zlib.crc32(content), len(content)
        fname = name.encode("utf-8")
        big = usize >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, usize, len(data)) if big else b""
        sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(data), usize)
        offset = len(out)
        version = 45 if big else 20
        # flags (UTF-8 names), deflate, time, date, CRC, sizes, name and extra lengths
        common = (0x800, 8, 0, 0x21, crc, *sizes, len(fname), len(extra))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, *common)
        out += fname + extra + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, version, version, *common, 0, 0, 0, 0, offset
        )
        central += fname + extra
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0
    )
    path.write_bytes(bytes(out))
    return path


def members_of(path: Path) -> list[tuple[str, bytes]]:
    """Every member of a (small, real) workbook."""
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def with_members(src: Path, out: Path, changes: dict[str, bytes | Bomb]) -> Path:
    """A copy of workbook ``src`` with members replaced or added."""
    members: list[tuple[str, bytes | Bomb]] = []
    for name, data in members_of(src):
        members.append((name, changes.pop(name, data)))
    members.extend(changes.items())
    return write_zip(out, members)


def roster_sheet_part(src: Path) -> str:
    """The worksheet part of the 花名册 sheet."""
    from xl_pension.io.xlsx_patch import sheet_part

    with zipfile.ZipFile(src) as z:
        return sheet_part(z, "花名册")


def with_far_cell(src: Path, out: Path, ref: str = "XFD1048576", value: str = "x") -> Path:
    """``src`` with one stray text value at ``ref`` on the 花名册 sheet (what Ctrl+End finds)."""
    part = roster_sheet_part(src)
    xml = dict(members_of(src))[part].decode("utf-8")
    row = int("".join(ch for ch in ref if ch.isdigit()))
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c></row>'
    xml = xml.replace("</sheetData>", cell + "</sheetData>")
    return with_members(src, out, {part: xml.encode("utf-8")})


def with_inflated_sheet(src: Path, out: Path, gigabytes: float = 5) -> Path:
    """``src`` whose 花名册 sheet inflates to ``gigabytes`` GB of rows (a few MB on disk)."""
    part = roster_sheet_part(src)
    xml = dict(members_of(src))[part]
    head, _, tail = xml.partition(b"</sheetData>")
    row = b'<row><c t="inlineStr"><is><t>' + b"\xe7\x8e\x8b" * 20 + b"</t></is></c></row>"
    body = row + b" " * ((1 << 20) - len(row))  # one row a megabyte: whitespace between rows
    repeats = int(gigabytes * 1024)
    return with_members(src, out, {part: Bomb(body, repeats, head, b"</sheetData>" + tail)})


def with_unreferenced_member(src: Path, out: Path, gigabytes: float = 5) -> Path:
    """``src`` plus a member nothing refers to that inflates to ``gigabytes`` GB."""
    bomb = Bomb(bytes(1 << 20), int(gigabytes * 1024))
    return with_members(src, out, {"xl/media/padding.bin": bomb})


# A child process that runs several command lines through xl_pension.cli.main and reports, as
# JSON, each one's exit code, stdout and stderr, and the process's peak memory in MB.
_BATCH = """
import contextlib, io, json, resource, sys
from xl_pension.cli import main
results = []
for argv in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    results.append({"argv": argv, "code": code, "out": out.getvalue(), "err": err.getvalue()})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"results": results, "peak_mb": peak}, ensure_ascii=False))
"""


@dataclass(frozen=True)
class Run:
    """One command line's outcome in a batch."""

    argv: list[str]
    code: int
    out: str
    err: str


def run_cli_batch(argvs: list[list[str]], timeout: float = 300) -> tuple[list[Run], int]:
    """Run command lines in one child process; returns their outcomes and its peak MB.

    The child is a real process (a native abort would end it and fail the caller's check), and
    its peak memory bounds the peak of every command it ran.
    """
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _BATCH],
        input=json.dumps(argvs),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"child died ({proc.returncode}): {proc.stderr[-2000:]}"
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return [Run(**r) for r in data["results"]], data["peak_mb"]
