"""Natural order of village groups (村民小组): 一组, 二组, …, 十组 and 1组, 2组, 10组."""

from __future__ import annotations

import re
from functools import lru_cache

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_GROUP_NUMBER = re.compile(r"^第?([0-9]+|[零〇一二两三四五六七八九十]+)(.*)$")


def chinese_number(text: str) -> int | None:
    """Value of a Chinese numeral from 零 to 九十九 (``十一`` = 11, ``二十`` = 20), else ``None``."""
    if not text or any(ch not in _DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    high = _DIGITS[tens] if tens else 1
    low = _DIGITS[ones] if ones else 0
    return None if high == 0 else high * 10 + low


@lru_cache(maxsize=4096)
def group_sort_key(group: str) -> tuple[int, int, str, str]:
    """Natural order of village groups: 一组, 二组, …, 十组, 十一组 and 1组, 2组, 10组.

    Numbered groups (Arabic or Chinese numerals up to 九十九, an optional leading 第) come first
    by number (then by the rest of the name), then other names by text, then rows without a
    group.
    """
    text = re.sub(r"\s+", "", group)
    if not text:
        return (2, 0, "", "")
    m = _GROUP_NUMBER.match(text)
    if m:
        raw = m[1]
        number = int(raw) if raw.isdigit() else chinese_number(raw)
        if number is not None:
            return (0, number, m[2], text)
    return (1, 0, text, text)
