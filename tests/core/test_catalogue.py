"""The findings catalogue: declared once, consistent with the design contract, used by every rule."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import xl_pension
from xl_pension.core import catalogue
from xl_pension.core.catalogue import CATALOGUE, FindingType
from xl_pension.core.errors import EXIT_FINDINGS, EXIT_UNUSABLE
from xl_pension.core.findings import Severity
from xl_pension.core.schema import BY_KEY
from xl_pension.sample import MISTAKE_KEYS

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(xl_pension.__file__).resolve().parent
# ../shared/design.md beside the repository (/work/main), or beside the worktrees' folder
DESIGN = (
    next(
        (p for p in (REPO.parent / "shared", REPO.parent.parent / "shared") if p.is_dir()),
        REPO.parent / "shared",
    )
    / "design.md"
)

# Codes of the design's table whose rule another issue is adding: each case is an expected
# failure until its declaration lands, and then fails (strict) so that the entry is removed here.
AWAITED: dict[str, str] = {}


def _design_codes() -> dict[str, str]:
    """``{code: severity}`` from the "Validation findings (contract)" table of design.md."""
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## Validation findings (contract)", 1)[1].split("\n## ", 1)[0]
    out: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        codes = re.findall(r"`([a-z_]+\.[a-z_]+)`", cells[0])
        severities = [s.split("(")[0].strip() for s in cells[1].split("/")]
        if len(severities) == 1:
            severities *= len(codes)
        assert len(severities) == len(codes), line
        out.update(zip(codes, severities, strict=True))
    return out


def _design_cases() -> list[object]:
    if not DESIGN.exists():
        return [pytest.param("", "", marks=pytest.mark.skip(reason=f"{DESIGN} is absent"))]
    return [
        pytest.param(
            code,
            severity,
            marks=[pytest.mark.xfail(strict=True, reason=AWAITED[code])] if code in AWAITED else [],
        )
        for code, severity in _design_codes().items()
    ]


@pytest.mark.parametrize(("code", "severity"), _design_cases())
def test_every_design_code_is_declared_with_its_severity(code, severity):
    assert code in CATALOGUE, f"design.md lists {code}, the catalogue does not declare it"
    assert str(CATALOGUE[code].severity) == severity


def test_the_design_table_is_read():
    if not DESIGN.exists():
        pytest.skip(f"{DESIGN} is absent")
    codes = _design_codes()
    assert len(codes) >= 20 and codes["template.not_roster"] == "unusable"
    assert codes["date.outside_window"] == "warning" and codes["date.invalid"] == "error"


def _declared() -> dict[str, FindingType]:
    return {n: v for n, v in vars(catalogue).items() if isinstance(v, FindingType)}


def test_each_code_is_one_constant_named_after_it():
    declared = _declared()
    assert sorted(t.code for t in declared.values()) == sorted(CATALOGUE)
    for name, ftype in declared.items():
        assert name == ftype.code.upper().replace(".", "_")
    with pytest.raises(ValueError, match="twice"):
        catalogue.finding("id.checksum", Severity.ERROR, "id_number", "again")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_templates_have_named_placeholders_and_fill(code):
    ftype = CATALOGUE[code]
    assert ftype.column == "" or ftype.column in BY_KEY
    assert ftype.messages, code
    for variant, template in ftype.messages.items():
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        assert all(n.isidentifier() for n in names), (code, variant, names)
        filled = ftype.message(variant, **{n: f"<{n}>" for n in names})
        assert "{" not in filled and filled.strip()
        words = re.sub(r"\{\w+\}|[：\s]", "", template)  # "{file}：{why}" only frames others
        assert not words or re.search(r"[\u4e00-\u9fff]", words), f"{code}/{variant} not Chinese"


def test_findings_name_their_column_and_fill_the_header():
    f = catalogue.REQUIRED_MISSING.at("花名册", 5, "", key="name", variant="name")
    assert (f.code, f.severity, f.row, f.column) == ("required.missing", Severity.ERROR, 5, "姓名")
    assert f.message.startswith("姓名为空")
    g = catalogue.ID_DUPLICATE.at("花名册", 9, "3729***", first_row=4)
    assert g.column == BY_KEY["id_number"].header and "第 4 行" in g.message


def test_errors_carry_their_exit_code_in_their_class():
    for ftype in CATALOGUE.values():
        if ftype.severity is Severity.UNUSABLE:
            fields = {
                n: "x"
                for t in ftype.messages.values()
                for _, n, _, _ in string.Formatter().parse(t)
                if n
            }
            err = ftype.error(next(iter(ftype.messages)), **fields)
            assert err.code == ftype.code and isinstance(err, ftype.raises)
            expected = EXIT_FINDINGS if ftype is catalogue.ROSTER_HAS_ERRORS else EXIT_UNUSABLE
            assert type(err).exit_code == expected and "exit_code" not in vars(err)


def test_the_sample_plants_catalogue_codes_on_their_columns():
    assert set(MISTAKE_KEYS) <= set(CATALOGUE)
    for code, key in MISTAKE_KEYS.items():
        assert key in BY_KEY
        assert CATALOGUE[code].column in ("", key)


def _code_literals() -> list[str]:
    """``file:line code`` for each string literal outside the catalogue that is a finding code."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "core" / "catalogue.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in CATALOGUE:
                out.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value}")
    return out


def test_no_rule_spells_a_finding_code_itself():
    assert _code_literals() == [], "raise these from xl_pension/core/catalogue.py"
