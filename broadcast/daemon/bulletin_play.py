"""One bulletin on the air: played on a channel holding its zones, each zone logged, and
taken up where it was cut when an emergency pre-empts it (like a program's item)."""

from __future__ import annotations

from broadcast.audio.pauses import resume_point
from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.daemon.air import Bulletin, Channel
from broadcast.daemon.attempts import (
    alarm_device_errors,
    finish_attempts,
    rest_of,
    segment_airing,
    start_attempts,
)
from broadcast.daemon.context import AirContext
from broadcast.daemon.segment_audio import SegmentAudio
from broadcast.playlog import Outcome, Reason


def play_bulletin(context: AirContext, bulletin: Bulletin, channel: Channel) -> None:
    """Air ``bulletin`` on ``channel`` (its zones held by the caller) and log each zone. Zones
    an emergency cuts wait for it, then hear the rest from the pause before the cut."""
    audio = SegmentAudio(bulletin.audio)
    zones = list(bulletin.zones)
    start = 0.0
    try:
        while zones:
            context.air.wait_no_emergency(bulletin, zones)
            cut = _play_once(context, bulletin, channel, rest_of(audio, start), zones, start)
            if cut is None:  # the daemon is stopping: nothing starts any more
                if start == 0:
                    record_bulletin_not_aired(context, bulletin, zones, Reason.STOPPED)
                return
            zones = list(cut)
            if zones:
                heard = start + min(cut.values())
                start = resume_point(audio.samples, SAMPLE_RATE, heard, context.resume_back_seconds)
    finally:
        bulletin.done.set()


def _play_once(
    context: AirContext,
    bulletin: Bulletin,
    channel: Channel,
    rest: SegmentAudio,
    zones: list[str],
    start: float,
) -> dict[str, float] | None:
    """Play ``rest`` (the bulletin from ``start`` seconds) on ``zones``; the zones an
    emergency cut, with how far into ``rest`` each got; ``None`` if nothing started."""
    playback = context.air.attach(
        channel, zones, lambda: context.play(rest.samples, zones, bulletin.id)
    )
    if playback is None:
        return None
    resumed_from = start if start > 0 else None
    attempts = start_attempts(
        context,
        zones,
        lambda z: segment_airing(context, None, None, z, rest, bulletin, resumed_from),
        context.clock.now(),
    )
    result = playback.wait()
    ended = context.air.end(channel)
    alarm_device_errors(context, result.outcomes)
    finish_attempts(context, attempts, result, rest, ended, resumed=start > 0)
    return {z: result.for_zone(z).aired_seconds for z in zones if z in ended.preempted}


def record_bulletin_not_aired(
    context: AirContext,
    bulletin: Bulletin,
    zones: list[str] | tuple[str, ...],
    reason: str,
    outcome: Outcome = Outcome.MISSED,
) -> None:
    """One row per zone for a bulletin that never sounded there, with the reason."""
    audio = SegmentAudio(bulletin.audio)
    for zone in zones:
        context.log.record_missed(
            segment_airing(context, None, None, zone, audio, bulletin), reason, outcome=outcome
        )
