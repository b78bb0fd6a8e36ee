"""``broadcast users``: the web console's accounts (add, list, remove, passwd)."""

from __future__ import annotations

import argparse
import getpass
import sys
from zoneinfo import ZoneInfo

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_json, print_table
from broadcast.clock import SystemClock
from broadcast.config import DEFAULT_TIMEZONE
from broadcast.paths import ProjectPaths
from broadcast.web.accounts import AccountError, Accounts, Role

ORDER = 81
_ROLES = [role.value for role in Role]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "users",
        help="tài khoản của trang quản lý: thêm, xem, xóa, đổi mật khẩu",
        description="Quản lý tài khoản đăng nhập trang quản lý (broadcast web). Vai trò: "
        "editor (biên tập viên: tải bài, nghe thử), approver (người duyệt: thêm duyệt và thu "
        "hồi), technician (kỹ thuật viên: trạng thái, thử loa, phát thông báo), reviewer "
        "(người kiểm tra: nhật ký, báo cáo), admin (quản trị: mọi việc, kể cả tài khoản). Mật "
        "khẩu được băm bằng Argon2, không bao giờ lưu hay ghi nhật ký dạng rõ.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="thêm tài khoản")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=_ROLES)
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    listing = actions.add_parser("list", help="xem các tài khoản")
    listing.add_argument("--json", action="store_true", help="print JSON")
    remove = actions.add_parser("remove", help="xóa tài khoản")
    remove.add_argument("name", metavar="NAME")
    passwd = actions.add_parser("passwd", help="đổi mật khẩu")
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    parser.set_defaults(handler=run)


def _password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        print("Hai lần nhập mật khẩu không khớp.", file=sys.stderr)
        return None
    return first


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    accounts = Accounts.of(paths)
    try:
        if args.action == "list":
            return _list(accounts, args.json)
        if args.action == "remove":
            accounts.remove(args.name)
            print(f"Đã xóa tài khoản {args.name}.")
            return EXIT_OK
        password = _password(args.password_stdin)
        if password is None:
            return EXIT_INPUT_ERRORS
        if args.action == "add":
            now = SystemClock(ZoneInfo(DEFAULT_TIMEZONE)).now()
            account = accounts.add(args.name, Role(args.role), password, now)
            print(f"Đã thêm tài khoản {account.name} ({account.role.label_vi}).")
        else:
            accounts.set_password(args.name, password)
            print(f"Đã đổi mật khẩu của {args.name}.")
    except AccountError as exc:
        print(f"{exc}.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    return EXIT_OK


def _list(accounts: Accounts, as_json: bool) -> int:
    found = accounts.all()
    if as_json:
        print_json([{"name": a.name, "role": a.role, "created_at": a.created_at} for a in found])
        return EXIT_OK
    if not found:
        print("Chưa có tài khoản nào; thêm bằng: broadcast users add TÊN --role editor")
        return EXIT_OK
    columns = [("name", "Tài khoản"), ("role", "Vai trò"), ("created_at", "Tạo lúc")]
    rows = [{"name": a.name, "role": a.role.label_vi, "created_at": a.created_at} for a in found]
    print_table(columns, rows)
    return EXIT_OK
