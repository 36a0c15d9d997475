"""乡镇汇总 and 合并上报: the folder-level reports, run from the ribbon.

Both work on a folder of roster files, not on the open workbook: the working folder from the
add-in's settings, else the folder of the active workbook. They call the same use cases as the
commands ``xl-pension summary`` and ``xl-pension merge`` (:func:`xl_pension.app.summary.
summarize_folder`, :func:`xl_pension.app.merge.merge_county`), show their progress in the
status bar, write ``乡镇汇总.xlsx`` / ``全县汇总.xlsx`` into that folder, open it on desktop
Excel, and sum up in one message box. Only saved files are read: unsaved changes in open
rosters are not included.
"""

from __future__ import annotations

from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import EXIT_OK
from ._book import Book, alert, book_folder, cosmetic, status
from .settings import load_policy_setting, load_settings

SAVED_ONLY = "汇总的是文件夹中已保存的花名册。"
SEE_SHEETS = "有错误、重复或无法读取的文件，详见其中的“问题清单”等工作表。"


def _folder(book: Book) -> Path:
    settings = load_settings()
    if settings.folder:
        return Path(settings.folder)
    folder = book_folder(book)
    if folder is None:
        raise cat.FOLDER_UNKNOWN.error()
    return folder


def _status_bar(book: Book, what: str):
    """A progress callback that writes ``正在生成…：已读 n/N 个花名册`` to the status bar."""

    def progress(done: int, total: int, label: str) -> None:
        status(book, f"正在生成{what}：{label} {done}/{total}")

    return progress


def _run(book: Book, what: str, use_case) -> None:
    """Run ``use_case(folder, policy, progress=...)`` on the working folder; open and report
    its output."""
    folder = _folder(book)
    policy = load_policy_setting(load_settings())
    status(book, f"正在生成{what}（{folder}）……")
    try:
        done = use_case(folder, policy, progress=_status_bar(book, what))
    finally:
        status(book, None)
    if getattr(book.app.engine, "name", "") != "remote":
        cosmetic(lambda: book.app.books.open(str(done.output)))
    note = "" if done.exit_code == EXIT_OK else SEE_SHEETS
    alert(book, f"已生成{what}：{done.output}。{note}{SAVED_ONLY}")


def summary(book: Book) -> None:
    """乡镇汇总: the township summary of every roster in the working folder."""
    from ..app.summary import summarize_folder

    _run(book, "乡镇汇总", summarize_folder)


def merge(book: Book) -> None:
    """合并上报: the county merge (ranking, duplicates, unplaced rows) of the working folder."""
    from ..app.merge import merge_county

    _run(book, "全县汇总", merge_county)
