"""The receiver through PortAudio, as on the box: the entry's first sample reaches the
loudspeaker on its planned second (recorded at the sound server's monitor)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import topic
from broadcast.playlog import Outcome
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import OutputSettings
from tests.receiver.conftest import (
    CLUSTER,
    WARD,
    AudioServer,
    RecordingLink,
    Station,
    entry,
    make_settings,
    soon,
    wait_for,
)


@pytest.mark.slow
@pytest.mark.realtime
def test_an_entry_is_heard_on_its_planned_second(
    realtime_card,
    tmp_path: Path,
    audio_server: AudioServer,
    station: Station,
    station_key: StationKey,
):
    audio = audio_server.add(0.5)
    settings = make_settings(tmp_path, station_key, audio_server.url)
    settings = dataclasses.replace(settings, output=OutputSettings("test_realtime", (1,)))
    receiver = Receiver(settings, link=RecordingLink())
    receiver.start()
    try:
        with realtime_card.listen("test_realtime") as heard:
            start = soon(2.0)
            plan = station.plan([entry("loa#0", start, audio, 0.5)])
            receiver.handle(topic(WARD, CLUSTER, "plan"), plan)
            row = wait_for(lambda: [a for a in receiver.log.attempts() if a.outcome], 10)[0]
    finally:
        receiver.stop()
    assert row.outcome is Outcome.PLAYED and not row.to_file
    assert row.output and "test_realtime" in row.output
    first, end = heard.sound_bounds()
    assert (end - first) == pytest.approx(0.5 * 48000, abs=48)
    assert heard.wall_time(first) - start.timestamp() == pytest.approx(0, abs=0.005)
