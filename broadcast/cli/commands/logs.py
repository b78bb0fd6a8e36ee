"""``broadcast logs``: what the loudspeakers aired, filtered, as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import csv
import re
import sys
from datetime import datetime, time, timedelta

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.arguments import day_argument
from broadcast.cli.output import print_json, print_table
from broadcast.cli.project import load_project, play_log_missing
from broadcast.paths import ProjectPaths
from broadcast.playlog import OUTCOME_LABELS_VI, Attempt, Outcome, PlayLog, VerifyResult
from broadcast.report import Labels
from broadcast.views.log_rows import (
    COLUMNS,
    in_zones,
    log_row,
    verdict,
    verify_log,
    zones_meant,
)

ORDER = 60

_HASH = re.compile(r"[0-9a-f]{64}")


def _outcome(text: str) -> Outcome:
    by_label = {label: outcome for outcome, label in OUTCOME_LABELS_VI.items()}
    found = by_label.get(text.strip()) or next((o for o in Outcome if o.value == text), None)
    if found is None:
        choices = ", ".join(f"{o.value} ({o.label_vi})" for o in Outcome)
        raise argparse.ArgumentTypeError(f'kết quả "{text}" không có; chọn một trong: {choices}')
    return found


def _head_hash(text: str) -> str:
    found = text.strip().lower()
    if not _HASH.fullmatch(found):
        raise argparse.ArgumentTypeError(
            f'"{text}" không phải mã kiểm tra nhật ký: cần đủ 64 chữ số và chữ a–f, chép từ '
            'dòng "Mã kiểm tra nhật ký (head)" của một báo cáo'
        )
    return found


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "logs",
        help="xem nhật ký phát",
        description="Show the play log: every attempt to air an item on a zone. "
        "Dates as 31/03/2023 or 2023-03-31; --until includes that day. "
        "--verify checks the tamper-evident hash chain; --expect HASH also checks that the "
        "log still holds the head a report printed earlier (a cut, replaced or rewritten log "
        "does not).",
    )
    parser.add_argument("--since", type=day_argument, metavar="DATE", help="from this day")
    parser.add_argument(
        "--until", type=day_argument, metavar="DATE", help="up to and including this day"
    )
    parser.add_argument(
        "--zone", metavar="Z", help="only this zone or zone group, by id or name (tdp-1)"
    )
    parser.add_argument("--topic", metavar="T", help="only this topic id")
    parser.add_argument(
        "--outcome", type=_outcome, metavar="O", help="played, partial, missed … or bỏ lỡ …"
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="print JSON")
    shape.add_argument("--csv", action="store_true", help="print CSV")
    parser.add_argument(
        "--verify", action="store_true", help="check that no row was changed or removed"
    )
    parser.add_argument(
        "--expect",
        type=_head_hash,
        metavar="HASH",
        help="with --verify: the head hash of an earlier report (Mã kiểm tra nhật ký)",
    )
    parser.set_defaults(handler=run)


def _json_row(attempt: Attempt) -> dict[str, object]:
    airing = attempt.airing
    return {
        "id": attempt.id,
        "zone": airing.zone,
        "slot_id": airing.slot_id,
        "program": airing.program,
        "script_id": airing.script_id,
        "title": airing.title,
        "topic": airing.topic,
        "bulletin_id": airing.bulletin_id,
        "audio_hash": airing.audio_hash,
        "engine": airing.engine,
        "voice": airing.voice,
        "scheduled_at": airing.scheduled_at,
        "started_at": attempt.started_at,
        "ended_at": attempt.ended_at,
        "planned_seconds": airing.planned_seconds,
        "resumed_from_seconds": airing.resumed_from_seconds,
        "aired_seconds": attempt.aired_seconds,
        "underruns": attempt.underruns,
        "outcome": attempt.outcome,
        "output": attempt.output,
        "to_file": attempt.to_file,
        "heard": attempt.heard,
        "reason": attempt.reason,
        "error": attempt.error,
    }


def _expect_message(expect: str, found_at: int | None) -> str:
    if found_at is not None:
        return (
            f"Khớp mã kiểm tra đã ghi {expect}: nhật ký vẫn giữ nguyên {found_at} sự kiện "
            "đầu, đúng như lúc lập báo cáo đó."
        )
    return (
        f"Nhật ký KHÔNG khớp mã kiểm tra đã ghi {expect}: không còn sự kiện nào mang mã này "
        "— nhật ký đã bị cắt bớt, thay bằng tệp khác hoặc viết lại sau khi lập báo cáo đó."
    )


def _print_verify(
    result: VerifyResult, expect: str | None, found_at: int | None, as_json: bool
) -> int:
    problem = result.problem
    ok = result.ok and (expect is None or found_at is not None)
    if as_json:
        print_json(
            {
                "ok": ok,
                "rows": result.rows,
                "events": result.events,
                "approval_events": result.approval_events,
                "head_hash": result.head_hash,
                "problem": problem and vars(problem),
                "expected": expect and {"hash": expect, "found_at_event": found_at},
            }
        )
        return EXIT_OK if ok else EXIT_INPUT_ERRORS
    if problem is not None:
        print(verdict(result), file=sys.stderr)
        return EXIT_INPUT_ERRORS
    print(verdict(result))
    if expect is not None:
        print(_expect_message(expect, found_at), file=sys.stdout if ok else sys.stderr)
    return EXIT_OK if ok else EXIT_INPUT_ERRORS


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    if play_log_missing(paths):  # no log cannot hold the head a report printed
        return EXIT_OK if args.expect is None else EXIT_INPUT_ERRORS
    verify = args.verify or args.expect is not None
    if verify:
        result, found_at = verify_log(paths, args.expect)
        return _print_verify(result, args.expect, found_at, args.json)
    project = None
    if not (args.json and args.zone is None):  # names or a zone to find
        project = load_project(paths, otherwise="khu vực và chủ đề hiện bằng mã")
    config = project.config if project else None
    with PlayLog.open_for_reading(paths) as log:
        tz = log.timezone
        attempts = log.attempts(
            since=args.since and datetime.combine(args.since, time(), tz),
            until=args.until and datetime.combine(args.until + timedelta(days=1), time(), tz),
            topic=args.topic,
            outcome=args.outcome,
        )
    if args.zone is not None:
        # A zone the configuration does not know (or none loaded) may be one since removed.
        zones, known = zones_meant(config, args.zone)
        attempts = in_zones(attempts, zones)
        if config and not known and not attempts:
            print(config.unknown_zone_message(args.zone), file=sys.stderr)
            return EXIT_USAGE
    if args.json:
        print_json([_json_row(attempt) for attempt in attempts])
        return EXIT_OK
    labels = Labels.from_config(config)
    rows = [log_row(attempt, labels) for attempt in attempts]
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(heading for _, heading in COLUMNS)
        writer.writerows([row[key] for key, _ in COLUMNS] for row in rows)
    elif rows:
        print_table(COLUMNS, rows)
    else:
        print("Không có lượt phát nào khớp điều kiện.")
    return EXIT_OK
