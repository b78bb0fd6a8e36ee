"""What ``broadcast status`` shows of a running daemon: alive, playing, next, devices, alarms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from broadcast.config.model import SegmentKind, Zone
from broadcast.daemon.air import Bulletin
from broadcast.daemon.status import (
    DaemonState,
    DaemonStatus,
    NextSegment,
    PlayingNow,
    ZoneStatus,
)
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.scripts.model import Priority, Script
from broadcast.sinks.protocol import ZoneHealth

if TYPE_CHECKING:
    from broadcast.daemon.daemon import BroadcastDaemon

NEXT_PER_ZONE = 5


def segment_title(scripts: Mapping[str, Script], segment: PlannedSegment) -> str:
    """What ``status`` calls a segment: its script's title, its file, or its kind."""
    if segment.script_id:
        script = scripts.get(segment.script_id)
        return script.title if script else segment.script_id
    return segment.file or {SegmentKind.CHIME: "Nhạc hiệu"}.get(segment.kind, segment.kind.value)


def next_per_zone(
    daemon: BroadcastDaemon, pending: Sequence[PlanItem]
) -> dict[str, tuple[NextSegment, ...]]:
    """The next few segments each zone will hear, in time order."""
    upcoming: dict[str, list[NextSegment]] = {zone.id: [] for zone in daemon.inputs.config.zones}
    for item in sorted(pending, key=lambda i: i.start):
        for segment in item.segments:
            at = item.start + timedelta(seconds=segment.offset_seconds)
            for zone in segment.zones:
                queue = upcoming.setdefault(zone, [])
                if len(queue) < NEXT_PER_ZONE:
                    title = segment_title(daemon.context.scripts, segment)
                    seconds = round(segment.duration_seconds, 1)
                    queue.append(NextSegment(at, item.slot_name, title, seconds))
    return {zone: tuple(queue) for zone, queue in upcoming.items()}


def _next(
    daemon: BroadcastDaemon, pending: Sequence[PlanItem]
) -> dict[str, tuple[NextSegment, ...]]:
    """Wired zones from the daemon's timetable; IP zones from the plans their clusters were
    sent (``IpStation.upcoming``)."""
    upcoming = next_per_zone(daemon, pending)
    if daemon.ip_station is not None:
        upcoming.update(daemon.ip_station.upcoming(daemon.clock.now(), NEXT_PER_ZONE))
    return upcoming


def _zone_status(zone: Zone, health: ZoneHealth | None) -> ZoneStatus:
    return ZoneStatus(
        zone=zone.id,
        name=zone.name,
        device=zone.output.device,
        channels=tuple(zone.output.channels),
        outlet=health.outlet if health else None,
        problem=health.problem if health else None,
        to_file=health.to_file if health else False,
        playable=health.playable if health else True,
        fallback_to_file=zone.fallback_to_file,
    )


def _bulletin_playing(bulletin: Bulletin) -> PlayingNow:
    kind = "khẩn cấp" if bulletin.priority is Priority.EMERGENCY else "ưu tiên"
    return PlayingNow(bulletin.id, f"Thông báo {kind}: {bulletin.title}", bulletin.zones)


def snapshot(
    daemon: BroadcastDaemon,
    *,
    pending: Sequence[PlanItem],
    running: Sequence[PlanItem],
    stopping: bool,
    pid: int,
) -> DaemonStatus:
    inputs = daemon.inputs
    return DaemonStatus(
        pid=pid,
        home=str(daemon.paths.home),
        started_at=daemon.started_at,
        heartbeat_at=daemon.clock.now(),
        state=DaemonState.STOPPED if stopping else DaemonState.RUNNING,
        sink=daemon.options.sink_label,
        scripts=len(inputs.scripts),
        input_problems=tuple(str(p) for p in inputs.problems),
        playing=(
            *(PlayingNow(item.id, item.slot_name, tuple(item.zones)) for item in running),
            *(_bulletin_playing(bulletin) for bulletin in daemon.air.bulletins_on_air()),
        ),
        busy_zones=tuple(sorted(daemon.air.busy_zones())),
        next={} if stopping else _next(daemon, pending),
        devices=tuple(
            _zone_status(zone, daemon.zone_health.get(zone.id)) for zone in inputs.config.zones
        ),
        alarms=tuple(daemon.alarms.active()),
        recent_errors=tuple(daemon.alarms.recent()[-10:]),
        clusters=() if daemon.ip_station is None else daemon.ip_station.statuses(),
    )
