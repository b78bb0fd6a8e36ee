"""``broadcast stop``: the programs and bulletins playing now end; the daemon keeps running."""

from __future__ import annotations

import argparse

from broadcast.cli.daemon_requests import add_zones_option, cut_air
from broadcast.control import STOP
from broadcast.paths import ProjectPaths

ORDER = 55


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stop",
        help="dừng chương trình (hoặc bản tin) đang phát; các giờ phát sau vẫn theo lịch",
        description="Mục đang phát nhỏ dần rồi tắt và chương trình đó không phát tiếp; nhật ký "
        "ghi mục đó là phát dở và các mục còn lại là bỏ lỡ, dừng theo yêu cầu của tài khoản "
        "đang gõ lệnh. Chương trình phát vẫn chạy: các khung giờ sau phát theo lịch. Một "
        "chương trình phát chung một thiết bị với khu vực khác thì dừng trên cả khu vực đó.",
    )
    add_zones_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    return cut_air(
        paths,
        STOP,
        args.zones,
        "lệnh dừng",
        "Đã dừng chương trình đang phát trên {zones}; các khung giờ sau vẫn phát theo lịch.",
    )
