"""``broadcast report``: the quarterly, half-year, yearly or monthly report for the city."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.output import print_json
from broadcast.cli.project import load_project, play_log_missing
from broadcast.clock import SystemClock
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.report import FORMATS, Labels, Period, Timetable, parse_period, period_report
from broadcast.report.output import TEXT_RENDERERS, save_report

ORDER = 62
STDOUT = "-"


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="lập báo cáo theo quý, 6 tháng, năm hoặc tháng",
        description="Write the period report from the play log: broadcasts and minutes by "
        "topic, zone and month, scripts aired, plays not heard (by reason, and each listed), "
        "emergency and priority announcements, share of the plan on the days that have ended, "
        "and the log's head hash. PERIOD is 2023-Q1, 2023-H1, 2023 or 2023-03.",
    )
    parser.add_argument("--period", type=_period, required=True, metavar="PERIOD")
    parser.add_argument("--format", choices=FORMATS, default="xlsx", dest="fmt")
    parser.add_argument(
        "--out",
        metavar="PATH",
        help="file to write (default: bao-cao-PERIOD.FORMAT in the current folder; "
        "'-' prints csv, md or html)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    period: Period = args.period
    if args.out == STDOUT and args.fmt not in TEXT_RENDERERS:
        print("Tệp xlsx không in ra màn hình được; hãy chọn --out TỆP.", file=sys.stderr)
        return EXIT_USAGE
    if play_log_missing(paths):
        return EXIT_INPUT_ERRORS
    # The log alone still makes the report: ids instead of names, no plan to compare.
    project = load_project(paths, scripts=True, otherwise="chủ đề hiện bằng mã")
    config = project.config if project else None
    timezone = config.timezone if config else WARD_TIMEZONE
    timetable = Timetable.read(paths, project.config, project.scripts) if project else None
    with PlayLog.open_for_reading(paths, timezone=timezone) as log:
        document = period_report(
            log,
            period,
            Labels.from_config(config),
            clock=SystemClock(timezone),
            timetable=timetable,
        )
    if args.json:
        print_json(dataclasses.asdict(document))
    elif args.out == STDOUT:
        sys.stdout.write(TEXT_RENDERERS[args.fmt](document))
    else:
        out = Path(args.out or f"bao-cao-{period.key}.{args.fmt}")
        save_report(document, args.fmt, out)
        print(f"Đã lập báo cáo {period.name_vi}: {out}")
    return EXIT_OK
