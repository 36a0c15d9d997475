"""``xl-pension users add``: create an account of the web service (password from stdin)."""

from __future__ import annotations

import argparse
import sys

from ..core.errors import EXIT_OK
from .common import policy_from, say


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    """``--data DIR`` / ``--db URL``: where the web service keeps its database."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--data", metavar="DIR", help="数据文件夹（SQLite 数据库，默认 xl-pension-data）"
    )
    where.add_argument("--db", metavar="URL", help="数据库地址，如 postgresql://用户@主机/库名")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    sub = p.add_subparsers(dest="action", metavar="操作", required=True)
    add = sub.add_parser("add", help="新建账号", description="新建网页服务账号，密码从标准输入读取")
    add.add_argument("name", metavar="NAME", help="用户名")
    add.add_argument(
        "--role",
        required=True,
        choices=("village", "township", "county"),
        help="角色：village 村协办员，township 乡镇经办人，county 县级",
    )
    add.add_argument(
        "--township", default="", metavar="T", help="乡镇（village、township 角色必填）"
    )
    add.add_argument("--village", default="", metavar="V", help="村（village 角色必填）")
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="从标准输入读取密码（一行）"
    )
    add_store_arguments(add)


def open_store(args: argparse.Namespace):
    """The store named by ``--data`` / ``--db``."""
    from ..app.store import Store

    return Store.open(args.data, args.db)


def run(args: argparse.Namespace) -> int:
    """Create the account."""
    from ..app.accounts import ROLE_NAMES, add_account

    password = sys.stdin.readline().rstrip("\r\n")
    store = open_store(args)
    try:
        user = add_account(
            store,
            policy_from(args),
            args.name,
            password,
            role=args.role,
            township=args.township,
            village=args.village,
        )
    finally:
        store.close()
    place = f"，{user.township}{user.village}" if user.township else ""
    say(f"已新建账号 {user.name}（{ROLE_NAMES[user.role]}{place}）。")
    return EXIT_OK
