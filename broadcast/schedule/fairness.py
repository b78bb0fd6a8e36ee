"""When a group of zones last heard a script, fast enough for a year of planned airings.

Fairness asks, for each candidate at each airing, when the zone that heard it longest ago
last heard it. Asking the history zone by zone made that the planner's main cost; here each
airing is kept once, with its zones as bits, and the question is answered by walking back
from the latest airing until every asked zone has been met (usually the first step).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime

from broadcast.schedule.history import AiringHistory

NEVER = datetime.min.replace(tzinfo=UTC)


class LastHeard:
    def __init__(self, zone_ids: Sequence[str], base: AiringHistory | None):
        self.bits = {zone: 1 << index for index, zone in enumerate(zone_ids)}
        self._base = base
        self._airings: dict[str, list[tuple[datetime, int]]] = {}
        self._zones: dict[int, tuple[str, ...]] = {}

    def mask(self, zones: Sequence[str]) -> int:
        """Bits of the zones this planner knows (others are left out)."""
        mask = 0
        for zone in zones:
            mask |= self.bits.get(zone, 0)
        return mask

    def zones(self, mask: int) -> tuple[str, ...]:
        """The zones of ``mask``, in declaration order."""
        if mask not in self._zones:
            self._zones[mask] = tuple(z for z, bit in self.bits.items() if mask & bit)
        return self._zones[mask]

    def _of(self, script_id: str) -> list[tuple[datetime, int]]:
        airings = self._airings.get(script_id)
        if airings is None:
            # What aired before the plan starts: asked of the history once per script.
            airings = []
            if self._base is not None:
                for zone, bit in self.bits.items():
                    moment = self._base.last_aired(script_id, zone)
                    if moment is not None:
                        airings.append((moment, bit))
                airings.sort()
            self._airings[script_id] = airings
        return airings

    def record(self, script_id: str, mask: int, moment: datetime) -> None:
        airings = self._of(script_id)
        if airings and moment < airings[-1][0]:  # the history reached past the plan's start
            bisect.insort(airings, (moment, mask))
        else:
            airings.append((moment, mask))

    def oldest(self, script_id: str, mask: int) -> datetime:
        """The last time the zone in ``mask`` that waited longest heard it; ``NEVER`` if one
        never did."""
        missing = mask
        airings = self._airings.get(script_id)
        if airings is None:
            airings = self._of(script_id)
        for moment, heard in reversed(airings):
            if heard & missing:
                missing &= ~heard
                if not missing:
                    return moment
        return NEVER
