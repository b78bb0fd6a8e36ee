"""``broadcast skip``: the item playing now fades out; its program goes on with the next."""

from __future__ import annotations

import argparse

from broadcast.cli.daemon_requests import add_zones_option, cut_air
from broadcast.control import SKIP
from broadcast.paths import ProjectPaths

ORDER = 54


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "skip",
        help="bỏ qua mục (hoặc bản tin) đang phát, chương trình phát tiếp mục sau",
        description="Mục hoặc bản tin đang phát nhỏ dần rồi tắt; chương trình phát tiếp mục "
        "sau. Nhật ký ghi mục đó là phát dở, bỏ qua theo yêu cầu của tài khoản đang gõ lệnh. "
        "Một mục phát chung một thiết bị với khu vực khác thì tắt trên cả khu vực đó.",
    )
    add_zones_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    return cut_air(
        paths,
        SKIP,
        args.zones,
        "lệnh bỏ qua",
        "Đã bỏ qua mục đang phát trên {zones}; chương trình phát tiếp mục sau.",
    )
