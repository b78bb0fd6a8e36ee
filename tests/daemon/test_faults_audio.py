"""Fault: a zone's sound device is missing when the daemon starts, or vanishes mid-play.

The daemon plays through PortAudio onto the virtual ALSA card; ``test_unplug`` sits on a
PulseAudio server of its own that the test kills, as if the USB card were pulled out. The
technician must get an alarm within 10 s, the other zones must play on untouched, and the
retry must be in the play log as an attempt of its own.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import read_wav
from broadcast.daemon.segment_audio import as_pcm16
from broadcast.daemon.status import read_status
from broadcast.playlog import Outcome, Reason
from tests.daemon.daemon_project import (
    make_project,
    plug_in,
    rows,
    start_daemon,
    wait_for,
    zone_yaml,
)
from tests.support.virtual_card import read_capture, trim_silence

pytestmark = pytest.mark.slow  # each test waits for alarms and the retry of a play

ALARM_WITHIN_SECONDS = 10.0
SCRIPT = "Thông báo thử\n\nỦy ban nhân dân phường thông báo lịch tiếp dân ngày 15/12/2026.\n"
LONG_SCRIPT = "Bản tin dài\n\n" + "Bà con nộp hồ sơ trực tuyến tại dịch vụ công. " * 2


def _seconds_until_alarm(daemon, code: str, zone: str, since: float) -> float:
    """Poll the alarms the technician sees until ``code`` is raised for ``zone``."""
    while time.monotonic() - since < ALARM_WITHIN_SECONDS:
        if any((a.code, a.zone) == (code, zone) for a in daemon.alarms.active()):
            return time.monotonic() - since
        time.sleep(0.02)
    raise AssertionError(f"no {code} alarm for {zone} within {ALARM_WITHIN_SECONDS} s")


def _seconds_until_shown(paths, code: str, zone: str, since: float) -> float:
    """Poll the status file (what ``broadcast status`` prints) until it shows the alarm."""
    while time.monotonic() - since < ALARM_WITHIN_SECONDS:
        shown = read_status(paths)
        if shown and any((a.code, a.zone) == (code, zone) for a in shown.alarms):
            return time.monotonic() - since
        time.sleep(0.05)
    raise AssertionError(f"broadcast status showed no {code} for {zone}")


def _by_zone(found):
    zones: dict[str, list] = {}
    for row in found:
        zones.setdefault(row.airing.zone, []).append(row)
    return zones


@pytest.fixture
def unplug_card(realtime_card):
    """The ``test_unplug`` device, plugged in for this test and plugged in again after it."""
    plug_in(realtime_card, "unplug")
    yield realtime_card
    plug_in(realtime_card, "unplug")


def test_a_device_missing_at_start_raises_an_alarm_at_once_and_the_other_zone_plays(
    tmp_path, captures
):
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-xa", "card-da-rut", [1]), zone_yaml("pho-1", "test_card4", [1])],
        {"tiep-dan.txt": SCRIPT},
    )
    began = time.monotonic()
    daemon = start_daemon(paths)
    try:
        to_alarm = _seconds_until_alarm(daemon, "device_missing", "pho-xa", began)
        found = wait_for(paths, lambda r: len(r) >= 3 and not any(x.is_open for x in r))
        to_device_error = _seconds_until_alarm(daemon, Reason.DEVICE_ERROR, "pho-xa", began)
        to_status = _seconds_until_shown(paths, Reason.DEVICE_ERROR, "pho-xa", began)
        shown = read_status(paths)
    finally:
        daemon.stop()
    zones = _by_zone(found)
    assert [r.outcome for r in zones["pho-1"]] == [Outcome.PLAYED]
    assert read_capture(captures["test_card4"], 4)[:, 0].any()
    tries = zones["pho-xa"]
    assert len(tries) == 2  # the attempt and its retry, each a row of its own
    assert all((r.outcome, r.reason) == (Outcome.FAILED, Reason.DEVICE_ERROR) for r in tries)
    assert all("card-da-rut" in r.error for r in tries)
    assert {("device_missing", "pho-xa"), (Reason.DEVICE_ERROR, "pho-xa")} <= {
        (a.code, a.zone) for a in shown.alarms
    }
    print(
        f"\n[fault:device-missing] alarm_s={to_alarm:.2f} device_error_alarm_s="
        f"{to_device_error:.2f} in_status_s={to_status:.2f} rows_missing_zone={len(tries)} "
        "other_zone=played"
    )


@pytest.mark.realtime
@pytest.mark.parametrize("replugged", [False, True], ids=["card-stays-out", "card-put-back"])
def test_a_device_vanishing_mid_play_alarms_within_10_s_retries_and_spares_other_zones(
    tmp_path, unplug_card, captures, replugged
):
    paths = make_project(
        tmp_path,
        [
            zone_yaml("trung-tam", "test_realtime", [1, 2]),
            zone_yaml("pho-xa", "test_unplug", [1, 2]),
        ],
        {"dai.txt": LONG_SCRIPT},
    )
    loudspeaker = unplug_card.listen("test_realtime").start()  # the zone that stays
    daemon = start_daemon(paths)
    try:
        wait_for(paths, lambda r: len(r) == 2 and all(x.is_open for x in r))
        time.sleep(1.0)
        pulled = time.monotonic()
        unplug_card.kill_pulse("unplug")  # the USB card is pulled out mid-play
        to_alarm = _seconds_until_alarm(daemon, Reason.DEVICE_ERROR, "pho-xa", pulled)
        to_status = _seconds_until_shown(paths, Reason.DEVICE_ERROR, "pho-xa", pulled)
        assert daemon.zone_health["trung-tam"].problem is None
        # raised while the other zone is still on the air, not when its item ends
        assert any(x.is_open for x in rows(paths) if x.airing.zone == "trung-tam")
        if replugged:
            plug_in(unplug_card, "unplug")
        found = wait_for(paths, lambda r: len(r) == 3 and not any(x.is_open for x in r), 60)
        alarms = {(a.code, a.zone) for a in daemon.alarms.active()}
    finally:
        daemon.stop()
        loudspeaker.stop()
    zones = _by_zone(found)
    (ward,) = zones["trung-tam"]
    assert ward.outcome is Outcome.PLAYED  # the other zone never noticed
    assert ward.aired_seconds == ward.airing.planned_seconds
    rendered = as_pcm16(read_wav(AudioManifest.load(paths).entry("dai").path))
    heard = trim_silence(loudspeaker.frames)
    assert np.array_equal(heard[:, 0], trim_silence(rendered))  # every sample, no gap
    cut, retry = zones["pho-xa"]
    assert (cut.outcome, cut.reason) == (Outcome.PARTIAL, Reason.DEVICE_ERROR)
    assert 0.5 < cut.aired_seconds < cut.airing.planned_seconds
    assert retry.started_at >= cut.ended_at
    if replugged:
        assert retry.outcome is Outcome.PLAYED
        assert (Reason.DEVICE_ERROR, "pho-xa") not in alarms  # cleared once it played
    else:
        assert (retry.outcome, retry.reason) == (Outcome.FAILED, Reason.DEVICE_ERROR)
        assert (Reason.DEVICE_ERROR, "pho-xa") in alarms
    print(
        f"\n[fault:device-vanished replugged={replugged}] alarm_s={to_alarm:.2f} "
        f"in_status_s={to_status:.2f} "
        f"cut_at_s={cut.aired_seconds:.2f} retry={retry.outcome} other_zone={ward.outcome}"
    )
