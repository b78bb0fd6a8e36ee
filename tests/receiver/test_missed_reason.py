"""Why a box's entry went unplayed, as its row says: the box was off at that second, its wall
clock was stepped over it, or it was on and steady but too busy to start it — the last seen
for real: ``broadcast receiver`` frozen (SIGSTOP) across an entry's second, as a box whose CPU
or SD card stalls."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.clock import FakeClock
from broadcast.clusters.topics import topic
from broadcast.playlog import Outcome, Reason
from broadcast.receiver.missed import MissedReason
from broadcast.receiver.store import PLAN_NAME
from tests.receiver.conftest import (
    CLUSTER,
    WARD,
    AudioServer,
    Station,
    entry,
    now,
    soon,
    station_client,
    up_messages,
    wait_for,
)
from tests.receiver.test_power_loss import _rows, heard_seconds, run_receiver, write_config
from tests.support.mosquitto import MosquittoBroker


def test_off_stepped_over_or_too_late():
    clock = FakeClock(now())
    reasons = MissedReason(clock)
    before = clock.now() - timedelta(minutes=1)
    reasons.turn()  # the player's first turn
    clock.advance(timedelta(seconds=2))
    reasons.turn()
    steady = clock.now() - timedelta(seconds=1)
    clock.step(timedelta(minutes=5))  # NTP sets a clock that was 5 minutes slow
    reasons.turn()
    stepped_over = clock.now() - timedelta(minutes=2)
    assert reasons.reason(before) == Reason.DAEMON_DOWN
    assert reasons.reason(steady) == Reason.LATE_START
    assert reasons.reason(stepped_over) == Reason.CLOCK_JUMP
    clock.advance(timedelta(seconds=30))
    reasons.turn()
    assert reasons.reason(clock.now() - timedelta(seconds=10)) == Reason.LATE_START


@pytest.mark.slow
def test_a_frozen_box_logs_late_start_not_daemon_down_and_plays_on(
    broker: MosquittoBroker, tmp_path: Path, station: Station, audio_server: AudioServer
):
    first, later = audio_server.add(0.5, 440), audio_server.add(0.5, 660)
    config = write_config(tmp_path, broker, station, audio_server.url)
    station_side = station_client(broker)
    process = run_receiver(config)
    try:
        up_messages(station_side, "status", timeout=20)
        start = soon(8.0)
        plan = station.plan(
            [
                entry("muon#0", start, first, 0.5),
                entry("sau#0", start + timedelta(seconds=6), later, 0.5),
            ]
        )
        station_side.publish(topic(WARD, CLUSTER, "plan"), plan, retain=True)
        wait_for(lambda: (tmp_path / "data" / PLAN_NAME).is_file(), timeout=10)
        # frozen before the entry is opened (3 s ahead) until 3 s after its second
        wait_for(lambda: now() >= start - timedelta(seconds=5), timeout=10)
        process.send_signal(signal.SIGSTOP)
        wait_for(lambda: now() >= start + timedelta(seconds=3), timeout=15)
        process.send_signal(signal.SIGCONT)
        wait_for(lambda: heard_seconds(tmp_path / "wav", "sau-0") >= 0.5, timeout=15)
        wait_for(lambda: len(_rows(tmp_path)) == 2, timeout=5)
    finally:
        process.send_signal(signal.SIGCONT)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0, process.stderr.read().decode() if process.stderr else ""
        station_side.close()
    late, played = _rows(tmp_path)
    assert (late.outcome, late.reason) == (Outcome.MISSED, Reason.LATE_START)
    assert played.outcome is Outcome.PLAYED and played.airing.script_id == "script-sau"
    assert not list((tmp_path / "wav").glob("*muon-0*.wav"))  # never played late
