"""Which scripts a slot could air: aimed at its zones, wanted by its program, valid that day.

The zone and topic checks do not depend on the date, so they are done once per slot; the
validity window is then swept forward day by day.

Most scripts are normal ones without a weekly target: among them the order is simply "least
recently heard first". They wait in a heap per selection segment, keyed by when they were
last heard; a key can only grow (hearing it again is later), so a stale key is refreshed when
it comes to the top. An airing then looks at a handful of scripts instead of every valid one,
which keeps a year's plan fast. Priority, emergency and campaign scripts are few and are
looked at every time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from broadcast.config.model import Program, SelectionSegment, Slot
from broadcast.schedule.fairness import LastHeard
from broadcast.scripts.model import Priority, Script


@dataclass(frozen=True, slots=True)
class Candidate:
    script: Script
    zones: tuple[str, ...]  # the slot's zones the script is aimed at
    mask: int  # the same zones as bits (see ``LastHeard``)
    seconds: float
    rank: int  # Priority.rank, kept at hand: it is asked for at every airing

    @property
    def id(self) -> str:
        return self.script.id

    @property
    def emergency(self) -> bool:
        return self.script.priority is Priority.EMERGENCY

    @property
    def rotates(self) -> bool:
        """Normal and without a weekly target: it airs when its turn in the rotation comes."""
        return self.rank == Priority.NORMAL.rank and not self.script.times_per_week

    def expired_on(self, day: date) -> bool:
        return self.script.valid_until is not None and self.script.valid_until < day


@dataclass(frozen=True, slots=True)
class ScriptFacts:
    """What every slot asks of a script, worked out once."""

    script: Script
    mask: int  # the zones it is aimed at, as bits
    seconds: float
    rank: int


def takers_of(program: Program, scripts: Sequence[Script]) -> dict[int, frozenset[str]]:
    """For each selection segment (by its index), the ids of the scripts it takes."""
    return {
        index: frozenset(s.id for s in scripts if segment.accepts(s.topic, s.priority))
        for index, segment in enumerate(program.segments)
        if isinstance(segment, SelectionSegment)
    }


_Entry = tuple[datetime, str, Candidate]  # (last heard, id, candidate): ids break ties


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
        (see ``takers_of``)."""
        slot_mask = fairness.mask(slot.zones)
        pool = []
        self.accepted = takers
        for facts in scripts:
            mask = facts.mask & slot_mask
            if not mask:
                continue
            script_id = facts.script.id
            taken = any(script_id in ids for ids in takers.values())
            if taken or facts.rank == Priority.EMERGENCY.rank:
                zones = fairness.zones(mask)
                pool.append(Candidate(facts.script, zones, mask, facts.seconds, facts.rank))
        pool.sort(key=lambda c: (c.script.valid_from or date.min, c.id))
        self._pool = pool
        self._fairness = fairness
        self.ids = frozenset(c.id for c in pool)
        self.shortest = min((c.seconds for c in pool), default=0.0)
        self._reset()

    def _reset(self) -> None:
        self._next = 0
        self._special: list[Candidate] = []
        self._heaps: dict[int, list[_Entry]] = {i: [] for i in self.accepted}
        self._day: date | None = None

    def advance(self, day: date) -> list[Candidate]:
        """Move to ``day`` (cheapest in date order); returns the valid non-rotating scripts."""
        if self._day is not None and day < self._day:
            self._reset()
        self._day = day
        while self._next < len(self._pool):
            candidate = self._pool[self._next]
            if candidate.script.valid_from and candidate.script.valid_from > day:
                break
            self._next += 1
            if not candidate.rotates:
                self._special.append(candidate)
                continue
            heard = self._fairness.oldest(candidate.id, candidate.mask)
            for index, accepted in self.accepted.items():
                if candidate.id in accepted:
                    heapq.heappush(self._heaps[index], (heard, candidate.id, candidate))
        self._special = [c for c in self._special if not c.expired_on(day)]
        return self._special

    def rotation(
        self, index: int, limit: float, popped: list[_Entry], too_long: list[Candidate]
    ) -> Iterator[tuple[Candidate, datetime]]:
        """Rotating scripts of selection segment ``index``, least recently heard first.

        What is handed out is kept in ``popped`` for ``restore``; scripts longer than
        ``limit`` can never fit this segment and leave it for good, into ``too_long``.
        """
        heap = self._heaps[index]
        day = self._day or date.min
        while heap:
            heard, script_id, candidate = heapq.heappop(heap)
            if candidate.expired_on(day):
                continue
            if candidate.seconds > limit:
                too_long.append(candidate)
                continue
            now_heard = self._fairness.oldest(script_id, candidate.mask)
            if now_heard > heard:  # heard since it was queued: back to its place
                heapq.heappush(heap, (now_heard, script_id, candidate))
                continue
            popped.append((heard, script_id, candidate))
            yield candidate, heard

    def restore(self, index: int, popped: list[_Entry]) -> None:
        for entry in popped:
            heapq.heappush(self._heaps[index], entry)
