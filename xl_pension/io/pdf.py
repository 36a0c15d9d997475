"""HTML to PDF with headless Chromium, when it is installed (``None`` otherwise)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str | None:
    """The Chromium program, or ``None``."""
    return next((p for n in CHROMIUM_NAMES if (p := shutil.which(n))), None)


def html_to_pdf(html: str, folder: Path) -> Path | None:
    """Print ``html`` to ``folder/notice.pdf`` (A4 as its print CSS says); ``None`` without
    Chromium. The page is loaded from a file: no network is used."""
    program = chromium()
    if program is None:
        return None
    page, pdf = folder / "notice.html", folder / "notice.pdf"
    page.write_text(html, encoding="utf-8")
    subprocess.run(
        [
            program,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={folder / 'chromium-profile'}",
            f"--print-to-pdf={pdf}",
            page.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf if pdf.exists() else None
