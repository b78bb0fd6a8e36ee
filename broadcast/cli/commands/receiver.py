"""``broadcast receiver --config receiver.yaml``: the program on an IP loudspeaker cluster's box.

Runs until SIGTERM or Ctrl+C (systemd: deploy/loa-phuong-receiver.service); what plays then
fades out and its row is completed. Its log (Vietnamese, one line a record) goes to the
console and to ``daemon.log`` in the receiver's data folder.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.daemon.daemon_log import setup_daemon_logging
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLogUnreadable
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import load_settings

ORDER = 90


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "receiver",
        help="chạy trên máy của cụm loa IP: nhận lịch phát có chữ ký từ đài và phát đúng giờ",
        description="Chạy trên máy nhỏ gắn với cụm loa IP (Linux ARM hoặc x86). Nhận lịch phát "
        "có chữ ký của đài qua MQTT, tải trước âm thanh, phát đúng giây theo đồng hồ của máy "
        "kể cả khi mất mạng, ghi nhật ký từng lượt phát và gửi về đài. Tệp cấu hình do lệnh "
        "broadcast clusters add trên máy của đài in ra.",
    )
    parser.add_argument(
        "--config",
        required=True,
        type=Path,
        metavar="receiver.yaml",
        help="tệp cấu hình của cụm loa",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        settings = load_settings(args.config)
    except FileNotFoundError:
        print(f"không tìm thấy tệp cấu hình {args.config}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INPUT_ERRORS
    for warning in settings.warnings:
        print(warning, file=sys.stderr)
    logger = setup_daemon_logging(ProjectPaths(paths.home, data_override=settings.data_dir))
    try:
        receiver = Receiver(settings)
    except PlayLogUnreadable as exc:
        print(f"{exc}.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stopping.set())
    receiver.start()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        logger.info("nhận lệnh dừng", extra={"event": "receiver_stopping"})
        receiver.stop()
    return EXIT_OK
