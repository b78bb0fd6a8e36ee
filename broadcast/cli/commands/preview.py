"""``broadcast preview ID``: render one script if needed, then play it or write it to a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS
from broadcast.cli.rendering import deliver, rendered_script
from broadcast.paths import ProjectPaths

ORDER = 31


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preview",
        help="nghe thử một kịch bản như khi phát",
        description="Nghe thử một kịch bản đúng như khi phát: tạo âm thanh nếu chưa có, rồi phát "
        "trên loa mặc định của máy, hoặc ghi ra tệp WAV với --out.",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    parser.add_argument("--out", type=Path, metavar="FILE", help="write a WAV file instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    found = rendered_script(paths, args.script_id)
    if found is None:
        return EXIT_INPUT_ERRORS
    return deliver(found[1], args.out)
