"""What ``broadcast status`` shows of a running daemon: alive, playing, next, devices, alarms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from broadcast.config.model import SegmentKind
from broadcast.schedule import PlanItem

if TYPE_CHECKING:
    from broadcast.daemon.daemon import BroadcastDaemon

NEXT_PER_ZONE = 5


def _segment_title(
    daemon: BroadcastDaemon, kind: SegmentKind, script_id: str | None, file: str | None
) -> str:
    if script_id:
        script = daemon.context.scripts.get(script_id)
        return script.title if script else script_id
    return file or {"chime": "Nhạc hiệu"}.get(kind.value, kind.value)


def next_per_zone(daemon: BroadcastDaemon, pending: Sequence[PlanItem]) -> dict[str, list[dict]]:
    """The next few segments each zone will hear, in time order."""
    upcoming: dict[str, list[dict]] = {zone.id: [] for zone in daemon.inputs.config.zones}
    for item in sorted(pending, key=lambda i: i.start):
        for segment in item.segments:
            at = item.start + timedelta(seconds=segment.offset_seconds)
            for zone in segment.zones:
                queue = upcoming.setdefault(zone, [])
                if len(queue) < NEXT_PER_ZONE:
                    queue.append(
                        {
                            "at": at.isoformat(timespec="seconds"),
                            "slot": item.slot_name,
                            "title": _segment_title(
                                daemon, segment.kind, segment.script_id, segment.file
                            ),
                            "seconds": round(segment.duration_seconds, 1),
                        }
                    )
    return upcoming


def snapshot(
    daemon: BroadcastDaemon,
    *,
    pending: Sequence[PlanItem],
    running: Sequence[PlanItem],
    stopping: bool,
    pid: int,
) -> dict[str, Any]:
    now = daemon.clock.now()
    inputs = daemon.inputs
    devices = []
    for zone in inputs.config.zones:
        devices.append(
            {
                "zone": zone.id,
                "name": zone.name,
                "device": zone.output.device,
                "channels": list(zone.output.channels),
                "problem": daemon.device_problems.get(zone.id),
                "fallback_to_file": zone.fallback_to_file,
            }
        )
    return {
        "pid": pid,
        "home": str(daemon.paths.home),
        "started_at": daemon.started_at.isoformat(timespec="seconds")
        if daemon.started_at
        else None,
        "heartbeat_at": now.isoformat(timespec="seconds"),
        "state": "stopped" if stopping else "running",
        "sink": daemon.options.sink_label,
        "scripts": len(inputs.scripts),
        "input_problems": [str(p) for p in inputs.problems],
        "playing": [
            {"item": item.id, "slot": item.slot_name, "zones": list(item.zones)} for item in running
        ],
        "busy_zones": sorted(daemon.air.busy_zones()),
        "next": {} if stopping else next_per_zone(daemon, pending),
        "devices": devices,
        "alarms": [alarm.to_json() for alarm in daemon.alarms.active()],
        "recent_errors": [alarm.to_json() for alarm in daemon.alarms.recent()[-10:]],
    }
