"""``broadcast run``: the daemon that puts the plan on the air at the planned second.

APScheduler (memory job store) holds one date job per planned airing of today and tomorrow;
the jobs are made again from the plan whenever the inputs change, so a restart needs no saved
state. What plays is always decided by the planner (``plan_days``), the same code that
``broadcast plan`` shows. Scripts are rendered ahead in the background after every change; at
start, those with no audio at all first get the offline voice, so no slot waits on a network.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from broadcast.audio.manifest import AudioManifest
from broadcast.clock import Clock, SystemClock
from broadcast.config.tts import TtsSettings
from broadcast.control import (
    ANNOUNCE,
    CANCEL,
    RELOAD,
    SKIP,
    STATUS,
    STOP,
    ControlServer,
    Handler,
    parse_announcement,
    parse_cancel,
    parse_cut,
    without_args,
)
from broadcast.daemon.air import AirControl
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.announcer import Announcer
from broadcast.daemon.daemon_log import setup_daemon_logging
from broadcast.daemon.inputs import Inputs, read_inputs
from broadcast.daemon.notify import SystemdNotifier, status_line
from broadcast.daemon.rehearsal import Rehearsal
from broadcast.daemon.render_ahead import RenderAhead
from broadcast.daemon.restart import (
    begin_airing,
    missed_while_down,
    note_arrivals,
    note_arrivals_at_start,
    upcoming_airings,
)
from broadcast.daemon.runner import AirContext, record_not_aired
from broadcast.daemon.segment_audio import AudioMemory, SegmentAudioSource
from broadcast.daemon.status import HEARTBEAT_SECONDS, DaemonStatus, last_heartbeat, write_status
from broadcast.daemon.status_snapshot import snapshot
from broadcast.daemon.technician import take_off
from broadcast.daemon.watcher import Changes, ChangeWatcher
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome, PlayLog, Reason
from broadcast.playlog.history import plan_days
from broadcast.schedule import Plan, PlanItem
from broadcast.scripts.model import Script
from broadcast.sinks.protocol import AudioSink, ZoneHealth, ZoneSpeakers

logger = logging.getLogger("broadcast.daemon")

DEFAULT_GRACE = timedelta(minutes=5)
# Audio made by a fallback engine (gTTS unreachable) is rendered again this often, so the
# preferred voice comes back on its own once the network does.
DEFAULT_RENDER_RETRY = timedelta(minutes=15)
JOB_PREFIX = "airing:"
PREPARE_PREFIX = "prepare:"
PREPARE_AHEAD = timedelta(seconds=20)  # an airing's audio is loaded this long before it
PLAN_DAYS = 2  # today and tomorrow: a restart just after midnight still knows the next slots


@dataclass(frozen=True)
class DaemonOptions:
    grace: timedelta = DEFAULT_GRACE
    prepare_ahead: timedelta = PREPARE_AHEAD  # an airing's audio is loaded this long before
    render_ahead: bool = True
    render_retry: timedelta = DEFAULT_RENDER_RETRY
    offline: bool = False  # render with offline engines only
    rehearsal: Rehearsal | None = None
    control_port: int = 0
    watch_interval: float = 1.0
    sink_label: str = "sound"
    console_log: bool | None = True  # None: leave logging to the caller (tests)


class BroadcastDaemon:
    """Built whole — inputs read, play log open, scheduler made — then ``start`` goes on air.

    Construction raises ``InputError`` when the configuration is invalid, before anything runs.
    """

    def __init__(
        self,
        paths: ProjectPaths,
        sink: AudioSink,
        *,
        clock: Clock | None = None,
        options: DaemonOptions | None = None,
    ):
        self.paths = paths
        self.options = options or DaemonOptions()
        if self.options.console_log is not None:
            setup_daemon_logging(paths, console=self.options.console_log)
        self.sink = sink
        self._down_since = last_heartbeat(paths)  # read before this run's first beat
        self._watcher = ChangeWatcher(paths, interval=self.options.watch_interval)
        self._watcher.prime()  # edits made while loading are still reported afterwards
        self.inputs = read_inputs(paths)
        timezone = self.inputs.config.timezone
        self.clock: Clock = clock or SystemClock(timezone)
        self.alarms = Alarms(self.clock)
        self.air = AirControl()
        self.log = PlayLog.open(paths, timezone=timezone)
        note_arrivals_at_start(
            self.log, self.inputs.scripts, self.clock.now(), paths.home, self._down_since
        )
        self.stopped = threading.Event()
        self.stop_requested = threading.Event()  # set by signals, or by a rehearsal's end
        self._lock = threading.RLock()
        self._pending: dict[str, PlanItem] = {}  # scheduled, not started
        self._running: dict[str, PlanItem] = {}
        self._started: set[str] = set()
        self._announcer = Announcer(paths)
        self._render_ahead = RenderAhead(paths, self.alarms, self._render_inputs, self._rendered)
        self._audio_memory = AudioMemory()  # levelled and read-ahead audio, kept across edits
        self.context, self._durations = self._build_context(self.inputs)
        self._scheduler = BackgroundScheduler(
            timezone=timezone,
            executors={"default": ThreadPoolExecutor(8)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self._scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._control = (
            None
            if self.options.rehearsal is not None
            else ControlServer(paths, self._control_handlers(), port=self.options.control_port)
        )
        self._beating = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        self._systemd = SystemdNotifier.from_environment()
        self.started_at: datetime | None = None
        self.zone_health: dict[str, ZoneHealth] = {}  # as of the last heartbeat

    # -- start and stop ----------------------------------------------------------------

    def start(self) -> None:
        """Go on air: render what has no audio, schedule the plan, start watching and serving."""
        self.started_at = self.clock.now()
        if self.options.render_ahead:
            self._render_ahead.first_pass()  # audio is never made at air time if avoidable
        self._scheduler.start()
        if self.options.rehearsal is None:
            with self._lock:
                context, durations = self.context, self._durations
                scripts = context.audio.manifest.airable(self.inputs.scripts)
            missed = missed_while_down(
                context, scripts, durations, self._down_since, self.options.grace
            )
            if missed:
                logger.warning(
                    "%d lượt phát bị lỡ khi chương trình không chạy (ghi nhật ký: daemon_down)",
                    missed,
                    extra={"event": "missed_while_down"},
                )
            self._watcher.start(self._on_changes)
            if self._control is not None:
                self._control.start()
            self._scheduler.add_job(
                self._reschedule, "cron", hour=0, minute=0, second=30, id="replan-daily"
            )
            if self.options.render_ahead:
                self._scheduler.add_job(
                    self._retry_render,
                    "interval",
                    seconds=self.options.render_retry.total_seconds(),
                    id="render-retry",
                )
        self._alarm_input_problems(self.inputs)  # e.g. started on the last good timetable
        self._reschedule()
        if self.options.render_ahead:
            threading.Thread(target=self._render, name="render-ahead", daemon=True).start()
        self._heartbeat()
        self._systemd.ready()  # on air: a Type=notify unit's start is over
        self._beating.start()
        logger.info(
            "đang chạy: %d kịch bản, %d khu vực; thư mục %s",
            len(self.inputs.scripts),
            len(self.inputs.config.zones),
            self.paths.home,
            extra={"event": "daemon_started"},
        )

    def stop(self) -> None:
        """Stop cleanly: audio faded out, every log row completed, files removed."""
        if self.stopped.is_set():
            return
        logger.info("đang dừng", extra={"event": "daemon_stopping"})
        self._systemd.stopping()
        self.air.stop_everything()
        self._watcher.stop()
        if self._control is not None:
            self._control.stop()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)  # running programs finish their item's logging
        if self._beating.is_alive():
            self._beating.join()
        self._heartbeat(stopping=True)
        self.log.close()
        self.stopped.set()
        logger.info("đã dừng", extra={"event": "daemon_stopped"})

    def _control_handlers(self) -> dict[str, Handler]:
        return {
            STATUS: without_args(STATUS, lambda: self.status().to_json()),
            ANNOUNCE: self._announce,
            RELOAD: without_args(RELOAD, self.reload),
            SKIP: lambda args: self._take_off(SKIP, args),
            STOP: lambda args: self._take_off(STOP, args),
            CANCEL: self._cancel,
        }

    # -- inputs ------------------------------------------------------------------------

    def _build_context(self, inputs: Inputs) -> tuple[AirContext, dict[str, float]]:
        """What programs air from, and the rendered durations the planner counts with."""
        manifest = AudioManifest.load(self.paths)
        rehearsal = self.options.rehearsal
        context = AirContext(
            config=inputs.config,
            scripts=inputs.by_id,
            audio=SegmentAudioSource(self.paths, inputs.config, manifest, self._audio_memory),
            sink=self.sink,
            speakers=ZoneSpeakers.all_from(inputs.config.zones),
            log=self.log,
            air=self.air,
            clock=self.clock,
            alarms=self.alarms,
            excerpt_seconds=rehearsal.excerpt_seconds if rehearsal else None,
        )
        return context, manifest.planning_durations()

    def reload(self) -> dict[str, object]:
        """Read the inputs again now; an invalid edit keeps the last good state (and says so)."""
        with self._lock:
            inputs = read_inputs(self.paths, self.inputs)
            note_arrivals(self.log, inputs.scripts, self.clock.now())
            self.inputs = inputs
            self.context, self._durations = self._build_context(inputs)
        self._alarm_input_problems(inputs)
        self._reschedule()
        if self.options.render_ahead:
            threading.Thread(target=self._render, name="render-ahead", daemon=True).start()
        return {"ok": not inputs.problems, "problems": [str(p) for p in inputs.problems]}

    def _alarm_input_problems(self, inputs: Inputs) -> None:
        if inputs.problems:
            self.alarms.raise_alarm(
                AlarmCode.INPUT_INVALID,
                "có tệp sửa sai, vẫn dùng bản đúng trước đó: "
                + "; ".join(str(p) for p in inputs.problems[:5]),
            )
        else:
            self.alarms.clear(AlarmCode.INPUT_INVALID)

    def _on_changes(self, changes: Changes) -> None:
        logger.info(
            "thay đổi: %s",
            ", ".join(self.paths.relative(p) for p in sorted(changes.paths)[:10]),
            extra={"event": "inputs_changed"},
        )
        self.reload()

    def _render(self) -> None:
        self._render_ahead.run()
        self._reschedule()

    def _retry_render(self) -> None:
        """Audio left to a fallback engine (or none): try the preferred engine again."""
        if self._render_ahead.incomplete:
            self._render()

    def _render_inputs(self) -> tuple[TtsSettings, list[Script]]:
        with self._lock:
            inputs = self.inputs
        settings = inputs.config.tts
        return (settings.offline() if self.options.offline else settings), list(inputs.scripts)

    def _rendered(self) -> None:
        with self._lock:
            self.context, self._durations = self._build_context(self.inputs)

    # -- the timetable -----------------------------------------------------------------

    def _plan(self, first_day, days: int) -> Plan:
        with self._lock:
            inputs, durations, manifest = self.inputs, self._durations, self.context.audio.manifest
        scripts = manifest.airable(inputs.scripts)
        return plan_days(
            inputs.config, scripts, first_day, self.log, days=days, durations=durations
        )

    def _reschedule(self) -> None:
        """Make the scheduler's jobs match the plan of today and tomorrow."""
        if not self._scheduler.running or self.air.stopping.is_set():
            return
        with self._lock:
            now = self.clock.now()
            items = self._upcoming(now)
            for job in self._scheduler.get_jobs():
                for prefix in (JOB_PREFIX, PREPARE_PREFIX):
                    if job.id.startswith(prefix) and job.id[len(prefix) :] not in items:
                        job.remove()
            for item_id, item in items.items():
                # The scheduler applies the grace rule itself: a job past it (the daemon
                # restarted late, the wall clock jumped) is a missed event, never a late play.
                self._scheduler.add_job(
                    self._air,
                    "date",
                    run_date=item.start,
                    args=[item_id],
                    id=JOB_PREFIX + item_id,
                    replace_existing=True,
                    misfire_grace_time=int(self.options.grace.total_seconds()),
                )
                # Its audio is loaded ahead: at once for an airing due soon (the first one
                # after a start included), else by a job shortly before its instant.
                self._scheduler.add_job(
                    self._prepare,
                    "date",
                    run_date=max(now, item.start - self.options.prepare_ahead),
                    args=[item_id],
                    id=PREPARE_PREFIX + item_id,
                    replace_existing=True,
                    misfire_grace_time=None,
                )
            self._pending = items
        logger.info("lịch: %d lượt phát sắp tới", len(items), extra={"event": "rescheduled"})

    def _prepare(self, item_id: str) -> None:
        with self._lock:
            item, context = self._pending.get(item_id), self.context
        if item is not None:
            context.audio.prepare(item.segments)

    def _upcoming(self, now: datetime) -> dict[str, PlanItem]:
        rehearsal = self.options.rehearsal
        if rehearsal is not None:
            if self._started:
                return self._pending  # a rehearsal is planned once
            return {item.id: item for item in self._rehearsal_items(now, rehearsal)}
        plan = self._plan(now.date(), PLAN_DAYS).items
        return upcoming_airings(
            plan, now, self.options.grace, self.log, pending=self._pending, started=self._started
        )

    def _rehearsal_items(self, now: datetime, rehearsal: Rehearsal) -> list[PlanItem]:
        items = rehearsal.items(self._plan(now.date(), 1).items, now, self.context)
        if not items:
            self.stop_requested.set()  # nothing to air (or all held back): the rehearsal is over
        return items

    def _air(self, item_id: str) -> None:
        with self._lock:
            item = self._pending.pop(item_id, None)
            if item is None or item_id in self._started or self.air.stopping.is_set():
                return
            self._started.add(item_id)
            context = self.context
        try:
            runner = begin_airing(context, item)
            with self._lock:
                self._running[item_id] = runner.item
            runner.run()
        except Exception:
            logger.exception("lỗi khi phát %s", item_id, extra={"event": "program_failed"})
        finally:
            with self._lock:
                self._running.pop(item_id, None)
                finished = self.options.rehearsal is not None and not (
                    self._pending or self._running
                )
        if finished:
            self.stop_requested.set()

    def _on_missed(self, event: JobExecutionEvent) -> None:
        """A job past its grace time (the wall clock jumped): logged, never played late."""
        if not event.job_id.startswith(JOB_PREFIX):
            return
        item_id = event.job_id[len(JOB_PREFIX) :]
        with self._lock:
            item = self._pending.pop(item_id, None)
            self._started.add(item_id)
        if item is not None:
            # Due before this start: a restart just past the grace period, not the clock.
            down = self.started_at is not None and item.start < self.started_at
            reason = Reason.DAEMON_DOWN if down else Reason.CLOCK_JUMP
            record_not_aired(self.context, item, item.segments, reason, outcome=Outcome.MISSED)

    # -- what the technician sees ------------------------------------------------------

    def _beat(self) -> None:
        """The heartbeat, on monotonic time: an interval job would fall silent for as long as
        the wall clock was stepped back. Each beat also wakes the scheduler, which otherwise
        sleeps until its next job and would oversleep a wall clock stepped forward."""
        while not self.air.stopping.wait(HEARTBEAT_SECONDS):
            self._scheduler.wakeup()
            try:
                self._heartbeat()
            except Exception:  # a status file that cannot be written must not stop the beat
                logger.exception("lỗi ghi trạng thái", extra={"event": "heartbeat_failed"})
            # Only a beat that came back (even failing) says the daemon is not hung; one stuck
            # on the sink or a lock goes silent, and systemd's watchdog restarts the daemon.
            self._systemd.watchdog()

    def _heartbeat(self, stopping: bool = False) -> None:
        if not stopping:
            # The sink is asked once a heartbeat; alarms and ``status`` both read the answer.
            speakers = self.context.speakers
            answers = self.sink.health(list(speakers.values()))
            self.zone_health = {health.zone_id: health for health in answers}
            for health in answers:
                if health.playable:
                    self.alarms.clear(AlarmCode.DEVICE_MISSING, health.zone_id)
                else:
                    self.alarms.raise_alarm(
                        AlarmCode.DEVICE_MISSING,
                        f"khu vực {health.zone_id}: {health.problem}",
                        health.zone_id,
                    )
        status = self.status(stopping=stopping)
        write_status(self.paths, status)
        self._systemd.status(status_line(status))

    def status(self, stopping: bool = False) -> DaemonStatus:
        with self._lock:
            return snapshot(
                self,
                pending=list(self._pending.values()),
                running=list(self._running.values()),
                stopping=stopping,
                pid=os.getpid(),
            )

    def _announce(self, args: dict) -> dict[str, object]:
        with self._lock:
            context = self.context
        config = context.config
        request = parse_announcement(args, config=config)
        bulletin = self._announcer.bulletin(context, request)
        self._announcer.air(context, bulletin, request)
        return {"id": bulletin.id, "zones": list(bulletin.zones), "priority": bulletin.priority}

    def _take_off(self, command: str, args: dict) -> dict[str, object]:
        with self._lock:
            context = self.context
        return take_off(context, command, parse_cut(command, args, context.config))

    def _cancel(self, args: dict) -> dict[str, object]:
        with self._lock:
            context = self.context
        bulletin = self._announcer.cancel(context, parse_cancel(args))
        return {"id": bulletin.id, "zones": list(bulletin.zones)}
