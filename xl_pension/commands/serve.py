"""``xl-pension serve``: the township and county web service (uvicorn).

``--demo`` fills the store with the sample county first: its rosters uploaded, one account per
role with a printed password, so that a new user can log in and look around at once.
"""

from __future__ import annotations

import argparse

from ..core.errors import EXIT_OK
from .common import policy_from, say, warn
from .users import add_store_arguments, open_store


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    add_store_arguments(p)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="监听地址（默认 127.0.0.1，仅本机；局域网使用请写 0.0.0.0）",
    )
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument(
        "--demo",
        action="store_true",
        help="先生成示例县：上传示例花名册并新建演示账号（密码会显示出来）",
    )


def run(args: argparse.Namespace) -> int:
    """Open the store, optionally seed the demo, and serve until interrupted."""
    import uvicorn

    from ..io.picture import font_warning
    from ..web.app import WebConfig, create_app

    policy = policy_from(args)
    store = open_store(args)
    config = WebConfig(store=store, policy=policy)
    purged = store.purge_originals()
    if purged:
        say(f"已按保存期限删除 {purged} 个到期的原始文件（校验数据保留）。")
    if args.demo:
        from ..web.demo import seed_demo

        demo = seed_demo(config)
        say(
            f"示例县已就绪：上传 {demo.submissions} 份花名册，共 {demo.people} 人。演示账号（密码仅显示这一次）："
        )
        for account in demo.accounts:
            say(
                f"  {account.role_name:<6} 用户名 {account.name:<14} 密码 {account.password}  {account.place}"
            )
    if font_warning():
        warn(font_warning())
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    say(f"网页服务已启动：请用浏览器打开 http://{shown}:{args.port}/ （按 Ctrl+C 停止）")
    uvicorn.run(
        create_app(config), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    store.close()
    return EXIT_OK
