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

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from broadcast.config import Config
from broadcast.schedule.calendar import (
    Occurrence,
    iso_week_start,
    local_midnight,
    occurrences,
)
from broadcast.schedule.history import AiringHistory
from broadcast.scripts.model import Script


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


class CampaignPacer:
    """``can_air(script, occurrence)`` says whether an occurrence is one of the script's turns;
    ``slots_of(script)`` names the only slots worth asking about."""

    def __init__(
        self,
        config: Config,
        can_air: Callable[[Script, Occurrence], bool],
        slots_of: Callable[[Script], Collection[str]],
    ):
        self._config = config
        self._can_air = can_air
        self._slots_of = slots_of
        self._week_occurrences: dict[date, dict[str, list[Occurrence]]] = {}
        self.weeks: dict[tuple[str, date], CampaignWeek] = {}
        # Script id -> (from, until, waiting): DONE or WAITING holds in [from, until) as long
        # as the script does not air, which ``aired`` reports.
        self._known: dict[str, tuple[datetime, datetime, bool]] = {}

    def _occurrences_by_slot(self, monday: date) -> dict[str, list[Occurrence]]:
        if monday not in self._week_occurrences:
            start = local_midnight(monday, self._config)
            by_slot: dict[str, list[Occurrence]] = {}
            for found in occurrences(self._config, start, start + timedelta(days=7))[0]:
                by_slot.setdefault(found.slot.id, []).append(found)
            self._week_occurrences[monday] = by_slot
        return self._week_occurrences[monday]

    def week(self, script: Script, day: date) -> CampaignWeek:
        monday = iso_week_start(day)
        key = (script.id, monday)
        if key not in self.weeks:
            by_slot = self._occurrences_by_slot(monday)
            turns = sorted(
                o.start
                for slot_id in self._slots_of(script)
                for o in by_slot.get(slot_id, ())
                if self._can_air(script, o)
            )
            start = local_midnight(monday, self._config)
            wanted = _wanted(script, monday)
            self.weeks[key] = CampaignWeek(script.id, monday, start, wanted, tuple(turns))
        return self.weeks[key]

    def turn(self, script: Script, occurrence: Occurrence, history: AiringHistory) -> Turn:
        known = self._known.get(script.id)
        if known is not None and known[0] <= occurrence.start < known[1]:
            return Turn.WAITING if known[2] else Turn.DONE
        week = self.week(script, occurrence.day)
        week_end = week.start + timedelta(days=7)
        aired = history.count_aired(script.id, week.start, occurrence.start)
        if aired >= week.wanted:
            self._known[script.id] = (week.start, week_end, False)
            return Turn.DONE
        total = max(len(week.turns), 1)
        # Turn k is due while aired < ceil(wanted * (k + 1) / total): the first due turn is
        # k = floor(aired * total / wanted); until then the script waits.
        first_due = week.turns[aired * total // week.wanted] if week.turns else week_end
        if occurrence.start < first_due:
            self._known[script.id] = (week.start, first_due, True)
            return Turn.WAITING
        return Turn.DUE

    def aired(self, script_id: str) -> None:
        """The script was just planned: what was known about its turns no longer holds."""
        self._known.pop(script_id, None)


def _wanted(script: Script, monday: date) -> int:
    days = [monday + timedelta(days=i) for i in range(7)]
    valid_days = sum(script.is_valid_on(day) for day in days)
    return math.ceil((script.times_per_week or 0) * valid_days / 7)
