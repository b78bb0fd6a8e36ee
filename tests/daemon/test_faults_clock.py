"""Fault: the wall clock is stepped back and forward (an NTP correction) while the daemon runs.

The daemon runs in this process; ``time-machine`` moves the wall clock of every thread
(``datetime.now``, ``time.time``: what APScheduler, the planner and the play log read) while
monotonic time, which the scheduler sleeps on and the sound card plays by, keeps going. No slot
may play twice when the clock goes back over it, none may be dropped when it jumps forward:
within the grace period a jumped-over slot plays late, beyond it it is logged ``missed`` with
reason ``clock_jump``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
import time_machine

from broadcast.daemon.status import last_heartbeat
from broadcast.playlog import Outcome, Reason
from tests.daemon.daemon_project import WARD, make_project, rows, start_daemon, wait_for, zone_yaml

pytestmark = pytest.mark.slow  # real waits around each clock step: about 15 s

DAY = datetime(2026, 12, 15, tzinfo=WARD)  # a Tuesday, no holiday


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute, second=second)


SLOTS = {"s0900": at(9, 0), "s0912": at(9, 12), "s0930": at(9, 30), "s0945": at(9, 45)}
# slots are 10 minutes long (max_minutes): no two may overlap
SCRIPT = "Thông báo thử\n\nBà con lưu ý lịch tiếp dân.\n"


def _slot_rows(paths, slot: str):
    return [row for row in rows(paths) if row.airing.slot_id == slot]


def _heartbeats_during(paths, seconds: float) -> set[datetime]:
    """Heartbeats the status file shows over ``seconds`` of real time."""
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        beat = last_heartbeat(paths)
        if beat is not None:
            seen.add(beat)
        time.sleep(0.2)
    return seen


def test_clock_stepped_back_and_forward_plays_no_slot_twice_and_drops_none(tmp_path, captures):
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "test_card4", [1])], {"thu.txt": SCRIPT}, slots=SLOTS
    )
    with time_machine.travel(at(8, 59, 57), tick=True) as clock:
        daemon = start_daemon(paths)
        try:
            wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open, 15)

            # Stepped back over the slot that just played: it must not play again, and the
            # daemon must keep showing it is alive.
            before = last_heartbeat(paths)
            clock.move_to(at(8, 59, 55))
            beats = {b for b in _heartbeats_during(paths, 6.0) if b < before}
            assert len(_slot_rows(paths, "s0900")) == 1, "09:00 played twice"
            assert len(beats) >= 2, "the heartbeat stopped after the clock went back"

            # Forward over 09:12, to 09:15: within the grace period, it plays late.
            clock.move_to(at(9, 15))
            wait_for(paths, lambda r: len(r) == 2 and not r[-1].is_open, 10)

            # Forward over 09:30, to 09:37, just as an edit is saved (the timetable is rebuilt
            # before the scheduler has looked at the clock): beyond grace, logged, not dropped.
            clock.move_to(at(9, 37))
            daemon.reload()
            wait_for(paths, lambda r: len(r) == 3, 10)

            # And the next slot is on time again.
            clock.move_to(at(9, 44, 58))
            found = wait_for(paths, lambda r: len(r) == 4 and not r[-1].is_open, 10)
        finally:
            daemon.stop()
    by_slot = {row.airing.slot_id: row for row in found}
    assert len(by_slot) == 4  # one row per slot: none twice, none without a record
    assert by_slot["s0900"].outcome is Outcome.PLAYED
    late = by_slot["s0912"]
    assert late.outcome is Outcome.PLAYED
    assert timedelta(minutes=3) <= late.started_at - at(9, 12) < timedelta(minutes=4)
    jumped = by_slot["s0930"]
    assert (jumped.outcome, jumped.reason) == (Outcome.MISSED, Reason.CLOCK_JUMP)
    assert jumped.started_at is None
    on_time = by_slot["s0945"]
    assert on_time.outcome is Outcome.PLAYED
    lateness = on_time.started_at - at(9, 45)
    assert timedelta(0) <= lateness < timedelta(seconds=1)
    print(
        f"\n[fault:clock] back_over_played_slot=no_replay heartbeats_in_6s_after_back="
        f"{len(beats)} forward_3min=played_late({(late.started_at - at(9, 12)).seconds}s) "
        f"forward_7min=missed/clock_jump next_slot_late_ms={lateness.total_seconds() * 1000:.0f}"
    )
