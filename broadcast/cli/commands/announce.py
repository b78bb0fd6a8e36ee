"""``broadcast announce``: hand an urgent bulletin to the running daemon."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics
from broadcast.config import load_config
from broadcast.control import (
    ANNOUNCE,
    ControlClient,
    ControlError,
    DaemonUnavailable,
    parse_announcement,
)
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths

ORDER = 53


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "announce",
        help="phát ngay một thông báo khẩn cấp hoặc ưu tiên",
        description="Phát ngay một thông báo: khẩn cấp (ngắt chương trình đang phát trên các "
        "khu vực đó, phát nhạc hiệu và thông báo, rồi phát tiếp) hoặc ưu tiên (phát ngay khi "
        "hết mục đang phát).",
    )
    parser.add_argument("file", nargs="?", help="a .txt, .md, .docx, .wav or .mp3 file")
    parser.add_argument("--text", help="the bulletin's text, in Vietnamese")
    parser.add_argument(
        "--zones",
        required=True,
        help='zones or zone groups by id or name, comma-separated (e.g. "toan-phuong" or '
        '"Tổ dân phố 1,Tổ dân phố 2")',
    )
    parser.add_argument(
        "--priority", choices=["priority", "emergency"], default="priority", help="(priority)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    raw: dict[str, object] = {
        "zones": [zone.strip() for zone in args.zones.split(",") if zone.strip()],
        "priority": args.priority,
        "sender": _sender(),
    }
    if args.file is not None:
        raw["file"] = args.file
    if args.text is not None:
        raw["text"] = args.text
    try:
        request = parse_announcement(raw, base_dir=Path.cwd())
        answer = ControlClient.from_paths(paths).call(ANNOUNCE, **request.to_args())
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    except DaemonUnavailable as exc:
        print(f"Không gửi được thông báo: {exc.message}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    except ControlError as exc:
        print(f"Chương trình phát từ chối thông báo: {exc.message}", file=sys.stderr)
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    kind = "khẩn cấp" if answer["priority"] == "emergency" else "ưu tiên"
    print(f"Đã nhận thông báo {kind} {answer['id']} cho {_zones_label(paths, answer['zones'])}.")
    return EXIT_OK


def _zones_label(paths: ProjectPaths, zones: list[str]) -> str:
    """The zones by name; by id while ``schedules.yaml`` cannot be read (the daemon airs its
    last good configuration meanwhile, so the announcement was taken all the same)."""
    try:
        return load_config(paths).zones_label(zones)
    except InputError:
        return ", ".join(zones)


def _sender() -> str | None:
    """The account sending the bulletin: the report says who sent each one."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare service environment
        return None
