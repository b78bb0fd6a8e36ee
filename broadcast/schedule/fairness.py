"""When a group of zones last heard a script, fast enough for a year of planned airings.

Fairness asks, for each candidate at each airing, when the zone that heard it longest ago
last heard it. Asking the history zone by zone made that the planner's main cost; here each
airing is kept once, with its zones as bits, and the question is answered by walking back
from the latest airing until every asked zone has been met (usually within a few steps).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from broadcast.schedule.history import AiringHistory, ZoneHistory
from broadcast.schedule.timeline import Timeline


def last_heard(airings: Timeline[int], mask: int) -> datetime:
    """The last time the zone in ``mask`` that waited longest heard the script of ``airings``
    (zones as bits); the dawn of time if one never did (see ``LastHeard.airings``)."""
    # Asked a few hundred thousand times a year, so the walk goes by index rather than
    # through paired iterators.
    masks = airings.values
    missing = mask
    index = len(masks)
    for heard in reversed(masks):
        index -= 1
        if heard & missing:
            missing &= ~heard
            if not missing:
                break
    return airings.moments[index]


class LastHeard:
    def __init__(self, zone_ids: Sequence[str], base: AiringHistory | None, timezone: tzinfo):
        self.bits = {zone: 1 << index for index, zone in enumerate(zone_ids)}
        self._base = base
        # One question per script for all zones, where the history can answer it (the log).
        self._by_zone = base if isinstance(base, ZoneHistory) else None
        # In the plan's timezone: comparing moments of one timezone is many times faster
        # than comparing across timezones, and fairness compares moments all the time.
        self._dawn = datetime.min.replace(tzinfo=timezone)
        self._everywhere = sum(self.bits.values())
        self._airings: dict[str, Timeline[int]] = {}
        self._zones: dict[int, tuple[str, ...]] = {}
        self._masks: dict[tuple[str, ...], int] = {}  # asked for every airing of every script

    def mask(self, zones: tuple[str, ...]) -> int:
        """Bits of the zones this planner knows (others are left out)."""
        mask = self._masks.get(zones)
        if mask is None:
            mask = 0
            for zone in zones:
                mask |= self.bits.get(zone, 0)
            self._masks[zones] = mask
        return mask

    def zones(self, mask: int) -> tuple[str, ...]:
        """The zones of ``mask``, in declaration order."""
        if mask not in self._zones:
            self._zones[mask] = tuple(z for z, bit in self.bits.items() if mask & bit)
        return self._zones[mask]

    def airings(self, script_id: str) -> Timeline[int]:
        """The script's airings with their zones as bits, kept up to date by ``record``."""
        airings = self._airings.get(script_id)
        if airings is None:
            # Heard everywhere at the dawn of time, so that a walk back always ends: the
            # zones that never heard the script meet it there.
            airings = Timeline()
            airings.add(self._dawn, self._everywhere)
            # What aired before the plan starts: asked of the history once per script.
            if self._base is not None:
                for moment, bit in sorted(self._heard_before(self._base, script_id)):
                    airings.add(moment, bit)
            self._airings[script_id] = airings
        return airings

    def _heard_before(self, base: AiringHistory, script_id: str) -> list[tuple[datetime, int]]:
        """When each zone last heard the script before the plan, as (moment, zone bit)."""
        if self._by_zone is not None:
            heard = self._by_zone.last_aired_by_zone(script_id)
            return [(heard[zone], bit) for zone, bit in self.bits.items() if zone in heard]
        return [
            (moment, bit)
            for zone, bit in self.bits.items()
            if (moment := base.last_aired(script_id, zone)) is not None
        ]

    def record(self, script_id: str, mask: int, moment: datetime) -> None:
        self.airings(script_id).add(moment, mask)
