"""Shared fixtures: the default policy, roster factories, and real clients (LibreOffice)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from xl_pension.core.policy import Policy, load_policy

REAL_CLIENTS = bool(os.environ.get("XL_PENSION_REAL_CLIENTS"))


@pytest.fixture(scope="session", autouse=True)
def cache_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The check-once cache's signing key of the test run (never the user's own), also for
    the commands the tests run in subprocesses."""
    path = tmp_path_factory.mktemp("cache-key") / "cache.key"
    os.environ["XL_PENSION_CACHE_KEY"] = str(path)
    return path


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The packaged default policy."""
    return load_policy()


def need_program(name: str) -> str:
    """Path of a real client program; skip when missing unless XL_PENSION_REAL_CLIENTS is set."""
    path = shutil.which(name)
    if path is None:
        if REAL_CLIENTS:
            pytest.fail(f"{name} is required (XL_PENSION_REAL_CLIENTS is set) but not installed")
        pytest.skip(f"{name} not installed")
    return path


def libreoffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert ``src`` with LibreOffice headless (own profile dir); return the output path."""
    (out,) = libreoffice_convert_all([src], fmt, outdir)
    return out


def libreoffice_convert_all(srcs: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Convert several files in one LibreOffice start (own profile dir); their output paths."""
    soffice = need_program("soffice")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, srcs),
        ],
        check=True,
        capture_output=True,
        timeout=180 + 60 * len(srcs),
    )
    outs = [outdir / f"{src.stem}.{fmt.split(':')[0]}" for src in srcs]
    for out in outs:
        assert out.exists(), f"LibreOffice did not write {out}"
    return outs
