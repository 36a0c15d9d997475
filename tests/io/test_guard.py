"""Bounded reading: hostile packages are refused before any reader, in one sentence, in < 1 GB."""

from __future__ import annotations

from pathlib import Path

import pytest
from _hostile import (
    run_cli_batch,
    with_far_cell,
    with_inflated_sheet,
    with_members,
    with_unreferenced_member,
)
from _policy_variants import paid, write

from xl_pension.core.errors import UnusableInputError
from xl_pension.core.policy import Policy
from xl_pension.io.guard import LIMITS, guard_workbook
from xl_pension.io.reader import read_roster


@pytest.fixture(scope="module")
def good(tmp_path_factory, policy: Policy) -> Path:
    folder = tmp_path_factory.mktemp("guard")
    return write(folder / "王庄村.xlsx", policy, [paid(350, 350), paid(500, 500)])


def bombs(good: Path, folder: Path) -> dict[str, Path]:
    return {
        "far cell XFD1048576": with_far_cell(good, folder / "far.xlsx"),
        "far cell at row 500000, column CV": with_far_cell(good, folder / "wide.xlsx", "CV500000"),
        "sheet inflating to 5 GB": with_inflated_sheet(good, folder / "inflated.xlsx", 5),
        "sheet inflating to 390 MB": with_inflated_sheet(good, folder / "ratio.xlsx", 0.38),
        "unreferenced 5 GB member": with_unreferenced_member(good, folder / "member.xlsx", 5),
        "10,000 members": with_members(
            good, folder / "many.xlsx", {f"xl/media/p{i}.bin": b"" for i in range(10_000)}
        ),
    }


def test_each_bomb_is_small_on_disk_and_refused_by_every_command(
    good: Path, tmp_path: Path
) -> None:
    found = bombs(good, tmp_path)
    argvs = []
    for label, path in found.items():
        assert path.stat().st_size < 8 * 1024 * 1024, label
        argvs += [["validate", str(path)], ["compute", str(path), "--in-place"]]
    runs, peak = run_cli_batch(argvs)
    for run in runs:
        err = run.err.strip()
        assert run.code == 2, (run.argv, run.code, err)
        assert err.startswith("错误：") and Path(run.argv[1]).name in err, err
        assert "Traceback" not in err and "内部错误" not in err and "panick" not in err
        assert "\n" not in err, err
    assert peak < 1024, peak


def test_messages_say_what_to_do(good: Path, tmp_path: Path) -> None:
    found = bombs(good, tmp_path)
    with pytest.raises(UnusableInputError, match=r"XFD1048576.*Ctrl\+End"):
        read_roster(found["far cell XFD1048576"])
    with pytest.raises(UnusableInputError, match=r"压缩比|MB"):
        read_roster(found["sheet inflating to 390 MB"])
    with pytest.raises(UnusableInputError, match=r"padding\.bin"):
        read_roster(found["unreferenced 5 GB member"])


def test_a_formatted_far_cell_without_a_value_is_fine(good: Path, tmp_path: Path) -> None:
    part_path = with_far_cell(good, tmp_path / "styled.xlsx")
    # the same file, but the far cell only carries formatting (what Ctrl+End usually finds)
    from _hostile import members_of, roster_sheet_part

    part = roster_sheet_part(part_path)
    xml = dict(members_of(part_path))[part].decode()
    xml = xml.replace(
        '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', '<c r="XFD1048576" s="0"/>'
    )
    styled = with_members(good, tmp_path / "styled2.xlsx", {part: xml.encode()})
    guard_workbook(styled)
    assert len(read_roster(styled).records) == 2


def test_a_stray_value_within_limits_is_read(good: Path, tmp_path: Path) -> None:
    near = with_far_cell(good, tmp_path / "near.xlsx", "Z5000", "备注")
    guard_workbook(near)
    assert len(read_roster(near).records) >= 2


def test_limits_are_generous_for_a_county(policy: Policy) -> None:
    # a 100,000-row roster of the template's columns fits with room to spare, and so does the
    # county's list of last year's payers (400,000 people, a row each, a dozen columns)
    assert LIMITS.rows >= 450_000 and LIMITS.cells >= max(100_000 * 40, 450_000 * 16)
    assert LIMITS.member_bytes >= 200 * 1024 * 1024
