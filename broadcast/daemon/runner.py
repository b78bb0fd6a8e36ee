"""Plays one planned airing (a ``PlanItem``) segment by segment, logging every zone's attempt.

Each content segment (a script or a media file) is one play-log row per zone, opened when the
sound starts and completed when it ends, with a heartbeat in between so a crash still tells
how far it got. Chimes, intros and outros are played but not logged: they are not items of
the plan. A device error is retried once on the zones that failed; other zones are never
held up by it.

An emergency bulletin cuts the program on its own zones only. Those zones split off as a
group of their own: once the bulletin has aired they take up the item where it was cut (back
to the pause before the cut sentence, ``audio.pauses``), logged as ``resumed``, and go on with
the rest of the program, while the zones the bulletin did not touch never stopped. The same
taking-up serves an airing cut by a restart within the grace period.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from broadcast.audio.pauses import resume_point
from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.daemon.air import Channel, PlaybackEnd, ProgramTurn
from broadcast.daemon.alarms import AlarmCode
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
from broadcast.daemon.bulletin_play import play_bulletin
from broadcast.daemon.context import AirContext
from broadcast.daemon.rehearsal import excerpt
from broadcast.daemon.segment_audio import AudioUnavailable, SegmentAudio
from broadcast.playlog import Outcome, Reason
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.sinks.protocol import Playback, PlayResult, PlayStatus

logger = logging.getLogger("broadcast.daemon")

HEARTBEAT_SECONDS = 1.0
RELEASE_POLL_SECONDS = 0.05  # how soon a zone cut mid-play is let go after it falls silent
# Started at most this long before its instant, an airing's first play waits for it on the
# device's clock; a start further ahead (a fake clock, a clock stepped) starts at once.
MAX_START_AHEAD_SECONDS = 2.0
OVERRUN_TOLERANCE_SECONDS = 30.0  # a slot may run this much past its maximum before a cut
DEVICE_RETRIES = 1


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


class ProgramRunner:
    def __init__(
        self,
        context: AirContext,
        item: PlanItem,
        already_aired: AbstractSet[Part] = frozenset(),
        heard_before: Mapping[Part, float] = {},
    ):
        self.context = context
        self.item = item
        self._already_aired = already_aired  # (content, zone) completed before a restart
        # (content, zone) cut before a restart: how far into the item the zone had heard
        self._heard_before = dict(heard_before)
        self._overrun = False
        self._started = 0.0
        self._groups: list[threading.Thread] = []
        self._first_at: float | None = None  # when the first play is to be heard

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

    def run(self, turn: ProgramTurn | None = None) -> None:
        """Air the program; ``turn``: its place among programs on the same zones, if the
        scheduler reserved it when the airing fell due."""
        context = self.context
        turn = turn or context.air.reserve_program((self.item.start, self.item.id), self.item.zones)
        if self._fully_aired():
            logger.info("%s đã phát xong trước đó", self.item.id, extra={"event": "already_aired"})
            context.air.leave_program(turn)
            return
        if not self._take_turn(turn):
            return
        self._started = context.clock.monotonic()
        self._first_at = self._instant_of(self.item.start)
        logger.info(
            "bắt đầu %s (%s) trên %s",
            self.item.slot_name,
            self.item.id,
            ", ".join(self.item.zones),
            extra={"event": "program_started", "item": self.item.id},
        )
        try:
            self._run_group(frozenset(self.item.zones), 0, self._heard_before)
        finally:
            while self._groups:  # a group may split again while another is joined
                self._groups.pop().join()
            context.air.leave_program(turn)
        logger.info("kết thúc %s", self.item.id, extra={"event": "program_ended"})

    def _take_turn(self, turn: ProgramTurn) -> bool:
        """Wait for another program on these zones to end (two due at once after a late
        start: the earlier first); one still waiting past the grace period is logged missed."""
        context, item = self.context, self.item
        late_by = (context.clock.now() - item.start).total_seconds()
        deadline = time.monotonic() + max(0.0, context.grace_seconds - late_by)
        entered = context.air.enter_program(turn, deadline)
        if not entered and not context.air.stopping.is_set():
            logger.warning(
                "%s không phát: khu vực bận chương trình khác quá giờ cho phép",
                item.id,
                extra={"event": "zone_busy", "item": item.id},
            )
            record_not_aired(
                context,
                item,
                item.segments,
                Reason.ZONE_BUSY,
                outcome=Outcome.MISSED,
                skip=self._already_aired,
            )
        return entered

    def _instant_of(self, moment: datetime) -> float | None:
        """``moment`` on ``time.monotonic()``'s clock (the sinks'), if it is just ahead."""
        ahead = (moment - self.context.clock.now()).total_seconds()
        if 0 < ahead <= MAX_START_AHEAD_SECONDS:
            return time.monotonic() + ahead
        return None

    # -- zones that go through the program together ------------------------------------

    def _run_group(self, zones: frozenset[str], index: int, heard: Mapping[Part, float]) -> None:
        """Air the program from segment ``index`` on ``zones``; ``heard``: how far each part
        was heard before it was cut (it is taken up there)."""
        context = self.context
        heard = dict(heard)
        segments = self.item.segments
        channel = context.air.open_channel(zones)
        try:
            while index < len(segments) and channel.zones and not context.air.stopping.is_set():
                segment = segments[index]
                if channel.ended_by:  # a technician ended the airing on some zones
                    self._end_zones(channel, segments[index:])
                    continue
                held = context.air.held(channel.zones)
                if held == channel.zones:
                    context.air.wait_until_clear(held)
                    continue
                if held:  # they take it up from here once the emergency has aired
                    self._split(channel, held, index, heard)
                    continue
                playing = self._zones_to_play(channel, segment)
                starts = {zone: heard.get((content_key(segment), zone), 0.0) for zone in playing}
                if len(set(starts.values())) > 1:  # cut at different points: apart
                    first = starts[playing[0]]
                    self._split(channel, {z for z in playing if starts[z] != first}, index, heard)
                    continue
                if self._overrun:
                    record_not_aired(
                        context,
                        self.item,
                        [segment],
                        Reason.OVERRUN,
                        "quá giờ khung phát",
                        zones=channel.zones,
                    )
                    index += 1
                    continue
                cut = self._air_segment(channel, index, playing, heard)
                if cut and cut != channel.zones:
                    self._split(channel, cut, index, heard)
                if cut != channel.zones:
                    index += 1
                    self._air_waiting_priority(channel)
        finally:
            context.air.close_channel(channel)

    def _zones_to_play(self, channel: Channel, segment: PlannedSegment) -> list[str]:
        key = content_key(segment)
        return [
            zone
            for zone in segment.zones
            if zone in channel.zones and (key, zone) not in self._already_aired
        ]

    def _split(
        self, channel: Channel, zones: AbstractSet[str], index: int, heard: Mapping[Part, float]
    ) -> None:
        """``zones`` leave ``channel`` and go on from segment ``index`` in their own thread."""
        zones = frozenset(zones) & channel.zones
        self.context.air.narrow(channel, channel.zones - zones)
        group = threading.Thread(
            target=self._run_group,
            args=(zones, index, dict(heard)),
            name=f"program-{self.item.id}-{'-'.join(sorted(zones))}",
            daemon=True,
        )
        self._groups.append(group)
        group.start()

    def _end_zones(self, channel: Channel, rest: Sequence[PlannedSegment]) -> None:
        """Zones a technician ended the airing on: the rest is logged as not aired there."""
        ended = self.context.air.take_ended(channel)
        for reason in set(ended.values()):
            record_not_aired(
                self.context,
                self.item,
                rest,
                reason,
                outcome=Outcome.MISSED,
                skip=self._already_aired,
                zones={z for z, why in ended.items() if why == reason},
            )

    # -- one segment -------------------------------------------------------------------

    def _air_segment(
        self, channel: Channel, index: int, zones: list[str], heard: dict[Part, float]
    ) -> frozenset[str]:
        """Play segment ``index`` on ``zones``; returns the zones an emergency cut that are
        still on ``channel`` (``heard`` then says how far they got)."""
        segment = self.item.segments[index]
        if not zones:
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
                played = self._play(channel, index, audio, zones, start, heard)
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
            if failed and retries > 0 and not self._overrun:
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
    ) -> tuple[PlayResult, PlaybackEnd] | _Refused:
        """One playback of ``audio`` from ``start`` seconds on ``zones``, logged per zone."""
        context = self.context
        segment = self.item.segments[index]
        rest = rest_of(audio, start)
        label = segment.script_id or segment.kind.value
        at, self._first_at = self._first_at, None
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
                lambda z: segment_airing(context, self.item, segment, z, rest, None, resumed_from),
                now,
            )
            if logged
            else {}
        )
        play = _Play(channel, index, playback, rest, start, attempts)
        result = self._wait(play, heard)
        ended = context.air.end(channel)
        alarm_device_errors(context, result.outcomes)
        finish_attempts(context, attempts, result, rest, ended, start > 0, self._overrun)
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
            if beat is not None and context.clock.monotonic() - beat < HEARTBEAT_SECONDS:
                continue
            beat = context.clock.monotonic()
            # A device that failed is an alarm now, not when the other zones finish the item.
            alarm_device_errors(context, play.playback.finished_so_far())
            now = context.clock.now()
            for attempt_id in play.attempts.values():
                context.log.progress(attempt_id, beat - play_started, now)
            over = limit is not None and beat - self._started > limit + OVERRUN_TOLERANCE_SECONDS
            if over and not self._overrun:
                self._overrun = True
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
        finish_attempts(context, attempts, result, play.rest, cut, play.start > 0, self._overrun)
        key = content_key(self.item.segments[play.index])
        for zone in cut.preempted:
            heard[(key, zone)] = play.start + outcomes[zone].aired_seconds
        if cut.preempted:
            self._split(play.channel, set(cut.preempted), play.index, heard)
        # Zones a technician stopped stay: the program logs the rest there as not aired.
        skipped = set(cut.cut_by) - set(cut.preempted) - set(play.channel.ended_by)
        if skipped:
            self._split(play.channel, skipped, play.index + 1, heard)

    # -- announcements between items ---------------------------------------------------

    def _air_waiting_priority(self, channel: Channel) -> None:
        for bulletin in self.context.air.take_priority(channel.zones):
            play_bulletin(self.context, bulletin, channel)
