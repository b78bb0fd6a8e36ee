"""``broadcast cancel ID``: a priority bulletin still waiting for its gap never airs."""

from __future__ import annotations

import argparse

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.daemon_requests import ask_daemon, sender, zones_label
from broadcast.cli.output import print_diagnostics
from broadcast.control import CANCEL, parse_cancel
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths

ORDER = 56


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cancel",
        help="hủy một thông báo ưu tiên đang chờ phát",
        description="Hủy một thông báo ưu tiên còn chờ hết mục đang phát: nó sẽ không phát; "
        "nhật ký ghi bỏ lỡ trên từng khu vực, hủy theo yêu cầu của tài khoản đang gõ lệnh. "
        "Thông báo đang phát thì dùng broadcast skip.",
    )
    parser.add_argument("id", help="the bulletin's id, as broadcast announce printed it")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        request = parse_cancel({"id": args.id, "sender": sender()})
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    answer = ask_daemon(paths, CANCEL, request.to_args(), "lệnh hủy")
    if answer is None:
        return EXIT_INPUT_ERRORS
    print(
        f"Đã hủy thông báo {answer['id']} cho {zones_label(paths, answer['zones'])}; sẽ không phát."
    )
    if answer.get("clusters"):  # each drops it if it still holds it, and logs that
        print(f"Đã gửi lệnh hủy tới {len(answer['clusters'])} cụm loa IP.")
    return EXIT_OK
