"""An urgent bulletin's audio pushed by the station on the ward's audio topic: played with no
fetch when its bytes are the hash the topic names, refused (and fetched by hash) when they are
not, never written to the box's disk unless a signed ``now`` names it."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from broadcast.clusters.messages import AudioRef
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import audio_topic, topic
from broadcast.playlog import Outcome
from broadcast.receiver.downloads import PUSHED_HELD, PushedAudio
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import Broker
from tests.receiver.conftest import (
    CLUSTER,
    CLUSTER_PASSWORD,
    WARD,
    AudioServer,
    Station,
    closed_rows,
    down,
    make_settings,
    station_client,
    up_messages,
)
from tests.receiver.test_receiver import emergency
from tests.support.mosquitto import MosquittoBroker


def pushed(audio_server: AudioServer, ref: AudioRef) -> bytes:
    return (audio_server.folder / f"{ref.sha256}.wav").read_bytes()


def test_a_pushed_bulletin_plays_without_a_fetch(
    started, audio_server: AudioServer, station: Station
):
    bulletin = audio_server.add(0.3, 880)
    receiver, _link = started()
    receiver.handle(audio_topic(WARD, bulletin.sha256), pushed(audio_server, bulletin))
    receiver.handle(down("now"), emergency(station, "b-1", "Mất điện", bulletin))
    (aired,) = closed_rows(receiver, 1)
    assert aired.outcome is Outcome.PLAYED and aired.airing.bulletin_id == "b-1"
    assert audio_server.requests == []  # nothing asked of the station
    assert receiver.cache.has(bulletin.sha256)


def test_pushed_bytes_that_are_not_their_hash_are_refused_and_the_audio_fetched(
    started, audio_server: AudioServer, station: Station
):
    bulletin, other = audio_server.add(0.3, 880), audio_server.add(0.3, 440)
    receiver, link = started()
    forged = audio_topic(WARD, bulletin.sha256)
    receiver.handle(forged, pushed(audio_server, other))  # another sound under its name
    receiver.handle(down("now"), emergency(station, "b-2", "Cảnh báo", bulletin))
    (aired,) = closed_rows(receiver, 1)
    assert aired.outcome is Outcome.PLAYED and aired.airing.audio_hash == bulletin.sha256
    assert [path for path, _ in audio_server.requests] == [f"/audio/{bulletin.sha256}"]
    (refused,) = [e for e in link.bodies("event") if e.get("topic") == forged]
    assert refused["code"] == "bad_audio"
    played = receiver.cache.path(bulletin.sha256).read_bytes()
    assert hashlib.sha256(played).hexdigest() == bulletin.sha256


def test_pushed_audio_no_signed_message_names_never_reaches_the_disk(
    started, audio_server: AudioServer, station: Station
):
    unasked = audio_server.add(0.3, 660)
    receiver, _link = started()
    receiver.handle(audio_topic(WARD, unasked.sha256), pushed(audio_server, unasked))
    assert not receiver.cache.has(unasked.sha256)
    assert not list(receiver.cache.folder.glob(f"{unasked.sha256}*"))


def test_only_the_newest_pushed_files_are_held():
    held = PushedAudio()
    files = [bytes([n]) * 100 for n in range(PUSHED_HELD + 1)]
    refs = [AudioRef(hashlib.sha256(data).hexdigest(), len(data)) for data in files]
    for ref, data in zip(refs, files, strict=True):
        assert held.offer(ref.sha256, data)
    assert held.take(refs[0]) is None  # the oldest was let go
    assert held.take(refs[-1]) == files[-1]
    assert held.take(refs[-1]) is None  # taken once
    assert not held.offer(refs[1].sha256, files[0])  # not its hash: not held


@pytest.mark.slow
def test_over_the_broker_the_pushed_audio_comes_before_its_now_and_no_fetch_is_made(
    broker: MosquittoBroker,
    tmp_path: Path,
    station_key: StationKey,
    station: Station,
    audio_server: AudioServer,
):
    bulletin = audio_server.add(0.5, 880)
    settings = make_settings(
        tmp_path, station_key, audio_server.url, broker=Broker(broker.host, broker.port)
    )
    receiver = Receiver(dataclasses.replace(settings, password=CLUSTER_PASSWORD), retry_max=0.5)
    station_side = station_client(broker)
    receiver.start()
    try:
        up_messages(station_side, "status", timeout=20)  # connected, its topics subscribed
        # as IpStation.announce sends it: the audio on the ward's topic, then the signed now
        station_side.publish(audio_topic(WARD, bulletin.sha256), pushed(audio_server, bulletin))
        now = emergency(station, "b-3", "Mất điện", bulletin)
        station_side.publish(topic(WARD, CLUSTER, "now"), now)
        (aired,) = closed_rows(receiver, 1, timeout=15)
        assert aired.outcome is Outcome.PLAYED and aired.airing.bulletin_id == "b-3"
        assert audio_server.requests == []
    finally:
        receiver.stop()
        station_side.close()
