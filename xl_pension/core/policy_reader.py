"""Typed access into a parsed policy TOML, with the key path named in every error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import catalogue as cat
from .errors import PolicyError


class PolicyReader:
    """Typed access into the parsed TOML with key paths in every error (methods: one per type)."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file

    def fail(self, path: str, what: str) -> PolicyError:
        """The error naming ``path`` and what is wrong with it."""
        return cat.POLICY_INVALID.error(file=self.file, path=path, what=what)

    def get(self, table: dict[str, Any], key: str, path: str) -> Any:
        """``table[key]``; a missing key fails naming ``path``."""
        if not isinstance(table, dict) or key not in table:
            raise self.fail(path, "缺失")
        return table[key]

    def str_(self, table: dict[str, Any], key: str, path: str) -> str:
        """A non-empty text value, trimmed."""
        value = self.get(table, key, path)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "必须是非空文字")
        return value.strip()

    def int_(self, table: dict[str, Any], key: str, path: str, *, minimum: int = 0) -> int:
        """A whole number not below ``minimum`` (``true``/``false`` are refused)."""
        value = self.get(table, key, path)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            what = "必须是非负整数" if minimum == 0 else f"必须是不小于 {minimum} 的整数"
            raise self.fail(path, what)
        return value

    def bool_(self, table: dict[str, Any], key: str, path: str) -> bool:
        """``true`` or ``false``."""
        value = self.get(table, key, path)
        if not isinstance(value, bool):
            raise self.fail(path, "必须是 true 或 false")
        return value

    def date_(self, table: dict[str, Any], key: str, path: str) -> dt.date:
        """A TOML date (a date with a time of day is refused)."""
        value = self.get(table, key, path)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(path, "必须是日期（如 2024-04-01）")
        return value

    def table(self, table: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        """A TOML table (a nested ``dict``)."""
        value = self.get(table, key, path)
        if not isinstance(value, dict):
            raise self.fail(path, "必须是一个表")
        return value

    def list_(self, table: dict[str, Any], key: str, path: str, *, empty_ok: bool = False) -> list:
        """A TOML array, non-empty unless ``empty_ok``."""
        value = self.get(table, key, path)
        if not isinstance(value, list) or (not value and not empty_ok):
            raise self.fail(path, "必须是非空列表")
        return value

    def str_list(self, table: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        """A non-empty array of distinct non-empty texts, trimmed."""
        items = self.list_(table, key, path)
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{path}[{i}]", "必须是非空文字")
            out.append(item.strip())
        self.unique(out, path)
        return tuple(out)

    def unique(self, values: list, path: str, key: str = "") -> None:
        """Fail on the first value equal to an earlier one (``key``: the field compared)."""
        seen = set()
        for i, v in enumerate(values):
            if v in seen:
                raise self.fail(f"{path}[{i}]{key}", f"与前面的项目重复（{v}）")
            seen.add(v)
