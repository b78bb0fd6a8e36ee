"""What each heartbeat checks, with the alarms it raises and clears: the zones' devices and
the play log's writes the disk refused."""

from __future__ import annotations

from collections.abc import Mapping

from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.playlog import PlayLog
from broadcast.sinks.protocol import AudioSink, ZoneHealth, ZoneSpeakers


def check_devices(
    sink: AudioSink, speakers: Mapping[str, ZoneSpeakers], alarms: Alarms
) -> dict[str, ZoneHealth]:
    """The sink asked once (alarms and ``status`` both read the answer), by zone id."""
    answers = sink.health(list(speakers.values()))
    for health in answers:
        if health.playable:
            alarms.clear(AlarmCode.DEVICE_MISSING, health.zone_id)
        else:
            alarms.raise_alarm(
                AlarmCode.DEVICE_MISSING,
                f"khu vực {health.zone_id}: {health.problem}",
                health.zone_id,
            )
    return {health.zone_id: health for health in answers}


def check_log_written(log: PlayLog, alarms: Alarms) -> None:
    """Log writes the disk refused are written once it takes them; till then, an alarm."""
    unwritten = log.catch_up()
    if unwritten is None:
        alarms.clear(AlarmCode.PLAYLOG_UNWRITTEN)
    else:
        alarms.raise_alarm(AlarmCode.PLAYLOG_UNWRITTEN, unwritten)
