"""Helpers shared by the commands: policy loading, output paths, console output."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import XlPensionError
from ..io.atomic import backup
from ..policy import Policy, Township, load_policy


def policy_from(args: argparse.Namespace) -> Policy:
    """The policy named by ``--policy`` (or the packaged default)."""
    return load_policy(args.policy)


def township_of(policy: Policy, name_or_code: str) -> Township:
    """A township of the policy by name or 9-digit code, or a clear error listing them."""
    text = name_or_code.strip()
    for t in policy.townships:
        if text in (t.name, t.code):
            return t
    names = "、".join(t.name for t in policy.townships)
    raise XlPensionError(f"“{text}”不是{policy.county_name}的乡镇（街道）。可选：{names}。")


def keep_backup(path: Path) -> Path | None:
    """Back up an existing file before it is replaced; returns the backup path."""
    if path.exists():
        saved = backup(path)
        say(f"原文件已备份为 {saved.name}")
        return saved
    return None


def say(message: str) -> None:
    """Print a message for the user."""
    print(message, flush=True)


def warn(message: str) -> None:
    """Print a warning for the user on stderr."""
    print(message, file=sys.stderr, flush=True)
