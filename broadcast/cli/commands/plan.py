"""``broadcast plan``: what will play, when, where and for how long, with every warning."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from broadcast.audio.manifest import AudioManifest
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.approval_states import left_out_json, print_left_out
from broadcast.cli.arguments import day_argument
from broadcast.cli.output import (
    minutes_seconds,
    print_diagnostics,
    print_json,
    print_table,
    shortened,
)
from broadcast.cli.project import load_project
from broadcast.config import Config
from broadcast.config.model import SegmentKind
from broadcast.config.references import check_script_references
from broadcast.diagnostics import errors_in
from broadcast.paths import ProjectPaths
from broadcast.playlog.history import open_history, plan_days, plannable
from broadcast.schedule import Plan, PlanItem, PlannedSegment, SkipReason
from broadcast.schedule.labels import clock_label, day_label
from broadcast.schedule.zone_filter import plan_for_zones
from broadcast.scripts import Script

ORDER = 40

_COLUMNS = [
    ("time", "Giờ"),
    ("slot", "Khung giờ"),
    ("zones", "Khu vực"),
    ("content", "Nội dung"),
    ("duration", "Thời lượng"),
]
_KIND_LABELS = {
    SegmentKind.CHIME: "Nhạc hiệu",
    SegmentKind.INTRO: "Mở đầu",
    SegmentKind.AUDIO: "Âm thanh",
    SegmentKind.OUTRO: "Kết thúc",
}
_TITLE_WIDTH = 48


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="xem lịch phát: phát gì, lúc nào, ở đâu, bao lâu",
        description="Xem trước lịch phát: bài nào phát lúc nào, ở khu vực nào, dài bao lâu, "
        "kèm mọi cảnh báo (quá giờ, chiến dịch không đủ lượt, bài hết hạn chưa phát, khu "
        "vực không có bài, khu vực phải im lặng chờ giữa chương trình).",
    )
    parser.add_argument("--days", type=int, default=1, metavar="N", help="days to show (1)")
    parser.add_argument(
        "--from",
        dest="start",
        type=day_argument,
        metavar="DATE",
        help="first day, 09/03/2026 or 2026-03-09 (default: today)",
    )
    parser.add_argument(
        "--zone", metavar="Z", help="only this zone or zone group, by id or name (tdp-1)"
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    if args.days < 1:
        print("--days phải từ 1 trở lên", file=sys.stderr)
        return EXIT_USAGE
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    config, folder = project.config, project.folder
    zones = None
    if args.zone:
        reference = config.zone_reference(args.zone)
        if reference is None:
            print(config.unknown_zone_message(args.zone), file=sys.stderr)
            return EXIT_USAGE
        zones = config.expand_zones([reference])
    references = check_script_references(config, folder.scripts)
    start = args.start or project.clock.now().date()
    with open_history(paths, config) as log:
        manifest = AudioManifest.load(paths)
        scripts, judgements = plannable(config, folder.scripts, manifest, log)
        plan = plan_days(
            config,
            scripts,
            start,
            log,
            days=args.days,
            durations=manifest.planning_durations(),
        )
    if zones is not None:
        plan = plan_for_zones(plan, zones)
    diagnostics = [*config.warnings, *references]
    titles = {script.id: script.title for script in folder.scripts}
    if args.json:
        print_json(
            {
                **plan.to_json(),
                "diagnostics": [*diagnostics, *errors_in(folder.diagnostics)],
                "left_out": left_out_json(judgements.values(), titles),
            }
        )
    else:
        _print_plan(plan, config, {s.id: s for s in folder.scripts}, start, args.days)
        # with approval off, only an emergency script written in a file waits here
        print_left_out("Bài không được lên lịch vì chưa duyệt:", judgements.values(), titles)
        print_diagnostics(diagnostics, sys.stderr)
    found_errors = errors_in(diagnostics) or folder.errors
    return EXIT_INPUT_ERRORS if found_errors else EXIT_OK


def _content(segment: PlannedSegment, scripts: Mapping[str, Script]) -> str:
    if segment.kind in _KIND_LABELS:
        label = _KIND_LABELS[segment.kind]
        return f"{label}: {segment.file}" if segment.file else label
    script = scripts.get(segment.script_id or "")
    title = script.title if script else segment.script_id or ""
    prefix = "[KHẨN CẤP] " if segment.emergency else ""
    return prefix + shortened(title, _TITLE_WIDTH)


def _rows(item: PlanItem, config: Config, scripts: Mapping[str, Script]) -> list[dict[str, Any]]:
    rows = []
    for index, segment in enumerate(item.segments):
        rows.append(
            {
                "time": clock_label(item.start + timedelta(seconds=segment.offset_seconds)),
                "slot": item.slot_name if index == 0 else "",
                "zones": config.zones_label(segment.zones),
                "content": _content(segment, scripts),
                "duration": minutes_seconds(segment.duration_seconds),
            }
        )
    rows.append(
        {
            "time": clock_label(item.end),
            "slot": "",
            "zones": "",
            "content": f"(hết, tổng {minutes_seconds(item.duration_seconds)})",
            "duration": "",
        }
    )
    return rows


def _print_plan(
    plan: Plan, config: Config, scripts: Mapping[str, Script], start: date, days: int
) -> None:
    last = start + timedelta(days=days - 1)
    span = day_label(start) if days == 1 else f"{day_label(start)} – {day_label(last)}"
    print(f"LỊCH PHÁT {span}")
    shown = [start + timedelta(days=i) for i in range(days)]
    by_day: dict[date | None, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for item in plan.items:
        by_day[item.start.date()]["items"].append(item)
    for skipped in plan.skipped:
        by_day[skipped.start.date()]["skipped"].append(skipped)
    for warning in plan.warnings:
        # Dated to a day not shown (a campaign week that began earlier): printed with the
        # general warnings, whose message names its dates, rather than dropped.
        day = warning.when.date() if warning.when else None
        by_day[day if day in shown else None]["warnings"].append(warning)
    for day in shown:
        print(f"\n{day_label(day)}")
        entry = by_day.get(day, {})
        rows = [row for item in entry.get("items", []) for row in _rows(item, config, scripts)]
        if rows:
            print_table(_COLUMNS, rows)
        else:
            print("Không có buổi phát nào.")
        for skipped in entry.get("skipped", []):
            slot = config.slot(skipped.slot_id)
            why = (
                f"nghỉ lễ: {skipped.detail}"
                if skipped.reason == SkipReason.HOLIDAY
                else "giờ yên tĩnh, không có tin khẩn cấp"
            )
            print(f"Không phát {skipped.start:%H:%M} {slot.name}: {why}")
        for warning in entry.get("warnings", []):
            print(f"Cảnh báo: {warning.message}")
    general = by_day.get(None, {}).get("warnings", [])
    if general:
        print("\nCảnh báo chung:")
        for warning in general:
            print(f"- {warning.message}")
