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
    ControlError,
    ControlServer,
    DaemonUnavailable,
    endpoint_file,
    read_endpoint,
    token_file,
)
from broadcast.control.endpoint import read_token
from broadcast.paths import ProjectPaths
from tests.control.control_wire import assert_error, read_responses, request_line

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
    with caplog.at_level(logging.WARNING, logger="broadcast.control"):
        response = _refused_and_closed(server.address, request_line("đoán-bừa", "status"))

    assert_error(response, "unauthorized")
    assert "control.token" in response["error"]["message"]
    refusals = [r for r in caplog.records if r.getMessage() == "control_request_refused"]
    assert [r.code for r in refusals] == ["unauthorized"]
    assert refusals[0].peer.startswith("127.0.0.1:")


@pytest.mark.parametrize(
    "line",
    [
        request_line(None, "status"),
        b'{"token": "", "command": "status"}\n',
        b'{"token": 12345, "command": "status"}\n',
        b'{"token": null, "command": "announce", "args": {"text": "x"}}\n',
    ],
    ids=["absent", "empty", "number", "null"],
)
def test_a_missing_token_is_refused_and_disconnected(start_server, line):
    server = start_server()
    assert_error(_refused_and_closed(server.address, line), "unauthorized")


def test_the_client_with_a_wrong_token_gets_a_vietnamese_refusal(start_server, paths):
    start_server()
    impostor = ControlClient(read_endpoint(paths), "sai-ma")
    with pytest.raises(ControlError) as refused:
        impostor.call("status")
    assert refused.value.code == "unauthorized"
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
    with pytest.raises(ControlError, match="mã xác thực"):
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
