"""``broadcast devices``: the PC's sound outputs, their channels, and which zone uses which."""

from __future__ import annotations

import argparse
import sys

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_json, print_table
from broadcast.cli.project import load_project
from broadcast.paths import ProjectPaths
from broadcast.sinks.devices import PortAudioMissing, list_output_devices
from broadcast.sinks.protocol import ZoneHealth, ZoneSpeakers

ORDER = 70

COLUMNS = [
    ("index", "Số"),
    ("name", "Thiết bị"),
    ("hostapi", "Hệ âm thanh"),
    ("max_output_channels", "Số kênh"),
    ("default_samplerate", "Tần số mẫu (Hz)"),
    ("default", "Mặc định"),
    ("zones", "Khu vực dùng"),
]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "devices",
        help="liệt kê thiết bị âm thanh và khu vực dùng chúng",
        description="Liệt kê thiết bị phát âm thanh của máy (số kênh, tần số mẫu) và khu vực "
        "loa nào trong schedules.yaml dùng thiết bị nào. Mã thoát 1 khi có khu vực không phát "
        "được trên thiết bị của nó (để script giám sát biết).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        devices = list_output_devices()
    except PortAudioMissing as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    from broadcast.sinks.portaudio import SoundDeviceSink  # numpy and soxr: only here

    zones, exit_code = _configured_zones(paths)
    # The same question the daemon's heartbeat and ``status`` ask: the same answer.
    matched = list(zip(zones, SoundDeviceSink().health(zones), strict=True))
    if any(health.problem for _, health in matched):
        exit_code = EXIT_INPUT_ERRORS  # monitoring scripts see a zone without its loudspeakers
    users: dict[int, list[str]] = {}
    for zone, health in matched:
        if health.device_index is not None:
            channels = ",".join(str(c) for c in zone.channels)
            users.setdefault(health.device_index, []).append(f"{zone.zone_id} (kênh {channels})")
    rows = [
        {
            "index": d.index,
            "name": d.name,
            "hostapi": d.hostapi,
            "max_output_channels": d.max_output_channels,
            "default_samplerate": round(d.default_samplerate),
            "default": d.is_default,
            "zones": users.get(d.index, []),
        }
        for d in devices
    ]
    if args.json:
        print_json({"devices": rows, "zones": [_zone_json(z, h) for z, h in matched]})
        return exit_code
    if not devices:
        print("Máy này không có thiết bị phát âm thanh nào (không thấy card âm thanh).")
    else:
        print_table(
            COLUMNS,
            [
                dict(
                    row,
                    default="có" if d.is_default else "",
                    zones="; ".join(users.get(d.index, [])),
                )
                for d, row in zip(devices, rows, strict=True)
            ],
        )
    for zone, health in matched:
        if health.problem:
            print(f'Khu vực "{zone.zone_id}" ({zone.device}): {health.problem}')
    return exit_code


def _configured_zones(paths: ProjectPaths) -> tuple[list[ZoneSpeakers], int]:
    """Zones from schedules.yaml; none (with a note) when the file is missing or invalid."""
    if not paths.schedules_file.exists():
        print("(Chưa có schedules.yaml: chỉ liệt kê thiết bị.)", file=sys.stderr)
        return [], EXIT_OK
    project = load_project(paths, otherwise="chỉ liệt kê thiết bị")
    if project is None:
        return [], EXIT_INPUT_ERRORS
    return list(ZoneSpeakers.all_from(project.config.zones).values()), EXIT_OK


def _zone_json(zone: ZoneSpeakers, health: ZoneHealth) -> dict[str, object]:
    return {
        "zone": zone.zone_id,
        "device": zone.device,
        "channels": zone.channels,
        "device_index": health.device_index,
        "problem": health.problem,
    }
