"""A plan narrowed to some zones: what a listener there hears (``broadcast plan --zone``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from broadcast.schedule.model import Plan


def plan_for_zones(plan: Plan, zones: Collection[str]) -> Plan:
    """``plan`` as heard on ``zones``: other zones are left out of every item and segment,
    items heard on none of them are dropped, and so are warnings about other zones only."""
    wanted = set(zones)
    items = []
    for item in plan.items:
        segments = tuple(
            replace(s, zones=tuple(z for z in s.zones if z in wanted))
            for s in item.segments
            if wanted & set(s.zones)
        )
        if segments:
            kept = tuple(z for z in item.zones if z in wanted)
            items.append(replace(item, zones=kept, segments=segments))
    warnings = tuple(w for w in plan.warnings if not w.zones or wanted & set(w.zones))
    return replace(plan, items=tuple(items), warnings=warnings)
