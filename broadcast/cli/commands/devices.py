"""``broadcast devices``: the PC's sound outputs, their channels, and which zone uses which."""

from __future__ import annotations

import argparse
import sys

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics, print_json, print_table
from broadcast.config import load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.sinks.devices import PortAudioMissing, list_output_devices
from broadcast.sinks.protocol import ZoneOutput
from broadcast.sinks.zone_devices import ZoneDevice, match_zones

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
        "loa nào trong schedules.yaml dùng thiết bị nào.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        devices = list_output_devices()
    except PortAudioMissing as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    zones, exit_code = _configured_zones(paths)
    matched = match_zones(zones) if devices else [ZoneDevice(z, None, None) for z in zones]
    users: dict[int, list[str]] = {}
    for match in matched:
        if match.device is not None:
            channels = ",".join(str(c) for c in match.zone.channels)
            users.setdefault(match.device.index, []).append(
                f"{match.zone.zone_id} (kênh {channels})"
            )
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
        print_json({"devices": rows, "zones": [_zone_json(m) for m in matched]})
        return exit_code
    if not devices:
        print("Máy này không có thiết bị phát âm thanh nào (không thấy card âm thanh).")
    else:
        print_table(
            COLUMNS,
            [
                dict(row, default="có" if row["default"] else "", zones="; ".join(row["zones"]))
                for row in rows
            ],
        )
    for match in matched:
        if match.device is None or match.problem:
            reason = match.problem or "không có thiết bị nào"
            print(f'Khu vực "{match.zone.zone_id}" ({match.zone.device}): {reason}')
    return exit_code


def _configured_zones(paths: ProjectPaths) -> tuple[list[ZoneOutput], int]:
    """Zones from schedules.yaml; none (with a note) when the file is missing or invalid."""
    try:
        config = load_config(paths)
    except InputError as exc:
        if any(d.code == "missing_file" for d in exc.diagnostics):
            print("(Chưa có schedules.yaml: chỉ liệt kê thiết bị.)", file=sys.stderr)
            return [], EXIT_OK
        print_diagnostics(exc.diagnostics)
        print("(schedules.yaml có lỗi: chỉ liệt kê thiết bị.)", file=sys.stderr)
        return [], EXIT_INPUT_ERRORS
    return [ZoneOutput.from_zone(zone) for zone in config.zones], EXIT_OK


def _zone_json(match: ZoneDevice) -> dict[str, object]:
    return {
        "zone": match.zone.zone_id,
        "device": match.zone.device,
        "channels": match.zone.channels,
        "device_index": match.device.index if match.device else None,
        "problem": match.problem,
    }
