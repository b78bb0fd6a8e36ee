"""``times_per_week`` campaigns: how many airings a script still needs this ISO week, and
whether this occurrence is its turn, so the airings spread over the week instead of bunching
at its start.

A script's turns are the occurrences of the week where it could air (its zones, the
program's topics, its validity, not a holiday, outside quiet hours unless an emergency). With
``n`` airings wanted over ``t`` turns, turn ``k`` (from 0) is due while fewer than
``ceil(n * (k + 1) / t)`` airings happened this week: 3 airings over 12 turns fall on turns 0,
4 and 8. A script valid only part of the week wants a share in proportion to its valid days.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from broadcast.config import Config
from broadcast.schedule.calendar import (
    Occurrence,
    in_quiet_hours,
    iso_week_start,
    local_midnight,
    occurrences,
)
from broadcast.schedule.history import AiringHistory
from broadcast.scripts.model import Priority, Script


class Turn(Enum):
    DUE = "due"  # behind its pace: airs now if it fits
    WAITING = "waiting"  # ahead of its pace: leaves room for others
    DONE = "done"  # reached this week's target


@dataclass(frozen=True)
class CampaignWeek:
    script_id: str
    week: date  # Monday
    start: datetime  # Monday 00:00, local
    wanted: int
    turns: tuple[datetime, ...]


@dataclass
class _SlotWeek:
    """When one slot occurs in one week, in time order."""

    every: list[datetime] = field(default_factory=list)
    audible: list[datetime] = field(default_factory=list)  # outside quiet hours


class CampaignPacer:
    """``slots_of[script_id]`` names the only slots where the script could air (its zones, the
    program's topics): its turns are their occurrences on its valid days, outside quiet hours
    unless it is an emergency. It is asked in time order."""

    def __init__(self, config: Config, slots_of: Mapping[str, Collection[str]]):
        self._config = config
        self._slots_of = slots_of
        self._slot_weeks: dict[date, dict[str, _SlotWeek]] = {}
        self.weeks: dict[tuple[str, date], CampaignWeek] = {}
        # Script id -> (from, until, turn): a WAITING or DONE turn holds until the next due
        # turn or the week's end, whatever airs meanwhile, since more airings only push the
        # next due turn later. Most questions are answered here.
        self._known: dict[str, tuple[datetime, datetime, Turn]] = {}

    def know(self, found: Iterable[Occurrence]) -> None:
        """Occurrences of whole weeks in time order, already worked out by the caller: the
        pacer need not work them out again."""
        day = None
        for occurrence in found:
            if occurrence.day != day:
                day = occurrence.day
                by_slot = self._slot_weeks.setdefault(iso_week_start(day), {})
            self._add(by_slot, occurrence)

    def _slot_weeks_of(self, monday: date) -> dict[str, _SlotWeek]:
        if monday not in self._slot_weeks:
            start = local_midnight(monday, self._config)
            by_slot: dict[str, _SlotWeek] = {}
            for found in occurrences(self._config, start, start + timedelta(days=7))[0]:
                self._add(by_slot, found)
            self._slot_weeks[monday] = by_slot
        return self._slot_weeks[monday]

    def _add(self, by_slot: dict[str, _SlotWeek], occurrence: Occurrence) -> None:
        week = by_slot.setdefault(occurrence.slot.id, _SlotWeek())
        week.every.append(occurrence.start)
        if not in_quiet_hours(self._config, occurrence.start):
            week.audible.append(occurrence.start)

    def week(self, script: Script, day: date) -> CampaignWeek:
        monday = iso_week_start(day)
        key = (script.id, monday)
        if key not in self.weeks:
            by_slot = self._slot_weeks_of(monday)
            emergency = script.priority is Priority.EMERGENCY
            # Valid days are one stretch: valid on Monday and Sunday, valid all week.
            all_week = script.is_valid_on(monday) and script.is_valid_on(monday + timedelta(6))
            turns: list[datetime] = []
            for slot_id in self._slots_of.get(script.id, ()):
                slot_week = by_slot.get(slot_id)
                if slot_week is None:
                    continue
                starts = slot_week.every if emergency else slot_week.audible
                if not all_week:
                    starts = _within(starts, script.valid_from, script.valid_until)
                turns.extend(starts)
            turns.sort()
            start = local_midnight(monday, self._config)
            wanted = _wanted(script, monday)
            self.weeks[key] = CampaignWeek(script.id, monday, start, wanted, tuple(turns))
        return self.weeks[key]

    def turn(self, script: Script, occurrence: Occurrence, history: AiringHistory) -> Turn:
        known = self._known.get(script.id)
        if known is not None and known[0] <= occurrence.start < known[1]:
            return known[2]
        week = self.week(script, occurrence.day)
        week_end = week.start + timedelta(days=7)
        aired = history.count_aired(script.id, week.start, occurrence.start)
        if aired >= week.wanted:
            self._known[script.id] = (occurrence.start, week_end, Turn.DONE)
            return Turn.DONE
        total = max(len(week.turns), 1)
        # Turn k is due while aired < ceil(wanted * (k + 1) / total): the first due turn is
        # k = floor(aired * total / wanted); until then the script waits.
        first_due = week.turns[aired * total // week.wanted] if week.turns else week_end
        if occurrence.start < first_due:
            self._known[script.id] = (occurrence.start, first_due, Turn.WAITING)
            return Turn.WAITING
        return Turn.DUE


def _within(starts: list[datetime], first: date | None, last: date | None) -> list[datetime]:
    """The ``starts`` (in time order) on days from ``first`` to ``last``, both included."""
    low = bisect.bisect_left(starts, first, key=datetime.date) if first else 0
    high = bisect.bisect_right(starts, last, key=datetime.date) if last else len(starts)
    return starts[low:high]


def _wanted(script: Script, monday: date) -> int:
    return weekly_target(script, [monday + timedelta(days=i) for i in range(7)])


def weekly_target(script: Script, days: Iterable[date]) -> int:
    """Airings ``script`` wants over ``days`` of one ISO week: its ``times_per_week`` in
    proportion to the days it is valid on (the period report counts part of a week)."""
    valid_days = sum(script.is_valid_on(day) for day in days)
    return math.ceil((script.times_per_week or 0) * valid_days / 7)
