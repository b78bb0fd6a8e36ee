"""Requests and answers over a real socket on 127.0.0.1: the daemon's commands work end to end."""

import logging
import socket
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor

import pytest

from broadcast.control import (
    ControlClient,
    ControlError,
    ControlServer,
    ControlStartError,
    DaemonUnavailable,
    endpoint_file,
    read_endpoint,
    token_file,
)
from broadcast.control.endpoint import read_token
from tests.control.control_wire import exchange, read_responses, request_line


def test_round_trip_carries_vietnamese_arguments_and_result(start_server, paths):
    server = start_server()
    text = unicodedata.normalize("NFC", "Thông báo: cắt điện tổ dân phố số 3 từ 8 giờ đến 11 giờ")

    result = ControlClient.from_paths(paths).call("echo", text=text, zones=["to-3"], n=2)

    assert result == {"args": {"text": text, "zones": ["to-3"], "n": 2}}
    assert read_endpoint(paths).port == server.address[1]
    assert server.address[0] == "127.0.0.1"


def test_control_json_tells_clients_where_and_who(start_server, paths):
    server = start_server()
    endpoint = read_endpoint(paths)
    assert (endpoint.host, endpoint.port) == server.address
    assert endpoint.pid > 0
    assert endpoint.started_at.endswith("+07:00")  # ward time


def test_one_connection_may_carry_several_requests(start_server, paths):
    server = start_server()
    data = request_line("status") + request_line("echo", {"n": 1})

    first, second = exchange(server.address, data, read_token(paths))

    assert first == {"ok": True, "result": {"alive": True}}
    assert second == {"ok": True, "result": {"args": {"n": 1}}}


def test_a_failing_handler_becomes_an_error_answer_and_is_logged(start_server, paths, caplog):
    start_server()
    client = ControlClient.from_paths(paths)

    with (
        caplog.at_level(logging.ERROR, logger="broadcast.control"),
        pytest.raises(ControlError) as failed,
    ):
        client.call("fail")

    assert failed.value.code == "handler_failed"
    assert "loa tổ 3 không phản hồi" in failed.value.message
    logged = [r for r in caplog.records if r.getMessage() == "control_handler_failed"]
    assert logged and logged[0].exc_info is not None
    assert client.call("status") == {"alive": True}  # still serving


def test_a_handler_returning_something_not_json_is_a_handler_failure(start_server, paths):
    start_server({"odd": lambda args: {"when": object()}, "list": lambda args: [1, 2]})
    client = ControlClient.from_paths(paths)
    for command in ("odd", "list"):
        with pytest.raises(ControlError) as failed:
            client.call(command)
        assert failed.value.code == "handler_failed"


def test_invalid_arguments_come_back_with_their_diagnostics(start_server, paths):
    start_server()
    with pytest.raises(ControlError) as refused:
        ControlClient.from_paths(paths).call("announce", text="Mất điện", zones=[])

    assert refused.value.code == "invalid_input"
    [diagnostic] = refused.value.diagnostics
    assert (diagnostic.file, diagnostic.code) == ("announce --zones", "no_zones")
    assert "khu vực" in refused.value.message


def test_status_refuses_arguments(start_server, paths):
    start_server()
    with pytest.raises(ControlError) as refused:
        ControlClient.from_paths(paths).call("status", verbose=True)
    assert refused.value.code == "invalid_input"
    assert "verbose" in refused.value.message


def test_unknown_command_names_the_known_ones(start_server, paths):
    start_server()
    with pytest.raises(ControlError) as refused:
        ControlClient.from_paths(paths).call("anounce", text="x")
    assert refused.value.code == "unknown_command"
    assert "announce" in refused.value.message


def test_concurrent_clients_each_get_their_own_answer(start_server, paths):
    running = 0
    most_at_once = 0
    lock = threading.Lock()

    def slow_echo(args):
        nonlocal running, most_at_once
        with lock:
            running += 1
            most_at_once = max(most_at_once, running)
        time.sleep(0.2)
        with lock:
            running -= 1
        return {"args": args}

    start_server({"echo": slow_echo})
    client = ControlClient.from_paths(paths)

    clients = 32
    together = threading.Barrier(clients)

    def call(n: int):
        together.wait()  # every client connects at the same moment
        return client.call("echo", n=n)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(call, range(clients)))

    assert results == [{"args": {"n": n}} for n in range(clients)]
    # handlers run side by side: a slow one (a long bulletin made into speech) never keeps
    # another (an emergency) waiting
    assert most_at_once > 1


def test_stop_ends_idle_connections_and_removes_the_files(start_server, paths):
    server = start_server(request_timeout=60)
    idle = socket.create_connection(server.address, timeout=5)
    time.sleep(0.1)  # let the server take the connection

    began = time.monotonic()
    server.stop()
    took = time.monotonic() - began

    assert took < 5, "stop must not wait for an idle client's 60 s timeout"
    assert read_responses(idle) == []  # the server closed it
    idle.close()
    assert not endpoint_file(paths).exists()
    assert not token_file(paths).exists()
    with pytest.raises(DaemonUnavailable):
        ControlClient.from_paths(paths)


def test_stop_twice_or_before_start_is_harmless(paths):
    server = ControlServer(paths, {})
    server.stop()
    server.start()
    server.stop()
    server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_fixed_port_is_reusable_right_after_a_restart(start_server, paths):
    port = _free_port()
    first = start_server(port=port)
    assert ControlClient.from_paths(paths).call("status") == {"alive": True}
    first.stop()

    second = start_server(port=port)

    assert second.address == ("127.0.0.1", port)
    assert ControlClient.from_paths(paths).call("status") == {"alive": True}


def test_a_taken_port_moves_the_channel_and_says_why(start_server, paths):
    """Issue 14, item 9: a fixed port another program holds stopped the station."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start_server(port=port)
        moved = server.address[1]
        assert moved != port
        assert read_endpoint(paths).port == moved  # clients find it there
        assert ControlClient.from_paths(paths).call("status") == {"alive": True}
    assert server.port_notice is not None
    assert f"cổng điều khiển {port} đang bị chương trình khác dùng" in server.port_notice
    assert f"mở ở cổng {moved} thay thế" in server.port_notice
    assert "data/control.json" in server.port_notice


def test_a_free_fixed_port_is_used_without_a_notice(start_server, paths):
    port = _free_port()
    server = start_server(port=port)
    assert server.address[1] == port
    assert server.port_notice is None


def test_old_control_files_are_removed_only_by_their_own_daemon(start_server, paths):
    first = start_server()
    second = start_server()  # e.g. a restart before the old one finished stopping
    first.stop()
    assert read_endpoint(paths).port == second.address[1]
    assert ControlClient.from_paths(paths).call("status") == {"alive": True}


def test_an_unusable_data_folder_is_a_clear_start_error_and_frees_the_port(paths):
    paths.home.mkdir(exist_ok=True)
    paths.data_dir.write_text("a file where the data folder should be")
    port = _free_port()
    with pytest.raises(ControlStartError, match="kênh điều khiển"):
        ControlServer(paths, {}, port=port).start()
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))  # nothing kept listening
