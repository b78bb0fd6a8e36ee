"""``broadcast export ID --mp3 PATH``: a bulletin as MP3, e.g. for the ward's website."""

from __future__ import annotations

import argparse
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS
from broadcast.cli.rendering import add_offline_option, rendered_script, write_audio
from broadcast.paths import ProjectPaths

ORDER = 33


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="xuất âm thanh một kịch bản ra MP3",
        description="Xuất âm thanh của một kịch bản ra tệp MP3 (128 kbit/s) để đăng lên trang "
        "thông tin điện tử của phường; tạo âm thanh trước nếu chưa có (--offline: chỉ dùng "
        "giọng đọc không cần mạng).",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    parser.add_argument("--mp3", type=Path, required=True, metavar="PATH", help="MP3 to write")
    add_offline_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    found = rendered_script(paths, args.script_id, offline=args.offline)
    if found is None:
        return EXIT_INPUT_ERRORS
    script, entry = found
    return write_audio(entry, args.mp3, script.title, mp3=True)
