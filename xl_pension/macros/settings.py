"""The add-in's settings (policy file, working folder, contact phone, township) and form sheets.

Settings live in one small JSON file per Windows user, next to the add-in's xlwings
configuration: ``%USERPROFILE%\\.xl_pension\\settings.json`` (``XL_PENSION_SETTINGS`` overrides
the path). The ribbon has no input dialogs that work on every engine, so a button that needs
input shows a *form sheet*: the first click adds a small sheet with the current values, the
clerk edits it, and the second click reads it, checks it, saves and removes the sheet.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..core.errors import XlPensionError
from ..core.policy import Policy
from ._book import Book, Sheet, cosmetic, find_sheet, grid

SETTINGS_ENV = "XL_PENSION_SETTINGS"
CONFIG_DIR_NAME = ".xl_pension"  # the same folder xlwings uses for the add-in's xl_pension.conf


@dataclass
class Settings:
    """What the clerk sets once with the 设置 button."""

    policy: str = ""  # policy file (TOML); empty = the packaged Dongming policy
    folder: str = ""  # working folder: rosters of the township; empty = the workbook's folder
    phone: str = ""  # contact phone for objections, printed on notices
    township: str = ""  # the clerk's township (name or 9-digit code) for new rosters


LABELS = {
    "policy": "政策文件",
    "folder": "工作文件夹",
    "phone": "咨询电话",
    "township": "本乡镇（街道）",
}
HELP = {
    "policy": "政策文件（.toml）的完整路径；不填则使用内置的东明县政策。",
    "folder": "本乡镇各村花名册所在的文件夹；不填则使用当前工作簿所在的文件夹。",
    "phone": "群众对公示有异议时的联系电话。",
    "township": "新建花名册时默认的乡镇（街道）名称或 9 位代码。",
}


def settings_path() -> Path:
    """Where the settings file is (``XL_PENSION_SETTINGS`` overrides)."""
    override = os.environ.get(SETTINGS_ENV)
    if override:
        return Path(override)
    return Path.home() / CONFIG_DIR_NAME / "settings.json"


def load_settings() -> Settings:
    """The saved settings (defaults when none are saved or the file is unreadable)."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: str(v) for k, v in data.items() if k in known and v is not None})


def save_settings(settings: Settings) -> Path:
    """Write the settings file atomically; returns its path."""
    from ..io.atomic import atomic_path

    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        text = json.dumps(asdict(settings), ensure_ascii=False, indent=1)
        tmp.write_text(text, encoding="utf-8")
    return path


def load_policy_setting(settings: Settings) -> Policy:
    """The policy named in the settings (or the packaged default)."""
    from ..core.policy import load_policy

    return load_policy(settings.policy or None)


# --- form sheets -------------------------------------------------------------------------------

FORM_FIRST_ROW = 3  # rows of a form sheet: title, hint, blank, then one "label | value | help" row


def show_form(book: Book, name: str, title: str, items: list[tuple[str, str, str]]) -> Sheet:
    """Add the form sheet ``name`` with rows ``(label, value, help)``; it becomes active."""
    from ..core.plan import TEXT_FORMAT, SheetPlan, Style
    from .apply import Applied, add_sheet, engine_of

    form = SheetPlan(name, widths={1: 16, 2: 48, 3: 60})
    form.put(1, 1, title, Style(bold=True))
    form.put(2, 1, f"请在 B 列填写，填好后再点一次功能区上的“{name}”按钮；不需要时可直接删除本表。")
    for row, (label, value, hint) in enumerate(items, start=FORM_FIRST_ROW):
        form.put(row, 1, label)
        form.put(row, 2, value, Style(number_format=TEXT_FORMAT))
        form.put(row, 3, hint)
    sheet = add_sheet(book, form, engine_of(book), Applied())
    cosmetic(lambda: sheet.range((FORM_FIRST_ROW, 2)).select())
    return sheet


def read_form(book: Book, name: str, labels: list[str]) -> dict[str, str] | None:
    """The values typed into form sheet ``name`` by label (``None`` when there is no such sheet)."""
    sheet = find_sheet(book, name)
    if sheet is None:
        return None
    wanted = set(labels)
    values: dict[str, str] = {}
    for row in grid(sheet)[FORM_FIRST_ROW - 1 :]:
        if len(row) >= 1 and isinstance(row[0], str) and row[0].strip() in wanted:
            v = row[1] if len(row) > 1 else None
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            values[row[0].strip()] = "" if v is None else str(v).strip()
    return values


def remove_form(book: Book, name: str) -> None:
    """Delete the form sheet."""
    sheet = find_sheet(book, name)
    if sheet is not None:
        sheet.delete()


SETTINGS_SHEET = "设置"


def settings(book: Book) -> None:
    """设置: show the settings as a form sheet; on the second click check and save them."""
    from ._book import alert

    current = load_settings()
    order = [f.name for f in fields(Settings)]
    typed = read_form(book, SETTINGS_SHEET, [LABELS[k] for k in order])
    if typed is None:
        items = [(LABELS[k], getattr(current, k), HELP[k]) for k in order]
        show_form(book, SETTINGS_SHEET, "居民养老保险加载项设置", items)
        alert(book, f"已打开“{SETTINGS_SHEET}”表：请在 B 列修改，改好后再点一次“设置”按钮保存。")
        return
    new = Settings(**{k: typed.get(LABELS[k], "") for k in order})
    _check_settings(new)
    path = save_settings(new)
    remove_form(book, SETTINGS_SHEET)
    alert(book, f"设置已保存（{path}）。")


def _check_settings(s: Settings) -> None:
    """Refuse settings that cannot work, with one Chinese sentence."""
    from ..core.policy import load_policy
    from ..core.values import phone_ok, phone_text

    if s.policy:
        if not Path(s.policy).is_file():
            raise XlPensionError(
                f"找不到政策文件“{s.policy}”，请填写完整路径，或留空使用内置政策。"
            )
        load_policy(s.policy)  # a broken file raises PolicyError naming the key path
    if s.folder and not Path(s.folder).is_dir():
        raise XlPensionError(f"找不到文件夹“{s.folder}”，请填写已存在的文件夹的完整路径。")
    if s.phone and not phone_ok(phone_text(s.phone)):
        raise XlPensionError(f"咨询电话“{s.phone}”不是 11 位手机号或带区号的固定电话，请核对。")
    if s.township:
        from ..core.places import township_named

        township_named(load_policy(s.policy or None), s.township)
