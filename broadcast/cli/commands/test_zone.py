"""``broadcast test-zone Z``: a test tone and the zone's name spoken, on that zone only; by the
running daemon through its sink while it runs (``broadcast.views.zone_test``)."""

from __future__ import annotations

import argparse
import sys

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.daemon_requests import sender
from broadcast.cli.project import load_project
from broadcast.paths import ProjectPaths
from broadcast.sinks.spec import SINK_HELP, sink_from_spec
from broadcast.views.zone_test import carry_out_zone_test

ORDER = 71


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "test-zone",
        help="phát thử tiếng bíp và tên khu vực trên một khu vực loa",
        description="Phát thử trên một khu vực loa: một tiếng bíp 1 kHz rồi đọc tên khu vực, "
        "để kiểm tra loa nào thuộc khu vực nào. Khi chương trình phát (broadcast run) đang "
        "chạy, nó phát thử qua card âm thanh của nó, và từ chối khi khu vực đang phát.",
    )
    parser.add_argument(
        "zone", help='zone id or name from schedules.yaml, e.g. tdp-1 or "Tổ dân phố 1"'
    )
    parser.add_argument(
        "--sink",
        metavar="SINK",
        help=f"{SINK_HELP}; file:DIR plays the test there even while the daemon runs",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    chosen = None  # a sink of the technician's own (WAV files): nothing the daemon holds
    if args.sink not in (None, "sound"):
        try:
            chosen = sink_from_spec(args.sink, realtime=False)
        except ValueError as exc:
            print(f"Lỗi: {exc}", file=sys.stderr)
            return EXIT_USAGE
    project = load_project(paths)
    if project is None:
        return EXIT_INPUT_ERRORS
    result = carry_out_zone_test(
        paths,
        project.config,
        args.zone,
        lambda: chosen or sink_from_spec(None, realtime=False),
        own_sink=chosen is not None,
        sender=sender(),
    )
    if not result.ok:
        print(result.message, file=sys.stderr)
        return EXIT_INPUT_ERRORS
    print(result.message)
    return EXIT_OK
