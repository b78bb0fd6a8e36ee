"""The wall clock and the monotonic clock read as one pair: a thread switch between the two
reads does not shift where an entry's first sample lands."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from broadcast.receiver.instant import PAIR_TOLERANCE_SECONDS, monotonic_at, wall_and_monotonic
from tests.receiver.conftest import TZ

START = datetime(2026, 12, 5, 8, 0, tzinfo=TZ)


class SwitchedClock:
    """A ward clock whose first reads are followed by a 20 ms pause, as when the thread is
    switched out right after reading; records the monotonic instant of each read."""

    def __init__(self, pauses: int):
        self.pauses = pauses
        self.reads: list[float] = []

    def now(self) -> datetime:
        self.reads.append(time.monotonic())
        if self.pauses > 0:
            self.pauses -= 1
            time.sleep(0.02)
        return START + timedelta(seconds=len(self.reads))  # each read its own wall second

    def monotonic(self) -> float:
        return time.monotonic()


def test_a_pair_split_by_a_thread_switch_is_read_again():
    clock = SwitchedClock(pauses=1)
    wall, moment = wall_and_monotonic(clock)
    assert len(clock.reads) == 2 and wall == START + timedelta(seconds=2)
    assert abs(moment - clock.reads[1]) <= PAIR_TOLERANCE_SECONDS


def test_when_every_read_is_split_the_tightest_pair_is_kept():
    clock = SwitchedClock(pauses=100)
    wall, moment = wall_and_monotonic(clock)
    assert len(clock.reads) > 1
    read = int((wall - START).total_seconds()) - 1
    assert abs(moment - clock.reads[read]) <= 0.011  # the middle of a 20 ms straddle


def test_the_monotonic_instant_of_a_planned_second():
    clock = SwitchedClock(pauses=0)
    at = monotonic_at(clock, START + timedelta(seconds=3.5))  # the read sees START + 1 s
    assert abs(at - (clock.reads[0] + 2.5)) <= PAIR_TOLERANCE_SECONDS
    assert abs(monotonic_at(clock, START) - clock.reads[1]) <= PAIR_TOLERANCE_SECONDS  # past
