"""``xl-pension announce``: the village 缴费通知 posters and 明白纸 leaflets, from the policy.

Parses the options, makes one call to :func:`xl_pension.app.announce.make_announcements` and
says what was written, what was skipped and which villages still lack a 专员 or phone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..core import catalogue as cat
from ..core.errors import EXIT_OK
from ..core.places import township_named
from .common import policy_from, say, warn

DEFAULT_OUTPUT = "宣传材料"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options of the command."""
    p.add_argument("--township", metavar="NAME", help="乡镇（街道）名称或 9 位代码")
    p.add_argument(
        "--village",
        metavar="NAME",
        action="append",
        default=[],
        help="村名（可写多次）；不写时为专员名单中本乡镇的每个村各生成一份",
    )
    p.add_argument(
        "--contacts",
        metavar="FILE",
        help="征缴工作专员名单（.xlsx 或 .csv，列：村、专员、电话，可另有“乡镇”列；"
        "村名写乡镇名称或“乡镇人社所”的一行是乡镇人社所的电话）",
    )
    p.add_argument(
        "--phone", metavar="PHONE", default="", help="乡镇人社所电话（名单中没有时使用）"
    )
    p.add_argument("-o", "--output-dir", metavar="DIR", default=DEFAULT_OUTPUT, help="输出文件夹")
    p.add_argument(
        "--format",
        default="html,pdf,png",
        metavar="LIST",
        help="生成哪些文件，逗号分隔：html（总是生成）、pdf、png；默认全部",
    )
    p.add_argument("--paper", choices=("A4", "A3"), default="A4", help="纸张大小（默认 A4）")


def _formats(text: str) -> set[str]:
    from ..app.announce import FORMATS, HTML

    chosen = {f.strip().lower() for f in text.split(",") if f.strip()}
    unknown = chosen - set(FORMATS)
    if unknown:
        raise cat.ANNOUNCE_OPTION.error(
            "format", allowed="、".join(FORMATS), unknown="、".join(sorted(unknown))
        )
    return chosen | {HTML}


def run(args: argparse.Namespace) -> int:
    """Write the posters and leaflets and report."""
    from ..app.announce import describe_row, load_contacts, make_announcements, targets_for
    from ..core.values import phone_ok, phone_text

    policy = policy_from(args)
    township = township_named(policy, args.township) if args.township else None
    phone = phone_text(args.phone)
    if phone and not phone_ok(phone):
        raise cat.ANNOUNCE_OPTION.error("phone", phone=args.phone)
    formats = _formats(args.format)
    contacts = None
    if args.contacts:
        contacts = load_contacts(args.contacts, policy, township)
        for finding in contacts.warnings:
            warn(describe_row(finding))
    targets = targets_for(township, [v.strip() for v in args.village if v.strip()], contacts)
    result = make_announcements(
        policy,
        targets,
        Path(args.output_dir),
        contacts=contacts.book if contacts else None,
        office_phone=phone,
        formats=formats,
        paper=args.paper,
    )
    places = "、".join(t.label for t in result.targets[:10])
    more = f"等 {len(result.targets)} 处" if len(result.targets) > 10 else ""
    say(
        f"已为 {places}{more}生成缴费通知和明白纸（{args.paper}），共 {len(result.written)} 个文件："
    )
    say(f"   {Path(args.output_dir)}")
    for line in result.skipped:
        warn(line)
    if result.missing_contacts:
        warn(
            f"{len(result.missing_contacts)} 个村没有专员姓名或电话，已留空白横线待手写："
            f"{'、'.join(result.missing_contacts)}。可在专员名单（--contacts）中补上后重新生成。"
        )
    if result.missing_office:
        warn(
            f"没有乡镇人社所电话（{'、'.join(result.missing_office)}），已留空白横线；"
            "可在专员名单中加一行（村名写乡镇名称）或用 --phone 指定。"
        )
    return EXIT_OK
