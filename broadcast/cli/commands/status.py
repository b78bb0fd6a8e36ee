"""``broadcast status``: is the daemon alive, what plays, what is next, devices and alarms."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_json, print_table
from broadcast.control import STATUS, ControlClient, ControlError, DaemonUnavailable
from broadcast.daemon.status import ALIVE_WITHIN_SECONDS, read_status
from broadcast.paths import ProjectPaths

ORDER = 52


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="xem tình trạng: đang phát gì, sắp phát gì, thiết bị, cảnh báo",
        description="Xem tình trạng chương trình phát: còn chạy không (nhịp tim), đang phát gì, "
        "năm mục sắp phát của mỗi khu vực, thiết bị âm thanh, cảnh báo và lỗi gần đây.",
    )
    parser.add_argument("--json", action="store_true", help="print the status as JSON")
    parser.set_defaults(handler=run)


def _current(paths: ProjectPaths) -> tuple[dict[str, Any] | None, str | None]:
    """Live status from the daemon, else the last status file with why it is not live."""
    try:
        return ControlClient.from_paths(paths, timeout=5.0).call(STATUS), None
    except (DaemonUnavailable, ControlError) as exc:
        return read_status(paths), exc.message


def _age_seconds(status: dict[str, Any]) -> float | None:
    try:
        beat = datetime.fromisoformat(status["heartbeat_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return (datetime.now(beat.tzinfo) - beat).total_seconds()


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    status, problem = _current(paths)
    if status is None:
        print(f"Chương trình phát không chạy. {problem or ''}".strip())
        return EXIT_INPUT_ERRORS
    age = _age_seconds(status)
    alive = status.get("state") == "running" and age is not None and age < ALIVE_WITHIN_SECONDS
    if args.json:
        print_json({**status, "alive": alive, "heartbeat_age_seconds": age})
        return EXIT_OK if alive else EXIT_INPUT_ERRORS
    beat = f"{age:.0f} giây trước" if age is not None else "không rõ"
    print(f"Chương trình phát: {'ĐANG CHẠY' if alive else 'KHÔNG CHẠY'} (nhịp tim {beat})")
    if problem and not alive:
        print(f"  {problem}")
    for playing in status.get("playing", []):
        print(f"Đang phát: {playing['slot']} trên {', '.join(playing['zones'])}")
    if not status.get("playing"):
        print("Đang phát: không có")
    rows = [
        {"zone": zone, **entry}
        for zone, entries in status.get("next", {}).items()
        for entry in entries
    ]
    if rows:
        print("\nSắp phát:")
        print_table(
            [("zone", "Khu vực"), ("at", "Giờ"), ("slot", "Khung giờ"), ("title", "Nội dung")],
            rows,
        )
    print("\nThiết bị:")
    print_table(
        [
            ("zone", "Khu vực"),
            ("device", "Thiết bị"),
            ("channels", "Kênh"),
            ("health", "Tình trạng"),
        ],
        [{**d, "health": d.get("problem") or "tốt"} for d in status.get("devices", [])],
    )
    alarms = status.get("alarms", [])
    print(f"\nCảnh báo đang có: {len(alarms)}")
    for alarm in alarms:
        print(f"  {alarm['at']}  {alarm['message']}")
    for problem_text in status.get("input_problems", []):
        print(f"  tệp sửa sai (đang dùng bản trước): {problem_text}")
    return EXIT_OK if alive and not alarms else EXIT_INPUT_ERRORS
