"""``broadcast preview ID``: render one script if needed, then play it or write it to a file."""

from __future__ import annotations

import argparse

from broadcast.cli import EXIT_INPUT_ERRORS
from broadcast.cli.rendering import add_output_options, deliver, rendered_script
from broadcast.paths import ProjectPaths

ORDER = 31


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preview",
        help="nghe thử một kịch bản như khi phát",
        description="Nghe thử một kịch bản đúng như khi phát: tạo âm thanh nếu chưa có, rồi phát "
        "trên loa mặc định của máy, hoặc ghi ra tệp .wav/.mp3 với --out. --offline: chỉ dùng "
        "giọng đọc không cần mạng.",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    add_output_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    found = rendered_script(paths, args.script_id, offline=args.offline)
    if found is None:
        return EXIT_INPUT_ERRORS
    script, entry = found
    return deliver(entry, args.out, script.title)
