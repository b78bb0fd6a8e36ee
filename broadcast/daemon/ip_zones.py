"""Zones heard through IP clusters (``output: ip``) are not the daemon's to play.

Their clusters play the plan by their own clock (``ip_station``) and report what they played;
the station's sink never opens them and the daemon writes no row for them. So the airings the
daemon schedules, and the ones it accounts for after a restart, are the plan's items with those
zones taken out: an item heard only on IP zones leaves the daemon's timetable altogether, and a
segment's offset stays as planned, so the zones that share it stay in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from broadcast.config import Config
from broadcast.schedule import Plan, PlanItem


def ip_zone_ids(config: Config) -> frozenset[str]:
    return frozenset(config.ip_zone_ids)


def without_zones(items: Iterable[PlanItem], left_out: frozenset[str]) -> tuple[PlanItem, ...]:
    """``items`` without the ``left_out`` zones; items left with no zone dropped."""
    if not left_out:
        return tuple(items)
    kept = []
    for item in items:
        zones = tuple(zone for zone in item.zones if zone not in left_out)
        if not zones:
            continue
        if len(zones) == len(item.zones):
            kept.append(item)
            continue
        segments = tuple(
            replace(segment, zones=tuple(z for z in segment.zones if z not in left_out))
            for segment in item.segments
        )
        kept.append(replace(item, zones=zones, segments=tuple(s for s in segments if s.zones)))
    return tuple(kept)


def wired_plan(plan: Plan, config: Config) -> Plan:
    """``plan`` as the daemon airs it: the wired zones only."""
    ip_zones = ip_zone_ids(config)
    return replace(plan, items=without_zones(plan.items, ip_zones)) if ip_zones else plan
