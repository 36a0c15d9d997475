"""The progress picture from ``summary --png`` and ``merge --png`` (and the web's, in routes)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REAL_CLIENTS
from tests.web.conftest import make_roster
from xl_pension.cli import main
from xl_pension.io.picture import cjk_font


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_summary_and_merge_draw_the_picture(policy, place, tmp_path, capsys) -> None:
    folder = tmp_path / "county"
    make_roster(policy, place.town_a, place.village_a1, 15, folder, seed=61)
    make_roster(policy, place.town_b, place.village_b1, 15, folder, seed=62)
    main(
        [
            "summary",
            str(folder / place.town_a),
            "-o",
            str(tmp_path / "s.xlsx"),
            "--png",
            str(tmp_path / "s.png"),
        ]
    )
    main(["merge", str(folder), "-o", str(tmp_path / "m.xlsx"), "--png", str(tmp_path / "m.png")])
    assert "进度图已写入" in capsys.readouterr().out
    for name in ("s.png", "m.png"):
        width, height = png_size(tmp_path / name)
        assert width == 1080 and height > 600
    if cjk_font() or REAL_CLIENTS:  # fonts-noto-cjk: what CI installs
        assert cjk_font() and "NotoSansCJK" in cjk_font()
