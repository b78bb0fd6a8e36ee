"""Issue 14, item 8: after a crash, ``control.json`` names a port any local user may take.

The attack: an unprivileged listener on the stale port received the token and the text,
answered "ok", and ``broadcast announce`` printed "Đã nhận thông báo khẩn cấp" (exit 0) while
nothing aired. Here the files are what a real daemon left behind; the listener is the
attacker's; the command is typed in a console as the technician would.
"""

import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from broadcast.control import endpoint_file
from broadcast.control.endpoint import read_token

pytestmark = pytest.mark.slow  # the command runs in its own Python

TEXT = "Khẩn cấp: nước lên nhanh ở bờ sông, bà con di chuyển đồ đạc lên chỗ cao."
ARGS = ["--text", TEXT, "--zones", "to-1", "--priority", "emergency"]
FAKE_OK = {"ok": True, "result": {"id": "khan-cap-1", "zones": ["to-1"], "priority": "emergency"}}


class Squatter:
    """A listener on the stale port: records every byte and answers every line ``answer``."""

    def __init__(self, port: int, answer: dict) -> None:
        self.received = bytearray()
        self.connections = 0
        self._answer = json.dumps(answer).encode() + b"\n"
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.settimeout(5)
                try:
                    while chunk := connection.recv(65536):
                        self.received += chunk
                        for _ in range(chunk.count(b"\n")):
                            connection.sendall(self._answer)
                except OSError:
                    pass

    def close(self) -> None:
        self._listener.close()
        self._thread.join(5)


@pytest.fixture
def crashed(start_server, paths):
    """``control.json`` and the token as a daemon that died left them; its port now free."""
    server = start_server()
    leftovers = endpoint_file(paths).read_text(), read_token(paths)
    server.stop()
    endpoint_file(paths).write_text(leftovers[0])
    (paths.data_dir / "control.token").write_text(leftovers[1])
    return json.loads(leftovers[0]), leftovers[1]


def _announce(paths) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), "announce", *ARGS],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


@pytest.mark.parametrize(
    "answer",
    [FAKE_OK, {"nonce": "00" * 16, "proof": "ab" * 32}],
    ids=["answers-ok", "answers-a-forged-proof"],
)
def test_a_listener_on_the_stale_port_gets_no_token_no_text_and_is_not_believed(
    crashed, paths, answer
):
    """The pid in ``control.json`` runs (here: this test; after a reboot, any process may
    have it), so only the handshake can tell the squatter from the daemon."""
    recorded, token = crashed
    assert recorded["pid"] == os.getpid()
    squatter = Squatter(recorded["port"], answer)
    try:
        typed = _announce(paths)
    finally:
        squatter.close()
    assert typed.returncode == 1
    assert "Đã nhận" not in typed.stdout
    assert "không xác minh được daemon" in typed.stderr
    assert "chưa gửi mã xác thực hay nội dung nào" in typed.stderr
    received = bytes(squatter.received)
    assert token.encode() not in received
    assert "nước lên".encode() not in received and b"to-1" not in received
    (hello,) = received.splitlines()  # a fresh random nonce is all it learnt
    assert set(json.loads(hello)) == {"hello"}


def test_a_stale_control_json_whose_process_is_gone_is_not_even_connected_to(crashed, paths):
    recorded, _ = crashed
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    recorded["pid"] = finished.pid
    endpoint_file(paths).write_text(json.dumps(recorded))
    squatter = Squatter(recorded["port"], FAKE_OK)
    try:
        typed = _announce(paths)
    finally:
        squatter.close()
    assert typed.returncode == 1
    assert f"daemon không chạy: tiến trình {finished.pid}" in typed.stderr
    assert "đã dừng" in typed.stderr and "broadcast run" in typed.stderr
    assert squatter.connections == 0 and not squatter.received
