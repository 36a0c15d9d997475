"""Operating-system faults reach the clerk as one Chinese sentence naming the file, exit 2."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from _policy_variants import paid, write

from xl_pension.cli import main
from xl_pension.core.policy import Policy
from xl_pension.io.atomic import atomic_path, temp_name
from xl_pension.io.faults import TEMP_PREFIX
from xl_pension.io.locks import exclusive
from xl_pension.io.reader import read_roster

ROSTER = [paid(350, 350, method="线下", receipt="R-001"), paid(500, 500)]


def roster(tmp_path: Path, policy: Policy, name: str = "王庄村.xlsx") -> Path:
    return write(tmp_path / name, policy, ROSTER)


def one_sentence(capsys, *names: str) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("错误："), err
    assert "内部错误" not in err and "Traceback" not in err and "\n" not in err, err
    for name in names:
        assert name in err, (name, err)
    return err


def no_temp_files(folder: Path) -> None:
    left = [p.name for p in folder.rglob("*") if p.name.startswith(TEMP_PREFIX)]
    assert not left, left


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
        (PermissionError(errno.EACCES, "Permission denied"), "没有权限"),
        (OSError(errno.EROFS, "Read-only file system"), "只读"),
        (OSError(errno.EIO, "Input/output error"), "无法读写"),
    ],
)
def test_write_faults_are_one_sentence(
    fault: OSError, words: str, tmp_path: Path, policy: Policy, capsys, monkeypatch
) -> None:
    src = roster(tmp_path, policy)
    before = src.read_bytes()
    real_replace = os.replace

    def failing_replace(a, b):
        fault.filename = str(a)
        raise fault

    monkeypatch.setattr(os, "replace", failing_replace)
    assert main(["compute", str(src), "--in-place"]) == 2
    monkeypatch.setattr(os, "replace", real_replace)
    # the temporary file's name is mapped back to the file the clerk knows
    one_sentence(capsys, words, "王庄村.xlsx")
    assert src.read_bytes() == before
    no_temp_files(tmp_path)


def test_output_that_is_a_folder(tmp_path: Path, policy: Policy, capsys) -> None:
    src = roster(tmp_path, policy)
    (tmp_path / "out").mkdir()
    assert main(["compute", str(src), "-o", str(tmp_path / "out")]) == 2
    one_sentence(capsys, "文件夹", "out")


def test_name_over_255_bytes(tmp_path: Path, policy: Policy, capsys) -> None:
    long = "王" * 82  # 246 bytes: the name fits, "<name>_计算.xlsx" does not
    src = roster(tmp_path, policy, f"{long}.xlsx")
    assert main(["compute", str(src)]) == 2
    one_sentence(capsys, "太长", "255")
    no_temp_files(tmp_path)


def test_temp_name_fits_a_long_target(tmp_path: Path) -> None:
    target = tmp_path / ("村" * 83 + ".xlsx")  # 254 bytes
    assert len(temp_name(target).encode()) <= 255
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"x")
    assert target.read_bytes() == b"x"


def test_unreadable_roster(tmp_path: Path, capsys, monkeypatch) -> None:
    src = tmp_path / "王庄村.xlsx"
    src.write_bytes(b"PK")

    real_open = Path.open

    def denied(self, *a, **k):
        if self.name == src.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", denied)
    assert main(["validate", str(src)]) == 2
    one_sentence(capsys, "王庄村.xlsx")


def test_excel_lock_file_refuses_in_place_work(tmp_path: Path, policy: Policy, capsys) -> None:
    src = roster(tmp_path, policy)
    before = src.read_bytes()
    for lock in (f"~${src.name}", f"~${src.name[2:]}", f".~lock.{src.name}#"):
        (tmp_path / lock).write_bytes(b"\0")
        assert main(["compute", str(src), "--in-place"]) == 2
        one_sentence(capsys, "王庄村.xlsx", "关闭")
        assert src.read_bytes() == before
        (tmp_path / lock).unlink()
    assert main(["compute", str(src), "--in-place"]) == 0


def test_windows_sharing_violation_is_named() -> None:
    from xl_pension.io.faults import os_fault

    exc = PermissionError(13, "The process cannot access the file", r"D:\\村\\王庄村.xlsx")
    exc.winerror = 32  # type: ignore[attr-defined]
    assert "占用" in os_fault(exc).message and "王庄村.xlsx" in os_fault(exc).message


def test_gbk_console_survives_an_emoji_and_an_extension_b_name(
    tmp_path: Path, policy: Policy
) -> None:
    src = roster(tmp_path, policy, "王庄村😀𠀀.xlsx")
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONUTF8": "0"}
    for cmd in (["validate", str(src)], ["validate", str(tmp_path / "无此村😀.xlsx")]):
        proc = subprocess.run(
            [sys.executable, "-m", "xl_pension.cli", *cmd], capture_output=True, env=env
        )
        text = proc.stdout.decode("gbk", "replace") + proc.stderr.decode("gbk", "replace")
        assert proc.returncode in (0, 2), text
        assert "Traceback" not in text and "UnicodeEncodeError" not in text, text
        assert "王庄村" in text or "无此村" in text


def test_in_place_on_a_symlink_replaces_the_file_not_the_link(
    tmp_path: Path, policy: Policy
) -> None:
    real = roster(tmp_path, policy, "real.xlsx")
    link = tmp_path / "王庄村.xlsx"
    link.symlink_to(real)
    assert main(["compute", str(link), "--in-place"]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    ws = openpyxl.load_workbook(real)["花名册"]
    assert any(c.value == "记入个人账户" for c in ws[2])


def test_leftover_temp_file_of_a_dead_run_is_removed(tmp_path: Path, policy: Policy) -> None:
    src = roster(tmp_path, policy)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    leftover = tmp_path / temp_name(src, int(dead))
    leftover.write_bytes(b"half a workbook")
    assert main(["compute", str(src), "--in-place"]) == 0
    assert not leftover.exists()
    no_temp_files(tmp_path)


def test_killed_run_leaves_no_temporary_file(tmp_path: Path, policy: Policy) -> None:
    src = roster(tmp_path, policy)
    script = (
        "import os, sys, time\n"
        "def slow(a, b):\n"  # the temporary file is whole; the rename never comes
        "    print('writing', flush=True); time.sleep(30)\n"
        "os.replace = slow\n"
        "from xl_pension.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "compute", str(src), "--in-place"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "writing" in line:
            break
    assert any(p.name.startswith(TEMP_PREFIX) for p in tmp_path.iterdir())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 130
    no_temp_files(tmp_path)
    assert read_roster(src).records  # the roster itself is whole


def test_concurrent_in_place_runs_take_turns(tmp_path: Path, policy: Policy) -> None:
    src = roster(tmp_path, policy)
    cli = [sys.executable, "-m", "xl_pension.cli"]
    runs = [
        subprocess.Popen([*cli, "compute", str(src), "--in-place"], stderr=subprocess.PIPE),
        subprocess.Popen(
            [*cli, "validate", str(src), "--annotate", "--in-place"], stderr=subprocess.PIPE
        ),
    ]
    codes = [p.wait(timeout=120) for p in runs]
    assert codes == [0, 0], [p.stderr.read().decode() for p in runs if p.stderr]
    ws = openpyxl.load_workbook(src)["花名册"]
    headers = [c.value for c in ws[2]]
    col = headers.index("记入个人账户") + 1
    assert [ws.cell(r, col).value for r in (3, 4)] == [380, 560]  # compute's money kept
    no_temp_files(tmp_path)


def test_a_held_lock_makes_the_second_run_refuse(
    tmp_path: Path, policy: Policy, capsys, monkeypatch
) -> None:
    import xl_pension.io.locks as locks

    src = roster(tmp_path, policy)
    before = src.read_bytes()
    monkeypatch.setattr(locks, "DEFAULT_WAIT_SECONDS", 0.3)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom xl_pension.io.locks import exclusive\n"
            "with exclusive(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)\n",
            str(src),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and "held" in holder.stdout.readline()
        t0 = time.monotonic()
        assert main(["compute", str(src), "--in-place"]) == 2
        assert time.monotonic() - t0 < 10
        one_sentence_err = capsys.readouterr().err
        assert "另一个" in one_sentence_err and "王庄村.xlsx" in one_sentence_err
        assert src.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    with exclusive(src):  # released when its process died
        pass
