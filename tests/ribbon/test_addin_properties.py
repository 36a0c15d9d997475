"""The add-in carries none of its template's author data in its file properties."""

from __future__ import annotations

import io
import zipfile

from xl_pension.addin.build import build_addin_bytes


def test_properties_name_no_template_author_or_folder() -> None:
    z = zipfile.ZipFile(io.BytesIO(build_addin_bytes()))
    for part in ("docProps/core.xml", "docProps/app.xml", "xl/workbook.xml"):
        data = z.read(part)
        for leaked in (b"Felix", b"Zumstein", b"C:\\Users", b"absPath"):
            assert leaked not in data, (part, leaked)
    core = z.read("docProps/core.xml").decode("utf-8")
    assert "<dc:creator>xl_pension</dc:creator>" in core
