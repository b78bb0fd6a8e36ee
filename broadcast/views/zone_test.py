"""``broadcast test-zone`` and the console's "Phát thử": a 1 kHz tone then the zone's name
spoken, on that zone only, and what came of it in words.

Who plays it: while the daemon runs it holds the sound card, so the test goes to it over the
control channel (``test_zone``) and plays through its own sink, refused while that zone or a
bulletin is on air. With no daemon running, the command opens a sink itself, as it always did;
so does a command given a sink of its own (``--sink``, WAV files in tests): nothing the daemon
holds. A daemon that may be running but does not answer is never played over: the test is not
played, and the technician is told why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from broadcast.config import Config, Zone
from broadcast.control import (
    TEST_ZONE,
    ControlClient,
    ControlError,
    DaemonUnavailable,
    ZoneTestRequest,
    zone_to_test,
)
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.processes import process_alive
from broadcast.sinks.protocol import AudioSink, ZoneSpeakers

THROUGH_DAEMON = "Phát qua chương trình phát đang chạy."


@dataclass(frozen=True)
class ZoneTestResult:
    ok: bool
    message: str  # Vietnamese


def carry_out_zone_test(
    paths: ProjectPaths,
    config: Config,
    given: str,
    open_sink: Callable[[], AudioSink],
    *,
    own_sink: bool = False,
    sender: str | None = None,
) -> ZoneTestResult:
    """The test on the zone ``given`` (id or name): by the running daemon, else through
    ``open_sink()``; with ``own_sink`` (a sink the caller chose) always through it."""
    try:
        zone = zone_to_test(config, given)
    except InputError as exc:
        return ZoneTestResult(False, f"Lỗi: {exc.diagnostics[0].message}")
    if not own_sink:
        played = _through_daemon(paths, zone, sender)
        if played is not None:
            return played
    try:
        sink = open_sink()
    except ValueError as exc:
        return ZoneTestResult(False, f"Lỗi: {exc}")
    return run_zone_test(config, sink, zone.id)


def run_zone_test(config: Config, sink: AudioSink, given: str) -> ZoneTestResult:
    """Play the test on the zone ``given`` (id or name) through ``sink``."""
    # Imported here: speech and loudness pull in scipy, too slow for every CLI start.
    from broadcast.sinks.zone_test import play_zone_test

    try:
        zone = zone_to_test(config, given)
    except InputError as exc:
        return ZoneTestResult(False, f"Lỗi: {exc.diagnostics[0].message}")
    result = play_zone_test(sink, ZoneSpeakers.all_from(config.zones)[zone.id], zone.name)
    outcome = result.for_zone(zone.id)
    return _said(
        zone,
        {
            "device": outcome.device,
            "aired_seconds": outcome.aired_seconds,
            "error": outcome.error.message if outcome.error is not None else None,
        },
    )


def _said(zone: Zone, answer: dict[str, Any], how: str | None = None) -> ZoneTestResult:
    """What came of the test, from the outlet's outcome (or the daemon's answer)."""
    device, seconds = answer.get("device"), float(answer.get("aired_seconds") or 0.0)
    if answer.get("error"):
        return ZoneTestResult(False, f"Lỗi thiết bị {device}: {answer['error']}")
    channels = ", ".join(str(c) for c in answer.get("channels") or zone.output.channels)
    done = f'Đã phát thử khu vực "{zone.id}" ({zone.name}) trên {device}, kênh {channels}: '
    if answer.get("cut"):
        message = f"{done}bị ngắt sau {seconds:.1f} giây ({answer['cut']})."
    else:
        message = f"{done}{seconds:.1f} giây."
    return ZoneTestResult(True, f"{message} {how}" if how else message)


def _through_daemon(paths: ProjectPaths, zone: Zone, sender: str | None) -> ZoneTestResult | None:
    """The test as the running daemon played it, or why it did not; ``None`` when no daemon
    runs: no ``control.json``, its process gone, or nothing listening where it said."""
    try:
        client = ControlClient.from_paths(paths)
    except DaemonUnavailable:
        return None
    except ControlError as exc:  # another account's daemon: it holds the card all the same
        return ZoneTestResult(False, f"Lỗi: {exc.message}")
    if not process_alive(client.endpoint.pid):
        return None
    try:
        answer = client.call(TEST_ZONE, **ZoneTestRequest(zone.id, sender).to_args())
    except ControlError as exc:
        why = exc.diagnostics[0].message if exc.diagnostics else exc.message
        return ZoneTestResult(False, f"Lỗi: chương trình phát không phát thử: {why}")
    except DaemonUnavailable as exc:
        if isinstance(exc.__cause__, ConnectionRefusedError):
            return None
        return ZoneTestResult(
            False,
            f"Lỗi: {exc.message}. Chưa phát thử: chương trình phát có thể đang giữ card âm "
            "thanh; hãy xem broadcast status rồi thử lại.",
        )
    return _said(zone, answer, THROUGH_DAEMON)
