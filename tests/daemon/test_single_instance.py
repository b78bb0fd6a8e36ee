"""One daemon per project (issue 13, defect 4) and an honest "is it running" (defect 8).

A second ``broadcast run`` on the same data folder is refused, naming the running one, and
touches none of its files; the lock dies with its process, so a killed daemon never blocks
the next start. ``broadcast status`` calls a killed daemon not running at once, although its
status file is only seconds old.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from broadcast.control.endpoint import endpoint_file, token_file
from broadcast.daemon.instance import AlreadyRunning, InstanceLock, lock_file
from broadcast.daemon.status import (
    ALIVE_WITHIN_SECONDS,
    DaemonState,
    DaemonStatus,
    daemon_alive,
    process_alive,
    read_status,
)
from tests.daemon.daemon_project import console, make_project, ward_now, zone_yaml


@pytest.fixture
def paths(tmp_path):
    """A ward whose only slot is hours away: the daemons here stay on air without playing."""
    later = ward_now() + timedelta(hours=3)
    return make_project(
        tmp_path / "ward",
        [zone_yaml("trung-tam", "test_card4", [1])],
        {"tin.txt": "Tin thử\n\nNội dung.\n"},
        slots={"chieu": later},
    )


def run_command(paths) -> list[str]:
    sink = f"file:{paths.home.parent / 'wav'}"
    home = ["--home", str(paths.home)]
    return [sys.executable, "-m", "broadcast", *home, "run", "--no-render", "--sink", sink]


def start(paths) -> subprocess.Popen:
    return subprocess.Popen(
        run_command(paths), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_on_air(paths, daemon: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until ``daemon`` serves its control channel and has written its status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert daemon.poll() is None, f"the daemon ended with {daemon.returncode}"
        status = read_status(paths)
        try:
            endpoint = json.loads(endpoint_file(paths).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            endpoint = {}
        if status is not None and status.pid == endpoint.get("pid") == daemon.pid:
            return
        time.sleep(0.1)
    raise AssertionError("the daemon did not go on air")


def stop(daemon: subprocess.Popen) -> int:
    daemon.terminate()
    return daemon.wait(timeout=60)


# -- the lock itself ----------------------------------------------------------------------


def test_the_lock_is_refused_while_held_and_names_its_holder(tmp_path):
    paths = make_project(tmp_path, [zone_yaml("trung-tam", "test_card4", [1])], {})
    with InstanceLock(paths):
        record = lock_file(paths).read_text(encoding="ascii")
        with pytest.raises(AlreadyRunning) as refused:
            InstanceLock(paths).acquire()
        assert refused.value.holder.pid == os.getpid()
        assert f"tiến trình {os.getpid()}, chạy từ " in refused.value.message
        assert lock_file(paths).read_text(encoding="ascii") == record  # the refusal wrote nothing
    with InstanceLock(paths):  # released: the next one takes it
        pass


def test_process_alive_knows_a_dead_and_an_unreaped_child():
    assert process_alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while process_alive(child.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # ended but not reaped yet: a zombie is not alive
    assert not process_alive(child.pid)
    child.wait()
    assert not process_alive(child.pid)


# -- real daemons ---------------------------------------------------------------------------


@pytest.mark.slow  # three daemon starts as subprocesses
def test_a_second_run_is_refused_and_touches_nothing_of_the_first(paths):
    first = start(paths)
    try:
        wait_on_air(paths, first)
        endpoint = endpoint_file(paths).read_bytes()
        token = token_file(paths).read_bytes()

        second = console(paths, "run", "--no-render", "--sink", "file:" + str(paths.home))
        assert second.returncode == 1
        assert re.search(
            rf"đang chạy với cùng thư mục dữ liệu data/ \(tiến trình {first.pid}, "
            r"chạy từ \d\d/\d\d \d\d:\d\d\)",
            second.stderr,
        ), second.stderr
        assert endpoint_file(paths).read_bytes() == endpoint
        assert token_file(paths).read_bytes() == token
        assert "ĐANG CHẠY" in console(paths, "status").stdout  # still reachable

        # the refused start wrote no status of its own: the first's heartbeat goes on
        time.sleep(2.5)
        assert read_status(paths).pid == first.pid
    finally:
        assert stop(first) == 0
    assert not endpoint_file(paths).exists()  # the first removed its own files at its stop

    again = start(paths)  # and its stop released the lock
    try:
        wait_on_air(paths, again)
    finally:
        assert stop(again) == 0


@pytest.mark.slow  # two daemon starts as subprocesses
def test_a_killed_daemon_is_not_running_at_once_and_does_not_block_a_restart(paths):
    daemon = start(paths)
    wait_on_air(paths, daemon)
    running = console(paths, "status")
    assert (running.returncode, "ĐANG CHẠY" in running.stdout) == (0, True), running.stdout
    daemon.kill()
    daemon.wait()

    left = read_status(paths)
    assert left.state is DaemonState.RUNNING  # the file still says so, and is fresh
    age = (datetime.now(left.heartbeat_at.tzinfo) - left.heartbeat_at).total_seconds()
    assert age < ALIVE_WITHIN_SECONDS
    shown = console(paths, "status")
    assert shown.returncode == 1
    assert "Chương trình phát: KHÔNG CHẠY" in shown.stdout, shown.stdout
    assert f"tiến trình {daemon.pid}" in shown.stdout  # why: nothing answers for it
    assert json.loads(console(paths, "status", "--json").stdout)["alive"] is False

    restarted = start(paths)  # the killed daemon's lock went with its process
    try:
        wait_on_air(paths, restarted)
    finally:
        assert stop(restarted) == 0


def test_liveness_is_the_control_channel_else_the_process_and_a_recent_heartbeat():
    now = ward_now()
    alive = DaemonStatus(
        pid=os.getpid(),
        home="/srv/loa",
        started_at=now - timedelta(hours=1),
        heartbeat_at=now,
        state=DaemonState.RUNNING,
        sink="sound",
        scripts=0,
        input_problems=(),
        playing=(),
        busy_zones=(),
        next={},
        devices=(),
        alarms=(),
        recent_errors=(),
    )
    assert daemon_alive(alive, answered=False, now=now)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert not daemon_alive(replace(alive, pid=gone.pid), answered=False, now=now)
    later = now + timedelta(seconds=ALIVE_WITHIN_SECONDS + 1)
    assert not daemon_alive(alive, answered=False, now=later)  # hung: the heartbeat stopped
    assert daemon_alive(alive, answered=True, now=later)
    assert not daemon_alive(replace(alive, state=DaemonState.STOPPED), answered=True, now=now)
