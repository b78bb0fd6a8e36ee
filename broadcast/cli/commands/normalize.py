"""``broadcast normalize``: the spoken form of a text, one output line per input line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics, print_json, print_table
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths
from broadcast.textnorm import Region, explain, load_lexicon, normalize

ORDER = 20

_COLUMNS = [
    ("line", "Dòng"),
    ("original", "Gốc"),
    ("spoken", "Đọc là"),
    ("description", "Quy tắc"),
]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "normalize",
        help="xem một văn bản sẽ được đọc thành lời như thế nào",
        description="Chuyển văn bản thành lời đọc (số, ngày giờ, từ viết tắt, địa chỉ web…), "
        "mỗi dòng vào cho một dòng ra. Đọc tệp FILE, hoặc đầu vào chuẩn khi không có FILE. "
        "Từ điển riêng của phường: lexicon.yaml cạnh schedules.yaml.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="UTF-8 text file (default: stdin)")
    parser.add_argument(
        "--region",
        choices=[region.value for region in Region],
        default=Region.NORTH.value,
        help="number words of the north (nghìn, linh) or the south (ngàn, lẻ)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="list every rewrite: original, spoken, rule"
    )
    parser.add_argument("--json", action="store_true", help="print the rewrites as JSON")
    parser.set_defaults(handler=run)


def _read(file: str | None) -> str:
    if file is None:
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        message = "tệp phải được lưu bằng mã UTF-8"
        raise InputError([Diagnostic(file, None, None, "bad_encoding", message)]) from exc
    except FileNotFoundError as exc:
        message = "không tìm thấy tệp"
        raise InputError([Diagnostic(file, None, None, "missing_file", message)]) from exc
    except IsADirectoryError as exc:
        message = "đây là một thư mục, không phải tệp văn bản"
        raise InputError([Diagnostic(file, None, None, "not_a_file", message)]) from exc
    except OSError as exc:
        message = "không đọc được tệp (kiểm tra quyền truy cập)"
        raise InputError([Diagnostic(file, None, None, "unreadable_file", message)]) from exc


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        lexicon = load_lexicon(paths)
        text = _read(args.file)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    print_diagnostics(lexicon.warnings)
    region = Region(args.region)
    if args.explain or args.json:
        rewrites = explain(text, lexicon, region)
        if args.json:
            print_json([rewrite.to_json() for rewrite in rewrites])
        else:
            print_table(_COLUMNS, [rewrite.to_json() for rewrite in rewrites])
        return EXIT_OK
    spoken = normalize(text, lexicon, region)
    sys.stdout.write(spoken if spoken.endswith("\n") or not text else spoken + "\n")
    return EXIT_OK
