"""Which output device each zone resolves to, and what is wrong when it does not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from broadcast.sinks.devices import DeviceNotFound, OutputDevice, find_output_device
from broadcast.sinks.protocol import ZoneOutput


@dataclass(frozen=True)
class ZoneDevice:
    zone: ZoneOutput
    device: OutputDevice | None
    problem: str | None = None  # Vietnamese, for the technician


def match_zones(zones: Sequence[ZoneOutput]) -> list[ZoneDevice]:
    """Resolve every zone's device; ``PortAudioMissing`` propagates (no zone can play then)."""
    matched = []
    for zone in zones:
        try:
            device = find_output_device(zone.device)
        except DeviceNotFound as exc:
            matched.append(ZoneDevice(zone, None, exc.message))
            continue
        highest = max(zone.channels)
        problem = None
        if highest > device.max_output_channels:
            problem = (
                f"thiết bị chỉ có {device.max_output_channels} kênh, khu vực cần kênh {highest}"
            )
        matched.append(ZoneDevice(zone, device, problem))
    return matched
