"""``broadcast status``: is the daemon alive, what plays, what is next, devices and alarms."""

from __future__ import annotations

import argparse
from datetime import datetime

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_json, print_table
from broadcast.control import STATUS, ControlClient, ControlError, DaemonUnavailable
from broadcast.daemon.status import DaemonStatus, daemon_alive, read_status
from broadcast.paths import ProjectPaths
from broadcast.views.status_view import (
    CLUSTER_COLUMNS,
    cluster_row,
    health_label,
    next_zone_label,
    when_label,
)

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


def _current(paths: ProjectPaths) -> tuple[DaemonStatus | None, str | None]:
    """Live status from the daemon (no problem), else the last status file with why the
    daemon did not answer."""
    try:
        return DaemonStatus.from_json(
            ControlClient.from_paths(paths, timeout=5.0).call(STATUS)
        ), None
    except (DaemonUnavailable, ControlError) as exc:
        return read_status(paths), exc.message


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    status, problem = _current(paths)
    if status is None:
        print(f"Chương trình phát không chạy. {problem or ''}".strip())
        return EXIT_INPUT_ERRORS
    now = datetime.now(status.heartbeat_at.tzinfo)
    age = (now - status.heartbeat_at).total_seconds()
    alive = daemon_alive(status, answered=problem is None, now=now)
    if args.json:
        print_json({**status.to_json(), "alive": alive, "heartbeat_age_seconds": age})
        return EXIT_OK if alive else EXIT_INPUT_ERRORS
    state = "ĐANG CHẠY" if alive else "KHÔNG CHẠY"
    print(
        f"Chương trình phát: {state} (nhịp tim lúc {when_label(status.heartbeat_at)}, "
        f"{age:.0f} giây trước)"
    )
    if status.started_at is not None:
        print(f"Khởi động lúc: {when_label(status.started_at)}")
    if problem and not alive:
        print(f"  {problem}")
    # The zones' names come with the status (it lists every zone), so they match the daemon's
    # configuration even while schedules.yaml is being edited.
    names = {zone.zone: zone.name for zone in status.devices}
    for playing in status.playing:
        zones = ", ".join(names.get(zone, zone) for zone in playing.zones)
        print(f"Đang phát: {playing.slot} trên {zones}")
    if not status.playing:
        print("Đang phát: không có")
    rows = [
        {
            "zone": next_zone_label(names.get(zone, zone), entry),
            "at": when_label(entry.at),
            "slot": entry.slot,
            "title": entry.title,
        }
        for zone, entries in status.next.items()
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
            ("zone", "Mã khu vực"),
            ("name", "Khu vực"),
            ("device", "Thiết bị"),
            ("channels", "Kênh"),
            ("health", "Tình trạng"),
        ],
        [
            {
                "zone": d.zone,
                "name": d.name,
                "device": d.device if d.device != "" else "cụm loa IP",
                "channels": list(d.channels),
                "health": health_label(d),
            }
            for d in status.devices
        ],
    )
    if status.clusters:
        _print_clusters(status)
    print(f"\nCảnh báo đang có: {len(status.alarms)}")
    for alarm in status.alarms:
        print(f"  từ {when_label(alarm.since)}  {alarm.message}")
    for problem_text in status.input_problems:
        print(f"  tệp sửa sai (đang dùng bản trước): {problem_text}")
    return EXIT_OK if alive and not status.alarms else EXIT_INPUT_ERRORS


def _print_clusters(status: DaemonStatus) -> None:
    """The IP clusters: how each was last heard, the urgent bulletin sent to it, and what it
    refused lately."""
    print("\nCụm loa IP:")
    print_table(CLUSTER_COLUMNS, [cluster_row(cluster) for cluster in status.clusters])
    for cluster in status.clusters:
        if cluster.bulletin and cluster.bulletin_sent_at:
            began = (
                f"bắt đầu phát lúc {cluster.bulletin_started_at:%H:%M:%S}"
                if cluster.bulletin_started_at
                else "chưa báo đã phát"
            )
            sent = f"{cluster.bulletin_sent_at:%H:%M:%S}"
            print(f"  {cluster.id}: bản tin {cluster.bulletin} gửi lúc {sent}, {began}")
        for refusal in cluster.refusals[-3:]:
            print(f"  {cluster.id} từ chối: {refusal}")
