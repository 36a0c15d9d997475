"""Print HTML pages with a headless Chromium-family browser: PDF and PNG.

Chromium, Google Chrome or Microsoft Edge all work; when none is installed :func:`find_browser`
returns ``None`` and the caller says so (the HTML is still there to print from any browser).
:func:`open_printer` starts the browser once for many pages: on Linux and macOS it drives it
through the DevTools protocol over a pipe (``--remote-debugging-pipe``), elsewhere (or when that
fails to start) it runs ``--print-to-pdf`` / ``--screenshot`` once per file.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

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
_FLAGS = (
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
)


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


def viewport(page_mm: tuple[float, float], width_px: int) -> tuple[int, int, float]:
    """CSS width and height of a page of ``page_mm`` and the scale that makes it ``width_px``."""
    css_w = round(page_mm[0] / MM_PER_CSS_PX)
    return css_w, round(page_mm[1] / MM_PER_CSS_PX), width_px / css_w


class Printer(Protocol):
    """Turns one HTML page into a PDF and/or a PNG picture of its first page."""

    def render(
        self,
        html: Path,
        *,
        pdf: Path | None = None,
        png: Path | None = None,
        page_mm: tuple[float, float] = (210, 297),
        width_px: int = 1080,
    ) -> list[Path]:
        """Write the files asked for; returns them."""
        ...


def _failed(shown: Path, html: Path, reason: str) -> Exception:
    return cat.BROWSER_FAILED.error(file=shown.name, reason=reason, html=html.name)


class CommandLinePrinter:
    """One browser run per file (``--print-to-pdf``, ``--screenshot``): works everywhere."""

    def __init__(self, browser: str) -> None:
        self.browser = browser

    def _run(self, html: Path, flags: list[str], tmp: Path, shown: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="xl-pension-browser-") as profile:
            cmd = [self.browser, *_FLAGS, f"--user-data-dir={profile}", *flags]
            try:
                done = subprocess.run(
                    [*cmd, html.resolve().as_uri()],
                    capture_output=True,
                    timeout=TIMEOUT_S,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise _failed(shown, html, type(exc).__name__) from None
        if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise _failed(shown, html, f"退出码 {done.returncode}")

    def render(self, html, *, pdf=None, png=None, page_mm=(210, 297), width_px=1080):
        """Write the files asked for, one browser run each."""
        out = []
        if pdf is not None:
            with atomic_path(pdf) as tmp:
                self._run(html, ["--no-pdf-header-footer", f"--print-to-pdf={tmp}"], tmp, pdf)
            out.append(pdf)
        if png is not None:
            w, h, scale = viewport(page_mm, width_px)
            flags = [
                f"--window-size={w},{h}",
                f"--force-device-scale-factor={scale:.4f}",
                "--default-background-color=FFFFFFFF",
            ]
            with atomic_path(png) as tmp:
                self._run(html, [*flags, f"--screenshot={tmp}"], tmp, png)
            out.append(png)
        return out


class PipePrinter:
    """One browser for many pages, driven over the DevTools protocol on a pipe (POSIX)."""

    def __init__(self, browser: str) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="xl-pension-browser-")
        to_child, self._to_w = os.pipe()
        self._from_r, from_child = os.pipe()

        def wire() -> None:  # in the child: the protocol pipe is fds 3 (in) and 4 (out)
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        try:
            self._proc = subprocess.Popen(
                [browser, *_FLAGS, f"--user-data-dir={self._profile.name}",
                 "--remote-debugging-pipe", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=False,  # fds 3 and 4 must survive; every other fd is close-on-exec
                preexec_fn=wire,
            )  # fmt: skip
        finally:
            os.close(to_child)
            os.close(from_child)
        self._buffer = b""
        self._id = 0
        self._events: list[dict[str, Any]] = []
        try:
            self.call("Browser.getVersion", timeout=30)  # fails fast when the pipe is not there
        except (OSError, TimeoutError, EOFError, RuntimeError, ValueError):
            self._proc.kill()
            self._proc.wait()
            self._close_pipes()
            raise

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("browser did not answer")
            ready, _, _ = select.select([self._from_r], [], [], left)
            if ready:
                chunk = os.read(self._from_r, 1 << 20)
                if not chunk:
                    raise EOFError("browser closed the pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(
        self, method: str, params: dict | None = None, session: str = "", timeout: float = 60
    ) -> dict[str, Any]:
        """Send one protocol command and wait for its answer (events are kept for later)."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(answer["error"].get("message", "protocol error"))
                return answer.get("result", {})
            self._events.append(answer)

    def _wait(self, event: str, session: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self._events):
                if m.get("method") == event and m.get("sessionId") == session:
                    del self._events[i]
                    return
            self._events.append(self._message(deadline))

    def render(self, html, *, pdf=None, png=None, page_mm=(210, 297), width_px=1080):
        """Open the page once in a new tab, print it and/or take its picture, close the tab."""
        shown = pdf or png or html
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            self.call("Page.enable", session=s)
            self.call("Page.navigate", {"url": html.resolve().as_uri()}, s)
            self._wait("Page.loadEventFired", s)
            self.call(
                "Runtime.evaluate",
                {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
                s,
            )
            files: list[tuple[Path, bytes]] = []
            if pdf is not None:
                params = {"preferCSSPageSize": True, "printBackground": True}
                params |= {f"margin{side}": 0 for side in ("Top", "Bottom", "Left", "Right")}
                files.append(
                    (pdf, base64.b64decode(self.call("Page.printToPDF", params, s)["data"]))
                )
            if png is not None:
                w, h, scale = viewport(page_mm, width_px)
                metrics = {"width": w, "height": h, "deviceScaleFactor": scale, "mobile": False}
                self.call("Emulation.setDeviceMetricsOverride", metrics, s)
                shot = self.call("Page.captureScreenshot", {"format": "png"}, s)["data"]
                files.append((png, base64.b64decode(shot)))
            self.call("Target.closeTarget", {"targetId": target})
        except (OSError, TimeoutError, EOFError, RuntimeError, KeyError, ValueError) as exc:
            raise _failed(shown, html, type(exc).__name__) from None
        for path, data in files:
            with atomic_path(path) as tmp:
                tmp.write_bytes(data)
        return [path for path, _ in files]

    def close(self) -> None:
        """Ask the browser to quit (kill it if it does not) and remove its profile."""
        with contextlib.suppress(OSError, TimeoutError, EOFError, RuntimeError):
            self.call("Browser.close", timeout=10)
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        os.close(self._to_w)
        os.close(self._from_r)
        self._profile.cleanup()


@contextlib.contextmanager
def open_printer(browser: str) -> Iterator[Printer]:
    """A printer for many pages: one browser over a pipe where possible, else one run a file."""
    pipe = None
    if os.name == "posix":
        try:
            pipe = PipePrinter(browser)
        except (OSError, TimeoutError, EOFError, RuntimeError, ValueError):
            pipe = None
    if pipe is None:
        yield CommandLinePrinter(browser)
        return
    try:
        yield pipe
    finally:
        pipe.close()


def print_pdf(browser: str, html: Path, pdf: Path) -> Path:
    """Print one page to PDF (page size and margins from the page's own ``@page`` CSS)."""
    CommandLinePrinter(browser).render(html, pdf=pdf)
    return pdf
