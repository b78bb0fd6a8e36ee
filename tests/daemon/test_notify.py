"""Issue 13: the daemon speaks systemd's notify protocol, so a ``Type=notify`` unit with
``WatchdogSec=`` knows when it is on air, restarts it when it hangs, and shows what it does.

systemd's side is played by a real AF_UNIX datagram socket bound where ``NOTIFY_SOCKET`` points;
the daemon is the real one, on a WAV file sink.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.notify import READY, STOPPING, WATCHDOG, SystemdNotifier, socket_address
from broadcast.daemon.status import HEARTBEAT_SECONDS
from broadcast.sinks.file import FileSink
from broadcast.sinks.protocol import ZoneHealth, ZoneSpeakers
from tests.daemon.daemon_project import make_project, ward_now, zone_yaml

SCRIPT = {"tiep-dan.txt": "Thông báo lịch tiếp công dân tháng 12.\n"}
LATER = timedelta(hours=6)  # nothing airs during the test; the slot is what comes next


@pytest.fixture
def systemd(monkeypatch) -> Iterator[socket.socket]:
    """systemd's notify socket: a path as short as /run/systemd/notify (a long pytest folder
    could pass the 108 bytes an AF_UNIX address may have)."""
    folder = tempfile.mkdtemp(prefix="sd-")
    path = os.path.join(folder, "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    try:
        yield listener
    finally:
        listener.close()
        shutil.rmtree(folder)


def receive_until(listener: socket.socket, last: str, timeout: float) -> list[str]:
    """Every message up to and including the first that equals ``last``."""
    messages: list[str] = []
    deadline = time.monotonic() + timeout
    while not messages or messages[-1] != last:
        messages.append(_next(listener, deadline, f"no {last!r}; got {messages}"))
    return messages


def receive_for(listener: socket.socket, seconds: float) -> list[str]:
    messages: list[str] = []
    deadline = time.monotonic() + seconds
    try:
        while True:
            messages.append(_next(listener, deadline, ""))
    except TimeoutError:
        return messages


def _next(listener: socket.socket, deadline: float, failure: str) -> str:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(failure)
    listener.settimeout(left)
    try:
        return listener.recv(4096).decode("utf-8")
    except TimeoutError:
        raise TimeoutError(failure) from None


def _daemon(tmp_path: Path, sink: FileSink | None = None) -> BroadcastDaemon:
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "file", [1])], SCRIPT, slots={"chieu": ward_now() + LATER}
    )
    daemon = BroadcastDaemon(
        paths,
        sink or FileSink(paths.home / "heard", realtime=False),
        options=DaemonOptions(console_log=None, watch_interval=0.2),
    )
    daemon.start()
    return daemon


@pytest.mark.slow  # waits for heartbeats
def test_the_daemon_says_ready_then_alive_at_each_heartbeat_then_stopping(tmp_path, systemd):
    daemon = _daemon(tmp_path)
    try:
        started = receive_until(systemd, WATCHDOG, timeout=3 * HEARTBEAT_SECONDS)
        beats = receive_until(systemd, WATCHDOG, timeout=2 * HEARTBEAT_SECONDS)
    finally:
        daemon.stop()
    stopped = receive_until(systemd, "STATUS=Đã dừng", timeout=5.0)

    # The first heartbeat's status, then READY=1 once, on air; the watchdog only after it.
    status, ready, *_ = started
    assert status.startswith("STATUS=Đang phát: không có; sắp phát ")
    assert status.endswith(" Khung chieu; không có cảnh báo")
    assert ready == READY
    assert [*started, *beats].count(READY) == 1
    assert beats == [WATCHDOG]  # an unchanged status line is not sent again
    assert stopped[0] == STOPPING  # first thing on stop: systemd waits, kills nothing
    assert READY not in stopped


class HangingSink(FileSink):
    """A sink whose device check blocks while ``hung`` is set, like a wedged sound driver."""

    def __init__(self, directory: Path):
        super().__init__(directory, realtime=False)
        self.hung = threading.Event()
        self.released = threading.Event()

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        if self.hung.is_set():
            self.released.wait()
        return super().health(zones)


@pytest.mark.slow  # waits for heartbeats that do not come
def test_a_hung_heartbeat_stops_the_watchdog_so_systemd_restarts_the_daemon(tmp_path, systemd):
    sink = HangingSink(tmp_path / "heard")
    daemon = _daemon(tmp_path, sink)
    try:
        receive_until(systemd, WATCHDOG, timeout=3 * HEARTBEAT_SECONDS)
        sink.hung.set()
        receive_for(systemd, HEARTBEAT_SECONDS)  # a beat already past the sink may still report
        while_hung = receive_for(systemd, 3 * HEARTBEAT_SECONDS)
        sink.released.set()
        after = receive_until(systemd, WATCHDOG, timeout=3 * HEARTBEAT_SECONDS)
    finally:
        sink.released.set()
        daemon.stop()
    assert WATCHDOG not in while_hung
    assert after[-1] == WATCHDOG  # alive again: the watchdog resumes with the heartbeat


def test_an_abstract_socket_address_is_reached_and_status_is_one_line_sent_once(monkeypatch):
    name = f"loa-phuong-test-{os.getpid()}-{time.monotonic_ns()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        notifier = SystemdNotifier.from_environment()
        notifier.status("Đang phát: Khung sáng\nsắp phát 17:00")
        notifier.status("Đang phát: Khung sáng sắp phát 17:00")  # the same line: not again
        notifier.ready()
        received = receive_until(listener, READY, timeout=2.0)
    assert received == ["STATUS=Đang phát: Khung sáng sắp phát 17:00", READY]


def test_without_systemd_nothing_is_sent_and_a_dead_socket_is_one_warning(
    monkeypatch, tmp_path, caplog
):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert SystemdNotifier.from_environment().address is None
    SystemdNotifier.from_environment().ready()  # a console or a scheduled task: a no-op

    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    notifier = SystemdNotifier.from_environment()
    with caplog.at_level(logging.WARNING, logger="broadcast.daemon"):
        for _ in range(3):
            notifier.watchdog()  # never raises: systemd's absence must not stop the air
    assert [r.event for r in caplog.records] == ["sd_notify_failed"]


@pytest.mark.parametrize(
    ("value", "platform", "address"),
    [
        ("/run/systemd/notify", "linux", "/run/systemd/notify"),
        ("@/org/freedesktop/systemd1/notify", "linux", "\0/org/freedesktop/systemd1/notify"),
        ("", "linux", None),
        ("vsock:2:1234", "linux", None),  # a virtual machine's host: not a ward's PC
        ("relative/notify", "linux", None),
        ("/run/systemd/notify", "win32", None),  # Windows has no systemd: a no-op
    ],
)
def test_the_notify_socket_address(monkeypatch, value, platform, address):
    monkeypatch.setattr("sys.platform", platform)
    assert socket_address(value) == address
