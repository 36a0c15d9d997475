"""The buttons that do not need an open roster: 新建花名册 and 使用说明 (设置 is in settings.py)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import XlPensionError
from ._book import Book, alert, book_folder, cosmetic, read_meta
from .settings import load_policy_setting, load_settings, read_form, remove_form, show_form

NEW_ROSTER_SHEET = "新建花名册"
TOWNSHIP, VILLAGE, FOLDER = "乡镇（街道）", "村（社区）", "保存到文件夹"


def new_roster(book: Book) -> None:
    """新建花名册: ask for township, village and folder on a form sheet, then write the roster."""
    settings = load_settings()
    policy = load_policy_setting(settings)
    typed = read_form(book, NEW_ROSTER_SHEET, [TOWNSHIP, VILLAGE, FOLDER])
    if typed is None:
        meta = read_meta(book)
        township = settings.township or meta.get("township_name", "")
        folder = settings.folder or str(book_folder(book) or "")
        items = [
            (TOWNSHIP, township, "乡镇（街道）名称或 9 位代码，如 城关街道。"),
            (VILLAGE, "", "村（社区）名称，如 王庄村。"),
            (FOLDER, folder, "新花名册保存到哪个文件夹（完整路径）。"),
        ]
        show_form(book, NEW_ROSTER_SHEET, "新建村级花名册", items)
        alert(
            book,
            f"已打开“{NEW_ROSTER_SHEET}”表：请填写乡镇、村名和保存位置，"
            "填好后再点一次“新建花名册”按钮。",
        )
        return
    from ..core.places import township_named
    from ..io.roster_writer import write_roster

    if not typed.get(TOWNSHIP):
        raise XlPensionError("请在“新建花名册”表中填写乡镇（街道）名称。")
    township = township_named(policy, typed[TOWNSHIP])
    village = typed.get(VILLAGE, "").strip()
    if not village:
        raise XlPensionError("请在“新建花名册”表中填写村（社区）名称。")
    folder = Path(typed.get(FOLDER, "").strip() or ".")
    if not typed.get(FOLDER) or not folder.is_dir():
        raise XlPensionError(
            f"找不到文件夹“{typed.get(FOLDER, '')}”，请填写已存在的文件夹的完整路径。"
        )
    out = folder / f"{township.name}{village}花名册.xlsx"
    if out.exists():
        raise XlPensionError(
            f"{out.name} 已存在，为免覆盖村里已填写的数据，未生成新表；请换一个村名或先移走原文件。"
        )
    write_roster(out, policy, township, village)
    remove_form(book, NEW_ROSTER_SHEET)
    if getattr(book.app.engine, "name", "") != "remote":
        cosmetic(lambda: book.app.books.open(str(out)))
    alert(book, f"已生成花名册：{out}")


def show_help(book: Book) -> None:
    """使用说明: what each button does, in one message box."""
    from ..addin.build import load_manifest

    manifest = load_manifest()
    lines = [f"“{b.label}”：{b.screentip}" for b in manifest.buttons if b.tag != "help"]
    alert(
        book,
        "居民养老保险加载项：先打开村级花名册，再点功能区上的按钮。\n"
        + "\n".join(lines)
        + "\n不能使用本加载项（如 WPS）时，可用命令行 xl-pension 完成同样的工作。",
    )
