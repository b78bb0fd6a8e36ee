"""Plays the cluster's plan at its seconds, by the box's own clock, one play-log row each.

One thread per receiver. Each entry is opened on the sink ``LEAD_SECONDS`` before its start
with ``at=`` its start on the monotonic clock, so the first sample is heard on the planned
second whatever opening the device costs. As on the station, the row is written before the
sound (``start_attempt``) and closed after it (``finish_attempt``): a power cut leaves an open
row, closed as ``interrupted`` by the next start; the entry is marked handled before its sound
too, so it is never played twice. Audio still missing at the entry's second is a ``failed``
row (``audio_missing``); an entry whose second passed while the box was off (it had the plan)
is ``missed`` (``daemon_down``).

Bulletins follow the station's rule (``bulletins``). An ``emergency`` fades out what plays
(``preempted``, not resumed) and airs at once; entries due while it airs are ``missed``
(``preempted_by``). A ``priority`` one airs once what plays has ended; entries falling due
while it waits or airs are held back and play after it one after another, as the station's
program goes on after a bulletin aired between two items (each at its own second if still to
come, else at once, its row saying when); one held ``POSTPONED_MAX_SECONDS`` past its second
is ``missed`` (``zone_busy``), as the station gives up on a program kept waiting past its
grace. ``stop`` fades out what plays (``partial``, ``stopped_by``) and the later segments of
the same item are not played either; naming a waiting bulletin, it drops it (``cancelled_by``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.clock import Clock
from broadcast.clusters.messages import PlanEntry
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.receiver.bulletins import (
    BulletinQueue,
    NowBulletin,
    StopRequest,
    bulletin_airing,
    cancelled_reason,
)
from broadcast.receiver.fetch import AudioCache
from broadcast.receiver.instant import monotonic_at, wall_and_monotonic
from broadcast.receiver.missed import MissedReason
from broadcast.receiver.plan_cursor import PlanCursor
from broadcast.receiver.plays import (
    POLL_SECONDS,
    Play,
    airing_from,
    close_row,
    next_look,
    note_progress,
    open_row,
)
from broadcast.receiver.store import ReceiverStore
from broadcast.receiver.worker import Worker
from broadcast.sinks.protocol import AudioSink, ZoneSpeakers

__all__ = ["NowBulletin", "Player"]

logger = logging.getLogger("broadcast.receiver")

# A play is opened this long before its second: its row is written first (two fsyncs: an SD
# card may stall for a second or more), its audio read, then the sink waits for ``at``.
LEAD_SECONDS = 3.0
LATE_SECONDS = 1.0  # an entry not started within this of its second is not played
NOW_LEAD_SECONDS = 0.5  # a bulletin starts this long after it is taken (fade + device open)
POSTPONED_MAX_SECONDS = 300.0  # the station's grace for a program kept waiting (``--grace``)
FADE_SECONDS = 0.25
IDLE_WAKE_SECONDS = 5.0  # idle: the clock is looked at this often (it may have been set)
STOP_WAIT_SECONDS = 3.0


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
        # the zone rows say: the one the station's signed plan names once there is one (a
        # cluster moved by ``clusters edit`` keeps its receiver.yaml), else the box's own
        self.zone = speakers.zone_id
        self.sink = sink
        self.log = log
        self.cache = cache
        self.store = store
        self.clock = clock
        self._on_closed = on_closed
        self._lock = threading.Lock()  # for what other threads hand in or ask about
        self._plan = PlanCursor(store)
        self._plays: list[Play] = []
        self._bulletin: NowBulletin | None = None  # the bulletin on the air
        self._queue = BulletinQueue()  # priority bulletins waiting for a gap
        self._postponed: list[PlanEntry] = []  # held back by a priority bulletin, in order
        self._cut_items: dict[str, str] = {}  # item stopped → reason for its later segments
        self._requests: list[NowBulletin | StopRequest] = []
        self._awaiting_audio = False  # an entry is due and its audio not here yet
        self._missed_reason = MissedReason(clock)

    # -- commands (any thread) ---------------------------------------------------------

    def set_plan(
        self, entries: Sequence[PlanEntry], known_since: datetime | None, zone: str | None = None
    ) -> None:
        """Play ``entries`` from now on; those starting after ``known_since`` that could not
        be played are logged as missed; ``zone``: the zone the plan is for."""
        if zone:
            self.zone = zone
        self._plan.use(entries, known_since)
        self._wake.set()

    def play_now(self, bulletin: NowBulletin) -> None:
        with self._lock:
            self._requests.append(bulletin)
        self._wake.set()

    def stop_playing(self, by: str | None, bulletin: str | None = None) -> None:
        """Fade out what plays (only ``bulletin``, when named)."""
        with self._lock:
            self._requests.append(StopRequest(by, bulletin))
        self._wake.set()

    # -- what the heartbeat tells ------------------------------------------------------

    def playing(self) -> list[str]:
        """Titles of the logged sounds being heard now (not those opened ahead of their
        second)."""
        moment = time.monotonic()
        with self._lock:
            plays = list(self._plays)
        return [p.title for p in plays if p.attempt_id is not None and p.at <= moment]

    def waiting_bulletins(self) -> list[str]:
        """Priority bulletins waiting for a gap, oldest first."""
        return self._queue.ids()

    def next_entry(self) -> PlanEntry | None:
        return self._plan.next_entry(self.clock.now())

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    self._missed_reason.turn()
                    self._take_requests()
                    self._reap()
                    self._start_queued()
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
        """Until the next thing to do: a sound to look at, an entry to open; a request wakes
        the thread before that."""
        if self._awaiting_audio or self._postponed or self._queue:
            return POLL_SECONDS
        moment = time.monotonic()
        pause = min((next_look(play, moment) for play in self._plays), default=IDLE_WAKE_SECONDS)
        upcoming = self.next_entry()
        if upcoming is None:
            return pause
        until = (upcoming.start - self.clock.now()).total_seconds() - LEAD_SECONDS
        return min(max(until, 0.0), pause)

    def _take_requests(self) -> None:
        with self._lock:
            requests, self._requests = self._requests, []
        for request in requests:
            if isinstance(request, NowBulletin):
                self._take_bulletin(request)
            else:
                self._take_stop(request)

    def _take_bulletin(self, bulletin: NowBulletin) -> None:
        stopped, by = self._queue.stopped_before(bulletin.id)
        if stopped:  # cancelled while its audio was on its way
            self._record_cancelled(bulletin, by)
        elif bulletin.waits_for_gap:
            self._queue.add(bulletin)
            logger.info(
                "bản tin ưu tiên %s chờ hết mục đang phát",
                bulletin.id,
                extra={"event": "bulletin_queued", "bulletin": bulletin.id},
            )
        else:
            self._cut_all(Outcome.PREEMPTED, Reason.preempted_by(bulletin.id))
            self._start_bulletin(bulletin)

    def _take_stop(self, stop: StopRequest) -> None:
        if stop.bulletin is not None:
            queued = self._queue.drop(stop.bulletin)
            if queued is not None:
                self._record_cancelled(queued, stop.by)
                return
            if not any(p.bulletin == stop.bulletin for p in self._plays):
                self._queue.remember_stop(stop.bulletin, stop.by)
                logger.info(
                    "lệnh dừng bản tin %s: bản tin không có ở đây",
                    stop.bulletin,
                    extra={"event": "stop_unknown_bulletin", "bulletin": stop.bulletin},
                )
                return
        reason = Reason.asked_by(Reason.STOPPED_BY, stop.by)
        self._cut_all(Outcome.PARTIAL, reason, stop.bulletin)

    def _record_cancelled(self, bulletin: NowBulletin, by: str | None) -> None:
        airing = bulletin_airing(bulletin, self.zone)
        self._on_closed(self.log.record_missed(airing, cancelled_reason(by)))
        logger.warning(
            "bản tin ưu tiên %s bị hủy trước khi phát",
            bulletin.id,
            extra={"event": "bulletin_cancelled", "bulletin": bulletin.id},
        )

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

    def _start_queued(self) -> None:
        """The oldest waiting priority bulletin, once nothing plays (the gap)."""
        if self._queue and self._bulletin is None and not self._plays:
            bulletin = self._queue.next()
            if bulletin is not None:
                self._start_bulletin(bulletin)

    def _start_bulletin(self, bulletin: NowBulletin) -> None:
        at = time.monotonic() + NOW_LEAD_SECONDS
        self._bulletin = bulletin
        if bulletin.chime is not None and len(bulletin.chime):
            playback = self.sink.start(bulletin.chime, SAMPLE_RATE, [self.speakers], "chime", at)
            chime_seconds = len(bulletin.chime) / SAMPLE_RATE
            self._plays.append(Play(playback, at, chime_seconds, None, bulletin=bulletin.id))
            at += chime_seconds
        wall, moment = wall_and_monotonic(self.clock)
        started = wall + timedelta(seconds=at - moment)
        attempt_id = self._open_row(bulletin_airing(bulletin, self.zone), started)
        label = f"bulletin-{bulletin.id}"
        playback = self.sink.start(bulletin.audio, SAMPLE_RATE, [self.speakers], label, at)
        self._plays.append(
            Play(playback, at, bulletin.seconds, attempt_id, None, bulletin.id, bulletin.title)
        )
        logger.info(
            "phát bản tin %s %s: %s",
            "ưu tiên" if bulletin.waits_for_gap else "khẩn cấp",
            bulletin.id,
            bulletin.title,
            extra={"event": "bulletin_started", "bulletin": bulletin.id},
        )

    def _emergency_on_air(self) -> str | None:
        bulletin = self._bulletin
        return bulletin.id if bulletin is not None and not bulletin.waits_for_gap else None

    def _holding(self) -> bool:
        """Entries falling due now wait: a priority bulletin waits or airs, or entries it held
        back have not all been played (they play one after another, in plan order)."""
        priority_on_air = self._bulletin is not None and self._bulletin.waits_for_gap
        return bool(
            self._queue or priority_on_air or self._postponed or any(p.late for p in self._plays)
        )

    def _start_due(self) -> None:
        self._awaiting_audio = False
        now = self.clock.now()
        due, known_since = self._plan.due(now + timedelta(seconds=LEAD_SECONDS))
        held = {e.id for e in self._postponed}
        for entry in due:
            lead = (entry.start - now).total_seconds()
            emergency = self._emergency_on_air()
            if entry.id in held:
                continue
            if lead < -LATE_SECONDS:
                self._not_played(entry, known_since)
            elif emergency is not None:
                self._missed(entry, Outcome.MISSED, Reason.preempted_by(emergency))
            elif entry.item in self._cut_items:
                self._missed(entry, Outcome.MISSED, self._cut_items[entry.item])
            elif self._holding():
                self._postpone(entry)
            else:
                self._start_entry(entry, max(lead, 0.0))
        self._start_postponed(now)

    def _postpone(self, entry: PlanEntry) -> None:
        self._postponed.append(entry)
        logger.info(
            "%s chờ bản tin ưu tiên phát xong",
            entry.id,
            extra={"event": "entry_postponed", "entry": entry.id},
        )

    def _start_postponed(self, now: datetime) -> None:
        """Entries a priority bulletin held back, one at a time once the air is free: each at
        its own second if that is still to come, else at once (its row says when)."""
        while self._postponed:
            entry = self._postponed[0]
            emergency = self._emergency_on_air()
            late = (now - entry.start).total_seconds()
            if emergency is not None:
                self._missed(entry, Outcome.MISSED, Reason.preempted_by(emergency))
            elif entry.item in self._cut_items:
                self._missed(entry, Outcome.MISSED, self._cut_items[entry.item])
            elif late > POSTPONED_MAX_SECONDS:  # as the station gives up on a busy zone
                self._missed(entry, Outcome.MISSED, Reason.ZONE_BUSY)
            elif self._queue or self._bulletin is not None or self._plays:
                return
            elif not self._start_entry(entry, max(-late, 0.0), late=True):
                return  # its audio may still come before its second
            self._postponed.pop(0)

    def _not_played(self, entry: PlanEntry, known_since: datetime | None) -> None:
        """Its second passed unplayed though the box had the plan (off, its clock stepped, or
        too busy: ``MissedReason``); an entry the box learnt of too late is the station's to
        account for."""
        if known_since is not None and entry.start >= known_since:
            self._missed(entry, Outcome.MISSED, self._missed_reason.reason(entry.start))
        else:
            self._plan.let_go(entry)

    def _missed(self, entry: PlanEntry, outcome: Outcome, reason: str, error: str = "") -> None:
        airing = airing_from(entry, self.zone)
        attempt_id = None
        if airing is not None:
            attempt_id = self.log.record_missed(
                airing, reason, error=error or None, outcome=outcome
            )
        self._plan.mark_handled(entry, attempt_id)
        if attempt_id is not None:
            self._on_closed(attempt_id)

    def _start_entry(self, entry: PlanEntry, lead: float, *, late: bool = False) -> bool:
        """Start ``entry`` (``lead`` seconds before its second); ``False`` when its audio is not
        here yet but may still come in time (looked at again on the next turn)."""
        samples = self.cache.load(entry.audio.sha256)
        if samples is None and lead > 0:
            self._awaiting_audio = True  # it may still come before its second: look again
            return False
        if samples is None:
            logger.warning(
                "thiếu âm thanh của %s lúc phát", entry.id, extra={"event": "audio_missing"}
            )
            error = f"chưa tải được tệp âm thanh {entry.audio.sha256[:12]} từ đài"
            self._missed(entry, Outcome.FAILED, Reason.AUDIO_MISSING, error)
            return True
        # from the entry's own second, read again now: the audio's load took some time
        at = monotonic_at(self.clock, entry.start)
        airing = airing_from(entry, self.zone)
        started = entry.start if lead > 0 else self.clock.now()
        attempt_id = None if airing is None else self._open_row(airing, started)
        self._plan.mark_handled(entry, attempt_id)
        playback = self.sink.start(samples, SAMPLE_RATE, [self.speakers], entry.id, at)
        title = airing.title if airing else entry.item
        logger.info(
            "phát %s lúc %s: %s",
            entry.id,
            entry.start.astimezone(self.clock.now().tzinfo).strftime("%H:%M:%S"),
            title,
            extra={"event": "entry_started", "entry": entry.id},
        )
        seconds = len(samples) / SAMPLE_RATE
        self._plays.append(Play(playback, at, seconds, attempt_id, entry.item, None, title))
        self._plays[-1].late = late
        return True

    def _open_row(self, airing: Airing, started: datetime) -> int:
        return open_row(self.log, self.sink, self.speakers, airing, started)

    def _reap(self) -> None:
        still = []
        for play in self._plays:
            if play.playback.done():
                close_row(play, self.log, self.speakers.zone_id, self.clock.now(), self._on_closed)
            else:
                note_progress(play, self.log, self.clock.now())
                still.append(play)
        self._plays = still
        if self._bulletin is not None and not any(p.bulletin for p in self._plays):
            self._bulletin = None

    def _shut_down(self) -> None:
        """Fade out what plays and close its rows (``partial``, ``stopped``); a priority
        bulletin still waiting gets its row too (``missed``, ``stopped``), as at the station."""
        for play in self._plays:
            play.playback.stop(FADE_SECONDS)
        for bulletin in self._queue.all_taken():
            airing = bulletin_airing(bulletin, self.zone)
            self._on_closed(self.log.record_missed(airing, Reason.STOPPED))
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for play in self._plays:
            try:
                play.playback.wait(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                continue  # left open: closed as interrupted by the next start
            close_row(play, self.log, self.speakers.zone_id, self.clock.now(), self._on_closed)
        self._plays = []
