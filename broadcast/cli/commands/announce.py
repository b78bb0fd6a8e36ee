"""``broadcast announce``: hand an urgent bulletin to the running daemon."""

from __future__ import annotations

import argparse
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.daemon_requests import ask_daemon, origin, sender, split_zones, zones_label
from broadcast.cli.output import print_diagnostics
from broadcast.control import ANNOUNCE, new_request_id, parse_announcement
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
        "zones": split_zones(args.zones),
        "priority": args.priority,
        "sender": sender(),
        # An announcement bypasses approval by design: the log keeps who sent it and from where.
        "origin": origin(),
        "request_id": new_request_id(),  # kept across the client's retries: airs once
    }
    if args.file is not None:
        raw["file"] = args.file
    if args.text is not None:
        raw["text"] = args.text
    try:
        request = parse_announcement(raw, base_dir=Path.cwd())
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    answer = ask_daemon(paths, ANNOUNCE, request.to_args(), "thông báo")
    if answer is None:
        return EXIT_INPUT_ERRORS
    kind = "khẩn cấp" if answer["priority"] == "emergency" else "ưu tiên"
    print(f"Đã nhận thông báo {kind} {answer['id']} cho {zones_label(paths, answer['zones'])}.")
    return EXIT_OK
