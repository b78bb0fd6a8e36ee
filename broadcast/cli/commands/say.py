"""``broadcast say "văn bản"``: ad-hoc text through the broadcast pipeline."""

from __future__ import annotations

import argparse
import sys

from broadcast.audio.batch import render_text
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_USAGE
from broadcast.cli.output import shortened
from broadcast.cli.rendering import (
    add_output_options,
    deliver,
    load_render_setup,
    print_render_problems,
)
from broadcast.paths import ProjectPaths

ORDER = 32
_TAG_WIDTH = 60  # an MP3's title tag: the start of the text


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "say",
        help="đọc thử một đoạn văn bản như một bản tin",
        description="Đọc một đoạn văn bản bất kỳ qua cùng quy trình phát thanh (chuẩn hóa chữ, "
        "bộ đọc, chuông, độ lớn) rồi phát trên loa mặc định, hoặc ghi ra tệp .wav/.mp3 với "
        "--out. --offline: chỉ dùng giọng đọc không cần mạng.",
    )
    parser.add_argument("text", help="Vietnamese text to read")
    add_output_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    text = args.text.strip()
    if not text:
        print("Hãy ghi đoạn văn bản cần đọc.", file=sys.stderr)
        return EXIT_USAGE
    setup = load_render_setup(paths, scripts=False, offline=args.offline)
    if setup is None:
        return EXIT_INPUT_ERRORS
    project = setup.project
    result = render_text(paths, setup.settings, text, reader=setup.reader, clock=project.clock)
    print_render_problems(result, "văn bản")
    if result.entry is None:
        print("Không bộ đọc nào tạo được âm thanh.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    return deliver(result.entry, args.out, shortened(text, _TAG_WIDTH))
