"""``xl-pension addin build | install``: the Excel ribbon add-in ``workbooks/xl_pension.xlam``.

``build`` renders ``templates/ribbon/customUI.xml`` from the manifest and writes the add-in
(reproducibly: the same sources give the same bytes); ``--check`` only says whether the file on
disk is up to date. ``install`` builds the add-in from the installed xlwings (so that its VBA
matches the Python package), installs it for the current Windows user with xlwings' own
``xlwings addin install -f``, and records this Python as the add-in's interpreter in
``%USERPROFILE%\\.xl_pension\\xl_pension.conf``. On other systems it says what to do instead.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..core.errors import EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE
from .common import say, warn

INTERPRETER_KEY = "INTERPRETER_WIN"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    sub = p.add_subparsers(dest="action", metavar="操作", required=True)
    build = sub.add_parser("build", help="由 templates/ribbon 中的清单和 VBA 源码生成加载项")
    build.add_argument(
        "-o", "--output", metavar="FILE", help="输出文件（默认 workbooks/xl_pension.xlam）"
    )
    build.add_argument(
        "--check", action="store_true", help="只检查已有文件是否最新（不是最新时退出码为 1）"
    )
    install = sub.add_parser(
        "install", help="为当前 Windows 用户安装加载项（需要 Excel 2016 及以上）"
    )
    install.add_argument("-f", "--file", metavar="FILE", help="要安装的 .xlam（默认现场生成）")


def _default_output() -> Path:
    from ..addin.build import ADDIN_FILE
    from ..core.paths import workbooks_dir

    folder = workbooks_dir()
    return (folder if folder.is_dir() else Path.cwd()) / ADDIN_FILE


def _build(args: argparse.Namespace) -> int:
    from ..addin.build import build_addin_bytes, checked_manifest, write_customui
    from ..io.atomic import atomic_path

    manifest = checked_manifest()
    out = Path(args.output) if args.output else _default_output()
    data = build_addin_bytes(manifest=manifest)
    digest = hashlib.sha256(data).hexdigest()[:12]
    if args.check:
        if out.is_file() and out.read_bytes() == data:
            say(f"{out} 是最新的（sha256 {digest}）。")
            return EXIT_OK
        warn(f"{out} 不是最新的：请运行 xl-pension addin build 重新生成并提交。")
        return EXIT_FINDINGS
    try:
        xml = write_customui(manifest)
        say(f"功能区定义：{xml}")
    except OSError:
        pass  # an installed package's templates may be read-only; the .xlam carries the XML
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:
        tmp.write_bytes(data)
    say(f"已生成加载项：{out}（{len(manifest.buttons)} 个按钮，sha256 {digest}）")
    return EXIT_OK


def conf_path() -> Path:
    """The add-in's user configuration file read by its xlwings VBA (``xl_pension.conf``)."""
    from ..addin.build import CONFIG_NAME

    return Path.home() / f".{CONFIG_NAME}" / f"{CONFIG_NAME}.conf"


def write_interpreter(path: Path, interpreter: str, encoding: str) -> None:
    """Set ``"INTERPRETER_WIN","<python>"`` in an xlwings config file, keeping its other lines.

    VBA reads the file in the system's ANSI code page, hence ``encoding`` (``mbcs`` on Windows).
    """
    lines: list[str] = []
    if path.is_file():
        lines = path.read_text(encoding=encoding, errors="replace").splitlines()
    lines = [ln for ln in lines if not ln.upper().startswith(f'"{INTERPRETER_KEY}"')]
    lines.append(f'"{INTERPRETER_KEY}","{interpreter}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding=encoding, errors="strict", newline="\r\n")


def _not_windows() -> int:
    warn(
        "此命令只能在 Windows 上安装 Excel 加载项。请在装有 Excel 2016 及以上版本的 Windows 电脑上"
        "依次运行 pip install xl-pension 和 xl-pension addin install。"
    )
    say(
        "在本机（以及使用 WPS 的电脑上）可以用命令行完成同样的工作，例如："
        "xl-pension validate 花名册.xlsx --annotate、xl-pension compute 花名册.xlsx --in-place、"
        "xl-pension remit 花名册.xlsx。"
    )
    return EXIT_UNUSABLE


def install(
    file: Path | None,
    *,
    platform: str = sys.platform,
    runner: Callable[..., subprocess.CompletedProcess] = subprocess.run,
) -> int:
    """Install the add-in for the current user; returns the exit code."""
    if not platform.startswith("win"):
        return _not_windows()
    from ..addin.build import ADDIN_FILE, build_addin

    with tempfile.TemporaryDirectory(prefix="xl_pension_") as tmp:
        path = file if file is not None else build_addin(Path(tmp) / ADDIN_FILE)
        if not path.is_file():
            warn(f"找不到加载项文件 {path}。")
            return EXIT_UNUSABLE
        cmd = [sys.executable, "-m", "xlwings.cli", "addin", "install", "-f", str(path)]
        proc = runner(cmd, capture_output=True, text=True)
    output = f"{proc.stdout or ''}{proc.stderr or ''}".strip()
    if proc.returncode != 0 or "Successfully installed" not in output:
        warn(
            "安装加载项失败：请关闭所有 Excel 窗口后重试；如仍失败，请把下面 xlwings 的提示发给技术人员。"
        )
        if output:
            warn(output)
        return EXIT_UNUSABLE
    conf = conf_path()
    write_interpreter(conf, sys.executable, "mbcs" if sys.platform.startswith("win") else "utf-8")
    say(f"已安装加载项 {ADDIN_FILE}，并在 {conf} 中记录 Python：{sys.executable}")
    say("请重新打开 Excel，功能区上会出现“居民养老保险”选项卡。")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Build or install the add-in."""
    if args.action == "build":
        return _build(args)
    return install(Path(args.file) if args.file else None)
