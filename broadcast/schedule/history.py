"""What has already aired, as the planner needs it for fairness and campaign targets.

The play log implements ``AiringHistory`` over SQLite; ``MemoryHistory`` is the same contract
in memory, used when there is no log yet and while the planner plans several days ahead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable

from broadcast.schedule.timeline import Timeline


class AiringHistory(Protocol):
    def last_aired(self, script_id: str, zone: str | None = None) -> datetime | None:
        """Start of the latest airing of the script (on ``zone``, or on any zone)."""
        ...

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        """Distinct broadcasts of the script starting in ``[start, end)``, any zone."""
        ...


@runtime_checkable
class ZoneHistory(AiringHistory, Protocol):
    """An ``AiringHistory`` that also answers for every zone at once: what fairness asks of
    each script before the plan starts, one question instead of one per zone."""

    def last_aired_by_zone(self, script_id: str) -> Mapping[str, datetime]:
        """``last_aired(script_id, zone)`` of every zone that ever heard the script."""
        ...


class MemoryHistory:
    """An ``AiringHistory`` kept in memory, optionally layered over an older one."""

    def __init__(self, base: AiringHistory | None = None):
        self._base = base
        # The planner records an airing for every script it places but asks about a zone
        # rarely, so a zone's latest airing is found by walking back rather than kept up to
        # date zone by zone at every record.
        self._airings: dict[str, Timeline[tuple[str, ...]]] = {}

    def record(self, script_id: str, zones: list[str] | tuple[str, ...], start: datetime) -> None:
        timeline = self._airings.get(script_id)
        if timeline is None:
            timeline = self._airings[script_id] = Timeline()
        timeline.add(start, tuple(zones))

    def last_aired(self, script_id: str, zone: str | None = None) -> datetime | None:
        timeline = self._airings.get(script_id)
        mine = None
        if timeline is not None and zone is None:
            mine = timeline.latest()
        elif timeline is not None:
            mine = next((at for at, zones in timeline.newest_first() if zone in zones), None)
        older = self._base.last_aired(script_id, zone) if self._base else None
        candidates = [moment for moment in (mine, older) if moment is not None]
        return max(candidates) if candidates else None

    def count_aired(self, script_id: str, start: datetime, end: datetime) -> int:
        timeline = self._airings.get(script_id)
        mine = timeline.count(start, end) if timeline is not None else 0
        older = self._base.count_aired(script_id, start, end) if self._base else 0
        return mine + older
