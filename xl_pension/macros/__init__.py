"""Excel ribbon macros: one function per button, each taking the open ``xw.Book``.

The add-in's single VBA callback runs ``xl_pension.macros.run(tag)`` with the clicked button's
tag (see ``templates/ribbon/buttons.toml``). :func:`run` looks the tag up in :data:`MACROS`,
imports the macro's module only then (so that this module imports in a few milliseconds), calls
it with the calling workbook, and turns every failure into one Chinese sentence in a message box:
no traceback ever reaches the clerk. The full traceback of an unexpected error goes to a log file
(:func:`log_path`) for whoever supports the township.

The same functions run on desktop Excel (COM, through RunPython) and on xlwings' remote engine
(``xw.Book(json=...)``), which is how the tests drive them.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

TAG_PATTERN = re.compile(r"[A-Za-z0-9_]{1,40}")


def macro_table() -> dict[str, tuple[str, str]]:
    """Button tag -> (module under xl_pension.macros, function), as the ribbon manifest
    (``templates/ribbon/buttons.toml``) lists them: a button and its macro are declared there
    once. Read on first use, so that importing this module stays fast."""
    global _TABLE
    if _TABLE is None:
        import tomllib

        from ..core.paths import templates_dir

        text = (templates_dir() / "ribbon" / "buttons.toml").read_text(encoding="utf-8")
        table = {}
        for b in tomllib.loads(text).get("button", []):
            module, _, function = str(b.get("macro", "")).partition(".")
            table[str(b["tag"])] = (module, function)
        _TABLE = table
    return _TABLE


_TABLE: dict[str, tuple[str, str]] | None = None


def __getattr__(name: str) -> Any:
    """``MACROS``: the table of :func:`macro_table` (kept for the add-in build and tests)."""
    if name == "MACROS":
        return macro_table()
    raise AttributeError(name)


def log_path() -> Path:
    """Where :func:`run` writes the traceback of an unexpected error."""
    import tempfile

    return Path(tempfile.gettempdir()) / "xl_pension_macro.log"


def resolve(tag: str) -> Callable[[Any], None]:
    """The macro function of a button tag; ``KeyError`` for a tag that is not a button."""
    if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag) or tag not in macro_table():
        raise KeyError(tag)
    import importlib

    module, function = macro_table()[tag]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


def _caller() -> Any:
    import xlwings as xw

    return xw.Book.caller()


def _log(exc: BaseException) -> Path | None:
    import datetime as dt
    import traceback

    path = log_path()
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now():%Y-%m-%d %H:%M:%S}\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path


def run(tag: str, book: Any = None) -> int:
    """Run the macro of button ``tag`` on ``book`` (default: the workbook that called RunPython).

    Returns the command line's exit codes: 0 when the macro finished, 1 when it stopped on
    findings (e.g. a roster with errors), 2 when the workbook is unusable or on an unexpected
    error; in every case the clerk has seen exactly one message box. Only when
    there is no workbook to show a message in does it print one line and exit with status 2.
    """
    from ..core.errors import XlPensionError

    try:
        if book is None:
            book = _caller()
    except Exception as exc:  # no workbook to show a message in: one line on stderr, and a
        _log(exc)  # non-zero exit status so that RunPython shows that line in its message box
        print("没有找到当前工作簿：请先打开或新建一个工作簿，再点功能区上的按钮。", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        macro = resolve(tag)
    except KeyError:
        _say(book, f"未知的按钮“{tag}”，加载项可能已过期；请重新安装加载项。")
        return 2
    except Exception as exc:
        path = _log(exc)
        where = f"详细信息已记录在 {path}。" if path else ""
        _say(
            book,
            f"加载项的 Python 程序未能启动（{type(exc).__name__}），请重新安装 xl-pension。{where}",
        )
        return 2
    try:
        macro(book)
        return 0
    except XlPensionError as exc:
        _status_off(book)
        _say(book, exc.message)
        return exc.exit_code
    except OSError as exc:  # permission, disk full, a file open elsewhere: one sentence
        from ..io.faults import os_fault

        _status_off(book)
        fault = os_fault(exc)
        _say(book, fault.message)
        return fault.exit_code
    except (Exception, SystemExit) as exc:  # SystemExit: code that calls sys.exit()
        _status_off(book)
        path = _log(exc)
        where = f"详细信息已记录在 {path}，请发给技术人员。" if path else ""
        _say(book, f"操作未完成：发生了内部错误（{type(exc).__name__}）。{where}")
        return 2


def _status_off(book: Any) -> None:
    from ._book import status

    with contextlib.suppress(Exception):  # cosmetic; never let it hide the real message
        status(book, None)


def _say(book: Any, message: str) -> None:
    from ._book import alert

    try:
        alert(book, message, critical=True)
    except Exception:
        print(message, file=sys.stderr)
