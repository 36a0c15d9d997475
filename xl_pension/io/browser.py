"""Print HTML pages with a headless Chromium-family browser: PDF (``--print-to-pdf``) and PNG
(``--screenshot``). Chromium, Google Chrome or Microsoft Edge all work; when none is installed,
:func:`find_browser` returns ``None`` and the caller says so (the HTML is still there to print
from any browser).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..core import catalogue as cat
from .atomic import atomic_path

BROWSER_ENV = "XL_PENSION_BROWSER"  # full path of the browser, overrides the search
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "msedge")
_WINDOWS = (
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
)
MM_PER_CSS_PX = 25.4 / 96
TIMEOUT_S = 120


def find_browser() -> str | None:
    """The browser to print with (``XL_PENSION_BROWSER``, then PATH, then the usual Windows
    places), or ``None`` when there is none."""
    override = os.environ.get(BROWSER_ENV)
    if override:
        return override if Path(override).is_file() else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in _WINDOWS if os.name == "nt" and Path(p).is_file()), None)


def _run(browser: str, html: Path, flags: list[str], target: Path, shown: Path) -> None:
    """Run the headless browser once with a throw-away profile, writing ``target`` (a temporary
    file); errors name the file the user asked for, ``shown``."""
    with tempfile.TemporaryDirectory(prefix="xl-pension-browser-") as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            *flags,
            html.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise cat.BROWSER_FAILED.error(
                file=shown.name, reason=type(exc).__name__, html=html.name
            ) from None
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise cat.BROWSER_FAILED.error(
            file=shown.name, reason=f"退出码 {done.returncode}", html=html.name
        )


def print_pdf(browser: str, html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` (page size and margins from the page's own ``@page`` CSS)."""
    with atomic_path(pdf) as tmp:
        _run(browser, html, ["--no-pdf-header-footer", f"--print-to-pdf={tmp}"], tmp, pdf)
    return pdf


def screenshot_png(
    browser: str, html: Path, png: Path, *, page_mm: tuple[float, float], width_px: int
) -> Path:
    """A picture of the page ``page_mm`` (width, height) wide, ``width_px`` pixels across."""
    css_w = round(page_mm[0] / MM_PER_CSS_PX)
    css_h = round(page_mm[1] / MM_PER_CSS_PX)
    scale = width_px / css_w
    flags = [
        f"--window-size={css_w},{css_h}",
        f"--force-device-scale-factor={scale:.4f}",
        "--default-background-color=FFFFFFFF",
    ]
    with atomic_path(png) as tmp:
        _run(browser, html, [*flags, f"--screenshot={tmp}"], tmp, png)
    return png
