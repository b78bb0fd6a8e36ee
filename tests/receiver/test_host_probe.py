"""One ``HostProbe`` shared by many receivers (the bench): one probe at a time, the others
answered from what it found, never a ``chronyc`` per receiver at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from broadcast.receiver.host import ClockReading, HostProbe

READING = ClockReading(0.002, "chrony", True)


class SlowProbe:
    """A probe that takes 50 ms (a forked ``chronyc``) and counts how often it ran at once."""

    def __init__(self) -> None:
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def __call__(self) -> ClockReading:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(0.05)
        with self._lock:
            self.running -= 1
        return READING


def ask_together(probe: HostProbe, threads: int = 40) -> list[ClockReading]:
    start = threading.Barrier(threads)

    def ask(_: int) -> ClockReading:
        start.wait()
        return probe.clock()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(ask, range(threads)))


def test_the_first_heartbeats_of_many_receivers_probe_once():
    slow = SlowProbe()
    probe = HostProbe(every=300.0, clock_probe=slow, signal_probe=lambda: None)
    assert ask_together(probe) == [READING] * 40
    assert slow.calls == 1


def test_a_stale_answer_is_asked_again_by_one_while_the_others_keep_the_last():
    slow = SlowProbe()
    probe = HostProbe(every=0.01, clock_probe=slow, signal_probe=lambda: 55)
    probe.clock()
    time.sleep(0.02)  # stale now
    assert ask_together(probe) == [READING] * 40
    assert slow.most_at_once == 1 and slow.calls <= 3
    assert probe.signal() == 55
