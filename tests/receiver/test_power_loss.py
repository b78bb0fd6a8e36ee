"""``broadcast receiver`` as the box runs it, in its own process on a real broker: killed with
SIGKILL mid-play (as a power cut would), started again, the cut row is ``interrupted``, the
entry is not played twice, the later entry plays; SIGTERM ends it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.clusters.topics import topic
from broadcast.playlog import Outcome, PlayLog, Reason
from broadcast.playlog.store import DATABASE_NAME
from broadcast.receiver.plays import PROGRESS_SECONDS
from broadcast.receiver.store import PLAN_NAME
from tests.receiver.conftest import (
    CLUSTER,
    CLUSTER_PASSWORD,
    WARD,
    ZONE,
    AudioServer,
    Station,
    entry,
    soon,
    station_client,
    up_messages,
    wait_for,
)
from tests.support.mosquitto import MosquittoBroker

pytestmark = pytest.mark.slow

WAV_HEADER = 44


def write_config(tmp_path: Path, broker: MosquittoBroker, station: Station, url: str) -> Path:
    config = tmp_path / "receiver.yaml"
    config.write_text(
        f"cluster: {CLUSTER}\nward: {WARD}\nzone: {ZONE}\n"
        f"broker: mqtt://{broker.host}:{broker.port}\n"
        f'password: "{CLUSTER_PASSWORD}"\n'
        f'station_keys: ["{station.key.public.text}"]\n'
        f"audio_url: {url}\nheartbeat_seconds: 1\ndata: data\noutput:\n  file: wav\n",
        encoding="utf-8",
    )
    return config


def run_receiver(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "broadcast", "receiver", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=config.parent,
    )


def heard_seconds(folder: Path, label: str) -> float:
    sizes = [p.stat().st_size for p in folder.glob(f"*{label}*.wav")] if folder.is_dir() else []
    return max(((s - WAV_HEADER) / 2 / SAMPLE_RATE for s in sizes), default=0.0)


def test_killed_mid_play_the_row_is_interrupted_and_later_entries_play(
    broker: MosquittoBroker,
    tmp_path: Path,
    station: Station,
    audio_server: AudioServer,
):
    # Long enough for a progress note before the cut (one every PROGRESS_SECONDS).
    seconds = PROGRESS_SECONDS + 3.0
    long, later = audio_server.add(seconds, 440), audio_server.add(0.5, 660)
    config = write_config(tmp_path, broker, station, audio_server.url)
    station_side = station_client(broker)
    process = run_receiver(config)
    try:
        up_messages(station_side, "status", timeout=20)  # it runs and is connected
        start = soon(1.5)
        plan = station.plan(
            [
                entry("dai#0", start, long, seconds),
                entry("sau#0", start + timedelta(seconds=seconds + 1.5), later, 0.5),
            ]
        )
        station_side.publish(topic(WARD, CLUSTER, "plan"), plan, retain=True)
        wav = tmp_path / "wav"
        heard = PROGRESS_SECONDS + 1.0
        wait_for(lambda: heard_seconds(wav, "dai-0") >= heard, timeout=seconds + 6)
        process.send_signal(signal.SIGKILL)  # the power goes
        process.wait(5)

        process = run_receiver(config)
        wait_for(lambda: heard_seconds(wav, "sau-0") >= 0.5, timeout=15)
        wait_for(lambda: len(_rows(tmp_path)) == 2, timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0, process.stderr.read().decode() if process.stderr else ""
        station_side.close()

    cut, played = _rows(tmp_path)
    assert cut.outcome is Outcome.INTERRUPTED and cut.reason == Reason.DAEMON_DOWN
    # how far it got, from its progress notes (the last one before the cut)
    assert PROGRESS_SECONDS - 0.1 <= (cut.aired_seconds or 0) < seconds
    assert played.outcome is Outcome.PLAYED and played.airing.script_id == "script-sau"
    assert len(list((tmp_path / "wav").glob("*dai-0*.wav"))) == 1  # not played twice
    assert (tmp_path / "data" / PLAN_NAME).is_file()
    assert os.path.exists(tmp_path / "data" / "daemon.log")


def _rows(tmp_path: Path) -> list:
    log = PlayLog.open_file(tmp_path / "data" / DATABASE_NAME)
    try:
        return [a for a in log.attempts() if a.outcome is not None]
    finally:
        log.close()
