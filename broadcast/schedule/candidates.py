"""Which scripts a slot could air: aimed at its zones, wanted by its program, valid that day.

The zone and topic checks do not depend on the date, so they are done once per slot; the
validity window is then swept forward day by day.

Most scripts are normal ones without a weekly target: among them the order is simply "least
recently heard first". They wait in a heap per selection segment, keyed by when they were
last heard; a key can only grow (hearing it again is later), so a stale key is refreshed when
it comes to the top. The scripts an airing looked at are lent out and put back, freshly keyed,
before the next airing reads the heap. An airing then looks at a handful of scripts instead of
every valid one, which keeps a year's plan fast. Priority, emergency and campaign scripts are
few and are looked at every time.
"""

from __future__ import annotations

import heapq
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from broadcast.config.model import Program, SelectionSegment, Slot
from broadcast.schedule.fairness import LastHeard, last_heard
from broadcast.schedule.timeline import Timeline
from broadcast.scripts.model import Priority, Script

EMERGENCY_RANK = Priority.EMERGENCY.rank
NORMAL_RANK = Priority.NORMAL.rank


@dataclass(frozen=True, slots=True)
class ScriptFacts:
    """What every slot asks of a script, worked out once."""

    script: Script
    mask: int  # the zones it is aimed at, as bits
    seconds: float
    rank: int
    valid_from: date  # first valid day (``date.min``: no start)


# Not frozen: a year's plan builds tens of thousands of these, and a frozen dataclass is
# several times slower to build. Nothing changes one once built.
@dataclass(slots=True, eq=False)
class Candidate:
    """A script as one slot sees it. Built once the script is valid, then read at every
    airing, so what is asked each time is a plain field rather than worked out again."""

    script: Script
    id: str
    zones: tuple[str, ...]  # the slot's zones the script is aimed at
    mask: int  # the same zones as bits (see ``LastHeard``)
    seconds: float
    rank: int  # Priority.rank
    emergency: bool
    campaign: bool  # has a weekly target (``times_per_week``)
    rotates: bool  # normal, no weekly target: airs when its turn in the rotation comes
    until: date  # last valid day (``date.max``: no end)
    airings: Timeline[int]  # the script's, from ``LastHeard``: grows as the plan goes on

    @classmethod
    def of(cls, facts: ScriptFacts, mask: int, fairness: LastHeard) -> Candidate:
        script = facts.script
        campaign = bool(script.times_per_week)
        return cls(
            script,
            script.id,
            fairness.zones(mask),
            mask,
            facts.seconds,
            facts.rank,
            facts.rank == EMERGENCY_RANK,
            campaign,
            facts.rank == NORMAL_RANK and not campaign,
            script.valid_until or date.max,
            fairness.airings(script.id),
        )

    def last_heard(self) -> datetime:
        """When the zone of the slot that waited longest for it last heard it."""
        return last_heard(self.airings, self.mask)


def takers_of(program: Program, scripts: Sequence[Script]) -> dict[int, frozenset[str]]:
    """For each selection segment (by its index), the ids of the scripts it takes."""
    return {
        index: frozenset(s.id for s in scripts if segment.accepts(s.topic, s.priority))
        for index, segment in enumerate(program.segments)
        if isinstance(segment, SelectionSegment)
    }


def program_scripts(
    takers: Mapping[int, frozenset[str]], scripts: Sequence[ScriptFacts]
) -> list[ScriptFacts]:
    """The scripts a program could air, in ``scripts`` order: those one of its selection
    segments takes, and emergencies, which air in any program."""
    taken = frozenset().union(*takers.values())
    return [f for f in scripts if f.script.id in taken or f.rank == EMERGENCY_RANK]


# (last heard, id, number of airings then, candidate): ids break ties, and a changed number
# of airings tells a key that may be stale without working out the last heard again.
_Entry = tuple[datetime, str, int, Candidate]


def _entry(candidate: Candidate, heard: datetime) -> _Entry:
    return (heard, candidate.id, len(candidate.airings), candidate)


class SlotPool:
    """The scripts one slot could ever air, and those valid on a given day."""

    def __init__(
        self,
        slot: Slot,
        takers: Mapping[int, frozenset[str]],
        scripts: Sequence[ScriptFacts],
        fairness: LastHeard,
    ):
        """``takers``: for each selection segment of the slot's program, the scripts it takes
        (see ``takers_of``); ``scripts``: those the program could air (``program_scripts``),
        in the order the validity sweep needs: by first valid day, then id."""
        self._mask = fairness.mask(slot.zones)
        self.accepted = takers
        # A script becomes a ``Candidate`` only once valid, and is let go when it expires: a
        # year's plan then keeps a few thousand alive instead of one per slot and script.
        self._pool = [facts for facts in scripts if facts.mask & self._mask]
        self._fairness = fairness
        self.ids = frozenset(facts.script.id for facts in self._pool)
        self.shortest = min((facts.seconds for facts in self._pool), default=0.0)
        self._reset()

    def _reset(self) -> None:
        self._next = 0
        self._special: list[Candidate] = []
        self._heaps: dict[int, list[_Entry]] = {i: [] for i in self.accepted}
        self._lent: dict[int, list[Candidate]] = {i: [] for i in self.accepted}
        self._day: date | None = None

    def advance(self, day: date) -> list[Candidate]:
        """Move to ``day`` (cheapest in date order); returns the valid non-rotating scripts."""
        if self._day is not None and day < self._day:
            self._reset()
        if day == self._day:
            return self._special
        self._day = day
        pool = self._pool
        while self._next < len(pool):
            facts = pool[self._next]
            if facts.valid_from > day:
                break
            self._next += 1
            mask = facts.mask & self._mask
            candidate = Candidate.of(facts, mask, self._fairness)
            if not candidate.rotates:
                self._special.append(candidate)
                continue
            entry = _entry(candidate, candidate.last_heard())
            for index, accepted in self.accepted.items():
                if candidate.id in accepted:
                    heapq.heappush(self._heaps[index], entry)
        self._special = [c for c in self._special if c.until >= day]
        return self._special

    def rotation(
        self, index: int, limit: float, taken: Container[str], too_long: list[Candidate]
    ) -> Iterator[Candidate]:
        """Rotating scripts of selection segment ``index`` not ``taken`` already, least
        recently heard first.

        Scripts longer than ``limit`` can never fit this segment and leave it for good, into
        ``too_long``; the others looked at are lent until the next call.
        """
        heap = self._heaps[index]
        lent = self._lent[index]
        # Back after the last airing was recorded, keyed by when they are now last heard: the
        # ones that aired then do not come to the top again only to be refreshed.
        for candidate in lent:
            heapq.heappush(heap, _entry(candidate, candidate.last_heard()))
        lent.clear()
        day = self._day or date.min
        while heap:
            heard, _, airings, candidate = heapq.heappop(heap)
            if candidate.until < day:
                continue
            if candidate.seconds > limit:
                too_long.append(candidate)
                continue
            if len(candidate.airings) != airings:  # aired since it was queued
                now_heard = candidate.last_heard()
                if now_heard > heard:  # and heard later here: back to its place
                    heapq.heappush(heap, _entry(candidate, now_heard))
                    continue
            lent.append(candidate)
            if candidate.id not in taken:
                yield candidate
