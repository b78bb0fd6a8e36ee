"""Plays one planned airing (a ``PlanItem``) segment by segment, logging every zone's attempt.

Each content segment (a script or a media file) is one play-log row per zone, opened when the
sound starts and completed when it ends, with a heartbeat in between so a crash still tells
how far it got. Chimes, intros and outros are played but not logged: they are not items of
the plan. A device error is retried once on the zones that failed; other zones are never
held up by it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.clock import Clock
from broadcast.config import Config
from broadcast.config.model import SegmentKind
from broadcast.daemon.air import AirControl, Bulletin, Channel
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.segment_audio import AudioUnavailable, SegmentAudio, SegmentAudioSource
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.scripts.model import Script
from broadcast.sinks.protocol import (
    AudioSink,
    OutletOutcome,
    Playback,
    PlayResult,
    PlayStatus,
    ZoneSpeakers,
)

logger = logging.getLogger("broadcast.daemon")

LOGGED_KINDS = (SegmentKind.SCRIPT, SegmentKind.AUDIO)
HEARTBEAT_SECONDS = 1.0
OVERRUN_TOLERANCE_SECONDS = 30.0  # a slot may run this much past its maximum before a cut
DEVICE_RETRIES = 1


@dataclass(frozen=True)
class AirContext:
    """Everything a program needs to air; replaced as a whole when the inputs change."""

    config: Config
    scripts: Mapping[str, Script]
    audio: SegmentAudioSource
    sink: AudioSink  # the daemon's one sink; fallbacks, if any, are inside it
    speakers: Mapping[str, ZoneSpeakers]  # by zone id
    log: PlayLog
    air: AirControl
    clock: Clock
    alarms: Alarms
    excerpt_seconds: float | None = None  # rehearsals play only the start of each segment

    def play(self, samples: np.ndarray, zones: Sequence[str], label: str) -> Playback:
        """Start ``samples`` (mono, SAMPLE_RATE) on these zones."""
        return self.sink.start(samples, SAMPLE_RATE, [self.speakers[z] for z in zones], label)


class _Ended(Enum):
    DONE = "done"
    PREEMPTED = "preempted"


def segment_airing(
    context: AirContext,
    item: PlanItem | None,
    segment: PlannedSegment | None,
    zone: str,
    audio: SegmentAudio,
    bulletin: Bulletin | None = None,
) -> Airing:
    """The play-log view of one zone's share of a segment (or of a bulletin: all its zones
    share its id and the moment it was received, so it counts as one broadcast)."""
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
) -> None:
    """One log row per zone for content segments that never sounded, with the reason."""
    empty = SegmentAudio(np.zeros(0, dtype=np.int16))
    for segment in segments:
        if segment.kind not in LOGGED_KINDS:
            continue
        for zone in segment.zones:
            if (content_key(segment), zone) in skip:
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
    preempted_by: Bulletin | None = None,
    resumed: bool = False,
    overrun: bool = False,
    cut_by: str | None = None,
) -> None:
    """Complete each zone's log row with what its outlet did."""
    for zone, attempt_id in attempts.items():
        outlet = result.for_zone(zone)
        outcome, reason, error = outcome_of(
            outlet, audio.seconds, preempted_by, resumed, overrun, cut_by
        )
        context.log.finish_attempt(
            attempt_id,
            outcome,
            ended_at=context.clock.now(),
            aired_seconds=round(min(outlet.aired_seconds, audio.seconds), 3),
            reason=reason,
            # underruns are recorded even on a row that played to its end
            error="; ".join(e for e in (error, underrun_note(outlet)) if e) or None,
            output=output_used(outlet, context.speakers.get(zone)),
            to_file=outlet.to_file,
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
    context: AirContext, zones: Sequence[str], airing: Callable[[str], Airing], now: datetime
) -> dict[str, int]:
    """One open row per zone, each noting where its sound goes as the sink answers now: a
    crash leaves the row open, and it is closed with that (a cut play written to a WAV file
    is never counted as heard)."""
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


class ProgramRunner:
    def __init__(
        self,
        context: AirContext,
        item: PlanItem,
        already_aired: AbstractSet[tuple[str | None, str]] = frozenset(),
    ):
        self.context = context
        self.item = item
        self._already_aired = already_aired  # (content, zone) completed before a restart
        self._overrun = False

    @property
    def _max_seconds(self) -> float | None:
        slot = next((s for s in self.context.config.slots if s.id == self.item.slot_id), None)
        return slot.max_seconds if slot else None

    def _fully_aired(self) -> bool:
        content = [
            (content_key(s), z)
            for s in self.item.segments
            if s.kind in LOGGED_KINDS
            for z in s.zones
        ]
        return bool(content) and all(part in self._already_aired for part in content)

    def run(self) -> None:
        context = self.context
        if self._fully_aired():
            logger.info("%s đã phát xong trước đó", self.item.id, extra={"event": "already_aired"})
            return
        channel = context.air.open_channel(self.item.zones)
        started = context.clock.monotonic()
        logger.info(
            "bắt đầu %s (%s) trên %s",
            self.item.slot_name,
            self.item.id,
            ", ".join(self.item.zones),
            extra={"event": "program_started", "item": self.item.id},
        )
        try:
            for segment in self.item.segments:
                if context.air.stopping.is_set():
                    break
                if channel.ended_by is not None:  # a technician stopped the program
                    record_not_aired(
                        context,
                        self.item,
                        [segment],
                        channel.ended_by,
                        outcome=Outcome.MISSED,
                        skip=self._already_aired,
                    )
                    continue
                if self._overrun:
                    record_not_aired(
                        self.context, self.item, [segment], Reason.OVERRUN, "quá giờ khung phát"
                    )
                    continue
                self._air_segment(channel, segment, started)
                self._air_waiting_priority(channel)
        finally:
            context.air.close_channel(channel)
        logger.info("kết thúc %s", self.item.id, extra={"event": "program_ended"})

    # -- one segment -------------------------------------------------------------------

    def _air_segment(self, channel: Channel, segment: PlannedSegment, started: float) -> None:
        zones = [z for z in segment.zones if (content_key(segment), z) not in self._already_aired]
        if not zones:
            return
        try:
            audio = self.context.audio.for_segment(segment)
        except AudioUnavailable as exc:
            self.context.alarms.raise_alarm(AlarmCode(exc.reason), f"{self.item.id}: {exc.message}")
            record_not_aired(self.context, self.item, [segment], exc.reason, exc.message)
            return
        audio = self._excerpt(audio)
        resumed = False
        retries = DEVICE_RETRIES
        while zones and not self.context.air.stopping.is_set():
            self.context.air.wait_until_clear(zones)
            ended, failed = self._play(channel, segment, audio, zones, resumed, started)
            if ended is _Ended.PREEMPTED:
                resumed = True  # the item it was on plays again, whole, once the air is free
                continue
            if failed and retries > 0 and not self._overrun:
                retries -= 1
                zones = failed
                continue
            break

    def _excerpt(self, audio: SegmentAudio) -> SegmentAudio:
        limit = self.context.excerpt_seconds
        if limit is None or audio.seconds <= limit:
            return audio
        cut = audio.samples[: int(limit * SAMPLE_RATE)].copy()
        fade = min(len(cut), int(0.2 * SAMPLE_RATE))  # no click at the cut
        ramp = np.linspace(1.0, 0.0, fade)
        cut[-fade:] = (cut[-fade:] * ramp).astype(cut.dtype)
        return SegmentAudio(cut, audio.audio_hash, audio.engine, audio.voice)

    def _play(
        self,
        channel: Channel,
        segment: PlannedSegment,
        audio: SegmentAudio,
        zones: list[str],
        resumed: bool,
        started: float,
    ) -> tuple[_Ended, list[str]]:
        context = self.context
        label = segment.script_id or segment.kind.value
        playback = context.air.begin(channel, lambda: context.play(audio.samples, zones, label))
        if playback is None:  # an emergency took the air first, or the daemon is stopping
            return _Ended.PREEMPTED, []
        logged = segment.kind in LOGGED_KINDS
        now = context.clock.now()
        attempts = (
            start_attempts(
                context, zones, lambda z: segment_airing(context, self.item, segment, z, audio), now
            )
            if logged
            else {}
        )
        play_started = context.clock.monotonic()
        result = self._wait(playback, attempts, play_started, started)
        preempted_by = context.air.end(channel)
        cut_by = context.air.take_cut(channel)
        alarm_device_errors(context, result.outcomes)
        finish_attempts(
            context, attempts, result, audio, preempted_by, resumed, self._overrun, cut_by
        )
        failed = [z for z in zones if result.for_zone(z).status is PlayStatus.DEVICE_ERROR]
        return (_Ended.PREEMPTED if preempted_by else _Ended.DONE), failed

    def _wait(
        self, playback, attempts: Mapping[str, int], play_started: float, started: float
    ) -> PlayResult:
        context = self.context
        limit = self._max_seconds
        while True:
            try:
                return playback.wait(timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                pass
            # A device that failed is an alarm now, not when the other zones finish the item.
            alarm_device_errors(context, playback.finished_so_far())
            now = context.clock.now()
            elapsed = context.clock.monotonic() - play_started
            for attempt_id in attempts.values():
                context.log.progress(attempt_id, elapsed, now)
            over = limit is not None and (
                context.clock.monotonic() - started > limit + OVERRUN_TOLERANCE_SECONDS
            )
            if over and not self._overrun:
                self._overrun = True
                logger.warning(
                    "%s quá giờ khung phát, dừng", self.item.id, extra={"event": "overrun"}
                )
                playback.stop()

    # -- announcements between items ---------------------------------------------------

    def _air_waiting_priority(self, channel: Channel) -> None:
        for bulletin in self.context.air.take_priority(channel.zones):
            play_announcement(self.context, bulletin, channel)


def play_announcement(context: AirContext, bulletin: Bulletin, channel: Channel) -> None:
    """Air a bulletin on ``channel`` (its zones held by the caller) and log each zone."""
    audio = SegmentAudio(bulletin.audio)
    zones = list(bulletin.zones)
    now = context.clock.now()
    attempts = start_attempts(
        context, zones, lambda z: segment_airing(context, None, None, z, audio, bulletin), now
    )
    channel.playback = context.play(audio.samples, zones, bulletin.id)
    result = channel.playback.wait()
    channel.playback = None
    alarm_device_errors(context, result.outcomes)
    finish_attempts(context, attempts, result, audio, cut_by=context.air.take_cut(channel))
    bulletin.done.set()
