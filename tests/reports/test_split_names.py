"""``split`` makes safe file names from hostile village names, and summary finds every roster."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from test_split import list_rows, write_list

from xl_pension.cli import main
from xl_pension.core.paths import MAX_STEM_BYTES, safe_file_stem
from xl_pension.core.policy import Policy
from xl_pension.io.reader import read_roster

HOSTILE_VILLAGES = (
    "../越界村",
    "..\\..\\上级村",
    ".隐藏村",
    "~$锁定村",
    "CON",
    "nul.村",
    "COM1",
    "村" * 100,
    "王庄/李庄",
    "末尾点村.",
)


def test_every_placed_person_is_counted_by_summary(tmp_path: Path, policy: Policy, capsys) -> None:
    rows = list_rows(policy)
    township = rows[0]["township"]
    hostile = [r for r in rows if r["township"] == township]
    for i, row in enumerate(hostile):
        row["village"] = HOSTILE_VILLAGES[i % len(HOSTILE_VILLAGES)]
    src = write_list(tmp_path / "名单.xlsx", rows)
    out = tmp_path / "out"
    assert main(["split", str(src), "-o", str(out)]) == 0
    written = [p for p in out.rglob("*.xlsx")]
    for p in written:
        assert p.resolve().is_relative_to(out.resolve())
        assert not p.name.startswith((".", "~")) and len(p.name.encode()) <= 255
        assert p.stem.split(".")[0].upper() not in ("CON", "NUL", "COM1")
    villages = {read_roster(p).village for p in written if p.parent.name == township}
    assert villages == {r["village"] for r in hostile}  # the real names are kept in _meta
    capsys.readouterr()
    summary = tmp_path / "乡镇汇总.xlsx"
    assert main(["summary", str(out / township), "-o", str(summary)]) in (0, 1)
    said = capsys.readouterr().out
    counted = int(re.search(r"共 (\d+) 人", said).group(1))
    assert counted == len(hostile)


@given(st.text(min_size=0, max_size=120))
def test_safe_stem_properties(text: str) -> None:
    stem = safe_file_stem(text)
    assert stem and len(stem.encode("utf-8")) <= MAX_STEM_BYTES
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', stem)
    assert not stem.startswith((".", "~")) and not stem.endswith((".", " "))
    assert stem.split(".")[0].strip().upper() not in ("CON", "PRN", "AUX", "NUL", "COM1", "LPT1")


def test_long_names_stay_apart() -> None:
    a, b = safe_file_stem("村" * 100 + "甲"), safe_file_stem("村" * 100 + "乙")
    assert a != b
