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
from broadcast.report.narrative import OfficialReport, report_narrative
from broadcast.report.output import TEXT_RENDERERS, save_report, text_report
from broadcast.report.render_text import CSV_LOCALES
from broadcast.report.rows import period_rows

ORDER = 62
STDOUT = "-"
NEEDS_REPORT_SECTION = """\
Báo cáo Word (--format docx) là văn bản hành chính: cần mục report: trong schedules.yaml
(cơ quan ban hành, nơi nhận, người ký). Thêm vào schedules.yaml, ví dụ:

report:
  issuing_body: ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH
  ward_name: phường Long Anh
  place: Long Anh
  prepared_by: Công chức Văn phòng - Thống kê
  signer: {authority: [TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH], name: Lê Văn Chiến}
  recipients: [UBND Thành phố (b/c), "Lưu: VT, VP"]

rồi chạy: broadcast check"""


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
        "and the log's head hash. PERIOD is 2026-Q4, 2026-H1, 2026 or 2026-11, or as Vietnamese "
        'documents write it: "Q4/2026", "quý 4/2026", "Quý IV/2026", "6 tháng đầu năm 2026", '
        '"6 tháng cuối năm 2026", "năm 2026", "tháng 11/2026".',
    )
    parser.add_argument("--period", type=_period, required=True, metavar="PERIOD")
    parser.add_argument("--format", choices=FORMATS, default="xlsx", dest="fmt")
    parser.add_argument(
        "--out",
        metavar="PATH",
        help="file to write (default: bao-cao-PERIOD.FORMAT in the current folder; "
        "'-' prints csv, md or html)",
    )
    parser.add_argument(
        "--number",
        metavar="N",
        help="the document's number, for docx (Số: N/BC-UBND); without it left blank, to be "
        "written by hand when the report is issued",
    )
    parser.add_argument(
        "--csv-locale",
        choices=CSV_LOCALES,
        default="en",
        help="csv for Excel set to: en (',' between fields, decimal point) or vi (';' between "
        "fields, decimal comma, as Excel in Vietnamese expects)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    period: Period = args.period
    if args.out == STDOUT and args.fmt not in TEXT_RENDERERS:
        print(f"Tệp {args.fmt} không in ra màn hình được; hãy chọn --out TỆP.", file=sys.stderr)
        return EXIT_USAGE
    if play_log_missing(paths):
        return EXIT_INPUT_ERRORS
    # The log alone still makes the report: ids instead of names, no plan to compare.
    project = load_project(paths, scripts=True, otherwise="chủ đề hiện bằng mã")
    config = project.config if project else None
    timezone = config.timezone if config else WARD_TIMEZONE
    settings = config.report if config else None
    if args.fmt == "docx" and settings is None and not args.json:
        print(NEEDS_REPORT_SECTION, file=sys.stderr)
        return EXIT_USAGE
    timetable = Timetable.read(paths, project.config, project.scripts) if project else None
    clock, labels = SystemClock(timezone), Labels.from_config(config)
    clusters = timetable.clusters if timetable else None
    if timetable is not None:  # the IP clusters' names, from the registry
        labels = labels.with_clusters(timetable.labels.clusters)
    official: OfficialReport | None = None
    with PlayLog.open_for_reading(paths, timezone=timezone) as log:
        rows = period_rows(log, period)  # the text and the tables count the same rows
        document = period_report(log, period, labels, clock=clock, timetable=timetable, rows=rows)
        if args.fmt == "docx" and settings is not None:
            now = clock.now()
            story = report_narrative(
                log, period, labels, settings, now=now, rows=rows, clusters=clusters
            )
            official = OfficialReport(settings, story, now.date(), args.number)
    if args.json:
        print_json(dataclasses.asdict(document))
    elif args.out == STDOUT:
        sys.stdout.write(text_report(document, args.fmt, args.csv_locale))
    else:
        out = Path(args.out or f"bao-cao-{period.key}.{args.fmt}")
        save_report(document, args.fmt, out, official, csv_locale=args.csv_locale)
        print(f"Đã lập báo cáo {period.name_vi}: {out}")
    return EXIT_OK
