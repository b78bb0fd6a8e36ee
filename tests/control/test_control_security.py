"""Only this computer, and only the daemon's own user, can command the daemon."""

import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from broadcast.control import (
    ControlClient,
    ControlServer,
    DaemonUnavailable,
    endpoint_file,
    read_endpoint,
    token_file,
)
from broadcast.control.endpoint import read_token
from broadcast.paths import ProjectPaths
from tests.control.control_wire import (
    assert_error,
    prove,
    read_responses,
    request_line,
)

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def _refused_and_closed(address, line: bytes) -> dict:
    """Send one line without closing our side: the server must answer, then hang up."""
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(line)
        responses = read_responses(connection)  # returns only once the server closed
    assert len(responses) == 1
    return responses[0]


def test_a_wrong_token_is_refused_logged_and_disconnected(start_server, paths, caplog):
    server = start_server()
    with (
        caplog.at_level(logging.WARNING, logger="broadcast.control"),
        socket.create_connection(server.address, timeout=5) as connection,
    ):
        prove(connection, "đoán-bừa")
        connection.sendall(request_line("status"))
        [response] = read_responses(connection)  # returns only once the server closed

    assert_error(response, "unauthorized")
    assert "control.token" in response["error"]["message"]
    refusals = [r for r in caplog.records if getattr(r, "event", None) == "control_request_refused"]
    assert [r.code for r in refusals] == ["unauthorized"]
    assert refusals[0].peer.startswith("127.0.0.1:")
    assert "control.token" in refusals[0].getMessage()


@pytest.mark.parametrize(
    "line",
    [
        request_line("status"),
        b'{"hello": "", "command": "status"}\n',
        b'{"hello": 12345, "command": "status"}\n',
        b'{"hello": null, "command": "announce", "args": {"text": "x"}}\n',
    ],
    ids=["absent", "empty", "number", "null"],
)
def test_a_connection_without_a_hello_is_refused_and_disconnected(start_server, line):
    server = start_server()
    assert_error(_refused_and_closed(server.address, line), "unauthorized")


@pytest.mark.parametrize(
    "line",
    [
        request_line("status"),
        b'{"proof": ""}\n',
        b'{"proof": 12345}\n',
        b'{"proof": "' + b"0" * 64 + b'"}\n',
    ],
    ids=["absent", "empty", "number", "guessed"],
)
def test_a_missing_or_wrong_proof_is_refused_and_disconnected(start_server, paths, line):
    server = start_server()
    with socket.create_connection(server.address, timeout=5) as connection:
        connection.sendall(b'{"hello": "' + b"ab" * 16 + b'"}\n')
        challenge = connection.recv(4096)
        connection.sendall(line + request_line("status"))
        [response] = read_responses(connection)
    assert b'"proof"' in challenge
    assert_error(response, "unauthorized")


def test_the_daemon_never_sends_its_token_only_a_proof_bound_to_this_connection(
    start_server, paths
):
    server = start_server()
    token = read_token(paths)
    challenges = []
    for _ in range(2):
        with socket.create_connection(server.address, timeout=5) as connection:
            challenges.append(prove(connection, token))
    assert all(token not in json.dumps(challenge) for challenge in challenges)
    assert challenges[0]["proof"] != challenges[1]["proof"]  # fresh nonces each time
    assert challenges[0]["nonce"] != challenges[1]["nonce"]


def test_a_client_with_a_wrong_token_cannot_verify_the_daemon_and_sends_nothing(
    start_server, paths
):
    start_server()
    impostor = ControlClient(read_endpoint(paths), "sai-ma")
    with pytest.raises(DaemonUnavailable) as refused:
        impostor.call("status")
    assert "không xác minh được daemon" in refused.value.message
    assert "mã xác thực" in refused.value.message


@posix_only
def test_token_file_is_owner_only_and_fresh_at_every_start(start_server, paths):
    paths.data_dir.mkdir()
    token_file(paths).write_text("token-cu-ai-cung-doc-duoc")
    token_file(paths).chmod(0o644)

    first = start_server()
    first_token = read_token(paths)
    mode = stat.S_IMODE(token_file(paths).stat().st_mode)
    first.stop()
    start_server()
    second_token = read_token(paths)

    assert mode == 0o600
    assert stat.S_IMODE(token_file(paths).stat().st_mode) == 0o600
    assert first_token != "token-cu-ai-cung-doc-duoc"
    assert second_token != first_token
    assert len(second_token) >= 40
    stale = ControlClient(read_endpoint(paths), first_token)
    with pytest.raises(DaemonUnavailable, match="mã xác thực"):
        stale.call("status")


@posix_only
def test_a_symlink_planted_as_the_token_file_is_not_written_through(start_server, paths, tmp_path):
    bait = tmp_path / "elsewhere.txt"
    bait.write_text("")
    bait.chmod(0o644)
    paths.data_dir.mkdir()
    token_file(paths).symlink_to(bait)

    start_server()

    assert bait.read_text() == ""
    assert not token_file(paths).is_symlink()
    assert stat.S_IMODE(token_file(paths).stat().st_mode) == 0o600


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "::1", "localhost", ""])
def test_the_server_refuses_to_listen_beyond_loopback(paths, host):
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        ControlServer(paths, {}, host=host)
    assert not endpoint_file(paths).exists()


def test_nothing_listens_on_the_network_address(start_server):
    server = start_server()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing interface
            outward = probe.getsockname()[0]
        except OSError:
            pytest.skip("no network interface besides loopback")
    if outward.startswith("127."):
        pytest.skip("no network interface besides loopback")
    with pytest.raises(OSError):
        socket.create_connection((outward, server.address[1]), timeout=2).close()


def test_the_client_never_sends_its_token_off_this_computer(start_server, paths):
    start_server()
    recorded = json.loads(endpoint_file(paths).read_text())
    recorded["host"] = "203.0.113.7"
    endpoint_file(paths).write_text(json.dumps(recorded))

    with pytest.raises(DaemonUnavailable, match=r"127\.0\.0\.1"):
        ControlClient.from_paths(paths)


_AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
_AS_OTHER_USER = """
import json, sys
from broadcast.control import ControlClient, ControlError
from broadcast.paths import ProjectPaths
paths = ProjectPaths.resolve(sys.argv[1])
try:
    open(paths.data_dir / "control.token").read()
    direct = "read"
except PermissionError:
    direct = "denied"
try:
    ControlClient.from_paths(paths).call("status")
    outcome = {"code": None}
except ControlError as exc:
    outcome = {"code": exc.code, "message": exc.message}
print(json.dumps({"direct": direct, **outcome}))
"""


@pytest.mark.skipif(
    os.name == "nt" or os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="needs root to act as another user",
)
def test_another_user_cannot_read_the_token_or_command_the_daemon():
    home = Path(tempfile.mkdtemp(prefix="loa-control-"))
    try:
        home.chmod(0o755)  # the other user may look into the project, like a shared PC
        paths = ProjectPaths(home)
        with ControlServer(paths, {"status": lambda args: {"alive": True}}):
            finished = subprocess.run(
                [*_AS_NOBODY, sys.executable, "-c", _AS_OTHER_USER, str(home)],
                capture_output=True,
                text=True,
                timeout=60,
                cwd="/",
            )
    finally:
        shutil.rmtree(home)
    assert finished.returncode == 0, finished.stderr
    seen = json.loads(finished.stdout)
    assert seen["direct"] == "denied"
    assert seen["code"] == "access_denied"
    assert "control.token" in seen["message"]
