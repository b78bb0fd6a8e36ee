"""Checks that slots fit their time: before their next airing, outside quiet hours, and never
two at once on one zone. Times are compared as minutes of the week so midnight is no edge.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import time
from itertools import islice
from typing import NamedTuple

from broadcast.config.model import QuietHours, Slot
from broadcast.config.values import WEEKDAY_LABELS_VI
from broadcast.diagnostics import Diagnostic, Severity

DAY = 24 * 60
WEEK = 7 * DAY


def minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def hhmm(moment: time) -> str:
    return moment.strftime("%H:%M")


def quiet_label(quiet: QuietHours) -> str:
    return f"{hhmm(quiet.start)}–{hhmm(quiet.end)}"


def check_timing(
    slots: tuple[Slot, ...], quiet: QuietHours | None, source: str
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for slot in slots:
        found.extend(_next_airing(slot, source))
        if quiet:
            found.extend(_quiet_hours(slot, quiet, source))
    found.extend(_overlaps(slots, source))
    return found


def _next_airing(slot: Slot, source: str) -> Iterator[Diagnostic]:
    length = math.ceil(slot.max_seconds / 60)
    starts = [minutes(t) for t in slot.times]
    for index, start in enumerate(starts):
        following = starts[(index + 1) % len(starts)] + (DAY if index == len(starts) - 1 else 0)
        if start + length > following:
            nxt = slot.times[(index + 1) % len(starts)]
            yield Diagnostic(
                source,
                slot.line,
                None,
                "slot_too_long",
                f'khung giờ "{slot.id}" dài tối đa {length} phút: lần phát lúc '
                f"{hhmm(slot.times[index])} sẽ chồng lên lần phát kế tiếp lúc {hhmm(nxt)}",
            )


def _quiet_hours(slot: Slot, quiet: QuietHours, source: str) -> Iterator[Diagnostic]:
    length = math.ceil(slot.max_seconds / 60)
    quiet_start = minutes(quiet.start)
    for moment in slot.times:
        if quiet.contains(moment):
            yield Diagnostic(
                source,
                slot.line,
                None,
                "slot_in_quiet_hours",
                f'khung giờ "{slot.id}" lúc {hhmm(moment)} nằm trong giờ yên tĩnh '
                f"({quiet_label(quiet)}): chỉ phát tin khẩn cấp",
                Severity.WARNING,
            )
            continue
        start = minutes(moment)
        reach = quiet_start if quiet_start > start else quiet_start + DAY
        if start + length > reach:
            yield Diagnostic(
                source,
                slot.line,
                None,
                "slot_crosses_quiet_hours",
                f'khung giờ "{slot.id}" lúc {hhmm(moment)} dài tối đa {length} phút, sẽ kéo vào '
                f"giờ yên tĩnh bắt đầu lúc {hhmm(quiet.start)}",
            )


class _Run(NamedTuple):
    """One airing of a slot in the week, in minutes of the week."""

    start: int
    end: int
    place: int  # of its slot in the file
    day: int
    moment: time


def _runs(index: int, slot: Slot) -> Iterator[_Run]:
    """A slot's airings of the week; one running past Sunday also wraps to Monday."""
    length = math.ceil(slot.max_seconds / 60)
    for day in slot.weekdays:
        for moment in slot.times:
            start = day * DAY + minutes(moment)
            yield _Run(start, start + length, index, day, moment)
            if start + length > WEEK:
                yield _Run(start - WEEK, start + length - WEEK, index, day, moment)


def _dates_meet(first: Slot, second: Slot) -> bool:
    if first.date_until and second.date_from and first.date_until < second.date_from:
        return False
    return not (second.date_until and first.date_from and second.date_until < first.date_from)


def _overlaps(slots: tuple[Slot, ...], source: str) -> Iterator[Diagnostic]:
    """Each slot that overlaps one written before it on a shared zone, once, with its first
    clash in the week. One sweep over the week in time order, each zone's airings apart: two
    slots are compared only when their airings meet, never every slot with every other."""
    runs = sorted(
        (run, zone)
        for index, slot in enumerate(slots)
        for run in _runs(index, slot)
        for zone in slot.zones
    )
    sweeps: dict[str, _ZoneSweep] = defaultdict(lambda: _ZoneSweep(slots))
    clashes: dict[int, tuple[_Run, _Run]] = {}  # later slot -> its airing, the earlier one's
    for run, zone in runs:
        sweeps[zone].add(run, clashes)
    for index in sorted(clashes):
        run, other = clashes[index]
        second, first = slots[index], slots[other.place]
        shared = set(second.zones)
        yield Diagnostic(
            source,
            second.line,
            None,
            "slot_overlap",
            f'khung giờ "{second.id}" ({WEEKDAY_LABELS_VI[run.day]} {hhmm(run.moment)}) trùng '
            f'giờ với khung giờ "{first.id}" lúc {hhmm(other.moment)} (dòng {first.line}) '
            f"trên khu vực {', '.join(z for z in first.zones if z in shared)}",
        )


class _ZoneSweep:
    """The airings on one zone's air as the sweep reaches each start.

    ``going``: each slot's airing still on the air; ``ends``: when each stops (entries made
    stale by a longer airing of the same slot are skipped); ``order``: their slots by place in
    the file; ``waiting``: those of them with no clash yet. Without date windows a step costs
    a few bisections."""

    def __init__(self, slots: tuple[Slot, ...]):
        self.slots = slots
        self.going: dict[int, _Run] = {}
        self.ends: list[tuple[int, int]] = []
        self.order: list[int] = []
        self.waiting: list[int] = []

    def add(self, run: _Run, clashes: dict[int, tuple[_Run, _Run]]) -> None:
        """``run`` starts: note the clashes it makes (``clashes`` keeps each slot's first)."""
        going, slot = self.going, self.slots[run.place]
        while self.ends and self.ends[0][0] <= run.start:
            end, index = heapq.heappop(self.ends)
            if index in going and going[index].end == end:
                del going[index]
                _discard(self.order, index)
                _discard(self.waiting, index)
        if run.place in going:  # its own airings meet: slot_too_long says so
            if run.end > going[run.place].end:
                going[run.place] = run
                heapq.heappush(self.ends, (run.end, run.place))
            return
        if run.place not in clashes:  # with a slot written before it
            for index in islice(self.order, bisect.bisect_left(self.order, run.place)):
                if _dates_meet(self.slots[index], slot):
                    clashes[run.place] = (run, going[index])
                    break
        later = bisect.bisect_right(self.waiting, run.place)  # slots written after it
        for index in self.waiting[later:]:
            if index not in clashes and _dates_meet(self.slots[index], slot):
                clashes[index] = (going[index], run)
        self.waiting[later:] = [i for i in self.waiting[later:] if i not in clashes]
        going[run.place] = run
        heapq.heappush(self.ends, (run.end, run.place))
        bisect.insort(self.order, run.place)
        if run.place not in clashes:
            bisect.insort(self.waiting, run.place)


def _discard(ordered: list[int], value: int) -> None:
    at = bisect.bisect_left(ordered, value)
    if at < len(ordered) and ordered[at] == value:
        del ordered[at]
