"""The receiver on a real Mosquitto with the ACL ``broadcast clusters`` makes: the retained
signed plan arrives, plays, its rows reach the station and are acknowledged; with the broker
down for the whole slot it plays anyway and sends the rows once the broker is back."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import topic
from broadcast.playlog import Outcome
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import Broker
from tests.receiver.conftest import (
    CLUSTER,
    CLUSTER_PASSWORD,
    WARD,
    AudioServer,
    Station,
    entry,
    make_settings,
    soon,
    station_client,
    up_messages,
    wait_for,
)
from tests.support.mosquitto import MosquittoBroker, TestClient

pytestmark = pytest.mark.slow


@dataclass
class Setup:
    receiver: Receiver
    station_side: TestClient
    start: datetime


@pytest.fixture
def on_air(
    broker: MosquittoBroker,
    tmp_path: Path,
    station_key: StationKey,
    station: Station,
    audio_server: AudioServer,
):
    """A retained signed plan of one entry ``seconds`` from now, then a receiver started on
    the broker (it gets the plan as a box booting after the station published it)."""

    def start(name: str, seconds: float) -> Setup:
        audio = audio_server.add(0.3)
        start = soon(seconds)
        station_side = station_client(broker)
        plan = station.plan([entry(f"{name}#0", start, audio, 0.3)])
        station_side.publish(topic(WARD, CLUSTER, "plan"), plan, retain=True)
        settings = make_settings(
            tmp_path,
            station_key,
            audio_server.url,
            broker=Broker(broker.host, broker.port),
            heartbeat_seconds=1.0,
        )
        settings = dataclasses.replace(settings, password=CLUSTER_PASSWORD)
        receiver = Receiver(settings, retry_max=0.5)
        receiver.start()
        return Setup(receiver, station_side, start)

    return start


def test_retained_plan_plays_and_its_rows_are_acknowledged(on_air, station: Station):
    setup = on_air("sang", 2.5)
    receiver, station_side, start = setup.receiver, setup.station_side, setup.start
    try:
        status = up_messages(station_side, "status")[0]
        assert status["state"] == "online" and status["cluster"] == CLUSTER

        rows = up_messages(station_side, "played")[0]["rows"]
        assert [(r["outcome"], r["script_id"]) for r in rows] == [("played", "script-sang")]
        assert rows[0]["started_at"] == start.isoformat()

        ack = station.message("ack", {"rows": [rows[0]["id"]]})
        station_side.publish(topic(WARD, CLUSTER, "ack"), ack)
        wait_for(lambda: receiver.store.acked() == {rows[0]["id"]})
        assert receiver.uplink.pending_rows() == []
    finally:
        receiver.stop()
    states = []
    while "offline" not in states:  # a stopped receiver says so itself (no last will needed)
        message = station_side.next_message()
        if message.topic.endswith("/status"):
            states.append(json.loads(message.payload)["state"])
            assert message.retain or states[-1] == "offline"
    station_side.close()


def test_broker_down_for_the_whole_slot_it_still_plays_and_reports_after(
    on_air, broker: MosquittoBroker
):
    setup = on_air("trua", 3.0)
    receiver, station_side, start = setup.receiver, setup.station_side, setup.start
    try:
        wait_for(lambda: receiver.player.next_entry() is not None)
        wait_for(receiver.downloader.idle.is_set)
        station_side.close()
        broker.stop()  # down before the slot, back after it
        wait_for(lambda: [a for a in receiver.log.attempts() if a.outcome], timeout=10)
        (row,) = receiver.log.attempts()
        assert row.outcome is Outcome.PLAYED and row.started_at == start

        broker.restart()
        station_side = station_client(broker)
        rows = up_messages(station_side, "played", timeout=30)[0]["rows"]
        assert [r["id"] for r in rows] == [row.id]
    finally:
        receiver.stop()
        station_side.close()
