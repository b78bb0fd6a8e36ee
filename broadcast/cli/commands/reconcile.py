"""``broadcast reconcile``: days' plans beside what the play log says happened."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from datetime import date, timedelta

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.arguments import day_argument
from broadcast.cli.output import print_json, print_table
from broadcast.cli.project import load_project, play_log_missing
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.report import Labels
from broadcast.report.reconcile import LineStatus, ReconcileLine, Reconciliation, reconcile_days
from broadcast.report.replan import Timetable
from broadcast.schedule.labels import day_label
from broadcast.views.durations import minutes_seconds

ORDER = 61

COLUMNS = (
    ("time", "Giờ"),
    ("slot", "Khung giờ"),
    ("zone", "Vùng loa"),
    ("title", "Bản tin"),
    ("planned", "Kế hoạch"),
    ("aired", "Đã phát"),
    ("status", "Kết quả"),
    ("reasons", "Lý do"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reconcile",
        help="đối chiếu kế hoạch với nhật ký phát, một ngày hoặc nhiều ngày",
        description="Show the plan beside what the play log says happened, item by item and "
        "zone by zone, each with its reason: one day (--date) or a range (--from, --to). "
        "Dates as 31/03/2023 or 2023-03-31.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", type=day_argument, metavar="DATE", help="one day")
    which.add_argument(
        "--from", dest="first", type=day_argument, metavar="DATE", help="first day of a range"
    )
    parser.add_argument(
        "--to", dest="last", type=day_argument, metavar="DATE", help="last day (default: today)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def _row(line: ReconcileLine, labels: Labels) -> dict[str, object]:
    status = line.status.label_vi
    if line.status is LineStatus.NOT_AIRED and line.outcome is not None:
        status = line.outcome.label_vi
    if line.zone is not None:  # a zone, or one IP cluster of it
        where: str | None = labels.place(line.zone, line.cluster_id)
    else:
        where = ", ".join(labels.zone_and_id(zone) for zone in line.zones) or None
    return {
        "time": f"{line.at:%H:%M}",
        "slot": line.slot_id,
        "zone": where,
        "title": line.title,
        "planned": minutes_seconds(line.planned_seconds),
        "aired": minutes_seconds(line.aired_seconds),
        "status": status,
        "reasons": "; ".join(line.reasons) or None,
    }


def _json_line(line: ReconcileLine, has_clusters: bool) -> dict[str, object]:
    """A line as JSON; ``cluster_id`` only in a ward with IP clusters (a wired ward's output
    stays as it was)."""
    found = dataclasses.asdict(line)
    if not has_clusters and line.cluster_id is None:
        del found["cluster_id"]
    return found


def _plan_note(result: Reconciliation) -> str | None:
    """Where lines were compared with a plan made again rather than the one recorded."""
    if not result.replanned_items:
        return None
    note = (
        f"Kế hoạch của {result.replanned_items} buổi phát được lập lại từ lịch phát, các kịch "
        "bản có lúc đó và nhật ký trước ngày đó; nếu lịch phát đã sửa sau hôm đó, kế hoạch có "
        "thể khác lúc phát."
    )
    if result.recorded_items:
        note += f" {result.recorded_items} buổi khác theo đúng kế hoạch nhật ký ghi lúc phát."
    return note


def _print_days(result: Reconciliation, labels: Labels) -> None:
    by_day: dict[date, list[ReconcileLine]] = {}
    for line in result.lines:
        by_day.setdefault(line.at.date(), []).append(line)
    for day in result.days:
        lines = by_day.get(day, [])
        if len(result.days) > 1:
            print(f"\n{day_label(day)}")
        if lines:
            print_table(COLUMNS, [_row(line, labels) for line in lines])
        else:
            print("Ngày này không có gì trong kế hoạch và nhật ký.")


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    if args.last is not None and args.date is not None:
        print("--to đi cùng --from, không dùng với --date", file=sys.stderr)
        return EXIT_USAGE
    if play_log_missing(paths):
        return EXIT_OK
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    config = project.config
    first = args.date or args.first
    now = project.clock.now()
    last = args.date or args.last or now.date()
    if last < first:
        print("--to phải từ ngày --from trở đi", file=sys.stderr)
        return EXIT_USAGE
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    timetable = Timetable.read(paths, config, project.scripts)
    with PlayLog.open_for_reading(paths, timezone=config.timezone) as log:
        result = reconcile_days(timetable, log, days, now=now)
    counts = result.counts()
    if args.json:
        span = {"date": first} if args.date else {"from": first, "to": last}
        print_json(
            {
                **span,
                "lines": [_json_line(line, bool(timetable.clusters)) for line in result.lines],
                "counts": {status.value: counts[status] for status in LineStatus},
                "recorded_items": result.recorded_items,
                "replanned_items": result.replanned_items,
            }
        )
        return EXIT_OK
    span_label = day_label(first) if first == last else f"{day_label(first)} – {day_label(last)}"
    print(f"ĐỐI CHIẾU KẾ HOẠCH VÀ NHẬT KÝ PHÁT — {span_label}")
    _print_days(result, timetable.labels)
    summary = ", ".join(f"{status.label_vi}: {counts[status]}" for status in LineStatus)
    print(f"\n{summary}")
    note = _plan_note(result)
    if note:
        print(note, file=sys.stderr)
    return EXIT_OK
