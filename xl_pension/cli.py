"""The ``xl-pension`` command line: thin front end over the core and the workbook layer.

Every command takes ``--policy FILE``, prints Chinese messages and returns 0 (ok), 1 (findings)
or 2 (unusable input). No traceback reaches the user unless ``XL_PENSION_DEBUG=1``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from contextlib import suppress

from . import __version__
from .core.errors import EXIT_UNUSABLE, XlPensionError

# command name -> module under xl_pension.commands with add_arguments(parser) and run(args)
COMMANDS: dict[str, tuple[str, str]] = {
    "template": ("template", "生成新的村级花名册（标准模板）"),
    "validate": ("validate", "校验花名册：找出身份证、档次、金额、收据等问题"),
    "compute": ("compute", "计算政府代缴、个人应缴、政府补贴和记入个人账户金额"),
    "remit": ("remit", "生成线下缴费的解缴清单，并与银行缴款回单核对"),
    "notice": ("notice", "生成 10 天公示（只含公示的工作簿和 HTML 页面）"),
    "split": ("split", "把县里下发的上年缴费名单拆分为各村花名册"),
    "summary": ("summary", "汇总一个乡镇所有村的花名册"),
    "merge": ("merge", "合并各乡镇数据：排名通报、重复参保、守恒核对"),
    "declare": ("declare", "按乡镇生成税务专管员批量申报清单和政府代缴申报表（内部资料）"),
    "announce": ("announce", "生成各村的缴费通知（张贴）和明白纸（A4 网页、PDF、PNG）"),
    "addin": ("addin", "构建或安装 Excel 功能区加载项"),
    "demo": ("demo", "生成示例县的花名册，演示全年流程"),
    "serve": ("serve", "启动乡镇和县级网页服务（上传花名册、查看汇总）"),
    "users": ("users", "管理网页服务账号（新建账号）"),
}


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese usage errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        sys.exit(EXIT_UNUSABLE)


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the ``selected`` command's module is imported (fast start-up)."""
    parser = _Parser(
        prog="xl-pension",
        description="城乡居民基本养老保险保费征缴：花名册、校验、补贴计算、公示与汇总。",
    )
    parser.add_argument("--version", action="version", version=f"xl-pension {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument(
            "--policy",
            metavar="FILE",
            default=None,
            help="政策文件（TOML）；默认使用内置的东明县2024年度政策",
        )
        if selected in (None, name):
            mod = importlib.import_module(f".commands.{module}", __package__)
            mod.add_arguments(p)
            p.set_defaults(_module=mod)
    return parser


def _console_never_fails() -> None:
    """A console that cannot show a character (GBK and an emoji or an extension-B character in a
    file name) shows an escape instead of ending the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with suppress(ValueError, OSError):  # a detached or closed stream: nothing to do
                reconfigure(errors="backslashreplace")


def _terminate_as_exit(signum: int, frame: object) -> None:
    """SIGTERM (a closed console, ``kill``) unwinds like Ctrl+C, so temporary files are removed."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _console_never_fails()
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP", "SIGBREAK"):
            if hasattr(signal, name):
                number = getattr(signal, name)
                previous[number] = signal.signal(number, _terminate_as_exit)
    try:
        return _run(argv)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]


def _run(argv: list[str]) -> int:
    selected = next((a for a in argv if a in COMMANDS), None)
    parser = build_parser(selected or "")
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_UNUSABLE
    try:
        return int(args._module.run(args))
    except XlPensionError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except OSError as exc:
        if os.environ.get("XL_PENSION_DEBUG"):
            raise
        from .io.faults import os_fault

        fault = os_fault(exc)
        print(f"错误：{fault.message}", file=sys.stderr)
        return fault.exit_code
    except MemoryError:
        from .io.faults import out_of_memory

        fault = out_of_memory()
        print(f"错误：{fault.message}", file=sys.stderr)
        return fault.exit_code
    except Exception as exc:
        if os.environ.get("XL_PENSION_DEBUG"):
            raise
        print(
            f"内部错误（{type(exc).__name__}），操作未完成，原文件未被修改。"
            "请设置环境变量 XL_PENSION_DEBUG=1 重新运行并把输出发给技术人员。",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
