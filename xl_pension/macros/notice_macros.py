"""生成公示: the village's public notice as a ``公示`` sheet in the open roster (and an HTML page).

The notice is built by the domain code (:func:`xl_pension.reports.notice.build_notice`) and its texts
come from the same jinja2 templates as the command line's (``templates/notice``), starting today,
with the contact phone from the add-in's settings. The sheet holds values only, laid out like the
command line's print-ready sheet; page setup beyond the print area is left to Excel (the command
``xl-pension notice`` writes the fully print-ready version). When the roster is saved on this
computer, ``<name>_公示.html`` is also written next to it.
"""

from __future__ import annotations

import datetime as dt

from ._book import (
    Book,
    alert,
    as_text_columns,
    bold,
    book_folder,
    cell_ref,
    cosmetic,
    fresh_sheet,
    status,
    widths,
    write_rows,
)
from .roster_macros import checked_book, refuse_errors
from .settings import load_settings

WIDTHS = (6.5, 10.0, 11.0, 22.0, 10.0, 10.0, 10.0, 10.0)


def notice(book: Book) -> None:
    """生成公示: add (or replace) the ``公示`` sheet with this year's paid people."""
    from ..core.money import person_money
    from ..io.notice_html import notice_texts
    from ..reports.notice import NOTICE_COLUMNS, NOTICE_SHEET, build_notice, chinese_date

    checked, sheet, _rows, policy = checked_book(book)
    refuse_errors(checked, "生成公示")
    money = {p.row: person_money(p, policy) for p in checked.people}
    ctx = build_notice(checked, money, policy, dt.date.today(), load_settings().phone)
    texts = notice_texts(ctx)
    status(book, "正在生成公示……")
    width = len(NOTICE_COLUMNS)
    top = [[texts.title], *[["\u3000\u3000" + p] for p in texts.intro]]
    header_row = len(top) + 1
    table = [[h for _, h in NOTICE_COLUMNS], *[list(r.cells()) for r in ctx.rows]]
    totals: list[object] = []
    for value, span in ctx.totals_line():
        totals += [value] + [None] * (span - 1)
    bottom = [[], *[["\u3000\u3000" + p] for p in texts.footer], []]
    signoff = [[None] * 4 + [line] for line in texts.signoff]
    ws = fresh_sheet(book, NOTICE_SHEET, after=sheet)
    last_table_row = header_row + len(table)
    as_text_columns(ws, header_row + 1, last_table_row, (2, 3, 4))
    rows = [*top, *table, totals, *bottom, *signoff]
    write_rows(ws, 1, 1, rows)
    bold(ws.range("A1"))
    bold(ws.range((header_row, 1), (header_row, width)))
    bold(ws.range((last_table_row + 1, 1), (last_table_row + 1, width)))
    widths(ws, WIDTHS)
    area = f"A1:{cell_ref(len(rows), width)}"

    def set_area() -> None:
        ws.page_setup.print_area = area

    cosmetic(set_area)
    ws.activate()
    html = ""
    folder = book_folder(book)
    if folder is not None:
        from ..io.notice_html import write_html

        stem = book.name.rsplit(".", 1)[0]
        path = write_html(folder / f"{stem}_公示.html", [ctx])
        html = f"网页版已保存为 {path}。"
    status(book, None)
    alert(
        book,
        f"已生成“{NOTICE_SHEET}”表：公示 {ctx.totals.people} 人，公示期"
        f"{chinese_date(ctx.start)}至{chinese_date(ctx.end)}。{html}"
        "请打印后在村务公开栏张贴。",
    )
