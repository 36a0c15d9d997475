"""The policy's tables for real inputs and declarations: the county list and the declaration lists.

``[county_list]`` says how the county's export (人社 / e-tax bureau) is read: which 参保身份 names or
codes mean which 人员类别, and which 参保状态 / 缴费状态 values mean "not an expected payer this
year". ``[declaration]`` gives the columns, their order and the codes of the operator's
批量申报清单 and of the 代缴申报表. Both tables are optional; without them a list's 人员类别 must
already be a category name and the declaration lists use the schema's default columns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol

from .schema import BATCH_DECLARATION_COLUMNS, GOVERNMENT_DECLARATION_COLUMNS, DeclarationColumn


class _Reader(Protocol):  # the policy loader's typed reader (core.policy_reader.PolicyReader)
    def fail(self, path: str, what: str) -> Exception: ...
    def str_(self, table: dict[str, Any], key: str, path: str) -> str: ...
    def bool_(self, table: dict[str, Any], key: str, path: str) -> bool: ...
    def list_(
        self, table: dict[str, Any], key: str, path: str, *, empty_ok: bool = False
    ) -> list: ...


_SPACES = re.compile(r"\s+")


def status_text(value: object) -> str:
    """A list cell as compared with the policy's names: NFKC, no whitespace ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(value)))


@dataclass(frozen=True)
class Identity:
    """The 参保身份 names and codes of the county's export that mean one 人员类别."""

    category: str
    names: tuple[str, ...]
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CountyListRules:
    """How ``split`` reads the county's export (see the policy's ``[county_list]``)."""

    identities: tuple[Identity, ...] = ()
    not_expected_statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()  # the policy's category names (each maps to itself)
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        lookup = self._lookup
        for name in self.categories:
            lookup[status_text(name)] = name
        for ident in self.identities:
            for text in (*ident.names, *ident.codes):
                lookup.setdefault(status_text(text), ident.category)

    def category_of(self, identity: object) -> str | None:
        """The 人员类别 a 参保身份 cell (name or code) means, or ``None`` when unknown."""
        return self._lookup.get(status_text(identity))

    def not_expected(self, *statuses: object) -> str | None:
        """The first status among ``statuses`` that means "not an expected payer", else None."""
        for s in statuses:
            text = status_text(s)
            if text and text in self.not_expected_statuses:
                return text
        return None


@dataclass(frozen=True)
class Declaration:
    """The declaration lists' sheets, columns (in order) and codes (policy ``[declaration]``)."""

    verified: bool = False
    note: str = "列名、顺序和代码未与电子税务局官方批量导入模板核对，导入前请核对。"
    id_type: str = "居民身份证"
    regular: str = "正常"
    backpay: str = "补缴"
    restricted_header: str = "内部资料 不得公开"
    batch_sheet: str = "批量申报清单"
    batch_columns: tuple[DeclarationColumn, ...] = BATCH_DECLARATION_COLUMNS
    government_sheet: str = "代缴申报表"
    government_columns: tuple[DeclarationColumn, ...] = GOVERNMENT_DECLARATION_COLUMNS


def parse_county_list(
    r: _Reader, data: dict[str, Any], category_names: set[str]
) -> CountyListRules:
    """The ``[county_list]`` table (optional) checked against the policy's categories."""
    table = data.get("county_list")
    names = tuple(sorted(category_names))
    if table is None:
        return CountyListRules(categories=names)
    if not isinstance(table, dict):
        raise r.fail("county_list", "必须是一个表")
    identities = []
    for i, item in enumerate(r.list_(table, "identities", "county_list.identities", empty_ok=True)):
        p = f"county_list.identities[{i}]"
        category = r.str_(item, "category", f"{p}.category")
        texts = {}
        for key in ("names", "codes"):
            values = r.list_(item, key, f"{p}.{key}", empty_ok=True)
            for j, v in enumerate(values):
                if not isinstance(v, str) or not v.strip():
                    raise r.fail(f"{p}.{key}[{j}]", '必须是非空文字（代码也请加引号，如 "011"）')
            texts[key] = tuple(status_text(v) for v in values)
        if category in category_names:  # a category this policy lacks maps nothing: such
            # people are placed with an empty 人员类别 and listed for checking (never guessed)
            identities.append(Identity(category, texts["names"], texts["codes"]))
    statuses = r.list_(
        table, "not_expected_statuses", "county_list.not_expected_statuses", empty_ok=True
    )
    for j, v in enumerate(statuses):
        if not isinstance(v, str) or not v.strip():
            raise r.fail(f"county_list.not_expected_statuses[{j}]", "必须是非空文字")
    return CountyListRules(
        identities=tuple(identities),
        not_expected_statuses=tuple(status_text(v) for v in statuses),
        categories=names,
    )


def _columns(
    r: _Reader, table: dict[str, Any], key: str, defaults: tuple[DeclarationColumn, ...]
) -> tuple[DeclarationColumn, ...]:
    if key not in table:
        return defaults
    known = {c.key: c for c in defaults}
    out = []
    for i, item in enumerate(r.list_(table, key, f"declaration.{key}")):
        p = f"declaration.{key}[{i}]"
        col_key = r.str_(item, "key", f"{p}.key")
        if col_key not in known:
            raise r.fail(f"{p}.key", f"不是可用的列（{col_key}；可用：{'、'.join(known)}）")
        header = r.str_(item, "header", f"{p}.header") if "header" in item else None
        base = known[col_key]
        out.append(DeclarationColumn(col_key, header or base.header, base.width))
    if len({c.key for c in out}) != len(out):
        raise r.fail(f"declaration.{key}", "有重复的列")
    return tuple(out)


def parse_declaration(r: _Reader, data: dict[str, Any]) -> Declaration:
    """The ``[declaration]`` table (optional; every key has a default)."""
    table = data.get("declaration")
    if table is None:
        return Declaration()
    if not isinstance(table, dict):
        raise r.fail("declaration", "必须是一个表")
    default = Declaration()
    texts = {}
    for key in (
        "note",
        "id_type",
        "regular",
        "backpay",
        "restricted_header",
        "batch_sheet",
        "government_sheet",
    ):
        texts[key] = (
            r.str_(table, key, f"declaration.{key}") if key in table else getattr(default, key)
        )
    verified = r.bool_(table, "verified", "declaration.verified") if "verified" in table else False
    return Declaration(
        verified=verified,
        batch_columns=_columns(r, table, "batch_columns", default.batch_columns),
        government_columns=_columns(r, table, "government_columns", default.government_columns),
        **texts,
    )
