"""Plays the cluster's plan at its seconds, by the box's own clock, one play-log row each.

One thread per receiver. Each entry is opened on the sink ``LEAD_SECONDS`` before its start
with ``at=`` its start on the monotonic clock, so the first sample is heard on the planned
second whatever opening the device costs. As on the station, the row is written before the
sound (``start_attempt``) and closed after it (``finish_attempt``): a power cut leaves an open
row, closed as ``interrupted`` by the next start; the entry is marked handled before its sound
too, so it is never played twice. Audio still missing at the entry's second is a ``failed``
row (``audio_missing``); an entry whose second passed while the box was off (it had the plan)
is ``missed`` (``daemon_down``).

A ``now`` bulletin fades out what plays (row ``preempted``, the rest is not resumed: the plan's
later entries play at their own seconds), plays its chime and audio at once; entries due while
it plays are ``missed`` (``preempted_by``). ``stop`` fades out what plays (``partial``,
``stopped_by``) and the later segments of the same item are not played either.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.clock import Clock
from broadcast.clusters.messages import PlanEntry
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.remote import BadRow, airing_from_json
from broadcast.receiver.fetch import AudioCache
from broadcast.receiver.instant import monotonic_at, wall_and_monotonic
from broadcast.receiver.store import ReceiverStore
from broadcast.receiver.worker import Worker
from broadcast.sinks.protocol import AudioSink, Playback, PlayStatus, ZoneSpeakers

logger = logging.getLogger("broadcast.receiver")

# A play is opened this long before its second: its row is written first (two fsyncs, slow
# on an SD card or with hundreds of receivers on one disk: 200 in one process opened their
# plays up to 0.45 s after a 0.5 s lead began), then the sink waits for ``at``.
LEAD_SECONDS = 1.0
LATE_SECONDS = 1.0  # an entry not started within this of its second is not played
NOW_LEAD_SECONDS = 0.5  # a bulletin starts this long after it is taken (fade + device open)
PROGRESS_SECONDS = 1.0  # how often a playing row notes how far it got
FADE_SECONDS = 0.25
POLL_SECONDS = 0.05  # while something plays: how soon its end is noticed
IDLE_WAKE_SECONDS = 5.0  # idle: the clock is looked at this often (it may have been set)
SHORT_TOLERANCE_SECONDS = 0.05  # a sink's frame count and the audio's length may differ
STOP_WAIT_SECONDS = 3.0
SHORT_DELIVERY = "âm thanh tới thiết bị thiếu so với bài"


@dataclass(frozen=True)
class NowBulletin:
    """A signed ``now``, its audio already fetched."""

    id: str
    title: str
    issued: datetime  # every cluster's row shares it: one broadcast, counted once
    audio: np.ndarray
    audio_hash: str
    chime: np.ndarray | None = None


@dataclass(frozen=True)
class _Stop:
    by: str | None  # who asked, as the station says
    bulletin: str | None  # only this bulletin; ``None``: whatever plays


@dataclass
class _Play:
    playback: Playback
    at: float  # time.monotonic() of its first sample
    seconds: float
    attempt_id: int | None  # None: a sound the log does not keep (a chime)
    item: str | None = None
    bulletin: str | None = None
    title: str = ""
    cut: tuple[Outcome, str] | None = None  # why it was faded out
    last_progress: float = 0.0


def airing_from(entry: PlanEntry, zone: str) -> Airing | None:
    """The row's fields as the station sent them (``None``: a sound not logged); a field
    missing or unreadable is taken from the entry itself."""
    if entry.airing is None:
        return None
    given = {k: v for k, v in entry.airing.items() if v is not None}
    fields = {
        "zone": zone,
        "title": entry.item,
        "scheduled_at": entry.start.isoformat(),
        "planned_seconds": entry.seconds,
        "audio_hash": entry.audio.sha256,
        **given,
    }
    try:
        return airing_from_json(fields)
    except BadRow:
        logger.warning("mục %s: thông tin nhật ký không đọc được", entry.id)
        return Airing(zone, entry.start, entry.item, audio_hash=entry.audio.sha256)


class Player(Worker):
    thread_name = "receiver-player"

    def __init__(
        self,
        *,
        speakers: ZoneSpeakers,
        sink: AudioSink,
        log: PlayLog,
        cache: AudioCache,
        store: ReceiverStore,
        clock: Clock,
        on_closed: Callable[[int], None],
    ):
        super().__init__()
        self.speakers = speakers
        self.sink = sink
        self.log = log
        self.cache = cache
        self.store = store
        self.clock = clock
        self._on_closed = on_closed
        self._lock = threading.Lock()
        self._plan: list[PlanEntry] = []
        self._cursor = 0  # every entry before it is handled: the loop looks from there
        self._known_since: datetime | None = None
        self._handled: set[str] = set()
        self._plays: list[_Play] = []
        self._bulletin: str | None = None  # the bulletin playing: entries due now are missed
        self._cut_items: dict[str, str] = {}  # item stopped → reason for its later segments
        self._requests: list[NowBulletin | _Stop] = []
        self._awaiting_audio = False  # an entry is due and its audio not here yet

    # -- commands (any thread) ---------------------------------------------------------

    def set_plan(self, entries: Sequence[PlanEntry], known_since: datetime | None) -> None:
        """Play ``entries`` from now on; those starting after ``known_since`` that could not
        be played are logged as missed."""
        ordered = sorted(entries, key=lambda e: e.start)
        handled = self.store.handled(e.id for e in ordered)
        with self._lock:
            self._plan = ordered
            self._cursor = 0
            self._known_since = known_since
            self._handled = handled
        self._wake.set()

    def play_now(self, bulletin: NowBulletin) -> None:
        with self._lock:
            self._requests.append(bulletin)
        self._wake.set()

    def stop_playing(self, by: str | None, bulletin: str | None = None) -> None:
        """Fade out what plays (only ``bulletin``, when named)."""
        with self._lock:
            self._requests.append(_Stop(by, bulletin))
        self._wake.set()

    # -- what the heartbeat tells ------------------------------------------------------

    def playing(self) -> list[str]:
        """Titles of the logged sounds being heard now (not those opened ahead of their
        second)."""
        moment = time.monotonic()
        with self._lock:
            plays = list(self._plays)
        return [p.title for p in plays if p.attempt_id is not None and p.at <= moment]

    def next_entry(self) -> PlanEntry | None:
        now = self.clock.now()
        with self._lock:
            coming = islice(self._plan, self._cursor, None)
            return next((e for e in coming if e.start > now and e.id not in self._handled), None)

    def _unhandled_until(self, until: datetime) -> list[PlanEntry]:
        """Entries not handled yet that start before ``until`` (under the lock)."""
        while self._cursor < len(self._plan) and self._plan[self._cursor].id in self._handled:
            self._cursor += 1
        found = []
        for entry in islice(self._plan, self._cursor, None):
            if entry.start > until:
                break
            if entry.id not in self._handled:
                found.append(entry)
        return found

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self._take_requests()
                    self._reap()
                    self._start_due()
                    pause = self._sleep_seconds()
                except Exception:  # one bad turn must not silence the loudspeakers for good
                    logger.exception("lỗi trong bộ phát, thử lại", extra={"event": "player_error"})
                    pause = IDLE_WAKE_SECONDS / 5
                self._wake.wait(pause)
                self._wake.clear()
        finally:
            self._shut_down()

    def _sleep_seconds(self) -> float:
        if self._plays or self._awaiting_audio:
            return POLL_SECONDS
        upcoming = self.next_entry()
        if upcoming is None:
            return IDLE_WAKE_SECONDS
        until = (upcoming.start - self.clock.now()).total_seconds() - LEAD_SECONDS
        return min(max(until, 0.0), IDLE_WAKE_SECONDS)

    def _take_requests(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, []
        for request in requests:
            if isinstance(request, NowBulletin):
                self._cut_all(Outcome.PREEMPTED, Reason.preempted_by(request.id))
                self._start_bulletin(request)
            else:
                reason = Reason.asked_by(Reason.STOPPED_BY, request.by)
                self._cut_all(Outcome.PARTIAL, reason, request.bulletin)

    def _cut_all(self, outcome: Outcome, reason: str, bulletin: str | None = None) -> None:
        """Fade out every play (``bulletin``'s only, when named)."""
        for play in self._plays:
            if bulletin is not None and play.bulletin != bulletin:
                continue
            if play.cut is None:
                play.cut = (outcome, reason)
                play.playback.stop(FADE_SECONDS)
                if play.item is not None and outcome is not Outcome.PREEMPTED:
                    self._cut_items[play.item] = reason

    def _start_bulletin(self, bulletin: NowBulletin) -> None:
        at = time.monotonic() + NOW_LEAD_SECONDS
        self._bulletin = bulletin.id
        if bulletin.chime is not None and len(bulletin.chime):
            playback = self.sink.start(bulletin.chime, SAMPLE_RATE, [self.speakers], "chime", at)
            chime_seconds = len(bulletin.chime) / SAMPLE_RATE
            self._plays.append(_Play(playback, at, chime_seconds, None, bulletin=bulletin.id))
            at += chime_seconds
        seconds = len(bulletin.audio) / SAMPLE_RATE
        airing = Airing(
            zone=self.speakers.zone_id,
            scheduled_at=bulletin.issued,
            title=bulletin.title,
            planned_seconds=round(seconds, 3),
            audio_hash=bulletin.audio_hash,
            bulletin_id=bulletin.id,
        )
        wall, moment = wall_and_monotonic(self.clock)
        started = wall + timedelta(seconds=at - moment)
        attempt_id = self._open_row(airing, started)
        label = f"bulletin-{bulletin.id}"
        playback = self.sink.start(bulletin.audio, SAMPLE_RATE, [self.speakers], label, at)
        self._plays.append(
            _Play(playback, at, seconds, attempt_id, bulletin=bulletin.id, title=bulletin.title)
        )
        logger.info(
            "phát bản tin khẩn %s: %s",
            bulletin.id,
            bulletin.title,
            extra={"event": "bulletin_started", "bulletin": bulletin.id},
        )

    def _start_due(self) -> None:
        self._awaiting_audio = False
        now = self.clock.now()
        with self._lock:
            due = self._unhandled_until(now + timedelta(seconds=LEAD_SECONDS))
            known_since = self._known_since
        for entry in due:
            lead = (entry.start - now).total_seconds()
            if lead < -LATE_SECONDS:
                self._not_played(entry, known_since)
            elif self._bulletin is not None:
                self._missed(entry, Outcome.MISSED, Reason.preempted_by(self._bulletin))
            elif entry.item in self._cut_items:
                self._missed(entry, Outcome.MISSED, self._cut_items[entry.item])
            else:
                self._start_entry(entry, max(lead, 0.0))

    def _not_played(self, entry: PlanEntry, known_since: datetime | None) -> None:
        """Its second passed unplayed: the box was off (or busy) though it had the plan;
        an entry the box learnt of too late is the station's to account for."""
        if known_since is not None and entry.start >= known_since:
            self._missed(entry, Outcome.MISSED, Reason.DAEMON_DOWN)
        else:
            with self._lock:
                self._handled.add(entry.id)

    def _missed(self, entry: PlanEntry, outcome: Outcome, reason: str, error: str = "") -> None:
        airing = airing_from(entry, self.speakers.zone_id)
        attempt_id = None
        if airing is not None:
            attempt_id = self.log.record_missed(
                airing, reason, error=error or None, outcome=outcome
            )
        self._mark_handled(entry, attempt_id)
        if attempt_id is not None:
            self._on_closed(attempt_id)

    def _mark_handled(self, entry: PlanEntry, attempt_id: int | None) -> None:
        self.store.mark_handled(entry.id, entry.start, attempt_id)
        with self._lock:
            self._handled.add(entry.id)

    def _start_entry(self, entry: PlanEntry, lead: float) -> None:
        samples = self.cache.load(entry.audio.sha256)
        if samples is None and lead > 0:
            self._awaiting_audio = True  # it may still come before its second: look again
            return
        if samples is None:
            logger.warning(
                "thiếu âm thanh của %s lúc phát", entry.id, extra={"event": "audio_missing"}
            )
            error = f"chưa tải được tệp âm thanh {entry.audio.sha256[:12]} từ đài"
            self._missed(entry, Outcome.FAILED, Reason.AUDIO_MISSING, error)
            return
        # from the entry's own second, read again now: the audio's load took some time
        at = monotonic_at(self.clock, entry.start)
        airing = airing_from(entry, self.speakers.zone_id)
        started = entry.start if lead > 0 else self.clock.now()
        attempt_id = None if airing is None else self._open_row(airing, started)
        self._mark_handled(entry, attempt_id)
        playback = self.sink.start(samples, SAMPLE_RATE, [self.speakers], entry.id, at)
        title = airing.title if airing else entry.item
        logger.info(
            "phát %s lúc %s: %s",
            entry.id,
            entry.start.astimezone(self.clock.now().tzinfo).strftime("%H:%M:%S"),
            title,
            extra={"event": "entry_started", "entry": entry.id},
        )
        self._plays.append(
            _Play(playback, at, len(samples) / SAMPLE_RATE, attempt_id, entry.item, title=title)
        )

    def _open_row(self, airing: Airing, started: datetime) -> int:
        health = self.sink.health([self.speakers])
        output = health[0].outlet if health else None
        to_file = bool(health and health[0].to_file)
        return self.log.start_attempt(airing, started, output=output, to_file=to_file)

    def _reap(self) -> None:
        still = []
        for play in self._plays:
            if play.playback.done():
                self._close(play)
            else:
                self._note_progress(play)
                still.append(play)
        self._plays = still
        if self._bulletin is not None and not any(p.bulletin for p in self._plays):
            self._bulletin = None

    def _note_progress(self, play: _Play) -> None:
        moment = time.monotonic()
        if play.attempt_id is None or moment < play.at:
            return
        if moment - max(play.last_progress, play.at) >= PROGRESS_SECONDS:
            play.last_progress = moment
            aired = min(moment - play.at, play.seconds)
            self.log.progress(play.attempt_id, round(aired, 3), self.clock.now())

    def _close(self, play: _Play) -> None:
        if play.attempt_id is None:
            return
        result = play.playback.wait(0)
        outlet = result.for_zone(self.speakers.zone_id)
        aired = round(min(outlet.aired_seconds, play.seconds), 3)
        error = outlet.error.message if outlet.error else None
        reason: str | None = None
        if outlet.status is PlayStatus.COMPLETED:
            outcome = Outcome.PLAYED
            if outlet.aired_seconds + SHORT_TOLERANCE_SECONDS < play.seconds:
                outcome, reason, error = Outcome.PARTIAL, Reason.DEVICE_ERROR, SHORT_DELIVERY
        elif outlet.status is PlayStatus.DEVICE_ERROR:
            outcome = Outcome.PARTIAL if aired > 0.5 else Outcome.FAILED
            reason = Reason.DEVICE_ERROR
        else:
            outcome, reason = play.cut or (Outcome.PARTIAL, Reason.STOPPED)
        self.log.finish_attempt(
            play.attempt_id,
            outcome,
            ended_at=self.clock.now(),
            aired_seconds=aired,
            reason=reason,
            error=error,
            output=outlet.device,
            to_file=outlet.to_file,
            underruns=outlet.underruns,
        )
        logger.info(
            "%s: %s (%.1f giây)",
            play.title,
            outcome.label_vi,
            aired,
            extra={"event": "entry_ended", "outcome": outcome.value, "reason": reason},
        )
        self._on_closed(play.attempt_id)

    def _shut_down(self) -> None:
        """Fade out what plays and close its rows (``partial``, ``stopped``)."""
        for play in self._plays:
            play.playback.stop(FADE_SECONDS)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for play in self._plays:
            try:
                play.playback.wait(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                continue  # left open: closed as interrupted by the next start
            self._close(play)
        self._plays = []
