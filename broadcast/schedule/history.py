"""What has already aired, as the planner needs it for fairness and campaign targets.

The play log implements ``AiringHistory`` over SQLite; ``MemoryHistory`` is the same contract
in memory, used when there is no log yet and while the planner plans several days ahead.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import datetime
from typing import Protocol


class AiringHistory(Protocol):
    def last_aired(self, script_id: str, zone: str | None = None) -> datetime | None:
        """Start of the latest airing of the script (on ``zone``, or on any zone)."""
        ...

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        """Distinct broadcasts of the script starting in ``[start, end)``, any zone."""
        ...


class MemoryHistory:
    """An ``AiringHistory`` kept in memory, optionally layered over an older one."""

    def __init__(self, base: AiringHistory | None = None):
        self._base = base
        self._starts: dict[str, list[datetime]] = defaultdict(list)
        self._last_by_zone: dict[tuple[str, str], datetime] = {}

    def record(self, script_id: str, zones: list[str] | tuple[str, ...], start: datetime) -> None:
        bisect.insort(self._starts[script_id], start)
        for zone in zones:
            key = (script_id, zone)
            previous = self._last_by_zone.get(key)
            if previous is None or start > previous:
                self._last_by_zone[key] = start

    def last_aired(self, script_id: str, zone: str | None = None) -> datetime | None:
        if zone is None:
            starts = self._starts.get(script_id)
            mine = starts[-1] if starts else None
        else:
            mine = self._last_by_zone.get((script_id, zone))
        older = self._base.last_aired(script_id, zone) if self._base else None
        candidates = [moment for moment in (mine, older) if moment is not None]
        return max(candidates) if candidates else None

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        starts = self._starts.get(script_id, [])
        mine = bisect.bisect_left(starts, end) - bisect.bisect_left(starts, start)
        older = self._base.count_aired(script_id, start, end) if self._base else 0
        return mine + older
