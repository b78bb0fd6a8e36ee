"""Bad, huge, silent or slow clients get an answer or a closed connection; others are served."""

import contextlib
import json
import socket
import threading
import time

import pytest

from broadcast.control import (
    MAX_REQUEST_BYTES,
    ControlClient,
    ControlError,
    DaemonUnavailable,
    endpoint_file,
)
from broadcast.control.endpoint import read_token
from tests.control.control_wire import (
    assert_error,
    exchange,
    read_responses,
    request_line,
    session,
)


def _still_serving(paths) -> None:
    assert ControlClient.from_paths(paths).call("status") == {"alive": True}


def test_an_oversized_line_is_refused_before_it_ends_and_others_are_served(start_server, paths):
    server = start_server()
    with session(server.address, read_token(paths)) as flooder:
        # One byte past the limit and no newline: the server cannot be waiting for the end.
        flooder.sendall(b'{"command": "' + b"x" * MAX_REQUEST_BYTES)
        _still_serving(paths)
        [response] = read_responses(flooder)
    assert_error(response, "request_too_large")
    assert "64 KiB" in response["error"]["message"]
    _still_serving(paths)


def test_before_the_token_is_proven_a_line_may_not_be_long(start_server, paths):
    """An unproven connection is kept on a few bytes: a hello or a proof is under 100."""
    server = start_server()
    with socket.create_connection(server.address, timeout=5) as flooder:
        flooder.sendall(b'{"hello": "' + b"0" * 2000)
        [response] = read_responses(flooder)
    assert_error(response, "request_too_large")
    assert "1024 byte" in response["error"]["message"]
    _still_serving(paths)


def test_a_client_that_keeps_flooding_is_cut_off(start_server, paths):
    server = start_server()
    flood = b"A" * (4 * 1024 * 1024)
    with socket.create_connection(server.address, timeout=5) as flooder:
        with contextlib.suppress(OSError):  # the server hanging up mid-flood is right
            flooder.sendall(flood)
        try:
            responses = read_responses(flooder)
        except ConnectionResetError:
            responses = []  # the refusal may be lost when the peer resets; the cut-off is the point
    assert all(r["error"]["code"] == "request_too_large" for r in responses)
    _still_serving(paths)


def test_a_request_of_exactly_the_limit_is_served(start_server, paths):
    server = start_server()

    def line(text: str) -> bytes:  # raw UTF-8, as ControlClient sends it
        fields = {"command": "echo", "args": {"text": text}}
        return json.dumps(fields, ensure_ascii=False).encode() + b"\n"

    room = MAX_REQUEST_BYTES + 1 - len(line(""))  # the limit excludes the newline
    text = "đ" * (room // 2) + "a" * (room % 2)  # "đ" takes two bytes in UTF-8
    assert len(line(text)) == MAX_REQUEST_BYTES + 1

    [response] = exchange(server.address, line(text), read_token(paths))
    assert response == {"ok": True, "result": {"args": {"text": text}}}
    [refused] = exchange(server.address, line(text + "a"), read_token(paths))
    assert_error(refused, "request_too_large")


MALFORMED = {
    "unfinished": b"{",
    "empty": b"",
    "array": b"[]",
    "string": b'"status"',
    "not-utf8": b"\xff\xfe\x00{",
    "nan": b'{"hello": NaN, "command": "status"}',
    "lone-surrogate": b'{"hello": "\\ud800"}',
}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        *((line, "bad_request") for line in MALFORMED.values()),
        (b"[" * 2000, "request_too_large"),  # deep nesting, far past a hello's length
        (b'{"command": "status"}', "unauthorized"),  # no handshake
        (b'{"token": "TOKEN", "command": "status"}', "unauthorized"),  # the old, clear token
        (b'{"hello": "0123"}', "unauthorized"),  # not a nonce
    ],
    ids=[*MALFORMED, "deep-nesting", "no-hello", "token-in-clear", "short-nonce"],
)
def test_malformed_first_lines_get_an_error_and_the_server_goes_on(start_server, paths, line, code):
    server = start_server()
    line = line.replace(b"TOKEN", read_token(paths).encode())
    responses = exchange(server.address, line + b"\n" + request_line("status"))
    assert len(responses) == 1, "a protocol error ends the conversation"
    assert_error(responses[0], code)
    _still_serving(paths)


@pytest.mark.parametrize(
    "line",
    [
        *MALFORMED.values(),
        b"[" * 60_000,  # nesting deep enough to exhaust the JSON parser
        b'{"command": 5}',
        b'{"command": "echo", "args": [1, 2]}',
        b'{"command": "echo", "args": {"n": Infinity}}',
        b'{"command": "echo", "args": {"t": "\\ud800"}}',
    ],
    ids=[*MALFORMED, "deep-nesting", "command-number", "args-list", "infinity", "surrogate-arg"],
)
def test_malformed_requests_from_a_proven_client_get_an_error_and_the_server_goes_on(
    start_server, paths, line
):
    server = start_server()
    responses = exchange(server.address, line + b"\n" + request_line("status"), read_token(paths))
    assert len(responses) == 1, "a protocol error ends the conversation"
    assert_error(responses[0], "bad_request")
    _still_serving(paths)


def test_a_silent_client_does_not_block_another(start_server, paths):
    server = start_server(request_timeout=30)
    with socket.create_connection(server.address, timeout=5):
        time.sleep(0.1)  # the server has taken the silent connection
        _still_serving(paths)


def test_a_silent_client_is_timed_out_before_proving_anything(start_server, paths):
    server = start_server(auth_timeout=0.3)
    began = time.monotonic()
    with socket.create_connection(server.address, timeout=5) as silent:
        [response] = read_responses(silent)
    assert_error(response, "timeout")
    assert time.monotonic() - began < 2


def test_a_silent_proven_client_is_timed_out(start_server, paths):
    server = start_server(request_timeout=0.3)
    with session(server.address, read_token(paths)) as silent:
        [response] = read_responses(silent)
    assert_error(response, "timeout")


def test_a_trickling_client_is_timed_out_although_bytes_keep_coming(start_server, paths):
    server = start_server(request_timeout=0.5)
    with session(server.address, read_token(paths)) as trickler:
        answered = threading.Event()

        def trickle():
            for _ in range(40):  # up to 4 s, far beyond the timeout
                if answered.is_set():
                    return
                try:
                    trickler.send(b" ")
                except OSError:
                    return
                time.sleep(0.1)

        sender = threading.Thread(target=trickle)
        sender.start()
        try:
            [response] = read_responses(trickler)
        finally:
            answered.set()
            sender.join()
    assert_error(response, "timeout")


def test_when_every_slot_is_taken_a_newcomer_is_told_to_retry(start_server, paths):
    server = start_server(max_connections=1)
    holder = session(server.address, read_token(paths))
    holder.sendall(request_line("status"))
    holder.recv(1024)  # answered: its thread holds the only slot

    with pytest.raises(ControlError) as busy:
        ControlClient.from_paths(paths).call("status")
    assert busy.value.code == "busy"

    holder.close()
    deadline = time.monotonic() + 5
    while True:  # the slot frees once the holder's thread sees it leave
        try:
            _still_serving(paths)
            break
        except ControlError:
            assert time.monotonic() < deadline
            time.sleep(0.02)


def test_stale_control_json_from_a_dead_daemon_means_daemon_not_running(start_server, paths):
    server = start_server()
    leftovers = endpoint_file(paths).read_text(), read_token(paths)
    pid = json.loads(leftovers[0])["pid"]
    server.stop()
    # A crash leaves both files behind.
    endpoint_file(paths).write_text(leftovers[0])
    (paths.data_dir / "control.token").write_text(leftovers[1])

    with pytest.raises(DaemonUnavailable) as unavailable:
        ControlClient.from_paths(paths).call("status")

    assert "daemon không chạy" in unavailable.value.message
    assert str(pid) in unavailable.value.message
    assert "broadcast run" in unavailable.value.message


@pytest.mark.parametrize(
    "content", ["", "{", "[]", '{"host": "127.0.0.1"}', '{"host": 1, "port": "x", "pid": 1}']
)
def test_missing_or_corrupt_control_json_means_daemon_not_running(paths, content):
    with pytest.raises(DaemonUnavailable, match="daemon không chạy"):
        ControlClient.from_paths(paths)
    paths.data_dir.mkdir(exist_ok=True)
    endpoint_file(paths).write_text(content)
    with pytest.raises(DaemonUnavailable, match="daemon không chạy"):
        ControlClient.from_paths(paths)


def test_a_daemon_that_never_answers_is_reported_unavailable(start_server, paths):
    release = threading.Event()
    start_server({"status": lambda args: release.wait(10) and {"alive": True}})
    try:
        with pytest.raises(DaemonUnavailable, match="không trả lời"):
            ControlClient.from_paths(paths, timeout=0.3).call("status")
    finally:
        release.set()


def test_the_client_refuses_an_oversized_request_before_sending(start_server, paths):
    start_server()
    with pytest.raises(ControlError) as refused:
        ControlClient.from_paths(paths).call("echo", text="x" * MAX_REQUEST_BYTES)
    assert refused.value.code == "request_too_large"
