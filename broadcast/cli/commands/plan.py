"""``broadcast plan``: what will play, when, where and for how long, with every warning."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.approval_states import print_left_out
from broadcast.cli.arguments import day_argument
from broadcast.cli.output import (
    print_diagnostics,
    print_json,
    print_table,
    shortened,
)
from broadcast.cli.project import load_project
from broadcast.config import Config
from broadcast.config.references import check_script_references
from broadcast.diagnostics import errors_in
from broadcast.paths import ProjectPaths
from broadcast.schedule import Plan, PlanItem
from broadcast.schedule.labels import day_label
from broadcast.schedule.zone_filter import plan_for_zones
from broadcast.scripts import Script
from broadcast.views.approval_states import left_out_json
from broadcast.views.plan_grid import compute_plan, item_rows, plan_by_day

ORDER = 40

_COLUMNS = [
    ("time", "Giờ"),
    ("slot", "Khung giờ"),
    ("zones", "Khu vực"),
    ("content", "Nội dung"),
    ("duration", "Thời lượng"),
]
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
    planned = compute_plan(paths, config, folder.scripts, start, args.days)
    plan, judgements = planned.plan, planned.judgements
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


def _shorten(title: str) -> str:
    return shortened(title, _TITLE_WIDTH)


def _rows(item: PlanItem, config: Config, scripts: Mapping[str, Script]) -> list[dict[str, Any]]:
    return [
        {
            "time": row.time,
            "slot": row.slot,
            "zones": config.zones_label(list(row.zones)) if row.zones else "",
            "content": row.content,
            "duration": row.duration,
        }
        for row in item_rows(item, scripts, _shorten)
    ]


def _print_plan(
    plan: Plan, config: Config, scripts: Mapping[str, Script], start: date, days: int
) -> None:
    last = start + timedelta(days=days - 1)
    span = day_label(start) if days == 1 else f"{day_label(start)} – {day_label(last)}"
    print(f"LỊCH PHÁT {span}")
    by_day = plan_by_day(plan, config, start, days)
    for entry in by_day.days:
        print(f"\n{entry.label}")
        rows = [row for item in entry.items for row in _rows(item, config, scripts)]
        if rows:
            print_table(_COLUMNS, rows)
        else:
            print("Không có buổi phát nào.")
        for skipped in entry.skipped:
            print(skipped)
        for warning in entry.warnings:
            print(f"Cảnh báo: {warning}")
    if by_day.general:
        print("\nCảnh báo chung:")
        for warning in by_day.general:
            print(f"- {warning}")
