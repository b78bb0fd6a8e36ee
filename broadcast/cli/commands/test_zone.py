"""``broadcast test-zone Z``: a test tone and the zone's name spoken, on that zone only."""

from __future__ import annotations

import argparse
import sys

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.project import load_project
from broadcast.paths import ProjectPaths
from broadcast.sinks.spec import SINK_HELP, sink_from_spec
from broadcast.views.zone_test import run_zone_test

ORDER = 71


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "test-zone",
        help="phát thử tiếng bíp và tên khu vực trên một khu vực loa",
        description="Phát thử trên một khu vực loa: một tiếng bíp 1 kHz rồi đọc tên khu vực, "
        "để kiểm tra loa nào thuộc khu vực nào.",
    )
    parser.add_argument(
        "zone", help='zone id or name from schedules.yaml, e.g. tdp-1 or "Tổ dân phố 1"'
    )
    parser.add_argument("--sink", metavar="SINK", help=SINK_HELP)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        sink = sink_from_spec(args.sink, realtime=False)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    project = load_project(paths)
    if project is None:
        return EXIT_INPUT_ERRORS
    result = run_zone_test(project.config, sink, args.zone)
    if not result.ok:
        print(result.message, file=sys.stderr)
        return EXIT_INPUT_ERRORS
    print(result.message)
    return EXIT_OK
