"""``broadcast web``: serve the ward's web console for the project folder."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from broadcast.cli import EXIT_OK, EXIT_USAGE
from broadcast.paths import ProjectPaths

ORDER = 80
DEFAULT_LISTEN = "127.0.0.1:8080"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "web",
        help="mở trang quản lý trên trình duyệt (bài phát, duyệt, trạng thái, nhật ký, báo cáo)",
        description="Chạy trang quản lý của đài trên trình duyệt. Mặc định chỉ máy này mở "
        f"được ({DEFAULT_LISTEN}); --listen 0.0.0.0:8080 để các máy trong mạng của phường "
        "cùng dùng (nên đặt sau máy chủ HTTPS, xem deploy/web.md). Tạo tài khoản trước bằng "
        "broadcast users add.",
    )
    parser.add_argument(
        "--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT", help=f"({DEFAULT_LISTEN})"
    )
    parser.add_argument(
        "--behind-https",
        action="store_true",
        help="served behind an HTTPS reverse proxy: session cookies are marked Secure",
    )
    parser.set_defaults(handler=run)


def listen_address(text: str) -> tuple[str, int] | None:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) → (host, port), or ``None`` if malformed."""
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    address = listen_address(args.listen)
    if address is None:
        print(
            f'--listen "{args.listen}" không hợp lệ; viết HOST:CỔNG, ví dụ 0.0.0.0:8080',
            file=sys.stderr,
        )
        return EXIT_USAGE
    host, port = address
    import uvicorn

    from broadcast.web.app import create_app, settle_garbage_collector

    if not is_loopback(host) and not args.behind_https:
        print(
            "CẢNH BÁO: trang quản lý mở cho cả mạng mà không qua HTTPS: mật khẩu và phiên đăng "
            "nhập đi trên mạng không mã hóa. Hãy đặt sau máy chủ HTTPS (deploy/web.md) rồi chạy "
            "với --behind-https.",
            file=sys.stderr,
        )
    app = create_app(paths, secure_cookies=args.behind_https)
    settle_garbage_collector()
    print(f"Trang quản lý: http://{args.listen}/ (Ctrl+C để dừng)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=args.behind_https)
    return EXIT_OK
