"""Build the Excel ribbon add-in ``workbooks/xl_pension.xlam`` from text sources, reproducibly.

Inputs: the ribbon add-in template that ships inside the xlwings wheel
(``xlwings/quickstart_addin_ribbon.xlam``), the manifest ``templates/ribbon/buttons.toml`` and
the VBA module ``templates/ribbon/RibbonXlPension.bas``. The build

- renders ``customUI/customUI.xml`` from the manifest (one button per entry, all calling the
  same static callback ``RibbonXlPension.OnAction`` with the button's tag);
- replaces the template's ribbon module ``RibbonMyAddin`` with ``RibbonXlPension`` (source only:
  MODULEOFFSET 0, no compiled p-code; ``_VBA_PROJECT`` says version 0xFFFF, so Excel compiles
  the project from source on load, as it already does for the template's ``xlwings`` module);
- sets the VBA project name (``XlPension``) and the add-in's xlwings config name
  (``PROJECT_NAME = "xl_pension"`` in the ``xlwings`` module, so that settings are read from the
  ``xl_pension.conf`` sheet or ``%USERPROFILE%\\.xl_pension\\xl_pension.conf``), and renames the
  inactive config sheet ``_myaddin.conf`` to ``_xl_pension.conf``;
- writes the package with fixed timestamps and stored (uncompressed) entries, so the same inputs
  give the same bytes on every computer.

The VBA project is edited with pyOpenVBA (MIT), which implements MS-OVBA compression and MS-CFB.
"""

from __future__ import annotations

import io
import re
import struct
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..core.errors import XlPensionError
from ..core.paths import templates_dir, workbooks_dir

TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
ADDIN_FILE = "xl_pension.xlam"
MANIFEST_FILE = "buttons.toml"
CUSTOMUI_FILE = "customUI.xml"
TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"
RIBBON_MODULE = "RibbonXlPension"
VBA_PROJECT_NAME = "XlPension"
CONFIG_NAME = "xl_pension"
TEMPLATE_CONFIG_NAME = "myaddin"
ON_ACTION = f"{RIBBON_MODULE}.OnAction"
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOMUI_PART = "customUI/customUI.xml"
VBA_PART = "xl/vbaProject.bin"
WORKBOOK_PART = "xl/workbook.xml"
VBA_PROJECT_STREAM = b"\xcc\x61\xff\xff\x00\x00\x00"  # Reserved1, Version 0xFFFF, Reserved2/3
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

ID_PATTERN = re.compile(r"[A-Za-z_]\w*", re.ASCII)
OFFICE_TEXT_MAX = 1024  # customUI ST_String / ST_LongString limits for ids, labels and tips
LABEL_MAX = 8  # characters that fit under a large ribbon button
TAB_LABEL_MAX = 16


class AddinError(XlPensionError):
    """The add-in cannot be built or installed (message in Chinese)."""


@dataclass(frozen=True)
class Group:
    """A group of buttons on the tab."""

    id: str
    label: str


@dataclass(frozen=True)
class Button:
    """One ribbon button; ``tag`` is what the VBA callback passes, ``macro`` the Python function
    it runs ("module.function" under :mod:`xl_pension.macros`)."""

    id: str
    group: str
    label: str
    image: str
    screentip: str
    supertip: str
    tag: str
    macro: str = ""


@dataclass(frozen=True)
class Manifest:
    """The ribbon tab as listed in ``buttons.toml``."""

    tab_id: str
    tab_label: str
    groups: tuple[Group, ...]
    buttons: tuple[Button, ...]


def ribbon_dir() -> Path:
    """``templates/ribbon``: the manifest, the generated customUI.xml and the VBA module."""
    return templates_dir() / "ribbon"


def load_manifest(path: str | Path | None = None) -> Manifest:
    """Read the manifest (structure only; :func:`manifest_problems` checks the content)."""
    p = Path(path) if path else ribbon_dir() / MANIFEST_FILE
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        groups = tuple(Group(str(g["id"]), str(g["label"])) for g in data.get("group", []))
        buttons = tuple(
            Button(
                id=str(b["id"]),
                group=str(b["group"]),
                label=str(b["label"]),
                image=str(b["image"]),
                screentip=str(b["screentip"]),
                supertip=str(b.get("supertip", "")),
                tag=str(b["tag"]),
                macro=str(b.get("macro", "")),
            )
            for b in data.get("button", [])
        )
        return Manifest(str(data["tab"]["id"]), str(data["tab"]["label"]), groups, buttons)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AddinError(f"无法读取功能区清单 {p}：{exc}") from None
    except (KeyError, TypeError) as exc:
        raise AddinError(f"功能区清单 {p} 缺少项目 {exc}。") from None


def manifest_problems(manifest: Manifest) -> list[str]:
    """Everything wrong with the manifest (empty when it is fine), one Chinese line each."""
    from ..macros import TAG_PATTERN

    problems: list[str] = []
    ids = [manifest.tab_id] + [g.id for g in manifest.groups] + [b.id for b in manifest.buttons]
    for i in ids:
        if not ID_PATTERN.fullmatch(i) or len(i) > OFFICE_TEXT_MAX:
            problems.append(f"id“{i}”不合规：须以字母或下划线开头，只含字母、数字和下划线。")
    for i in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"id“{i}”重复。")
    if not 0 < len(manifest.tab_label) <= TAB_LABEL_MAX:
        problems.append(f"选项卡名称“{manifest.tab_label}”应为 1 至 {TAB_LABEL_MAX} 个字。")
    group_ids = {g.id for g in manifest.groups}
    for g in manifest.groups:
        if not 0 < len(g.label) <= LABEL_MAX:
            problems.append(f"组“{g.id}”的名称应为 1 至 {LABEL_MAX} 个字。")
        if not any(b.group == g.id for b in manifest.buttons):
            problems.append(f"组“{g.id}”中没有按钮。")
    for b in manifest.buttons:
        if b.group not in group_ids:
            problems.append(f"按钮“{b.id}”所属的组“{b.group}”不存在。")
        if not 0 < len(b.label) <= LABEL_MAX:
            problems.append(f"按钮“{b.id}”的文字应为 1 至 {LABEL_MAX} 个字。")
        if not ID_PATTERN.fullmatch(b.image):
            problems.append(f"按钮“{b.id}”的图标名“{b.image}”不是 imageMso 名称。")
        for name, text in (("screentip", b.screentip), ("supertip", b.supertip)):
            if len(text) > OFFICE_TEXT_MAX:
                problems.append(f"按钮“{b.id}”的 {name} 超过 {OFFICE_TEXT_MAX} 个字符。")
        if not b.screentip:
            problems.append(f"按钮“{b.id}”缺少 screentip。")
        if not TAG_PATTERN.fullmatch(b.tag):
            problems.append(f"按钮“{b.id}”的 tag“{b.tag}”只能含字母、数字和下划线。")
        elif not _macro_exists(b.macro):
            problems.append(f"按钮“{b.id}”的 macro“{b.macro}”不是 xl_pension.macros 中的函数。")
    tags = [b.tag for b in manifest.buttons]
    for t in sorted({t for t in tags if tags.count(t) > 1}):
        problems.append(f"tag“{t}”被多个按钮使用。")
    return problems


def _macro_exists(macro: str) -> bool:
    """Whether ``module.function`` names a function under :mod:`xl_pension.macros`."""
    import importlib

    module, _, function = macro.partition(".")
    if not (ID_PATTERN.fullmatch(module) and ID_PATTERN.fullmatch(function)):
        return False
    try:
        return callable(getattr(importlib.import_module(f"xl_pension.macros.{module}"), function))
    except (ImportError, AttributeError):
        return False


def checked_manifest(path: str | Path | None = None) -> Manifest:
    """The manifest, refused with every problem listed when it is not valid."""
    manifest = load_manifest(path)
    problems = manifest_problems(manifest)
    if problems:
        raise AddinError("功能区清单有误：" + "；".join(problems))
    return manifest


def render_customui(manifest: Manifest) -> str:
    """The ribbon XML (customUI namespace of Office 2007 and later) for the manifest."""
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        f"<!-- Generated by `xl-pension addin build` from templates/ribbon/{MANIFEST_FILE}."
        " Do not edit. -->",
        f"<customUI xmlns={quoteattr(CUSTOMUI_NS)}>",
        "  <ribbon>",
        "    <tabs>",
        f"      <tab id={quoteattr(manifest.tab_id)} label={quoteattr(manifest.tab_label)}>",
    ]
    for g in manifest.groups:
        out.append(f"        <group id={quoteattr(g.id)} label={quoteattr(g.label)}>")
        for b in (b for b in manifest.buttons if b.group == g.id):
            attrs = {
                "id": b.id,
                "label": b.label,
                "size": "large",
                "imageMso": b.image,
                "screentip": b.screentip,
                "supertip": b.supertip,
                "tag": b.tag,
                "onAction": ON_ACTION,
            }
            text = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items() if v)
            out.append(f"          <button {text} />")
        out.append("        </group>")
    out += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(out)


def xlwings_template() -> Path:
    """The ribbon add-in template inside the installed xlwings package (xlwings not imported)."""
    spec = find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise AddinError("没有安装 xlwings，无法构建加载项；请先运行 pip install xlwings。")
    path = Path(next(iter(spec.submodule_search_locations))) / TEMPLATE_NAME
    if not path.is_file():
        raise AddinError(f"xlwings 安装包中没有 {TEMPLATE_NAME}，请重新安装 xlwings。")
    return path


def module_source(path: str | Path | None = None) -> str:
    """The ribbon VBA module as stored: the ``.bas`` file's lines joined with CRLF."""
    p = Path(path) if path else ribbon_dir() / f"{RIBBON_MODULE}.bas"
    lines = p.read_text(encoding="ascii").splitlines()
    if not lines or lines[0] != f'Attribute VB_Name = "{RIBBON_MODULE}"':
        raise AddinError(f'{p.name} 的第一行应为 Attribute VB_Name = "{RIBBON_MODULE}"。')
    return "\r\n".join(lines) + "\r\n"


def _set_config_name(xlwings_source: str) -> str:
    old = f'Public Const PROJECT_NAME As String = "{TEMPLATE_CONFIG_NAME}"'
    if xlwings_source.count(old) != 1:
        raise AddinError("xlwings 模板中找不到 PROJECT_NAME 常量，模板版本不受支持。")
    return xlwings_source.replace(old, f'Public Const PROJECT_NAME As String = "{CONFIG_NAME}"')


def _set_dir_project_name(raw: bytes, name: bytes) -> bytes:
    """The decompressed ``dir`` stream with its PROJECTNAME record (0x0004) replaced."""
    pos = 0
    while pos + 6 <= len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        if rid == 0x0004:
            return raw[:pos] + struct.pack("<HI", rid, len(name)) + name + raw[pos + 6 + size :]
        if rid == 0x000F:  # PROJECTMODULES: past the information records
            break
        pos += 6 + (6 if rid == 0x0009 else size)  # PROJECTVERSION's size field is reserved
    raise AddinError("VBA 工程的 dir 流中没有工程名称记录。")


def _rename_project(vba_bin: bytes) -> bytes:
    """Set the project name (dir and PROJECT streams) and write ``_VBA_PROJECT`` version 0xFFFF."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress

    cfb = CFB.from_bytes(vba_bin)
    name = VBA_PROJECT_NAME.encode("ascii")
    dir_raw = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    cfb.write_stream_in_storage("VBA", "dir", compress(_set_dir_project_name(dir_raw, name)))
    project = cfb.get_stream("PROJECT").decode("latin-1")
    project, n = re.subn(r'(?m)^Name="[^"]*"', f'Name="{VBA_PROJECT_NAME}"', project, count=1)
    if n != 1:
        raise AddinError("VBA 工程的 PROJECT 流中没有 Name 行。")
    cfb.write_stream("PROJECT", project.encode("latin-1"))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    return cfb.to_bytes()


def build_vba_project(template: Path, ribbon_source: str) -> bytes:
    """The template's ``vbaProject.bin`` with our ribbon module, project name and config name."""
    from pyopenvba import ExcelFile

    with tempfile.TemporaryDirectory(prefix="xl_pension_addin_") as tmp:
        edited = Path(tmp) / "edited.xlam"
        with ExcelFile(template) as wb:
            project = wb.vba_project()
            if TEMPLATE_RIBBON_MODULE not in project.module_names():
                raise AddinError(
                    f"xlwings 模板中没有 {TEMPLATE_RIBBON_MODULE} 模块，版本不受支持。"
                )
            project.rename_module(TEMPLATE_RIBBON_MODULE, RIBBON_MODULE)
            wb.set_module(RIBBON_MODULE, ribbon_source)
            wb.set_module("xlwings", _set_config_name(wb.get_module("xlwings")))
            wb.save(edited)
        with zipfile.ZipFile(edited) as z:
            vba = z.read(VBA_PART)
    return _rename_project(vba)


# The template's author's folder (x15ac:absPath) is dropped from the workbook part.
_ABS_PATH = re.compile(
    rb"<mc:AlternateContent\b(?:(?!</mc:AlternateContent>).)*?absPath.*?</mc:AlternateContent>",
    re.S,
)
CORE_PROPERTIES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>xl_pension 功能区加载项</dc:title><dc:creator>xl_pension</dc:creator>"
    "<cp:lastModifiedBy>xl_pension</cp:lastModifiedBy>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
).encode()


def _workbook_xml(data: bytes) -> bytes:
    old = f'name="_{TEMPLATE_CONFIG_NAME}.conf"'.encode()
    if data.count(old) != 1:
        raise AddinError(f"xlwings 模板中找不到 _{TEMPLATE_CONFIG_NAME}.conf 工作表。")
    return _ABS_PATH.sub(b"", data.replace(old, f'name="_{CONFIG_NAME}.conf"'.encode()))


def build_addin_bytes(
    template: Path | None = None, manifest: Manifest | None = None, ribbon_source: str | None = None
) -> bytes:
    """The add-in package's bytes: deterministic for the same template, manifest and module."""
    template = template or xlwings_template()
    manifest = manifest or checked_manifest()
    ribbon_source = ribbon_source or module_source()
    replaced = {
        "docProps/core.xml": CORE_PROPERTIES,  # not the template author's name and dates
        CUSTOMUI_PART: render_customui(manifest).encode("utf-8"),
        VBA_PART: build_vba_project(template, ribbon_source),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(buf, "w") as zout:
        names = zin.namelist()
        if CUSTOMUI_PART not in names or VBA_PART not in names:
            raise AddinError(f"{template.name} 不是 xlwings 的功能区加载项模板。")
        for name in names:
            data = replaced.get(name)
            if data is None:
                data = zin.read(name)
                if name == WORKBOOK_PART:
                    data = _workbook_xml(data)
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            info.external_attr = 0
            zout.writestr(info, data)
    return buf.getvalue()


def build_addin(out: str | Path | None = None, *, template: Path | None = None) -> Path:
    """Write the add-in (default ``workbooks/xl_pension.xlam``) atomically; returns its path."""
    from ..io.atomic import atomic_path

    target = Path(out) if out else workbooks_dir() / ADDIN_FILE
    data = build_addin_bytes(template)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def write_customui(manifest: Manifest | None = None) -> Path:
    """Regenerate ``templates/ribbon/customUI.xml`` (kept in the repository for review)."""
    path = ribbon_dir() / CUSTOMUI_FILE
    text = render_customui(manifest or checked_manifest())
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8", newline="\n")
    return path
