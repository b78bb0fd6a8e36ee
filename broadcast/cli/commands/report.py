"""``broadcast report``: the quarterly, half-year, yearly or monthly report for the city."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import datetime
from pathlib import Path

from broadcast.cli.output import print_diagnostics, print_json
from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog, database_path
from broadcast.report import FORMATS, Labels, Period, parse_period, period_report
from broadcast.report.labels import labels_from_config
from broadcast.report.output import TEXT_RENDERERS, save_report
from broadcast.scripts import load_folder

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
        "topic, zone and month, scripts aired, plays not aired by reason, share of the plan. "
        "PERIOD is 2023-Q1, 2023-H1, 2023 or 2023-03.",
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


def _config(paths: ProjectPaths) -> Config | None:
    try:
        return load_config(paths)
    except InputError as exc:
        # The log alone still makes the report: ids instead of names, no plan to compare.
        print("cảnh báo: không đọc được cấu hình, chủ đề hiện bằng mã:", file=sys.stderr)
        print_diagnostics(exc.diagnostics)
        return None


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    period: Period = args.period
    if args.out == STDOUT and args.fmt not in TEXT_RENDERERS:
        print("Tệp xlsx không in ra màn hình được; hãy chọn --out TỆP.", file=sys.stderr)
        return 2
    if not database_path(paths).exists():
        print(f"Chưa có nhật ký phát ({paths.relative(database_path(paths))}).", file=sys.stderr)
        return 1
    config = _config(paths)
    labels = labels_from_config(config) if config else Labels()
    scripts = load_folder(paths).scripts if config else []
    with PlayLog.open_for_reading(paths) as log:
        now = datetime.now(log.timezone)
        document = period_report(
            log, period, labels, generated_at=now, config=config, scripts=scripts
        )
    if args.json:
        print_json(dataclasses.asdict(document))
    elif args.out == STDOUT:
        sys.stdout.write(TEXT_RENDERERS[args.fmt](document))
    else:
        out = Path(args.out or f"bao-cao-{period.key}.{args.fmt}")
        save_report(document, args.fmt, out)
        print(f"Đã lập báo cáo {period.name_vi}: {out}")
    return 0
