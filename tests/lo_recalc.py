"""Recalculate workbooks in LibreOffice through UNO and read every formula's result.

A plain ``soffice --convert-to`` keeps the cached values that the writer stored, so it proves
nothing about the formulas. This script starts LibreOffice headless with a private profile and a
pipe, loads each workbook, calls ``calculateAll()``, reads the result of every formula cell
through UNO and (optionally) exports the recalculated book as PDF.

It needs the ``uno`` module (Debian package ``python3-uno``), which belongs to the system Python,
so the tests call :func:`recalc` (any Python), which runs this file with ``/usr/bin/python3``.

Run directly: ``/usr/bin/python3 tests/lo_recalc.py JOB.json`` where the job is
``{"files": [{"src": ..., "pdf": ... or null}], "out": RESULT.json, "profile": DIR}``.
The result maps each source file to ``{sheet: {A1: {"formula", "value", "text", "kind"}}}``
with ``kind`` one of ``value``, ``text`` or ``error``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
HERE = Path(__file__).resolve()


def recalc(files: list[tuple[Path, Path | None]], workdir: Path, timeout: float = 240) -> dict:
    """Recalculate ``(source, pdf or None)`` workbooks in one LibreOffice session; returns the
    formula results by source path (str). Skips (or fails, with XL_PENSION_REAL_CLIENTS) when
    LibreOffice or its Python bridge is missing."""
    import pytest

    from tests.conftest import REAL_CLIENTS, need_program

    soffice = need_program("soffice")
    probe = (
        subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
        if Path(SYSTEM_PYTHON).exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        message = (
            "python3-uno is required to recalculate with LibreOffice (apt-get install python3-uno)"
        )
        if REAL_CLIENTS:
            pytest.fail(message)
        pytest.skip(message)
    workdir.mkdir(parents=True, exist_ok=True)
    job = {
        "files": [{"src": str(src), "pdf": str(pdf) if pdf else None} for src, pdf in files],
        "out": str(workdir / "recalc.json"),
        "profile": str(workdir / "lo-profile"),
        "soffice": soffice,
    }
    job_path = workdir / "recalc-job.json"
    job_path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [SYSTEM_PYTHON, str(HERE), str(job_path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"LibreOffice recalculation failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(Path(job["out"]).read_text(encoding="utf-8"))


def assert_formulas_match(xlsx: Path, recalculated: dict) -> int:
    """Every formula cell of ``xlsx`` was recalculated by LibreOffice to the value the writer
    cached (what Python computed); returns how many formulas were compared."""
    import openpyxl

    formulas = openpyxl.load_workbook(xlsx)
    values = openpyxl.load_workbook(xlsx, data_only=True)
    lo = recalculated[str(xlsx)]
    compared = 0
    mismatches = []
    for ws in formulas.worksheets:
        ours = {c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"}
        theirs = set(lo.get(ws.title, {}))
        assert ours == theirs, f"{ws.title}: formula cells differ: {sorted(ours ^ theirs)[:10]}"
        for coord in sorted(ours):
            expected = values[ws.title][coord].value
            got = lo[ws.title][coord]
            if got["kind"] == "error":
                mismatches.append(f"{ws.title}!{coord} {got['formula']}: error {got['error']}")
            elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
                if got["kind"] != "value" or abs(got["value"] - expected) > 1e-9:
                    mismatches.append(f"{ws.title}!{coord} {got['formula']}: {got} != {expected}")
            elif got["text"] != (expected or ""):
                mismatches.append(f"{ws.title}!{coord} {got['formula']}: {got} != {expected!r}")
            compared += 1
    assert not mismatches, "\n".join(mismatches[:20])
    return compared


# ---- the part below runs under /usr/bin/python3 with uno -----------------------------------


def _a1(col: int, row: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def _connect(soffice: str, profile: Path):  # pragma: no cover - runs under the system Python
    import uno
    from com.sun.star.connection import NoConnectException

    pipe = f"xlp_recalc_{os.getpid()}"
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("LibreOffice did not start") from None
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def _prop(name: str, value: object):  # pragma: no cover
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _formulas(doc) -> dict:  # pragma: no cover
    from com.sun.star.sheet.CellFlags import FORMULA

    out: dict[str, dict] = {}
    sheets = doc.Sheets
    for i in range(sheets.Count):
        sheet = sheets.getByIndex(i)
        cells = {}
        ranges = sheet.queryContentCells(FORMULA)
        enum = ranges.Cells.createEnumeration()
        while enum.hasMoreElements():
            cell = enum.nextElement()
            addr = cell.CellAddress
            if cell.getError():
                kind = "error"
            else:
                kind = "text" if cell.FormulaResultType2 == 2 else "value"  # FormulaResult.STRING
            cells[_a1(addr.Column, addr.Row)] = {
                "formula": cell.getFormula(),
                "value": cell.getValue(),
                "text": cell.getString(),
                "kind": kind,
                "error": cell.getError(),
            }
        out[sheet.Name] = cells
    return out


def main(job_path: str) -> int:  # pragma: no cover - runs under the system Python
    """Run a job file (see the module doc)."""
    import uno

    job = json.loads(Path(job_path).read_text(encoding="utf-8"))
    profile = Path(job["profile"])
    shutil.rmtree(profile, ignore_errors=True)
    proc, desktop = _connect(job["soffice"], profile)
    results = {}
    try:
        for item in job["files"]:
            url = uno.systemPathToFileUrl(str(Path(item["src"]).resolve()))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))
            try:
                doc.calculateAll()
                results[item["src"]] = _formulas(doc)
                if item["pdf"]:
                    pdf = uno.systemPathToFileUrl(str(Path(item["pdf"]).resolve()))
                    doc.storeToURL(pdf, (_prop("FilterName", "calc_pdf_Export"),))
            finally:
                doc.close(True)
    finally:
        with contextlib.suppress(Exception):  # the bridge may drop while it terminates
            desktop.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    Path(job["out"]).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
