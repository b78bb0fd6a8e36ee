"""A receiver whose disk fills up: the problem is in the heartbeat and reported as an event,
no half file enters the cache, and once there is room the audio comes and the entry plays."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import topic
from broadcast.playlog import Outcome
from broadcast.receiver.fetch import DISK_FULL
from broadcast.receiver.runner import Receiver
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
from tests.support.full_disk import fill, mounted_tmpfs


@pytest.mark.slow
def test_a_full_disk_is_reported_and_the_audio_comes_once_there_is_room(
    tmp_path: Path, audio_server: AudioServer, station: Station, station_key: StationKey
):
    audio = audio_server.add(1.5)  # 144 KB
    with mounted_tmpfs(tmp_path / "disk", 2 * 1024 * 1024) as disk:
        settings = make_settings(tmp_path, station_key, audio_server.url, heartbeat_seconds=0.3)
        settings = dataclasses.replace(settings, data_dir=disk / "receiver")
        link = RecordingLink()
        receiver = Receiver(settings, link=link, retry_max=0.3)
        receiver.start()
        try:
            filler = fill(disk)
            start = soon(4.0)
            plan = station.plan([entry("day#0", start, audio, 1.5)])
            receiver.handle(topic(WARD, CLUSTER, "plan"), plan)

            wait_for(lambda: DISK_FULL in (link.bodies("status") or [{}])[-1].get("problems", {}))
            events = [e for e in link.bodies("event") if e["code"] == DISK_FULL]
            assert events and all(e["message"].startswith("đĩa đầy") for e in events)
            assert receiver.cache.size().items == 0  # nothing cut short in the cache

            os.unlink(filler)  # room again
            wait_for(receiver.downloader.idle.is_set, 10)
            assert receiver.cache.load(audio.sha256) is not None
            wait_for(lambda: not (link.bodies("status")[-1]["problems"]))
            row = wait_for(
                lambda: [a for a in receiver.log.attempts() if a.outcome is not None], 10
            )[0]
            assert row.outcome is Outcome.PLAYED
            assert receiver.store.saved_plan() == plan  # kept on disk once there was room
        finally:
            receiver.stop()
