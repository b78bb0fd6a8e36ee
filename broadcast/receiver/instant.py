"""The ward's wall clock and the monotonic clock read together, as one consistent pair.

The player turns an entry's planned second (wall clock) into the monotonic instant the sink
starts its first sample at. Read separately, a thread switch between the two reads shifts the
start by as long as the switch took; read back to back and checked, the pair agrees to ~1 ms.
"""

from __future__ import annotations

import time
from datetime import datetime

from broadcast.clock import Clock

PAIR_TOLERANCE_SECONDS = 0.001  # the two reads of a pair may straddle this much at most
PAIR_TRIES = 5


def wall_and_monotonic(clock: Clock) -> tuple[datetime, float]:
    """``(clock.now(), time.monotonic())`` taken at the same moment: the monotonic reading is
    the middle of two around the wall one; tried again when a switch came between them (the
    tightest pair of a few tries otherwise)."""
    best: tuple[float, datetime, float] | None = None
    for _ in range(PAIR_TRIES):
        before = time.monotonic()
        wall = clock.now()
        after = time.monotonic()
        straddle = after - before
        if best is None or straddle < best[0]:
            best = (straddle, wall, (before + after) / 2)
        if straddle <= PAIR_TOLERANCE_SECONDS:
            break
    assert best is not None
    return best[1], best[2]


def monotonic_at(clock: Clock, instant: datetime) -> float:
    """The ``time.monotonic()`` reading at the wall-clock ``instant`` (now, if it is past)."""
    wall, moment = wall_and_monotonic(clock)
    return moment + max(0.0, (instant - wall).total_seconds())
