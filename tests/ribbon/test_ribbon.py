"""The ribbon manifest, the customUI XML generated from it, and the VBA callback module.

One manifest (``templates/ribbon/buttons.toml``) lists the buttons; the checked-in
``customUI.xml`` must be exactly what the build renders from it, every tag must name a macro of
the Python dispatch table (and every macro must have a button), ids and labels must be within
Office's rules, and the single VBA callback must only pass safe tags to Python.
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET

import pytest

from xl_pension.addin import build as ab
from xl_pension.macros import MACROS, TAG_PATTERN, resolve

NS = {"ui": ab.CUSTOMUI_NS}


@pytest.fixture(scope="module")
def manifest() -> ab.Manifest:
    return ab.load_manifest()


def test_the_manifest_is_valid(manifest: ab.Manifest) -> None:
    assert ab.manifest_problems(manifest) == []
    assert manifest.tab_label == "居民养老保险"


def test_ids_are_unique_identifiers(manifest: ab.Manifest) -> None:
    ids = [manifest.tab_id, *(g.id for g in manifest.groups), *(b.id for b in manifest.buttons)]
    assert len(ids) == len(set(ids))
    for i in ids:
        assert re.fullmatch(r"[A-Za-z_]\w*", i, re.ASCII), i


def test_every_button_runs_a_macro_and_every_macro_has_a_button(manifest: ab.Manifest) -> None:
    tags = [b.tag for b in manifest.buttons]
    assert sorted(tags) == sorted(MACROS)
    for tag in tags:
        assert TAG_PATTERN.fullmatch(tag) and callable(resolve(tag)), tag


def test_labels_fit_office(manifest: ab.Manifest) -> None:
    for b in manifest.buttons:
        assert 0 < len(b.label) <= ab.LABEL_MAX, b.label
        assert 0 < len(b.screentip) <= ab.OFFICE_TEXT_MAX
        assert len(b.supertip) <= ab.OFFICE_TEXT_MAX
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", b.image), b.image
    for g in manifest.groups:
        assert 0 < len(g.label) <= ab.LABEL_MAX


def test_checked_in_customui_is_generated_from_the_manifest(manifest: ab.Manifest) -> None:
    path = ab.ribbon_dir() / ab.CUSTOMUI_FILE
    assert path.read_text(encoding="utf-8") == ab.render_customui(manifest), (
        "templates/ribbon/customUI.xml is out of date: run `xl-pension addin build`"
    )


def test_customui_is_well_formed_in_the_customui_namespace(manifest: ab.Manifest) -> None:
    root = ET.fromstring(ab.render_customui(manifest).encode("utf-8"))
    assert root.tag == f"{{{ab.CUSTOMUI_NS}}}customUI"
    tabs = root.findall("ui:ribbon/ui:tabs/ui:tab", NS)
    assert [(t.get("id"), t.get("label")) for t in tabs] == [(manifest.tab_id, manifest.tab_label)]
    buttons = root.findall(".//ui:button", NS)
    assert [b.get("id") for b in buttons] == [
        b.id for g in manifest.groups for b in manifest.buttons if b.group == g.id
    ]
    by_id = {b.id: b for b in manifest.buttons}
    for el in buttons:
        b = by_id[el.get("id")]
        assert el.get("onAction") == ab.ON_ACTION
        assert (el.get("tag"), el.get("label"), el.get("imageMso")) == (b.tag, b.label, b.image)
        assert el.get("screentip") == b.screentip and el.get("size") == "large"


def test_text_is_escaped_in_the_xml(manifest: ab.Manifest) -> None:
    odd = dataclasses.replace(manifest.buttons[0], screentip='村“甲” & <乙> "丙"')
    xml = ab.render_customui(dataclasses.replace(manifest, buttons=(odd, *manifest.buttons[1:])))
    el = ET.fromstring(xml.encode("utf-8")).find(".//ui:button", NS)
    assert el is not None and el.get("screentip") == odd.screentip


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"id": "1bad"}, "id“1bad”不合规"),
        ({"id": "btnHelp"}, "id“btnHelp”重复"),
        ({"macro": "setup_macros.format_disk"}, "不是 xl_pension.macros 中的函数"),
        ({"macro": "os.system"}, "不是 xl_pension.macros 中的函数"),
        ({"tag": "validate;x"}, "只能含字母"),
        ({"label": "一个非常非常长的按钮名称"}, "文字应为"),
        ({"group": "grpNone"}, "不存在"),
        ({"image": "not an icon"}, "imageMso"),
        ({"screentip": "长" * 1025}, "超过"),
    ],
)
def test_bad_manifests_are_refused(manifest: ab.Manifest, change: dict, words: str) -> None:
    bad = dataclasses.replace(manifest.buttons[0], **change)
    problems = ab.manifest_problems(
        dataclasses.replace(manifest, buttons=(bad, *manifest.buttons[1:]))
    )
    assert any(words in p for p in problems), problems


def test_a_bad_manifest_file_is_one_chinese_error(tmp_path) -> None:
    path = tmp_path / "buttons.toml"
    path.write_text('[tab]\nid = "t"\n', encoding="utf-8")
    with pytest.raises(ab.AddinError, match="缺少"):
        ab.load_manifest(path)
    path.write_text("这不是 TOML = =", encoding="utf-8")
    with pytest.raises(ab.AddinError, match="无法读取"):
        ab.load_manifest(path)


def test_the_vba_callback_passes_only_safe_tags() -> None:
    path = ab.ribbon_dir() / f"{ab.RIBBON_MODULE}.bas"
    text = path.read_bytes().decode("ascii")  # VBA source is stored in the ANSI code page
    lines = text.splitlines()
    assert lines[0] == f'Attribute VB_Name = "{ab.RIBBON_MODULE}"'
    procs = [ln for ln in lines if re.match(r"\s*(Public |Private )?(Sub|Function) ", ln)]
    assert procs == ["Sub OnAction(control As IRibbonControl)"], "one static generic callback"
    assert f"{ab.RIBBON_MODULE}.OnAction" == ab.ON_ACTION
    assert 'Like "[A-Za-z0-9_]"' in text and "Len(tag) > 40" in text
    run = [ln.strip() for ln in lines if "RunPython" in ln]
    assert run == ['RunPython "import xl_pension.macros; xl_pension.macros.run(\'" & tag & "\')"']
    assert ab.module_source().split("\r\n")[:-1] == lines


def test_a_button_names_its_macro_in_the_manifest(manifest: ab.Manifest) -> None:
    """Adding a button is one manifest entry and the function: the dispatcher reads the table
    from the manifest, and the build refuses a macro that does not exist."""
    for b in manifest.buttons:
        module, function = MACROS[b.tag]
        assert b.macro == f"{module}.{function}"
    broken = dataclasses.replace(manifest.buttons[0], macro="roster_macros.no_such_button")
    bad = dataclasses.replace(manifest, buttons=(broken, *manifest.buttons[1:]))
    assert any("no_such_button" in p for p in ab.manifest_problems(bad))
