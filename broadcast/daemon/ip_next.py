"""What an IP zone plays next, for ``broadcast status``: the entries its clusters were sent.

A wired zone's next segments come from the daemon's timetable; an IP zone's from the plans
published to its clusters (what they will play, whatever the daemon plans since). One zone's
clusters share one plan, so each segment is listed once with how many of them have it — fewer
than all when one was sent no plan yet in this run, or the segment never reached it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from broadcast.clusters.messages import PlanEntry
from broadcast.clusters.registry import Cluster
from broadcast.daemon.status import NextSegment
from broadcast.daemon.status_snapshot import segment_title
from broadcast.schedule import PlanItem
from broadcast.scripts.model import Script


@dataclass(frozen=True)
class Label:
    slot: str  # the slot's name
    title: str


def labels(
    items: Iterable[PlanItem],
    entries: Iterable[PlanEntry],
    scripts: Mapping[str, Script],
    known: Mapping[str, Label],
) -> dict[str, Label]:
    """Each entry's slot name and title, by entry id (``ip_plan``: ``<item>#<index>``): from
    the plan's items, else as ``known`` before (an item no longer planned, still held)."""
    by_id = {item.id: item for item in items}
    found = {}
    for entry in entries:
        item = by_id.get(entry.item)
        index = entry.id.rpartition("#")[2]
        if item is not None and index.isdigit() and int(index) < len(item.segments):
            segment = item.segments[int(index)]
            found[entry.id] = Label(item.slot_name, segment_title(scripts, segment))
        elif entry.id in known:
            found[entry.id] = known[entry.id]
    return found


def upcoming(
    clusters: Sequence[Cluster],
    plans: Mapping[str, Sequence[PlanEntry]],
    names: Mapping[str, Label],
    now: datetime,
    per_zone: int,
) -> dict[str, tuple[NextSegment, ...]]:
    """The next ``per_zone`` segments of each IP zone of ``clusters``, by the plans sent to
    them (``plans``: a cluster's entries as sent, earliest first)."""
    of_zone = Counter(cluster.zone for cluster in clusters)
    having: dict[str, Counter[str]] = {zone: Counter() for zone in of_zone}
    first: dict[str, PlanEntry] = {}
    for cluster in clusters:
        taken = 0
        for entry in plans.get(cluster.id, ()):
            if entry.start <= now:
                continue  # begun: kept in the plan while it plays, not "next"
            having[cluster.zone][entry.id] += 1
            first.setdefault(entry.id, entry)
            taken += 1
            if taken == per_zone:
                break
    found = {}
    for zone, counts in having.items():
        entries = sorted((first[entry_id] for entry_id in counts), key=lambda e: (e.start, e.id))
        found[zone] = tuple(
            _next(entry, names.get(entry.id), counts[entry.id], of_zone[zone])
            for entry in entries[:per_zone]
        )
    return found


def _next(entry: PlanEntry, label: Label | None, count: int, of: int) -> NextSegment:
    title = (entry.airing or {}).get("title") or (label.title if label else entry.item)
    slot = label.slot if label else entry.item.partition("@")[0]
    return NextSegment(entry.start, slot, str(title), round(entry.seconds, 1), count, of)
