"""生成公示: the village's public notice as a ``公示`` sheet in the open roster (and an HTML page).

The notice is built by the domain code (:func:`xl_pension.reports.notice.build_notice`), its texts
come from the same jinja2 templates as the command line's (``templates/notice``), starting today,
with the contact phone from the add-in's settings, and the sheet is the same plan the command
line writes (:func:`xl_pension.reports.notice_plan.notice_plan`), applied to the open book as
far as its engine can (page setup beyond the print area is left to Excel). When the roster is
saved on this computer, ``<name>_公示.html`` is also written next to it.
"""

from __future__ import annotations

import datetime as dt

from ._book import Book, alert, book_folder, status
from .roster_macros import checked_book, money_of, refuse_errors
from .settings import load_settings


def notice(book: Book) -> None:
    """生成公示: add (or replace) the ``公示`` sheet with this year's paid people."""
    from ..io.notice_html import notice_texts
    from ..reports.notice import NOTICE_SHEET, build_notice, chinese_date
    from ..reports.notice_plan import notice_plan
    from .apply import apply_plan

    checked, _sheet, _rows, policy = checked_book(book)
    refuse_errors(checked, "生成公示")
    money = money_of(checked, policy)
    ctx = build_notice(checked, money, policy, dt.date.today(), load_settings().phone)
    status(book, "正在生成公示……")
    apply_plan(book, notice_plan(ctx, notice_texts(ctx.page())))
    html = ""
    folder = book_folder(book)
    if folder is not None:
        from ..io.notice_html import write_html

        stem = book.name.rsplit(".", 1)[0]
        path = write_html(folder / f"{stem}_公示.html", [ctx.page()])
        html = f"网页版已保存为 {path}。"
    status(book, None)
    alert(
        book,
        f"已生成“{NOTICE_SHEET}”表：公示 {ctx.totals.people} 人，公示期"
        f"{chinese_date(ctx.start)}至{chinese_date(ctx.end)}。{html}"
        "请打印后在村务公开栏张贴。",
    )
