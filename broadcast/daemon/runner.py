"""Plays one planned airing (a ``PlanItem``) segment by segment, logging every zone's attempt.

Each content segment (a script or a media file) is one play-log row per zone, opened when the
sound starts and completed when it ends, with a heartbeat in between so a crash still tells
how far it got. Chimes, intros and outros are played but not logged: they are not items of
the plan. A device error is retried once on the zones that failed; other zones are never
held up by it. Each segment is played by a ``SegmentPlayer`` (``segment_play.py``).

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
from datetime import datetime

from broadcast.daemon.air import Channel, ProgramTurn
from broadcast.daemon.attempts import (
    LOGGED_KINDS,
    Part,
    content_key,
    record_not_aired,
)
from broadcast.daemon.bulletin_play import play_bulletin
from broadcast.daemon.context import AirContext
from broadcast.daemon.segment_play import SegmentPlayer
from broadcast.playlog import Outcome, Reason
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.schedule.lanes import Parting

logger = logging.getLogger("broadcast.daemon")

# Started at most this long before its instant, an airing's first play waits for it on the
# device's clock; a start further ahead (a fake clock, a clock stepped) starts at once.
MAX_START_AHEAD_SECONDS = 2.0


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
        self._player = SegmentPlayer(context, item, self._split)
        self._parting = Parting(item.segments)  # where its zones go their own ways
        self._groups: list[threading.Thread] = []

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
        self._player.started = context.clock.monotonic()
        self._player.first_at = self._instant_of(self.item.start)
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
                groups = self._parting.groups(index, channel.zones)
                if len(groups) > 1:  # nothing still to come joins them: side by side
                    for group in groups[1:]:
                        self._split(channel, group, index, heard)
                    continue
                playing = self._zones_to_play(channel, segment)
                starts = {zone: heard.get((content_key(segment), zone), 0.0) for zone in playing}
                if len(set(starts.values())) > 1:  # cut at different points: apart
                    first = starts[playing[0]]
                    self._split(channel, {z for z in playing if starts[z] != first}, index, heard)
                    continue
                if self._player.overrun:
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
                cut = self._player.air(channel, index, playing, heard)
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

    # -- announcements between items ---------------------------------------------------

    def _air_waiting_priority(self, channel: Channel) -> None:
        for bulletin in self.context.air.take_priority(channel.zones):
            play_bulletin(self.context, bulletin, channel)
