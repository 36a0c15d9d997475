"""Every public function, class and method of the package says what it does (a docstring).

Public means reachable without a leading underscore: module-level functions and classes, and
the methods of public classes. Nested helpers, private classes and the frozen Alembic
migrations are left out. Written because the rule held almost everywhere and had slipped in a
few places; the test keeps it from slipping again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "xl_pension"
SKIP_PARTS = {"store_migrations"}

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _public(body: list[ast.stmt], prefix: str = "") -> list[tuple[str, Definition]]:
    out: list[tuple[str, Definition]] = []
    for node in body:
        if isinstance(node, Definition) and not node.name.startswith("_"):
            out.append((prefix + node.name, node))
            if isinstance(node, ast.ClassDef):
                out += _public(node.body, f"{node.name}.")
    return out


def undocumented(source: str) -> list[str]:
    """Names of the public definitions in ``source`` that have no docstring."""
    tree = ast.parse(source)
    return [name for name, node in _public(tree.body) if ast.get_docstring(node) is None]


def _modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if not SKIP_PARTS & set(p.relative_to(PACKAGE).parts)
    ]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_public_definition_has_a_docstring(path: Path):
    assert undocumented(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_missing_docstring():
    source = '''
def documented():
    """Yes."""

def bare():
    pass

def _private():
    pass

class Thing:
    """A thing."""

    def method(self):
        return 1

    def _hidden(self):
        return 2

class _Private:
    def method(self):
        return 3
'''
    assert undocumented(source) == ["bare", "Thing.method"]
