"""``broadcast test-zone Z``: a test tone and the zone's name spoken, on that zone only."""

from __future__ import annotations

import argparse
import sys

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.project import load_project
from broadcast.config import Config
from broadcast.paths import ProjectPaths
from broadcast.sinks.protocol import ZoneSpeakers
from broadcast.sinks.spec import SINK_HELP, sink_from_spec

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
    # Imported here: speech and loudness pull in scipy, too slow for every CLI start.
    from broadcast.sinks.zone_test import play_zone_test

    try:
        sink = sink_from_spec(args.sink, realtime=False)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    project = load_project(paths)
    if project is None:
        return EXIT_INPUT_ERRORS
    config = project.config
    reference = config.zone_reference(args.zone)
    zone = next((z for z in config.zones if z.id == reference), None)
    if zone is None:
        print(f"Lỗi: {_not_a_zone(config, args.zone, reference)}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    result = play_zone_test(sink, ZoneSpeakers.all_from(config.zones)[zone.id], zone.name)
    outcome = result.for_zone(zone.id)
    if outcome.error is not None:
        print(f"Lỗi thiết bị {outcome.device}: {outcome.error.message}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    channels = ", ".join(str(c) for c in zone.output.channels)
    print(
        f'Đã phát thử khu vực "{zone.id}" ({zone.name}) trên {outcome.device}, kênh {channels}: '
        f"{outcome.aired_seconds:.1f} giây."
    )
    return EXIT_OK


def _not_a_zone(config: Config, given: str, group: str | None) -> str:
    """Why ``given`` is no zone to test: a group (name its zones, one to test at a time) or
    unknown (the closest id or name)."""
    if group is None:
        return f'không có khu vực "{given}" trong {config.source}{config.zone_hint(given)}'
    members = ", ".join(config.zone_groups[group])
    return f'"{given}" là nhóm khu vực; hãy phát thử từng khu vực trong nhóm: {members}'
