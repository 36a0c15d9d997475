"""缴费通知: the village's 缴费通知 poster and 明白纸 leaflet, from the ribbon.

The place comes from the open roster (its hidden ``_meta``: township and village); without a
roster, from the township in the add-in's settings, for every village of the contacts file. The
contacts are the working folder's ``征缴专员名单.xlsx`` when there is one (columns 村, 专员, 电话);
the township office phone falls back to the settings' 咨询电话. The files go to ``宣传材料`` in
the working folder (or the roster's folder) and are made by the same use case as
``xl-pension announce``; one message box says what was written and what is missing.
"""

from __future__ import annotations

from pathlib import Path

from ..core import catalogue as cat
from ._book import Book, alert, book_folder, read_meta, status
from .settings import load_policy_setting, load_settings

OUTPUT_FOLDER = "宣传材料"


def announce(book: Book) -> None:
    """缴费通知: write the poster and the leaflet (HTML, and PDF/PNG when a browser is there)."""
    from ..app.announce import describe_row, load_contacts, make_announcements, targets_for
    from ..core.places import township_named
    from ..core.schema import CONTACTS_FILE_NAME

    settings = load_settings()
    policy = load_policy_setting(settings)
    meta = read_meta(book)
    place = meta.get("township_name") or settings.township
    if not place:
        raise cat.ANNOUNCE_PLACE_UNKNOWN.error("township")
    township = township_named(policy, place)
    folder = Path(settings.folder) if settings.folder else book_folder(book)
    if folder is None:
        raise cat.ANNOUNCE_PLACE_UNKNOWN.error("folder")
    contacts_file = folder / CONTACTS_FILE_NAME
    contacts = load_contacts(contacts_file, policy, township) if contacts_file.is_file() else None
    village = meta.get("village", "")
    targets = targets_for(township, [village] if village else [], contacts)
    status(book, "正在生成缴费通知和明白纸……")
    result = make_announcements(
        policy,
        targets,
        folder / OUTPUT_FOLDER,
        contacts=contacts.book if contacts else None,
        office_phone=settings.phone,
    )
    status(book, None)
    lines = [
        f"已生成 {len(result.targets)} 个村的缴费通知和明白纸，保存在 {folder / OUTPUT_FOLDER}。"
    ]
    lines += result.skipped
    if result.missing_contacts:
        lines.append(
            f"没有专员姓名或电话，已留横线待手写：{'、'.join(result.missing_contacts)}"
            f"（可在 {contacts_file} 中填写：村、专员、电话）。"
        )
    if result.missing_office:
        lines.append("没有乡镇人社所电话，已留横线：可在“设置”中填写咨询电话。")
    if contacts:
        lines += [describe_row(f) for f in contacts.warnings[:5]]
    alert(book, "\n".join(lines))
