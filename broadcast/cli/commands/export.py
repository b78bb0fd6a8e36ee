"""``broadcast export ID --mp3 PATH``: a bulletin as MP3, e.g. for the ward's website."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.rendering import rendered_script
from broadcast.media.ffmpeg import AudioDecodeError, export_mp3
from broadcast.paths import ProjectPaths

ORDER = 33


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="xuất âm thanh một kịch bản ra MP3",
        description="Xuất âm thanh của một kịch bản ra tệp MP3 (128 kbit/s) để đăng lên trang "
        "thông tin điện tử của phường; tạo âm thanh trước nếu chưa có.",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    parser.add_argument("--mp3", type=Path, required=True, metavar="PATH", help="MP3 to write")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    found = rendered_script(paths, args.script_id)
    if found is None:
        return EXIT_INPUT_ERRORS
    script, entry = found
    args.mp3.parent.mkdir(parents=True, exist_ok=True)
    try:
        export_mp3(entry.path, args.mp3, script.title)
    except (AudioDecodeError, OSError) as exc:
        print(f"Không ghi được {args.mp3}: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    print(f"Đã xuất {args.mp3} ({entry.duration_seconds:.1f} giây).")
    return EXIT_OK
