"""The MQTT connection both ends use (``broadcast.clusters.mqtt_client``), on a real broker:
its stop survives paho's own race, its network thread does not spin while idle, and clients
dropped together by a broker's restart do not knock again together."""

from __future__ import annotations

import logging
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from broadcast.clusters.mqtt_client import (
    IDLE_WAKE_SECONDS,
    RECONNECT_MIN_SECONDS,
    RECONNECT_SPREAD_SECONDS,
    PahoConnection,
)

LOGGER = logging.getLogger("tests.mqtt")
IDLE_WINDOW_SECONDS = 10.0  # paho's own thread wakes ~10 times in it


def _connected(broker, client_id: str) -> PahoConnection:
    broker.add_user(client_id, "pw")
    connection = PahoConnection(
        host=broker.host,
        port=broker.port,
        client_id=client_id,
        username=client_id,
        password="pw",
        subscriptions=(),
        logger=LOGGER,
    )
    connection.start(lambda _topic, _payload: None, lambda: None)
    assert connection.wait_connected(10)
    return connection


def _network_thread(client_id: str) -> threading.Thread:
    return next(t for t in threading.enumerate() if t.name == f"paho-mqtt-client-{client_id}")


def test_a_stop_survives_the_network_thread_ending_while_paho_stops_it(
    mosquitto_broker, monkeypatch
):
    """Paho's ``loop_stop`` reads the client's thread twice; its thread, ending in between,
    cleared it and the stop raised ``AttributeError`` (paho issue #872) — a receiver stopping
    under load died before closing its logs. Here the network thread is held in its
    disconnection until ``loop_stop`` has made its first read, then ends before the second
    (as under load it sometimes did)."""
    connection = _connected(mosquitto_broker, "cum-1")
    network = _network_thread("cum-1")
    stopping, real_current_thread = threading.current_thread(), threading.current_thread
    first_read_done = threading.Event()

    def held(*_args: object) -> None:  # the network thread, disconnecting
        first_read_done.wait(10)

    def after_the_network_thread_ended() -> threading.Thread:
        # loop_stop's second read comes right after this call (join asks it too: once)
        if real_current_thread() is stopping and not first_read_done.is_set():
            first_read_done.set()
            network.join(10)
        return real_current_thread()

    connection._client.on_disconnect = held
    monkeypatch.setattr(mqtt.threading, "current_thread", after_the_network_thread_ended)
    connection.stop()  # raised AttributeError with paho's own thread body
    monkeypatch.undo()
    assert first_read_done.is_set() and not network.is_alive()


@pytest.mark.slow
def test_an_idle_connection_wakes_its_network_thread_only_every_few_seconds(mosquitto_broker):
    """One wake a second per client was half of an idle receiver's CPU at 2,000 clusters;
    a message still goes out at once."""
    connection = _connected(mosquitto_broker, "cum-2")
    try:
        network = _network_thread("cum-2")
        selects = 0
        real_select = mqtt.select.select

        def counted(*args, **kwargs):
            nonlocal selects
            if threading.current_thread() is network:
                selects += 1
            return real_select(*args, **kwargs)

        mqtt.select.select = counted
        try:
            time.sleep(IDLE_WINDOW_SECONDS)
            idle = selects
            started = time.monotonic()
            assert connection.publish("loa-phuong/thu/cum-2/status", b"{}")
            while selects == idle and time.monotonic() - started < IDLE_WAKE_SECONDS:
                time.sleep(0.01)
            woke_after = time.monotonic() - started
        finally:
            mqtt.select.select = real_select
        assert idle <= IDLE_WINDOW_SECONDS / IDLE_WAKE_SECONDS + 1
        assert woke_after < 0.5  # a publish wakes it at once
    finally:
        connection.stop()


@pytest.mark.slow
def test_clients_dropped_together_by_a_broker_restart_knock_again_spread_out(mosquitto_broker):
    """Paho's backoff (1, 2, 4 … s) has no jitter: 2,000 boxes a broker restart dropped at one
    instant all tried again at the same instants. Each client's first wait after the drop is
    now lengthened by its own random part of ``RECONNECT_SPREAD_SECONDS`` (its later steps
    keep that offset), never shortened; and every client is back once the broker is."""
    ids = [f"cum-j{i}" for i in range(12)]
    connections = [_connected(mosquitto_broker, client_id) for client_id in ids]
    failures: dict[str, list[float]] = {client_id: [] for client_id in ids}
    try:
        for client_id, connection in zip(ids, connections, strict=True):
            noted = connection._client.on_connect_fail  # the connection's own, still called

            def note(client, userdata, times=failures[client_id], noted=noted):
                times.append(time.monotonic())
                noted(client, userdata)

            connection._client.on_connect_fail = note
        dropped = time.monotonic()
        mosquitto_broker.stop()
        latest = RECONNECT_MIN_SECONDS + RECONNECT_SPREAD_SECONDS
        deadline = dropped + latest + 3
        while time.monotonic() < deadline and not all(failures.values()):
            time.sleep(0.05)
        seconds = [t[0] - dropped for t in failures.values() if t]
        assert len(seconds) == len(ids)  # each tried again, and failed, by then
        assert min(seconds) >= RECONNECT_MIN_SECONDS - 0.05  # never sooner than paho's own
        assert max(seconds) <= latest + 0.5
        # without the spread all twelve tried within a few ms of each other
        assert max(seconds) - min(seconds) > 0.3
        mosquitto_broker.start()
        assert all(c.wait_connected(30) for c in connections)
    finally:
        for connection in connections:
            connection.stop()
