"""One zone's share of a play in the play log: opened when the sound starts, closed with what
the sink says reached the zone, or written at once for a part that never sounded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.config.model import SegmentKind
from broadcast.daemon.air import Bulletin, PlaybackEnd
from broadcast.daemon.alarms import AlarmCode
from broadcast.daemon.context import AirContext
from broadcast.daemon.segment_audio import SegmentAudio
from broadcast.playlog import Airing, Outcome, Reason
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.sinks.protocol import OutletOutcome, PlayResult, PlayStatus, ZoneSpeakers

LOGGED_KINDS = (SegmentKind.SCRIPT, SegmentKind.AUDIO)
NOT_CUT = PlaybackEnd({}, {})
Part = tuple[str | None, str]  # (script id or media file, zone)


def rest_of(audio: SegmentAudio, start: float) -> SegmentAudio:
    """``audio`` from ``start`` seconds (a view: nothing is copied)."""
    if start <= 0:
        return audio
    samples = audio.samples[round(start * SAMPLE_RATE) :]
    return SegmentAudio(samples, audio.audio_hash, audio.engine, audio.voice)


def segment_airing(
    context: AirContext,
    item: PlanItem | None,
    segment: PlannedSegment | None,
    zone: str,
    audio: SegmentAudio,
    bulletin: Bulletin | None = None,
    resumed_from: float | None = None,
    approval_id: int | None = None,
) -> Airing:
    """The play-log view of one zone's share of a segment (or of a bulletin: all its zones
    share its id and the moment it was received, so it counts as one broadcast). ``audio`` is
    what this play airs: the rest of the item from ``resumed_from`` seconds, when taken up;
    ``approval_id``: the approval a script's play airs under (``approval_check``)."""
    script = context.scripts.get(segment.script_id) if segment and segment.script_id else None
    if item and segment:
        scheduled = item.start + timedelta(seconds=segment.offset_seconds)
    else:
        scheduled = bulletin.received_at if bulletin else context.clock.now()
    if bulletin is not None:
        title = bulletin.title
    else:
        title = (script.title if script else (segment.file if segment else "")) or ""
    return Airing(
        zone=zone,
        scheduled_at=scheduled,
        title=title,
        script_id=segment.script_id if segment else None,
        topic=script.topic if script else None,
        slot_id=item.slot_id if item else None,
        program=item.program_id if item else None,
        planned_seconds=round(audio.seconds, 3),
        audio_hash=audio.audio_hash,
        engine=audio.engine,
        voice=audio.voice,
        bulletin_id=bulletin.id if bulletin else None,
        resumed_from_seconds=resumed_from,
        approval_id=approval_id,
    )


def content_key(segment: PlannedSegment) -> str | None:
    """What a logged segment is called in the log: its script id, or its media file."""
    return segment.script_id or segment.file


def record_not_aired(
    context: AirContext,
    item: PlanItem,
    segments: Iterable[PlannedSegment],
    reason: str,
    error: str | None = None,
    outcome: Outcome = Outcome.FAILED,
    skip: AbstractSet[tuple[str | None, str]] = frozenset(),
    zones: AbstractSet[str] | None = None,
) -> None:
    """One log row per zone (of ``zones``; ``None``: all) for content segments that never
    sounded, with the reason."""
    empty = SegmentAudio(np.zeros(0, dtype=np.int16))
    for segment in segments:
        if segment.kind not in LOGGED_KINDS:
            continue
        for zone in segment.zones:
            if (zones is not None and zone not in zones) or (content_key(segment), zone) in skip:
                continue
            airing = segment_airing(context, item, segment, zone, empty)
            context.log.record_missed(airing, reason, error=error, outcome=outcome)


# A sink's count of frames and the audio's length may differ by a block's rounding.
SHORT_TOLERANCE_SECONDS = 0.05
SHORT_DELIVERY = "âm thanh tới thiết bị thiếu so với bài"


def outcome_of(
    outlet: OutletOutcome,
    planned_seconds: float,
    preempted_by: Bulletin | None,
    resumed: bool,
    overrun: bool,
    cut_by: str | None = None,
) -> tuple[Outcome, str | None, str | None]:
    """Outcome, reason code and error text of one zone's play, for its log row."""
    if outlet.status is PlayStatus.COMPLETED:
        if outlet.aired_seconds + SHORT_TOLERANCE_SECONDS < planned_seconds:
            # What was delivered decides, whatever the sink said: less than planned is never
            # "played".
            return Outcome.PARTIAL, Reason.DEVICE_ERROR, SHORT_DELIVERY
        return (Outcome.RESUMED if resumed else Outcome.PLAYED), None, None
    if outlet.status is PlayStatus.DEVICE_ERROR:
        error = outlet.error.message if outlet.error else None
        outcome = Outcome.PARTIAL if outlet.aired_seconds > 0.5 else Outcome.FAILED
        return outcome, Reason.DEVICE_ERROR, error
    if preempted_by is not None:
        return Outcome.PREEMPTED, Reason.preempted_by(preempted_by.id), None
    if cut_by is not None:  # a technician's skip or stop
        return Outcome.PARTIAL, cut_by, None
    if overrun:
        return Outcome.PARTIAL, Reason.OVERRUN, None
    return Outcome.PARTIAL, Reason.STOPPED, None


def alarm_device_errors(context: AirContext, outlets: Iterable[OutletOutcome]) -> None:
    """An alarm per zone whose device failed, or ran dry mid-play (an underrun: a gap the
    listeners heard); a zone that played again cleanly clears it."""
    for outlet in outlets:
        for zone in outlet.zone_ids:
            if outlet.underruns:
                context.alarms.raise_alarm(
                    AlarmCode.UNDERRUN, f"khu vực {zone}: {underrun_note(outlet)}", zone
                )
            elif outlet.status is PlayStatus.COMPLETED:
                context.alarms.clear(AlarmCode.UNDERRUN, zone)
            if outlet.status is PlayStatus.DEVICE_ERROR:
                message = outlet.error.message if outlet.error else "lỗi thiết bị"
                context.alarms.raise_alarm(
                    AlarmCode.DEVICE_ERROR, f"khu vực {zone}: {message}", zone
                )
            elif outlet.status is PlayStatus.COMPLETED:
                context.alarms.clear(AlarmCode.DEVICE_ERROR, zone)


def finish_attempts(
    context: AirContext,
    attempts: Mapping[str, int],
    result: PlayResult,
    audio: SegmentAudio,
    ended: PlaybackEnd = NOT_CUT,
    resumed: bool = False,
    overrun: bool = False,
) -> None:
    """Complete each zone's log row with what its outlet did (``audio``: what it aired)."""
    for zone, attempt_id in attempts.items():
        outlet = result.for_zone(zone)
        outcome, reason, error = outcome_of(
            outlet,
            audio.seconds,
            ended.preempted.get(zone),
            resumed,
            overrun,
            ended.cut_by.get(zone),
        )
        now = context.clock.now()
        context.log.finish_attempt(
            attempt_id,
            outcome,
            ended_at=min(now, ended.silent_at.get(zone, now)),
            aired_seconds=round(min(outlet.aired_seconds, audio.seconds), 3),
            reason=reason,
            error=error,
            output=output_used(outlet, context.speakers.get(zone)),
            to_file=outlet.to_file,
            underruns=outlet.underruns,
        )


def underrun_note(outlet: OutletOutcome) -> str | None:
    """What a play's underruns mean to a listener, for its log row; ``None`` without any."""
    if not outlet.underruns:
        return None
    return (
        f"âm thanh bị ngắt quãng {outlet.underruns} lần (máy bận, thiết bị thiếu dữ liệu; "
        "người nghe có nghe tiếng hụt)"
    )


def output_used(outlet: OutletOutcome, speakers: ZoneSpeakers | None) -> str:
    """What the log says the sound went to: the WAV file, or the device and its channels."""
    return _output_text(outlet.device, outlet.to_file, speakers)


def _output_text(name: str, to_file: bool, speakers: ZoneSpeakers | None) -> str:
    if to_file or speakers is None:
        return name
    return f"{name}, kênh {','.join(str(c) for c in speakers.channels)}"


def start_attempts(
    context: AirContext, zones: Iterable[str], airing: Callable[[str], Airing], now: datetime
) -> dict[str, int]:
    """One open row per zone, each noting where its sound goes as the sink answers now: a
    crash leaves the row open, and it is closed with that (a cut play written to a WAV file
    is never counted as heard)."""
    zones = list(zones)
    going = {h.zone_id: h for h in context.sink.health([context.speakers[z] for z in zones])}
    attempts = {}
    for zone in zones:
        health = going.get(zone)
        output = (
            _output_text(health.outlet, health.to_file, context.speakers[zone]) if health else None
        )
        attempts[zone] = context.log.start_attempt(
            airing(zone), now, output=output, to_file=bool(health and health.to_file)
        )
    return attempts
