"""The command line as a clerk uses it: Chinese messages, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from xl_pension.cli import main
from xl_pension.core.policy import DEFAULT_POLICY_PATH
from xl_pension.io.reader import read_roster


def test_template_writes_a_village_roster(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["template", "--township", "城关街道", "--village", "王庄村", "-o", str(out)]) == 0
    roster = read_roster(out)
    assert roster.township == "城关街道" and roster.village == "王庄村"


def test_template_accepts_a_township_code(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["template", "--township", "371728205", "--village", "李村", "-o", str(out)]) == 0
    assert read_roster(out).township == "焦园乡"


def test_overwriting_keeps_a_backup(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    main(["template", "--village", "甲村", "-o", str(out)])
    first = out.read_bytes()
    main(["template", "--village", "乙村", "-o", str(out)])
    assert (tmp_path / "r.bak.xlsx").read_bytes() == first
    assert read_roster(out).village == "乙村"


def test_unknown_township_is_one_chinese_line(tmp_path: Path, capsys) -> None:
    assert main(["template", "--township", "火星镇", "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误：") and "火星镇" in err and "城关街道" in err
    assert "\n" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_broken_policy_names_the_key_path(tmp_path: Path, capsys) -> None:
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["tier_schedules"][1]["tiers"][3] == {"amount": 600, "subsidy": 60}
    broken = tmp_path / "broken.toml"
    old = "{ amount = 600, subsidy = 60 }"
    assert text.count(old) == 1
    broken.write_text(text.replace(old, "{ amount = 600 }"), encoding="utf-8")
    assert main(["template", "--policy", str(broken), "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err.strip()
    assert "tier_schedules[1].tiers[3].subsidy" in err and "\n" not in err


def test_console_script_never_shows_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "xl_pension.cli", "template", "--policy", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "错误" in proc.stderr


def test_bad_arguments_exit_2_in_chinese(capsys) -> None:
    try:
        main(["template", "--no-such-option"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "参数错误" in capsys.readouterr().err


def test_output_piped_into_head_still_finishes_the_work(tmp_path: Path) -> None:
    from xl_pension.core.policy import load_policy
    from xl_pension.io.roster_writer import write_roster

    policy = load_policy()
    rows = [{"name": f"王{i}", "id_number": "123"} for i in range(300)]
    src = write_roster(tmp_path / "r.xlsx", policy, policy.townships[0], "王庄村", rows)
    proc = subprocess.run(
        f'"{sys.executable}" -m xl_pension.cli validate "{src}" --annotate | head -n 2',
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "内部错误" not in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "r_校验.xlsx").exists()
