"""One segment of a program on some of its zones: played, each zone logged, retried once on a
device error, cut zones let go as soon as they fall silent.

The program's runner (``runner.py``) decides which zones go through the program together and
hands each segment to a ``SegmentPlayer``; a zone cut mid-play (an emergency, a technician) is
handed back to it through ``split`` the moment its sound has ended.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import Enum

from broadcast.audio.pauses import resume_point
from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.config.model import SegmentKind
from broadcast.daemon.air import Channel, PlaybackEnd
from broadcast.daemon.alarms import AlarmCode
from broadcast.daemon.approval_check import AtAir, check_at_air
from broadcast.daemon.attempts import (
    LOGGED_KINDS,
    Part,
    alarm_device_errors,
    content_key,
    finish_attempts,
    record_not_aired,
    rest_of,
    segment_airing,
    start_attempts,
)
from broadcast.daemon.context import AirContext
from broadcast.daemon.rehearsal import excerpt
from broadcast.daemon.segment_audio import AudioUnavailable, SegmentAudio
from broadcast.playlog import Outcome, Reason
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.sinks.protocol import Playback, PlayResult, PlayStatus

logger = logging.getLogger("broadcast.daemon")

PROGRESS_SECONDS = 1.0  # how often a playing row notes how far it got
RELEASE_POLL_SECONDS = 0.05  # how soon a zone cut mid-play is let go after it falls silent
OVERRUN_TOLERANCE_SECONDS = 30.0  # a slot may run this much past its maximum before a cut
DEVICE_RETRIES = 1

# (channel, zones, segment index, how far each part was heard): zones leaving the channel
Split = Callable[[Channel, AbstractSet[str], int, Mapping[Part, float]], None]


@dataclass
class _Play:
    """One playback of a segment on some zones, while it lasts."""

    channel: Channel
    index: int  # of the segment in the program
    playback: Playback
    rest: SegmentAudio  # what is played: the segment from ``start`` seconds
    start: float
    attempts: dict[str, int]  # the open row of each zone still playing


class _Refused(Enum):
    HELD = "held"  # an emergency took the air first, or the daemon is stopping


class SegmentPlayer:
    def __init__(self, context: AirContext, item: PlanItem, split: Split):
        self.context = context
        self.item = item
        self._split = split
        self.overrun = False  # the slot ran past its length: nothing more plays
        self.started = 0.0  # the program's start, on the context's monotonic clock
        self.first_at: float | None = None  # when the program's first play is to be heard

    @property
    def _max_seconds(self) -> float | None:
        slot = next((s for s in self.context.config.slots if s.id == self.item.slot_id), None)
        return slot.max_seconds if slot else None

    def air(
        self, channel: Channel, index: int, zones: list[str], heard: dict[Part, float]
    ) -> frozenset[str]:
        """Play segment ``index`` on ``zones``; returns the zones an emergency cut that are
        still on ``channel`` (``heard`` then says how far they got)."""
        segment = self.item.segments[index]
        if not zones:
            return frozenset()
        approval = AtAir()
        if segment.kind is SegmentKind.SCRIPT and segment.script_id is not None:
            approval = check_at_air(self.context, segment.script_id)
            if approval.refused is not None:  # edited or revoked since the plan: never aired
                record_not_aired(
                    self.context,
                    self.item,
                    [segment],
                    approval.refused,
                    approval.why,
                    outcome=Outcome.MISSED,
                    zones=set(zones),
                )
                return frozenset()
        try:
            audio = self.context.audio.for_segment(segment)
        except AudioUnavailable as exc:
            self.context.alarms.raise_alarm(AlarmCode(exc.reason), f"{self.item.id}: {exc.message}")
            record_not_aired(
                self.context, self.item, [segment], exc.reason, exc.message, zones=set(zones)
            )
            return frozenset()
        audio = excerpt(audio, self.context.excerpt_seconds)
        key = content_key(segment)
        cut_at = heard.get((key, zones[0]), 0.0)
        start = (
            resume_point(audio.samples, SAMPLE_RATE, cut_at, self.context.resume_back_seconds)
            if cut_at > 0
            else 0.0
        )
        retries = DEVICE_RETRIES
        while zones and not self.context.air.stopping.is_set():
            try:
                played = self._play(channel, index, audio, zones, start, heard, approval)
            except Exception as exc:  # one item that cannot play never takes the rest with it
                self._failed(channel, segment, zones, exc)
                return frozenset()
            if played is _Refused.HELD:
                return frozenset(zones)
            result, ended = played
            for zone in ended.preempted:
                heard[(key, zone)] = start + result.for_zone(zone).aired_seconds
            failed = [
                z
                for z in zones
                if result.for_zone(z).status is PlayStatus.DEVICE_ERROR and z not in ended.preempted
            ]
            if failed and retries > 0 and not self.overrun:
                retries -= 1
                zones = failed
                continue
            return frozenset(ended.preempted)
        return frozenset()

    def _failed(
        self, channel: Channel, segment: PlannedSegment, zones: list[str], exc: Exception
    ) -> None:
        logger.exception(
            "%s: không phát được %s",
            self.item.id,
            content_key(segment),
            extra={"event": "item_failed"},
        )
        self.context.air.end(channel)
        message = f"lỗi khi phát: {exc}"
        self.context.alarms.raise_alarm(AlarmCode.DEVICE_ERROR, f"{self.item.id}: {message}")
        record_not_aired(
            self.context, self.item, [segment], Reason.DEVICE_ERROR, message, zones=set(zones)
        )

    def _play(
        self,
        channel: Channel,
        index: int,
        audio: SegmentAudio,
        zones: list[str],
        start: float,
        heard: dict[Part, float],
        approval: AtAir,
    ) -> tuple[PlayResult, PlaybackEnd] | _Refused:
        """One playback of ``audio`` from ``start`` seconds on ``zones``, logged per zone, each
        row naming the approval it aired under."""
        context = self.context
        segment = self.item.segments[index]
        rest = rest_of(audio, start)
        label = segment.script_id or segment.kind.value
        at, self.first_at = self.first_at, None
        playback = context.air.begin(
            channel, zones, lambda: context.play(rest.samples, zones, label, at)
        )
        if playback is None:
            return _Refused.HELD
        now = context.clock.now()
        if at is not None:  # the row says when the sound starts, not when it was readied
            now = max(now, self.item.start)
            time.sleep(max(0.0, at - time.monotonic()))
        logged = segment.kind in LOGGED_KINDS
        resumed_from = start if start > 0 else None
        attempts = (
            start_attempts(
                context,
                zones,
                lambda z: segment_airing(
                    context, self.item, segment, z, rest, None, resumed_from, approval.approval_id
                ),
                now,
            )
            if logged
            else {}
        )
        play = _Play(channel, index, playback, rest, start, attempts)
        result = self._wait(play, heard)
        ended = context.air.end(channel)
        alarm_device_errors(context, result.outcomes)
        finish_attempts(context, attempts, result, rest, ended, start > 0, self.overrun)
        return result, ended

    def _wait(self, play: _Play, heard: dict[Part, float]) -> PlayResult:
        context = self.context
        limit = self._max_seconds
        play_started = context.clock.monotonic()
        beat: float | None = None  # the first poll is a beat: the row shows it is on air
        while True:
            try:
                return play.playback.wait(timeout=RELEASE_POLL_SECONDS)
            except TimeoutError:
                pass
            self._release_cut_zones(play, heard)
            if beat is not None and context.clock.monotonic() - beat < PROGRESS_SECONDS:
                continue
            beat = context.clock.monotonic()
            # A device that failed is an alarm now, not when the other zones finish the item.
            alarm_device_errors(context, play.playback.finished_so_far())
            now = context.clock.now()
            for attempt_id in play.attempts.values():
                context.log.progress(attempt_id, beat - play_started, now)
            over = limit is not None and beat - self.started > limit + OVERRUN_TOLERANCE_SECONDS
            if over and not self.overrun:
                self.overrun = True
                logger.warning(
                    "%s quá giờ khung phát, dừng", self.item.id, extra={"event": "overrun"}
                )
                play.playback.stop()

    def _release_cut_zones(self, play: _Play, heard: dict[Part, float]) -> None:
        """Zones cut mid-play (an emergency, a technician) whose sound has ended, while the
        playback goes on elsewhere: their rows close now, as they fell silent, and they go
        their own way at once — back to this item after the emergency, or on to the next."""
        context = self.context
        cut = context.air.release_silent(play.channel)
        zones = set(cut.preempted) | set(cut.cut_by)
        if not zones:
            return
        outcomes = {zone: play.playback.outcome_for(zone) for zone in zones}
        attempts = {zone: play.attempts.pop(zone) for zone in zones if zone in play.attempts}
        result = PlayResult(tuple(outcomes.values()))
        finish_attempts(context, attempts, result, play.rest, cut, play.start > 0, self.overrun)
        key = content_key(self.item.segments[play.index])
        for zone in cut.preempted:
            heard[(key, zone)] = play.start + outcomes[zone].aired_seconds
        if cut.preempted:
            self._split(play.channel, set(cut.preempted), play.index, heard)
        # Zones a technician stopped stay: the program logs the rest there as not aired.
        skipped = set(cut.cut_by) - set(cut.preempted) - set(play.channel.ended_by)
        if skipped:
            self._split(play.channel, skipped, play.index + 1, heard)
