"""乡镇汇总 and 合并上报: the folder-level reports, run from the ribbon.

Both work on a folder of roster files, not on the open workbook: the working folder from the
add-in's settings, else the folder of the active workbook. They run the same code as the
commands ``xl-pension summary`` and ``xl-pension merge`` (whose console output is captured), write
``乡镇汇总.xlsx`` / ``全县汇总.xlsx`` into that folder, open it on desktop Excel, and sum up in
one message box. Only saved files are read: unsaved changes in open rosters are not included.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import EXIT_OK, XlPensionError
from ._book import Book, alert, book_folder, cosmetic, status
from .settings import load_settings


def _folder(book: Book) -> Path:
    settings = load_settings()
    if settings.folder:
        return Path(settings.folder)
    folder = book_folder(book)
    if folder is None:
        raise cat.FOLDER_UNKNOWN.error()
    return folder


def _run_command(book: Book, command: str, what: str) -> None:
    """Run ``xl-pension <command> <folder>`` in-process and report its outcome."""
    module = importlib.import_module(f"..commands.{command}", __package__)
    folder = _folder(book)
    out = folder / module.DEFAULT_OUTPUT
    parser = argparse.ArgumentParser(add_help=False)  # the command's own options and defaults
    module.add_arguments(parser)
    try:
        args = parser.parse_args(["--", str(folder)])
    except SystemExit:  # argparse exits on a usage error; should never happen here
        raise XlPensionError(f"无法运行“{what}”，请重新安装 xl-pension。") from None
    args.policy = load_settings().policy or None
    status(book, f"正在生成{what}（{folder}）……")
    console = io.StringIO()
    with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console):
        code = module.run(args)
    status(book, None)
    if getattr(book.app.engine, "name", "") != "remote":
        cosmetic(lambda: book.app.books.open(str(out)))
    note = "" if code == EXIT_OK else "有错误、重复或无法读取的文件，详见其中的“问题清单”等工作表。"
    alert(book, f"已生成{what}：{out}。{note}汇总的是文件夹中已保存的花名册。")


def summary(book: Book) -> None:
    """乡镇汇总: the township summary of every roster in the working folder."""
    _run_command(book, "summary", "乡镇汇总")


def merge(book: Book) -> None:
    """合并上报: the county merge (ranking, duplicates, tax-bureau list) of the working folder."""
    _run_command(book, "merge", "全县汇总")
