"""The test broker itself (``tests/support/mosquitto.py``): what the receiver tests and the
bench count on when they restart it mid-day."""

from __future__ import annotations

import pytest

from tests.support.mosquitto import ConnectRefused, connect

PLAN_TOPIC = "loa-phuong/long-anh/cho/plan"


def test_a_restart_keeps_the_port_retained_messages_and_queued_ones(mosquitto_broker):
    broker = mosquitto_broker
    broker.add_user("station", "s")
    broker.add_user("cho", "c", ["topic read loa-phuong/long-anh/cho/plan"])
    station = connect(broker, "station", "s")
    box = connect(broker, "cho", "c", client_id="cho", clean_session=False)
    box.subscribe(PLAN_TOPIC)
    box.close()  # offline: its session waits on the broker
    station.publish(PLAN_TOPIC, b"plan 1", retain=True)
    station.close()
    port = broker.port
    broker.restart()
    assert broker.port == port and broker.running
    box = connect(broker, "cho", "c", client_id="cho", clean_session=False)
    try:
        got = box.next_message()  # queued for the session, saved across the restart
        assert (got.payload, got.retain) == (b"plan 1", False)
        box.subscribe(PLAN_TOPIC)
        again = box.next_message()  # and kept as the topic's retained message
        assert (again.payload, again.retain) == (b"plan 1", True)
    finally:
        box.close()


def test_accounts_change_while_it_runs(mosquitto_broker):
    mosquitto_broker.add_user("cho", "c")
    connect(mosquitto_broker, "cho", "c").close()
    mosquitto_broker.remove_user("cho")
    with pytest.raises(ConnectRefused) as refused:
        connect(mosquitto_broker, "cho", "c")
    assert refused.value.reason == "Not authorized"


def test_stopped_it_refuses_connections_and_starts_again(mosquitto_broker):
    mosquitto_broker.add_user("cho", "c")
    mosquitto_broker.kill()
    assert not mosquitto_broker.running
    with pytest.raises(ConnectionRefusedError):
        connect(mosquitto_broker, "cho", "c", timeout=0.5)
    mosquitto_broker.start()
    connect(mosquitto_broker, "cho", "c").close()
