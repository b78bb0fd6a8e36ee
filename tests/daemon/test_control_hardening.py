"""Issue 14, items 7, 9 and 11: the control channel under attack, the real daemon behind it.

Any local user can open connections to 127.0.0.1; only the token holder can command. Idle or
garbage connections must not keep the technician's emergency out nor flood ``daemon.log``; a
fixed ``--port`` someone else holds must not stop the station; an announcement retried after
a lost answer airs once. The real daemon with a WAV file sink, real sockets, the real play log
and the real ``daemon.log``; the technician's side is ``broadcast`` typed in a console.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time

import pytest

from broadcast.control import ANNOUNCE, ControlClient, new_request_id, read_endpoint
from broadcast.daemon.daemon_log import LOG_NAME
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome
from tests.daemon.daemon_project import (
    console,
    idle_ward,
    start_to_files,
    wait_for,
    zone_yaml,
)

pytestmark = pytest.mark.slow  # subprocesses, time-outs, bulletins at the real rate

ZONES = [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1])]
EMERGENCY = "Khẩn cấp: nước lên nhanh ở khu vực bờ sông, bà con di chuyển đồ đạc lên chỗ cao."
IDLE_SOCKETS = 200  # the attack needed about 40


def _log_text(paths: ProjectPaths) -> str:
    return (paths.data_dir / LOG_NAME).read_text(encoding="utf-8")


def _log_lines(paths: ProjectPaths) -> int:
    return len(_log_text(paths).splitlines())


def _address(paths: ProjectPaths) -> tuple[str, int]:
    endpoint = read_endpoint(paths)
    return endpoint.host, endpoint.port


def test_idle_connections_from_anyone_never_keep_the_technicians_emergency_out(
    tmp_path, daemon_log
):
    """The attack: ~40 idle connections (no token needed) and every emergency got "quá nhiều
    kết nối". Now unproven connections wait in their own pool, closed after a few seconds."""
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths)
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE_SOCKETS):
            idle.append(socket.create_connection(_address(paths), timeout=5))
        time.sleep(0.3)  # the daemon has taken every one of them
        began = time.monotonic()
        typed = console(
            paths, "announce", "--text", EMERGENCY, "--zones", "to-1", "--priority", "emergency"
        )
        took = time.monotonic() - began
        if typed.returncode == 0:
            (row,) = wait_for(paths, lambda found: len(found) == 1 and not found[0].is_open, 60)
    finally:
        for connection in idle:
            connection.close()
        daemon.stop()
    print(f"\nemergency through {IDLE_SOCKETS} idle connections: command took {took:.2f} s")
    assert typed.returncode == 0, typed.stderr
    assert "Đã nhận thông báo khẩn cấp" in typed.stdout
    assert took < 15  # a Python start and one exchange, not a time-out
    assert (row.airing.zone, row.outcome) == ("to-1", Outcome.PLAYED)


def _flood(address: tuple[str, int], connections: int) -> None:
    """What a hostile local program can do without the token: garbage, a guessed proof,
    connect-and-leave, connect-and-stay-silent."""
    silent = []
    for n in range(connections):
        with contextlib.suppress(OSError):
            connection = socket.create_connection(address, timeout=5)
            kind = n % 4
            if kind == 0:
                connection.sendall(b"announce to-1 hello\n")
            elif kind == 1:
                connection.sendall(b'{"hello": "' + b"0" * 32 + b'"}\n')
                connection.recv(4096)
                connection.sendall(b'{"proof": "' + b"a" * 64 + b'"}\n')
            elif kind == 2:
                connection.sendall(b'{"token": "doan-mo", "command": "stop"}\n')
            if kind == 3:
                silent.append(connection)  # left open: the daemon must time it out
            else:
                connection.close()
    time.sleep(4.0)  # longer than the time an unproven connection is given
    for connection in silent:
        connection.close()


def test_a_flood_of_refused_connections_writes_a_bounded_number_of_log_lines(tmp_path, daemon_log):
    """25,000 lines in 35 s rotated the log's history away; refusals are now summed up."""
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths)
    try:
        before = _log_lines(paths)
        began = time.monotonic()
        flooders = [threading.Thread(target=_flood, args=(_address(paths), 500)) for _ in range(4)]
        for flooder in flooders:
            flooder.start()
        time.sleep(0.5)
        answer = ControlClient.from_paths(paths).call(  # the technician, during the flood
            ANNOUNCE,
            text=EMERGENCY,
            zones=["to-2"],
            priority="emergency",
            request_id=new_request_id(),
        )
        for flooder in flooders:
            flooder.join()
        took = time.monotonic() - began
        during = _log_lines(paths) - before
    finally:
        daemon.stop()
    log = _log_text(paths).splitlines()
    print(f"\n2,000 hostile connections in {took:.1f} s: {during} log lines while they came")
    assert answer["priority"] == "emergency"
    # The first refusal in full, the others counted in one line a minute at most (this one
    # written at the stop), so a flood never rotates the log's history away.
    first = [line for line in log if "[control_request_refused]" in line]
    summed = [line for line in log if "[control_refusals]" in line]
    assert len(first) == 1 and "127.0.0.1:" in first[0]
    assert len(summed) == 1 + int(took > 60), summed
    counted = re.search(r"đã từ chối thêm (\d+) kết nối", summed[-1])
    assert counted and 1 + int(counted.group(1)) >= 1900  # nearly every connection is counted
    assert during < 20  # the bulletin's own lines and the first refusal


def test_a_fixed_port_already_taken_moves_the_channel_and_says_so(tmp_path, daemon_log):
    """A fixed ``--port`` held by another program stopped the station with a traceback."""
    paths = idle_ward(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        daemon = start_to_files(paths, control_port=taken)
        try:
            moved = read_endpoint(paths).port
            typed = console(paths, "status")
            answer = ControlClient.from_paths(paths).call(
                ANNOUNCE, text=EMERGENCY, zones=["to-1"], priority="emergency"
            )
        finally:
            daemon.stop()
    log = _log_text(paths)
    assert moved != taken
    assert answer["priority"] == "emergency"  # clients found it through control.json
    notice = f"cổng điều khiển {taken} đang bị chương trình khác dùng"
    assert notice in log and f"cổng {moved}" in log
    assert "[control_port_moved]" in log
    assert notice in typed.stdout, typed.stdout  # and `broadcast status` shows it
    assert "Traceback" not in log


def test_an_announcement_retried_after_its_answer_was_late_airs_once(tmp_path, daemon_log):
    """A busy daemon answered after the client gave up, then aired; a retry would air it
    twice. The client keeps one request id across its retries, the daemon airs it once."""
    paths = idle_ward(tmp_path)
    daemon = start_to_files(paths)
    client = ControlClient.from_paths(paths, timeout=2.0)
    request_id = new_request_id()
    try:
        with daemon._lock:  # the daemon busy (e.g. planning) while the request comes
            answered: list[dict] = []
            sending = threading.Thread(
                target=lambda: answered.append(
                    client.call(
                        ANNOUNCE,
                        text=EMERGENCY,
                        zones=["to-1"],
                        priority="emergency",
                        request_id=request_id,
                    )
                )
            )
            sending.start()
            time.sleep(2.5)  # past the first attempt's time-out: the client sent it again
        sending.join(30)
        again = ControlClient.from_paths(paths).call(
            ANNOUNCE, text=EMERGENCY, zones=["to-1"], priority="emergency", request_id=request_id
        )
        found = wait_for(paths, lambda rows: len(rows) >= 1 and not rows[0].is_open, 60)
        time.sleep(1.0)  # a second airing would have opened its row by now
        found = wait_for(paths, lambda rows: True, 1)
    finally:
        daemon.stop()
    assert answered and answered[0]["id"] == again["id"]
    repeated = f"yêu cầu {request_id} được gửi lại: đã thực hiện một lần"
    assert _log_text(paths).count(repeated) >= 2  # the client's own retry, then ours
    assert [row.outcome for row in found] == [Outcome.PLAYED]
    assert found[0].airing.bulletin_id == again["id"]
