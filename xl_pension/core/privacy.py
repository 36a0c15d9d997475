"""Masking by shape: whatever column a value came from, an ID number or a mobile number in a
message, a JSON finding or a log line is masked.

A paste that shifts columns puts ID numbers under 姓名 or 备注; the column cannot be trusted, the
shape can: a run of 15 or more digits (the last may be X) is masked like an ID number (first 6,
eight ``*``, last 4), an 11-digit mobile number keeps its first 3 and last 2 digits.
"""

from __future__ import annotations

import re

from .idnum import mask

# Full-width digits count: pasted text often carries them.
_D = "0-9０-９"
_ID_LIKE = re.compile(rf"(?<![{_D}])[{_D}]{{14,}}[{_D}XxＸｘ](?![{_D}])")
_MOBILE = re.compile(rf"(?<![{_D}])[1１][3-9３-９][{_D}]{{9}}(?![{_D}])")


def _mask_mobile(m: re.Match[str]) -> str:
    s = m.group(0)
    return f"{s[:3]}{'*' * 6}{s[-2:]}"


def mask_sensitive(text: str) -> str:
    """``text`` with every ID-number-like and mobile-number-like run masked."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    text = _ID_LIKE.sub(lambda m: mask(m.group(0)), text)
    return _MOBILE.sub(_mask_mobile, text)
