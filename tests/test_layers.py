"""The package's structure: imports point downward only, no cycle, only front ends print.

Layers (design.md, "Layers inside xl_pension/"): core <- reports (and io beside it, and the
sample) <- app <- front ends (commands, macros, web, cli, the add-in build). Each failure names
the file, the line and the import, so that whoever added it can fix it.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import xl_pension

PACKAGE = Path(xl_pension.__file__).resolve().parent
LEVELS = {
    "": 0,  # the package's __init__ (its version)
    "core": 0,
    "reports": 1,
    "io": 1,
    "sample": 1,
    "app": 2,
    "commands": 3,
    "macros": 3,
    "web": 3,
    "cli": 3,
    "__main__": 3,
    "addin": 3,
}
FRONT_ENDS = {"commands", "macros", "web", "cli", "__main__"}


@dataclass(frozen=True)
class Import:
    """One import of a package module by another: where it is and whether it is for types only."""

    source: str  # importing module, dotted below the package ("io.reader")
    target: str  # imported module, dotted below the package ("core.errors")
    file: str
    line: int
    typing_only: bool

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.target}"


def layer(module: str) -> str:
    """The layer a module belongs to: its first dotted part ("" for the package itself)."""
    return module.split(".", 1)[0]


def _module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _existing(root: Path, dotted: str) -> str:
    """The longest prefix of ``dotted`` that is a module or package under ``root``."""
    parts = dotted.split(".") if dotted else []
    while parts:
        base = root.joinpath(*parts)
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return ""


def package_imports(root: Path) -> Iterator[Import]:
    """Every import of one package module by another under ``root`` (a package folder),
    including imports inside functions and ``importlib.import_module("..x.y", __package__)``."""
    for path in sorted(root.rglob("*.py")):
        source = _module_of(path, root)
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_nodes: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                typing_nodes |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                prefix = f"{root.name}."
                targets = [
                    a.name.removeprefix(prefix) for a in node.names if a.name.startswith(prefix)
                ]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".") if package else []
                    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                    module = ".".join([*base, *([node.module] if node.module else [])])
                elif node.module and (node.module + ".").startswith(f"{root.name}."):
                    module = node.module.removeprefix(root.name).lstrip(".")
                else:
                    continue
                targets = [_existing(root, f"{module}.{a.name}".strip(".")) for a in node.names]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
            ):
                text = ast.unparse(node.args[0]).strip("f'\"")
                if text.startswith("."):
                    dots = len(text) - len(text.lstrip("."))
                    base = package.split(".") if package else []
                    base = base[: len(base) - (dots - 1)] if dots > 1 else base
                    targets = [".".join([*base, text.lstrip(".").split("{")[0].rstrip(".")])]
            for target in targets:
                target = _existing(root, target)
                if target != source:
                    yield Import(
                        source,
                        target,
                        str(path.relative_to(root.parent)),
                        node.lineno,
                        id(node) in typing_nodes,
                    )


def upward(imports: list[Import]) -> list[str]:
    """Imports from a lower layer into a higher one."""
    return [
        f"{i} ({layer(i.source) or 'package'} may not import {layer(i.target)})"
        for i in imports
        if LEVELS.get(layer(i.target), 0) > LEVELS.get(layer(i.source), 0)
    ]


def cycles(imports: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other at run time (typing-only imports aside)."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        if not i.typing_only:
            graph.setdefault(i.source, set()).add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def printing(root: Path) -> list[str]:
    """``file:line`` of each ``print`` or use of ``sys.stdout``/``sys.stderr`` outside the
    front ends."""
    out = []
    for path in sorted(root.rglob("*.py")):
        if layer(_module_of(path, root)) in FRONT_ENDS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            prints = isinstance(node, ast.Call) and ast.unparse(node.func) == "print"
            streams = isinstance(node, ast.Attribute) and ast.unparse(node) in (
                "sys.stdout",
                "sys.stderr",
            )
            redirects = isinstance(node, ast.Name) and node.id in (
                "redirect_stdout",
                "redirect_stderr",
            )
            if prints or streams or redirects:
                out.append(f"{path.relative_to(root.parent)}:{node.lineno} {ast.unparse(node)}")
    return out


IMPORTS = list(package_imports(PACKAGE))


def test_imports_point_downward_only():
    assert upward(IMPORTS) == []


def test_no_import_cycle():
    found = {tuple(group) for group in cycles(IMPORTS)}
    assert sorted(found) == [], "modules that import each other"


def test_nothing_below_the_front_ends_prints():
    assert printing(PACKAGE) == []


def test_io_and_reports_do_not_import_each_other():
    pairs = {
        (i.source, i.target)
        for i in IMPORTS
        if {layer(i.source), layer(i.target)} == {"io", "reports"}
    }
    assert sorted(pairs) == [], "io/ and reports/ must not import each other"


def test_the_ribbon_does_not_import_the_command_line():
    offending = [
        str(i)
        for i in IMPORTS
        if layer(i.source) == "macros" and layer(i.target) in ("commands", "cli")
    ]
    assert offending == []


# --- the checks themselves catch what they are for ---------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not (path.parent / "__init__.py").exists():
            (path.parent / "__init__.py").write_text("")
        path.write_text(textwrap.dedent(text))
    return root


def test_the_checks_find_an_upward_import_a_cycle_and_a_print(tmp_path: Path):
    root = _package(
        tmp_path,
        {
            "core/a.py": "from ..app import use\nfrom . import b\n",
            "core/b.py": "def f():\n    from .a import x\n    print(x)\n",
            "app/use.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from ..commands import c\n",
            "commands/c.py": "import importlib\nimportlib.import_module('..app.use', __package__)\n"
            "print('ok')\n",
        },
    )
    found = list(package_imports(root))
    assert upward(found) == [
        "pkg/app/use.py:3 imports commands.c (app may not import commands)",
        "pkg/core/a.py:1 imports app.use (core may not import app)",
    ]
    assert cycles(found) == [["core.a", "core.b"]]
    assert printing(root) == ["pkg/core/b.py:3 print(x)"]
    assert any(i.source == "commands.c" and i.target == "app.use" for i in found)
