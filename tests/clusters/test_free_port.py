"""Ports chosen now and listened on later (the demo's broker and audio server, the tests' and
the bench's): never one the system may hand to an outgoing connection meanwhile."""

from __future__ import annotations

import socket

from broadcast.clusters.local_broker import LOOPBACK, ephemeral_low, free_loopback_port


def test_a_port_chosen_for_a_later_listener_lies_below_the_ephemeral_range_and_is_free():
    """The system's own pick (port 0) comes from the range outgoing connections take their
    local ports from: with 2,000 receivers' sessions open, the bench's audio port was taken
    by one of them before the station listened on it ("Address already in use")."""
    low = ephemeral_low()
    ports = [free_loopback_port() for _ in range(20)]
    assert all(1024 <= port < low for port in ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind((LOOPBACK, port))  # free: a listener takes it
            listener.listen()


def test_outgoing_connections_take_their_local_ports_from_the_range_read():
    """What the range read says is what the system does (Linux: /proc; elsewhere IANA's)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((LOOPBACK, free_loopback_port()))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as outgoing:
            assert outgoing.getsockname()[1] >= ephemeral_low()
