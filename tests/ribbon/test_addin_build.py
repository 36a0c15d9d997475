"""The Excel add-in ``workbooks/xl_pension.xlam``: built reproducibly from text sources.

Read back with oletools (olevba): our ribbon module's source is ``templates/ribbon/*.bas`` line
for line and is stored source-only (MODULEOFFSET 0, ``_VBA_PROJECT`` version 0xFFFF); every
other module of xlwings' template is intact (the ``xlwings`` module differs only in the add-in's
config name). LibreOffice opens the file with the filter "Calc MS Excel 2007 VBA XML" and lists
the VBA modules. The checked-in file must equal a fresh build.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from conftest import REAL_CLIENTS, need_program

with warnings.catch_warnings():  # oletools' pyparsing grammar warns about deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Project, decompress_stream

from xl_pension.addin import build as ab
from xl_pension.cli import main
from xl_pension.commands import addin as addin_cmd
from xl_pension.core.paths import workbooks_dir

CHECKED_IN = workbooks_dir() / ab.ADDIN_FILE
OTHER_MODULES = ("ThisWorkbook", "Dictionary", "Sheet2")


@pytest.fixture(scope="module")
def built() -> bytes:
    return ab.build_addin_bytes()


def vba_of(package: bytes | Path) -> bytes:
    data = package.read_bytes() if isinstance(package, Path) else package
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(ab.VBA_PART)


def project_of(vba: bytes) -> tuple[VBA_Project, dict[str, str], olefile.OleFileIO]:
    """The project parsed by oletools and each module's source by module name."""
    ole = olefile.OleFileIO(vba)
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    project.parse_project_stream()
    sources = {}
    for _path, filename, code in project.parse_modules():
        sources[filename.rsplit(".", 1)[0]] = code if isinstance(code, str) else code.decode()
    return project, sources, ole


def test_checked_in_addin_is_up_to_date(built: bytes) -> None:
    assert CHECKED_IN.is_file(), "run `xl-pension addin build` and commit workbooks/xl_pension.xlam"
    import importlib.metadata

    version = importlib.metadata.version("xlwings")
    assert CHECKED_IN.read_bytes() == built, (
        f"{CHECKED_IN} is out of date (sources changed, or xlwings {version} differs from the "
        "version it was built with): run `xl-pension addin build` and commit the result"
    )


def test_the_build_is_deterministic(built: bytes, tmp_path: Path) -> None:
    code = (
        "import hashlib, sys; from xl_pension.addin.build import build_addin_bytes; "
        "sys.stdout.write(hashlib.sha256(build_addin_bytes()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        digests.add(out.stdout)
    assert digests == {hashlib.sha256(built).hexdigest()}
    out = tmp_path / "x.xlam"
    assert main(["addin", "build", "-o", str(out)]) == 0
    assert out.read_bytes() == built
    assert main(["addin", "build", "--check", "-o", str(out)]) == 0
    out.write_bytes(built + b"\0")
    assert main(["addin", "build", "--check", "-o", str(out)]) == 1


def test_package_parts(built: bytes) -> None:
    template = ab.xlwings_template()
    with zipfile.ZipFile(io.BytesIO(built)) as z, zipfile.ZipFile(template) as t:
        assert z.namelist() == t.namelist()
        assert z.testzip() is None
        for info in z.infolist():
            assert info.date_time == ab.ZIP_DATE and info.compress_type == zipfile.ZIP_STORED
        manifest = ab.checked_manifest()
        assert z.read(ab.CUSTOMUI_PART).decode("utf-8") == ab.render_customui(manifest)
        workbook = z.read(ab.WORKBOOK_PART).decode("utf-8")
        assert f'name="_{ab.CONFIG_NAME}.conf"' in workbook and "myaddin" not in workbook
        changed = {ab.CUSTOMUI_PART, ab.VBA_PART, ab.WORKBOOK_PART, "docProps/core.xml"}  # scrubbed
        for name in t.namelist():
            if name not in changed:
                assert z.read(name) == t.read(name), name


def test_our_module_is_the_bas_file_line_for_line(built: bytes) -> None:
    project, sources, _ = project_of(vba_of(built))
    bas = (ab.ribbon_dir() / f"{ab.RIBBON_MODULE}.bas").read_text(encoding="ascii")
    assert sources[ab.RIBBON_MODULE].splitlines() == bas.splitlines()
    assert project.projectname == ab.VBA_PROJECT_NAME


def test_our_module_is_stored_source_only(built: bytes) -> None:
    project, _, ole = project_of(vba_of(built))
    ours = next(m for m in project.modules if m.name == ab.RIBBON_MODULE)
    assert ours.textoffset == 0, "MODULEOFFSET 0: no compiled p-code before the source"
    assert ours.type == 0x21  # MODULETYPE: procedural (standard) module
    assert ole.openstream("VBA/_VBA_PROJECT").read() == ab.VBA_PROJECT_STREAM  # version 0xFFFF
    assert ab.VBA_PROJECT_STREAM[2:4] == b"\xff\xff"
    assert f'Name="{ab.VBA_PROJECT_NAME}"' in ole.openstream("PROJECT").read().decode("latin-1")


def test_every_other_module_of_the_template_is_intact(built: bytes) -> None:
    with zipfile.ZipFile(ab.xlwings_template()) as t:
        template_vba = t.read(ab.VBA_PART)
    t_project, t_sources, t_ole = project_of(template_vba)
    project, sources, ole = project_of(vba_of(built))
    expected_names = [
        ab.RIBBON_MODULE if m.name == ab.TEMPLATE_RIBBON_MODULE else m.name
        for m in t_project.modules
    ]
    assert [m.name for m in project.modules] == expected_names
    for name in OTHER_MODULES:
        assert sources[name] == t_sources[name], name
        stream = f"VBA/{name}"
        assert ole.openstream(stream).read() == t_ole.openstream(stream).read(), name
    old = f'Public Const PROJECT_NAME As String = "{ab.TEMPLATE_CONFIG_NAME}"'
    new = f'Public Const PROJECT_NAME As String = "{ab.CONFIG_NAME}"'
    assert sources["xlwings"] == t_sources["xlwings"].replace(old, new)
    assert sources["xlwings"].count(new) == 1
    xlwings_module = next(m for m in project.modules if m.name == "xlwings")
    assert xlwings_module.textoffset == 0


def test_a_large_module_survives_compression() -> None:
    """MS-OVBA compression round trip through oletools on a module far over 600 bytes."""
    from pyopenvba.vba import compress

    source = "".join(f"' line {i}: {'x' * (i % 97)}\r\n" for i in range(3000)).encode("latin-1")
    assert len(source) > 100_000
    assert decompress_stream(bytearray(compress(source))) == source


UNO_SCRIPT = r"""
import json, subprocess, sys, time, uuid
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

path, profile, soffice = sys.argv[1], sys.argv[2], sys.argv[3]
pipe = "xlp_" + uuid.uuid4().hex
proc = subprocess.Popen(
    [soffice, "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--headless",
     "--invisible", "--norestore", "--nologo", "--accept=pipe,name=%s;urp;" % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(path), "_blank", 0,
        (prop("FilterName", "Calc MS Excel 2007 VBA XML"), prop("Hidden", True)))
    out = {}
    libs = doc.BasicLibraries
    for name in libs.getElementNames():
        libs.loadLibrary(name)
        lib = libs.getByName(name)
        out[name] = {
            m: [lib.getModuleInfo(m).ModuleType if lib.hasModuleInfo(m) else None,
                lib.getByName(m)]
            for m in lib.getElementNames()
        }
    print(json.dumps(out))
    doc.close(True)
finally:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        proc.wait(timeout=60)
    except Exception:
        proc.kill()
"""
STANDARD_MODULE = 1  # com.sun.star.script.ModuleType.NORMAL


def uno_python() -> str:
    """A Python interpreter that can import LibreOffice's ``uno`` module."""
    for candidate in ("/usr/bin/python3", shutil.which("python3"), sys.executable):
        if candidate and Path(candidate).exists():
            ok = subprocess.run([candidate, "-c", "import uno"], capture_output=True)
            if ok.returncode == 0:
                return candidate
    if REAL_CLIENTS:
        pytest.fail("python3-uno is required (XL_PENSION_REAL_CLIENTS is set)")
    pytest.skip("no Python with LibreOffice's uno module (apt-get install python3-uno)")


@pytest.mark.real_client
def test_libreoffice_lists_the_vba_modules(built: bytes, tmp_path: Path) -> None:
    soffice = need_program("soffice")
    python = uno_python()
    path = tmp_path / ab.ADDIN_FILE
    path.write_bytes(built)
    proc = subprocess.run(
        [python, "-c", UNO_SCRIPT, str(path), str(tmp_path / "lo-profile"), soffice],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    libraries = json.loads(proc.stdout.strip().splitlines()[-1])
    modules = libraries[ab.VBA_PROJECT_NAME]
    assert set(modules) >= {ab.RIBBON_MODULE, "xlwings", *OTHER_MODULES}
    module_type, source = modules[ab.RIBBON_MODULE]
    assert module_type == STANDARD_MODULE
    assert "Sub OnAction(control As IRibbonControl)" in source


# --- xl-pension addin install ---------------------------------------------------------------


def test_install_elsewhere_says_what_to_do(capsys) -> None:
    assert addin_cmd.install(None, platform="linux") == 2
    out = capsys.readouterr()
    assert "Windows" in out.err and "xl-pension addin install" in out.err
    assert "xl-pension validate" in out.out


def test_install_on_windows_uses_xlwings_and_records_the_interpreter(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    conf = addin_cmd.conf_path()
    conf.parent.mkdir()
    conf.write_text('"PYTHONPATH","D:\\\\work"\n"INTERPRETER_WIN","C:\\\\old\\\\python.exe"\n')
    calls = []

    def runner(cmd, **kw):
        calls.append(cmd)
        assert Path(cmd[-1]).read_bytes()[:2] == b"PK"
        return subprocess.CompletedProcess(cmd, 0, "Successfully installed the xlwings add-in!", "")

    assert addin_cmd.install(None, platform="win32", runner=runner) == 0
    assert calls[0][1:6] == ["-m", "xlwings.cli", "addin", "install", "-f"]
    assert Path(calls[0][-1]).name == ab.ADDIN_FILE
    lines = conf.read_text(encoding="utf-8").splitlines()
    assert lines == ['"PYTHONPATH","D:\\\\work"', f'"INTERPRETER_WIN","{sys.executable}"']
    assert "已安装加载项" in capsys.readouterr().out


def test_a_failed_install_is_reported(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    addin = tmp_path / ab.ADDIN_FILE
    addin.write_bytes(b"PK")

    def runner(cmd, **kw):
        return subprocess.CompletedProcess(cmd, 0, "PermissionError(13, 'denied')", "")

    assert addin_cmd.install(addin, platform="win32", runner=runner) == 2
    assert "安装加载项失败" in capsys.readouterr().err
    assert not addin_cmd.conf_path().exists()
