"""Issue 14, item 7: connections nobody has proven cannot keep the token holder out, and
refusing them by the thousand costs the log a line a minute."""

import logging
import socket
import time

import pytest

from broadcast.control import ControlClient
from broadcast.control.refusals import RefusalLog
from tests.control.control_wire import read_responses


def _idle(address: tuple[str, int], count: int) -> list[socket.socket]:
    opened = [socket.create_connection(address, timeout=5) for _ in range(count)]
    time.sleep(0.2)  # the server has taken them all
    return opened


def test_idle_connections_beyond_every_slot_never_keep_a_proven_client_out(start_server, paths):
    """Once: 32 slots, the 33rd connection "busy" whoever it was. Now only proven
    connections take a slot, and unproven ones wait apart."""
    server = start_server(max_connections=2, max_unproven=500)
    idle = _idle(server.address, 100)
    try:
        began = time.monotonic()
        for _ in range(5):
            assert ControlClient.from_paths(paths).call("status") == {"alive": True}
        took = time.monotonic() - began
    finally:
        for connection in idle:
            connection.close()
    assert took < 2


def test_when_the_unproven_pool_is_full_the_oldest_makes_room(start_server, paths):
    server = start_server(max_unproven=8, auth_timeout=30)
    idle = _idle(server.address, 20)
    try:
        assert ControlClient.from_paths(paths).call("status") == {"alive": True}
        # 20 in a pool of 8: the 12 oldest made room for the others, the 13th for the client.
        oldest, newest = idle[:13], idle[13:]
        for connection in oldest:  # closed for newcomers, without a word
            assert read_responses(connection, timeout=2) == []
        for connection in newest:  # still waiting for their hello
            connection.settimeout(0.05)
            with pytest.raises(TimeoutError):
                connection.recv(1)
    finally:
        for connection in idle:
            connection.close()


def test_unproven_connections_are_closed_after_the_auth_timeout(start_server, paths):
    server = start_server(auth_timeout=0.3)
    idle = _idle(server.address, 50)
    try:
        time.sleep(0.6)
        answers = [read_responses(connection, timeout=2) for connection in idle]
    finally:
        for connection in idle:
            connection.close()
    assert all(answer[0]["error"]["code"] == "timeout" for answer in answers)


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "broadcast.control.refusals"]


def test_refusals_are_logged_in_full_once_then_summed_up_once_an_interval(caplog):
    clock = _Clock()
    refusals = RefusalLog(interval=60, clock=clock)
    with caplog.at_level(logging.WARNING, logger="broadcast.control"):
        refusals.note("unauthorized", "127.0.0.1:5000", "mã xác thực (token) sai")
        for n in range(25_000):  # a flood inside one minute
            clock.now = n * 0.0014
            refusals.note("timeout" if n % 5 else "bad_request", "127.0.0.1:5001", "…")
            refusals.flush_due()
        assert len(_lines(caplog)) == 1
        assert refusals.due() == 60
        clock.now = 60
        refusals.flush_due()
        clock.now = 200  # a quiet minute closes the window: the next one is told in full
        refusals.flush_due()
        refusals.note("busy", "127.0.0.1:5002", "quá nhiều kết nối chưa xác thực")

    first, summary, after_quiet = _lines(caplog)
    assert first.event == "control_request_refused" and first.peer == "127.0.0.1:5000"
    assert "127.0.0.1:5000 (unauthorized): mã xác thực (token) sai" in first.getMessage()
    assert summary.event == "control_refusals"
    assert summary.refused == {"timeout": 20_000, "bad_request": 5_000}
    assert "đã từ chối thêm 25000 kết nối" in summary.getMessage()
    assert after_quiet.event == "control_request_refused" and after_quiet.code == "busy"
    assert refusals.due() is None


def test_the_count_of_a_flood_is_written_at_stop(start_server, paths, caplog):
    server = start_server()
    with caplog.at_level(logging.WARNING, logger="broadcast.control"):
        for _ in range(30):
            with socket.create_connection(server.address, timeout=5) as connection:
                connection.sendall(b"not json\n")
                read_responses(connection)
        server.stop()
    first, summary = _lines(caplog)
    assert first.code == "bad_request"
    assert summary.refused == {"bad_request": 29}
