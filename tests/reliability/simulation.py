"""A ward's station simulated on a fake clock, through the daemon's own decisions.

``SimulatedDaemon`` does what ``BroadcastDaemon`` does, in the same order and with the same
functions, but on a ``FakeClock``, since APScheduler runs on the real one: open the play log
(closing rows a crash left open), read and render the inputs, note when each script was first
seen, log what was missed while down, schedule today's and tomorrow's airings
(``upcoming_airings``), air each at its time (``begin_airing``: its plan recorded, or the one
recorded before a restart), reload when scripts arrive, plan again after midnight, and send
emergencies through the real ``Announcer``. The world around it (``World``) drops scripts in
the folder, kills and restarts it, breaks a zone's output and sends an emergency.

Its sink, ``SimulatedCard`` (``simulated_card.py``), writes one folder of WAV files per zone
with a real ``FileSink`` each, and the fake clock moves by what each play delivered, so rows
and files carry the times the ward would see.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.audio.batch import render_all
from broadcast.audio.manifest import AudioManifest
from broadcast.clock import FakeClock
from broadcast.control import parse_announcement
from broadcast.daemon.air import AirControl
from broadcast.daemon.alarms import Alarms
from broadcast.daemon.announcer import Announcer
from broadcast.daemon.context import AirContext
from broadcast.daemon.inputs import Inputs, read_inputs
from broadcast.daemon.restart import (
    begin_airing,
    missed_while_down,
    note_arrivals,
    note_arrivals_at_start,
    upcoming_airings,
)
from broadcast.daemon.segment_audio import SegmentAudioSource
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.playlog.history import plan_days
from broadcast.schedule import PlanItem
from broadcast.sinks.protocol import ZoneSpeakers
from tests.reliability.simulated_card import Crash, Interrupt, SimulatedCard

WARD = ZoneInfo("Asia/Ho_Chi_Minh")
GRACE = timedelta(minutes=5)  # the daemon's default
PLAN_DAYS = 2  # as the daemon: today and tomorrow
REPLAN_AT = time(0, 0, 30)  # the daemon's daily job


# -- the world -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """The board drops ``files`` into scripts_vi/ at ``moment`` (files saved then)."""

    moment: datetime
    files: dict[str, str]


@dataclass(frozen=True)
class Outage:
    """The daemon dies at ``down`` (its last heartbeat) and is started again at ``back``."""

    down: datetime
    back: datetime


@dataclass(frozen=True)
class Failure:
    """``zone``'s output cannot be written from ``start`` until ``end``."""

    zone: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Emergency:
    """The technician sends an emergency bulletin at ``moment`` (``broadcast announce``)."""

    moment: datetime
    zones: tuple[str, ...]
    text: str
    sender: str = "ky-thuat-vien"


@dataclass(frozen=True)
class World:
    schedules: str
    scripts: dict[str, str]  # in the folder from ``start``
    start: datetime
    end: datetime
    arrivals: tuple[Arrival, ...] = ()
    outages: tuple[Outage, ...] = ()
    failures: tuple[Failure, ...] = ()
    emergencies: tuple[Emergency, ...] = ()
    grace: timedelta = GRACE

    def down_at(self, moment: datetime) -> bool:
        return any(o.down <= moment < o.back for o in self.outages)

    def failing(self, zone: str, moment: datetime) -> bool:
        return any(f.zone == zone and f.start <= moment < f.end for f in self.failures)

    def arrived(self) -> dict[str, datetime]:
        """When each script was dropped into the folder, by script id."""
        found = {script_id(name): self.start for name in self.scripts}
        for arrival in self.arrivals:
            found.update((script_id(name), arrival.moment) for name in arrival.files)
        return found


def script_id(name: str) -> str:
    return name.rsplit(".", 1)[0]


def write_scripts(paths: ProjectPaths, files: dict[str, str], saved: datetime) -> None:
    """Drop ``files`` into the folder, saved at ``saved`` (their modification time)."""
    for name, text in files.items():
        target = paths.scripts_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        os.utime(target, (saved.timestamp(), saved.timestamp()))


# -- the daemon ------------------------------------------------------------------------


@dataclass
class Run:
    """What the simulation did, for the tests to compare with the log and the files."""

    paths: ProjectPaths
    card: SimulatedCard
    world: World
    inputs: Inputs | None = None  # as they are at the end: what ``report`` reads
    aired: list[tuple[PlanItem, datetime]] = field(default_factory=list)  # item, started at
    missed_on_restart: int = 0
    crashes_in_play: list[datetime] = field(default_factory=list)
    bulletins: list[str] = field(default_factory=list)  # ids, as sent


@dataclass(order=True)
class _Event:
    moment: datetime
    order: int
    happen: Callable[[], None] = field(compare=False)
    stop: bool = field(default=False, compare=False)
    emergency: Emergency | None = field(default=None, compare=False)


class SimulatedDaemon:
    """``BroadcastDaemon``'s decisions in order on a fake clock, in the ``world`` given."""

    def __init__(self, home: Path, world: World):
        self.world = world
        self.paths = ProjectPaths(home)
        self.paths.schedules_file.write_text(world.schedules, encoding="utf-8")
        write_scripts(self.paths, world.scripts, world.start)
        self.clock = FakeClock(world.start)
        zones = read_inputs(self.paths).config.zones
        self.card = SimulatedCard(home / "on-air", self.clock, [zone.id for zone in zones])
        self.run_record = Run(self.paths, self.card, world)
        self._events: list[_Event] = []
        for arrival in world.arrivals:
            self._add(arrival.moment, lambda a=arrival: self._arrive(a))
        for outage in world.outages:
            self._add(outage.down, self._die, stop=True)
            self._add(outage.back, self._start)
        for failure in world.failures:
            self._add(failure.start, lambda f=failure: self.card.fail(f.zone))
            self._add(failure.end, lambda f=failure: self.card.restore(f.zone))
        for emergency in world.emergencies:
            self._add(emergency.moment, lambda e=emergency: self._announce(e), emergency=emergency)
        self.up = False
        self.down_since: datetime | None = None  # None: the very first start
        self.log: PlayLog | None = None

    def _add(self, moment: datetime, happen: Callable[[], None], **kind) -> None:
        self._events.append(_Event(moment, len(self._events), happen, **kind))
        self._events.sort()

    # -- running -----------------------------------------------------------------------

    def run(self) -> Run:
        self._start()
        try:
            while True:
                moment, happen = self._next()
                if moment >= self.world.end:
                    break
                self._advance_to(moment)
                happen()
        finally:
            if self.log is not None:
                self.log.close()
        self._advance_to(self.world.end)
        self.run_record.inputs = self.inputs
        return self.run_record

    def _next(self) -> tuple[datetime, Callable[[], None]]:
        """The next thing to happen: an event of the world (first, at the same moment), an
        airing due, or the daily plan."""
        candidates: list[tuple[datetime, int, Callable[[], None]]] = []
        if self._events:
            event = self._events[0]
            candidates.append((event.moment, 0, lambda: self._events.pop(0).happen()))
        if self.up:
            if self.pending:
                item = min(self.pending.values(), key=lambda i: (i.start, i.id))
                candidates.append((item.start, 1, lambda: self._air(item.id)))
            now = self.clock.now()
            replan = datetime.combine(now.date(), REPLAN_AT, WARD)
            if replan <= now:
                replan += timedelta(days=1)
            candidates.append((replan, 2, self._reschedule))
        if not candidates:
            return self.world.end, lambda: None
        moment, _, happen = min(candidates, key=lambda c: (c[0], c[1]))
        return max(moment, self.clock.now()), happen

    def _advance_to(self, moment: datetime) -> None:
        if moment > self.clock.now():
            self.clock.advance(moment - self.clock.now())

    # -- BroadcastDaemon.__init__ and start ----------------------------------------------

    def _start(self) -> None:
        now = self.clock.now()
        self.inputs = read_inputs(self.paths)
        assert not self.inputs.problems, self.inputs.problems
        self.log = PlayLog.open(self.paths, timezone=WARD)  # closes rows a crash left open
        note_arrivals_at_start(self.log, self.inputs.scripts, now, self.paths.home, self.down_since)
        self.air = AirControl()
        self.announcer = Announcer(self.paths)
        self._render()
        self.pending: dict[str, PlanItem] = {}
        self.started: set[str] = set()
        self.run_record.missed_on_restart += missed_while_down(
            self.context, self._airable(), self.durations, self.down_since, self.world.grace
        )
        self.up = True
        self._reschedule()

    def _die(self) -> None:
        """The process is gone: its log is left as it was, its memory lost."""
        assert self.log is not None
        self.log.close()
        self.log = None
        self.up = False
        self.down_since = self.clock.now()
        self.pending, self.started = {}, set()

    def _render(self) -> None:
        """Render ahead (offline engines, as the first pass), then air from the new audio."""
        summary = render_all(self.paths, self.inputs.config.tts.offline(), self.inputs.scripts)
        assert summary.ok, summary.failed
        manifest = AudioManifest.load(self.paths)
        self.durations = manifest.planning_durations()
        config = self.inputs.config
        assert self.log is not None
        self.context = AirContext(
            config=config,
            scripts=self.inputs.by_id,
            audio=SegmentAudioSource(self.paths, config, manifest),
            sink=self.card,
            speakers={zone.id: ZoneSpeakers.from_zone(zone) for zone in config.zones},
            log=self.log,
            air=self.air,
            clock=self.clock,
            alarms=Alarms(self.clock),
        )

    def _airable(self) -> list:
        return self.context.audio.manifest.airable(self.inputs.scripts)

    # -- BroadcastDaemon.reload, AiringScheduler.reschedule and _air ----------------------

    def _arrive(self, arrival: Arrival) -> None:
        write_scripts(self.paths, arrival.files, arrival.moment)
        if not self.up:
            return  # a stopped daemon finds them when it starts
        assert self.log is not None
        self.inputs = read_inputs(self.paths, self.inputs)
        note_arrivals(self.log, self.inputs.scripts, self.clock.now())
        self._render()
        self._reschedule()

    def _reschedule(self) -> None:
        assert self.log is not None
        now = self.clock.now()
        plan = plan_days(
            self.inputs.config, self._airable(), now.date(), self.log, PLAN_DAYS, self.durations
        )
        self.pending = upcoming_airings(
            plan.items,
            now,
            self.world.grace,
            self.log,
            pending=self.pending,
            started=self.started,
        )

    def _air(self, item_id: str) -> None:
        item = self.pending.pop(item_id)
        now = self.clock.now()
        # The sequential simulation must not make an airing late: slots are far apart.
        assert now <= item.start + self.world.grace, f"{item_id} would be a missed job"
        if item_id in self.started:
            return
        self.started.add(item_id)
        stop = next((e for e in self._events if e.stop), None)
        self.card.crash_at = stop.moment if stop is not None else None
        self.card.interrupt = self._emergency_during_plays()
        try:
            runner = begin_airing(self.context, item)
            self.run_record.aired.append((runner.item, now))
            runner.run()
        except Crash:
            self.run_record.crashes_in_play.append(self.clock.now())
            assert stop is not None
            self._events.remove(stop)
            self._die()
        finally:
            self.card.crash_at, self.card.interrupt = None, None
            self._join_bulletins()

    def _emergency_during_plays(self) -> Interrupt | None:
        """The next emergency, sent from inside the play in progress at its moment."""
        due = next((e for e in self._events if e.emergency is not None), None)
        if due is None or due.emergency is None:
            return None
        emergency = due.emergency

        def prepare() -> Callable[[], None]:
            self._events.remove(due)
            return self._bulletin(emergency)  # sent while the play it cuts is waited on

        zones = self.inputs.config.expand_zones(emergency.zones)
        return Interrupt(emergency.moment, frozenset(zones), prepare)

    # -- BroadcastDaemon._announce -------------------------------------------------------

    def _announce(self, emergency: Emergency) -> None:
        self._bulletin(emergency)()
        self._join_bulletins()

    def _bulletin(self, emergency: Emergency) -> Callable[[], None]:
        """The control server's ``announce``: the bulletin made now; sending it airs it."""
        assert self.up, "the simulation sends emergencies only while the daemon runs"
        request = parse_announcement(
            {
                "text": emergency.text,
                "zones": list(emergency.zones),
                "priority": "emergency",
                "sender": emergency.sender,
            },
            config=self.context.config,
        )
        bulletin = self.announcer.bulletin(self.context, request)
        self.run_record.bulletins.append(bulletin.id)
        return lambda: self.announcer.air(self.context, bulletin, request)

    @staticmethod
    def _join_bulletins() -> None:
        for thread in threading.enumerate():
            if thread.name.startswith("bulletin-"):
                thread.join()
