"""``broadcast test-zone`` and the console's "Phát thử": a 1 kHz tone then the zone's name
spoken, on that zone only, and what came of it in words."""

from __future__ import annotations

from dataclasses import dataclass

from broadcast.config import Config
from broadcast.sinks.protocol import AudioSink, ZoneSpeakers


@dataclass(frozen=True)
class ZoneTestResult:
    ok: bool
    message: str  # Vietnamese


def run_zone_test(config: Config, sink: AudioSink, given: str) -> ZoneTestResult:
    """Play the test on the zone ``given`` (id or name) through ``sink``."""
    # Imported here: speech and loudness pull in scipy, too slow for every CLI start.
    from broadcast.sinks.zone_test import play_zone_test

    reference = config.zone_reference(given)
    zone = next((z for z in config.zones if z.id == reference), None)
    if zone is None:
        return ZoneTestResult(False, f"Lỗi: {_not_a_zone(config, given, reference)}")
    result = play_zone_test(sink, ZoneSpeakers.all_from(config.zones)[zone.id], zone.name)
    outcome = result.for_zone(zone.id)
    if outcome.error is not None:
        return ZoneTestResult(False, f"Lỗi thiết bị {outcome.device}: {outcome.error.message}")
    channels = ", ".join(str(c) for c in zone.output.channels)
    return ZoneTestResult(
        True,
        f'Đã phát thử khu vực "{zone.id}" ({zone.name}) trên {outcome.device}, kênh {channels}: '
        f"{outcome.aired_seconds:.1f} giây.",
    )


def _not_a_zone(config: Config, given: str, group: str | None) -> str:
    """Why ``given`` is no zone to test: a group (name its zones, one to test at a time) or
    unknown (the closest id or name)."""
    if group is None:
        return f'không có khu vực "{given}" trong {config.source}{config.zone_hint(given)}'
    members = ", ".join(config.zone_groups[group])
    return f'"{given}" là nhóm khu vực; hãy phát thử từng khu vực trong nhóm: {members}'
