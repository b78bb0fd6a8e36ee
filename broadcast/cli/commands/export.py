"""``broadcast export ID --mp3 PATH``: a bulletin as MP3, e.g. for the ward's website."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadcast.audio.batch import render_script
from broadcast.audio.ffmpeg import AudioDecodeError, export_mp3
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.commands.render import load_inputs, print_problems
from broadcast.clock import SystemClock
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
    inputs = load_inputs(paths)
    if inputs is None:
        return EXIT_INPUT_ERRORS
    config = inputs.config
    script = next((s for s in inputs.scripts if s.id == args.script_id), None)
    if script is None:
        print(f'Không có kịch bản hợp lệ nào mã "{args.script_id}".', file=sys.stderr)
        return EXIT_INPUT_ERRORS
    result = render_script(
        paths, config.tts, script, reader=inputs.reader, clock=SystemClock(config.timezone)
    )
    print_problems(result, script.source)
    if result.entry is None:
        print(f"{script.source}: không bộ đọc nào tạo được âm thanh.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    args.mp3.parent.mkdir(parents=True, exist_ok=True)
    try:
        export_mp3(result.entry.path, args.mp3, script.title)
    except (AudioDecodeError, OSError) as exc:
        print(f"Không ghi được {args.mp3}: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    print(f"Đã xuất {args.mp3} ({result.entry.duration_seconds:.1f} giây).")
    return EXIT_OK
