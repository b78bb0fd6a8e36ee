"""``test_zone``: the test tone and the zone's name on one zone, played by the running daemon
through its own sink, so that ``broadcast test-zone`` and the console's "Phát thử" neither
fail on a sound card the daemon holds nor play over a program.

Wire form: ``{"zone": "tdp-1", "sender": "…"}`` (``sender`` optional: the account asking, for
the daemon's log). The answer: ``{"zone", "device", "channels", "aired_seconds", "error",
"cut"}``: ``error`` is the device's failure, ``cut`` why the test was faded out before its end
(an emergency, a technician's stop), both Vietnamese or ``None``.

Which zone may be tested is decided here, for the daemon and for a command playing the test
itself alike: one zone (not a group), known to ``schedules.yaml``, with a sound card output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from broadcast.config import Config, Zone
from broadcast.control.arguments import parse_sender, unknown_arguments
from broadcast.control.commands import TEST_ZONE
from broadcast.diagnostics import DiagnosticCollector
from broadcast.scripts.decoding import clean_line_breaks
from broadcast.scripts.problems import refused

ZONE_TEST_ARGUMENTS = ("zone", "sender")
SOURCE = "test-zone"  # the command as typed: diagnostics name it


@dataclass(frozen=True)
class ZoneTestRequest:
    zone: str  # as given; once parsed with a configuration, the zone's id
    sender: str | None = None

    def to_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"zone": self.zone}
        if self.sender is not None:
            args["sender"] = self.sender
        return args


def parse_zone_test(args: Mapping[str, Any], config: Config) -> tuple[ZoneTestRequest, Zone]:
    """The request and the zone it names; ``InputError`` lists every problem at once."""
    collector = DiagnosticCollector()
    collector.extend(unknown_arguments(TEST_ZONE, args, ZONE_TEST_ARGUMENTS))
    given = args.get("zone")
    zone = None
    with collector.guard():
        zone = zone_to_test(config, clean_line_breaks(given) if isinstance(given, str) else "")
    sender = None
    with collector.guard():
        sender = parse_sender(args.get("sender"), f"{SOURCE} --sender")
    collector.raise_if_errors()
    if zone is None:  # cannot be: its problem was raised just above
        raise RuntimeError("zone_to_test gave nothing and raised nothing")
    return ZoneTestRequest(zone.id, sender), zone


def zone_to_test(config: Config, given: str) -> Zone:
    """The zone ``given`` (id or name) names; ``InputError`` in words when it is no zone to
    test: a group (name its zones, one to test at a time), unknown (the closest id or name),
    or a cluster of IP loudspeakers (no sound card output here)."""
    given = given.strip()
    reference = config.zone_reference(given) if given else None
    zone = next((z for z in config.zones if z.id == reference), None)
    if zone is None:
        raise refused(SOURCE, "not_a_zone", _not_a_zone(config, given, reference))
    if zone.is_ip:  # its loudspeakers hang on a pole, behind MQTT: no device here to play on
        raise refused(
            SOURCE,
            "ip_zone",
            f'khu vực "{zone.id}" ({zone.name}) là cụm loa IP, không nối với card âm thanh '
            "của đài nên không phát thử ở đây được (xem các cụm: broadcast clusters list)",
        )
    return zone


def _not_a_zone(config: Config, given: str, group: str | None) -> str:
    if not given:
        return "cần tên hoặc mã một khu vực, ví dụ tdp-1"
    if group is None:
        return f'không có khu vực "{given}" trong {config.source}{config.zone_hint(given)}'
    members = ", ".join(config.zone_groups[group])
    return f'"{given}" là nhóm khu vực; hãy phát thử từng khu vực trong nhóm: {members}'
