"""``broadcast reconcile``: a day's plan beside what the play log says happened."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from datetime import datetime, time, timedelta

from broadcast.audio.manifest import AudioManifest
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.arguments import day_argument
from broadcast.cli.output import minutes_seconds, print_json, print_table
from broadcast.cli.project import load_project, play_log_missing
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.report.reconcile import LineStatus, ReconcileLine, plan_as_aired, reconcile
from broadcast.schedule.labels import day_label

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
REPLANNED_NOTE = (
    "Kế hoạch được lập lại từ lịch phát, kịch bản hiện có và nhật ký trước ngày này; nếu lịch "
    "hay kịch bản đã sửa sau hôm đó, kế hoạch có thể khác lúc phát."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reconcile",
        help="đối chiếu kế hoạch một ngày với nhật ký phát",
        description="Show one day's plan beside what the play log says happened, item by "
        "item and zone by zone, each with its reason. DATE as 31/03/2023 or 2023-03-31.",
    )
    parser.add_argument("--date", type=day_argument, required=True, metavar="DATE")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def _row(line: ReconcileLine) -> dict[str, object]:
    status = line.status.label_vi
    if line.status is LineStatus.NOT_AIRED and line.outcome is not None:
        status = line.outcome.label_vi
    return {
        "time": f"{line.at:%H:%M}",
        "slot": line.slot_id,
        "zone": line.zone,
        "title": line.title,
        "planned": minutes_seconds(line.planned_seconds),
        "aired": minutes_seconds(line.aired_seconds),
        "status": status,
        "reasons": "; ".join(line.reasons) or None,
    }


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    if play_log_missing(paths):
        return EXIT_OK
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    config, scripts = project.config, project.scripts
    day = args.date
    start = datetime.combine(day, time(), config.timezone)
    with PlayLog.open_for_reading(paths, timezone=config.timezone) as log:
        attempts = log.attempts(since=start, until=start + timedelta(days=1))
        durations = AudioManifest.load(paths).planning_durations()
        plan = plan_as_aired(config, scripts, day, log, attempts, durations=durations)
    lines = reconcile(plan, attempts, {script.id: script.title for script in scripts})
    counts = Counter(line.status for line in lines)
    if args.json:
        print_json(
            {
                "date": day,
                "lines": [dataclasses.asdict(line) for line in lines],
                "counts": {status.value: counts[status] for status in LineStatus},
            }
        )
        return EXIT_OK
    print(f"ĐỐI CHIẾU KẾ HOẠCH VÀ NHẬT KÝ PHÁT — {day_label(day)}")
    if lines:
        print_table(COLUMNS, [_row(line) for line in lines])
    else:
        print("Ngày này không có gì trong kế hoạch và nhật ký.")
    summary = ", ".join(f"{status.label_vi}: {counts[status]}" for status in LineStatus)
    print(f"\n{summary}")
    print(REPLANNED_NOTE, file=sys.stderr)
    return EXIT_OK
