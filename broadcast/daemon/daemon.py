"""``broadcast run``: the daemon that puts the plan on the air at the planned second.

It builds and holds what airings need (inputs, play log, sink, ``AirContext``), hands the
timetable to ``AiringScheduler`` (``airings.py``), serves the control channel and beats the
heartbeat. What plays is always decided by the planner (``plan_days``), the same code that
``broadcast plan`` shows. Scripts are rendered ahead in the background after every change; at
start, those with no audio at all first get the offline voice, so no slot waits on a network.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from datetime import datetime

from broadcast.audio.manifest import AudioManifest
from broadcast.clock import Clock, SystemClock
from broadcast.config.tts import TtsSettings
from broadcast.control import ControlServer
from broadcast.daemon.air import AirControl
from broadcast.daemon.airings import AiringScheduler, Current
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.announcer import Announcer
from broadcast.daemon.approval_watch import ApprovalWatch, approved_ids
from broadcast.daemon.beat_checks import check_devices, check_log_written
from broadcast.daemon.commands import DaemonCommands
from broadcast.daemon.context import AirContext
from broadcast.daemon.daemon_log import setup_daemon_logging
from broadcast.daemon.inputs import Inputs, read_inputs
from broadcast.daemon.ip_setup import follow_settings, rehearsal_has_clusters, station_for
from broadcast.daemon.ip_station import IpStation
from broadcast.daemon.notify import SystemdNotifier, status_line
from broadcast.daemon.options import DaemonOptions
from broadcast.daemon.render_ahead import RenderAhead
from broadcast.daemon.restart import missed_while_down, note_arrivals, note_arrivals_at_start
from broadcast.daemon.segment_audio import AudioMemory, SegmentAudioSource
from broadcast.daemon.status import HEARTBEAT_SECONDS, DaemonStatus, last_heartbeat, write_status
from broadcast.daemon.status_snapshot import snapshot
from broadcast.daemon.watcher import Changes, ChangeWatcher
from broadcast.paths import ProjectPaths
from broadcast.playlog import open_for_air
from broadcast.playlog.history import plannable
from broadcast.scripts.model import Script
from broadcast.sinks.protocol import AudioSink, ZoneHealth, ZoneSpeakers

__all__ = ["BroadcastDaemon", "DaemonOptions"]

logger = logging.getLogger("broadcast.daemon")

BULLETIN_STOP_SECONDS = 5.0  # a bulletin's fade and its rows; the stop is done within 10 s


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
        paths.make_private_data_dir()  # before the daemon writes anything there
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
        self.log, damaged = open_for_air(paths, now=self.clock.now(), timezone=timezone)
        if damaged is not None:  # airs on a new log; the damaged file is kept aside
            self.alarms.raise_alarm(AlarmCode.PLAYLOG_REPLACED, damaged)
        rehearsing = self.options.rehearsal is not None
        self._approvals = ApprovalWatch(paths, self.log, rehearsing, timezone)
        note_arrivals_at_start(
            self.log, self.inputs.scripts, self.clock.now(), paths.home, self._down_since
        )
        self.stopped = threading.Event()
        self.stop_requested = threading.Event()  # set by signals, or by a rehearsal's end
        self._lock = threading.RLock()
        self._reloading = threading.Lock()  # reloads in turn: an older one never lands last
        self._announcer = Announcer(paths)
        self._render_ahead = RenderAhead(
            paths,
            self.alarms,
            self._render_inputs,
            self._rendered,
            own_process=self.options.render_in_own_process,
        )
        self._audio_memory = AudioMemory.for_daemon()  # levelled, read ahead; kept across edits
        self._on_air_at_last_beat = False  # memory is given back when the air falls silent
        self.context, self._durations = self._build_context(self.inputs)
        # Bulletins waiting for their zones air the moment the zones are free.
        self.air.on_free = lambda freed: self._announcer.air_freed(self.context, freed)
        self._airings = AiringScheduler(
            self._current,
            lock=self._lock,
            timezone=timezone,
            grace=self.options.grace,
            prepare_ahead=self.options.prepare_ahead,
            start_ahead=self.options.start_ahead,
            rehearsal=self.options.rehearsal,
            finished=self.stop_requested,
            on_rescheduled=self._replan_clusters,
        )
        self.ip_station = self._ip_station()
        self._announcer.ip_out = self.ip_station.announce if self.ip_station else None
        self._control = (
            None
            if self.options.rehearsal is not None
            else ControlServer(paths, self._commands().handlers(), port=self.options.control_port)
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
            # audio is never made at air time if avoidable (nor refused there as not being
            # the approved text's)
            self._render_ahead.first_pass(self._approved_ids)
        self._airings.start(self.started_at)
        if self.options.rehearsal is None:
            with self._lock:
                context, durations = self.context, self._durations
                config, manifest = self.inputs.config, context.audio.manifest
                scripts, _ = plannable(config, self.inputs.scripts, manifest, context.approval_log)
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
                if self._control.port_notice is not None:  # airs all the same; says where
                    self.alarms.raise_alarm(AlarmCode.CONTROL_PORT_MOVED, self._control.port_notice)
            threading.Thread(
                target=self._announcer.prepare, args=(context,), name="chime", daemon=True
            ).start()
            self._announcer.air_unaired_after_restart(context)
            self._airings.replan_daily()
            if self.options.render_ahead:
                self._airings.every(self.options.render_retry, self._retry_render, "render-retry")
                self._airings.every(self.options.disk_retry, self._retry_disk, "render-retry-disk")
        self._alarm_input_problems(self.inputs)  # e.g. started on the last good timetable
        self._airings.reschedule()
        if self.options.render_ahead:
            threading.Thread(target=self._render, name="render-ahead", daemon=True).start()
        if self.ip_station is not None:
            self.ip_station.start()
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
        waiting = self.air.stop_everything()
        self._announcer.not_aired_at_stop(self.context, waiting)
        self._watcher.stop()
        if self._control is not None:
            self._control.stop()
        self._airings.shutdown()  # running programs finish their item's logging
        self._announcer.join(BULLETIN_STOP_SECONDS)  # bulletins too, after their fade
        if self.ip_station is not None:  # rows still coming in are sent again, and stored then
            self.ip_station.stop()
        if self._beating.is_alive():
            self._beating.join()
        self._heartbeat(stopping=True)
        self.log.close()
        self._approvals.close()
        self.stopped.set()
        logger.info("đã dừng", extra={"event": "daemon_stopped"})

    def _commands(self) -> DaemonCommands:
        return DaemonCommands(
            context=self._context_now,
            announcer=self._announcer,
            ip_station=lambda: self.ip_station,  # a reload may make it again
            status=lambda: self.status().to_json(),
            reload=self.reload,
        )

    def _context_now(self) -> AirContext:
        """The context in force, once a reload or a planning pass in progress is done."""
        with self._lock:
            return self.context

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
            resume_back_seconds=self.options.resume_back_seconds,
            grace_seconds=self.options.grace.total_seconds(),
            approvals=self._approvals.ward_log,
            current_scripts=self._scripts_now,
        )
        return context, manifest.planning_durations()

    def _ip_station(self) -> IpStation | None:
        """The station side of the IP clusters, when the ward has them (in a rehearsal, only
        clusters of its own: the ward's keep the real plan, ``ip_setup``)."""
        settings = self.inputs.config.ip_clusters
        if settings is None or not self.options.ip_clusters:
            return None
        if self.options.rehearsal and not rehearsal_has_clusters(self.paths):
            return None
        return station_for(
            self.paths,
            settings,
            log=self.log,
            alarms=self.alarms,
            clock=self.clock,
            planner=self._airings.plan,
            context=lambda: self.context,
        )

    def _replan_clusters(self) -> None:
        station = getattr(self, "ip_station", None)  # the first reschedule may come first
        if station is not None:
            station.replan()

    def _scripts_now(self) -> Mapping[str, Script]:
        return self.context.scripts

    def _approved_ids(self, scripts: list[Script], manifest: AudioManifest) -> set[str]:
        return approved_ids(self.inputs.config, scripts, manifest, self._approvals.log)

    def _replan_on_approvals(self) -> None:
        """An approval or a revocation written since the last look: planned again, as after
        an edit — a script approved now airs at its next slot, one revoked leaves the
        timetable — without a restart. Off the heartbeat's thread: a reload reads the folder,
        and the beat must go on."""
        if self._approvals.changed():
            threading.Thread(target=self._replan, name="approvals-replan", daemon=True).start()

    def _replan(self) -> None:
        if not self.air.stopping.is_set():  # a stop may have come since: its log is closed
            self.reload()

    def reload(self) -> dict[str, object]:
        """Read the inputs again now; an invalid edit keeps the last good state (and says so).

        The files are read and judged off the daemon's lock, one reload at a time: commands
        and airings go on with the state in force until the new one takes its place."""
        with self._reloading:
            inputs = read_inputs(self.paths, self.inputs)
            with self._lock:
                note_arrivals(self.log, inputs.scripts, self.clock.now())
                self.inputs = inputs
                self.context, self._durations = self._build_context(inputs)
            if self.options.rehearsal is None:  # off the lock: a plan pass may be asking it
                settings = inputs.config.ip_clusters if self.options.ip_clusters else None
                station = follow_settings(self.ip_station, settings, self._ip_station, self.alarms)
                self.ip_station = station
                self._announcer.ip_out = station.announce if station else None
        self._alarm_input_problems(inputs)
        self._airings.reschedule()
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
        self._airings.reschedule()

    def _retry_render(self) -> None:
        """Audio left to a fallback engine (or none): try the preferred engine again."""
        if self._render_ahead.incomplete:
            self._render()

    def _retry_disk(self) -> None:
        """Audio a full disk could not store: tried soon again, so it follows the space back."""
        if self._render_ahead.disk_full:
            self._render()

    def _render_inputs(self) -> tuple[TtsSettings, list[Script]]:
        with self._lock:
            inputs = self.inputs
        settings = inputs.config.tts
        return (settings.offline() if self.options.offline else settings), list(inputs.scripts)

    def _rendered(self) -> None:
        with self._lock:
            self.context, self._durations = self._build_context(self.inputs)

    def _current(self) -> Current:
        return Current(self.inputs, self.context, self._durations)

    # -- what the technician sees ------------------------------------------------------

    def _beat(self) -> None:
        """The heartbeat, on monotonic time: an interval job would fall silent for as long as
        the wall clock was stepped back. Each beat also wakes the scheduler, which otherwise
        sleeps until its next job and would oversleep a wall clock stepped forward."""
        while not self.air.stopping.wait(HEARTBEAT_SECONDS):
            self._airings.wakeup()
            try:
                self._heartbeat()
            except Exception:  # a status file that cannot be written must not stop the beat
                logger.exception("lỗi ghi trạng thái", extra={"event": "heartbeat_failed"})
            try:
                self._replan_on_approvals()
            except Exception:  # a log that cannot be read now is asked again next beat
                logger.exception("lỗi đọc sự kiện duyệt", extra={"event": "approvals_unreadable"})
            # Only a beat that came back (even failing) says the daemon is not hung; one stuck
            # on the sink or a lock goes silent, and systemd's watchdog restarts the daemon.
            self._systemd.watchdog()

    def _heartbeat(self, stopping: bool = False) -> None:
        if not stopping:
            self.zone_health = check_devices(self.sink, self.context.speakers, self.alarms)
            station = self.ip_station
            if station is not None:  # clusters silent too long, a broker unreachable
                station.check()
            check_log_written(self.log, self.alarms)
        status = self.status(stopping=stopping)
        write_status(self.paths, status)
        silent = not status.playing and not status.busy_zones
        if silent and self._on_air_at_last_beat:
            self._audio_memory.give_back()
        self._on_air_at_last_beat = not silent
        self._systemd.status(status_line(status))

    def status(self, stopping: bool = False) -> DaemonStatus:
        with self._lock:
            return snapshot(
                self,
                pending=self._airings.pending(),
                running=self._airings.running(),
                stopping=stopping,
                pid=os.getpid(),
            )
