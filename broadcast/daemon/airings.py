"""The timetable on the air: the APScheduler jobs of the airings, and which are still to come,
started or playing.

One date job per planned airing of today and tomorrow (``airing:<id>``, started a little ahead
of its instant), and one that loads its audio before it (``prepare:<id>``). The jobs are made
again from the plan (``plan_days``, the same planning as ``broadcast plan``) whenever the
inputs change, so a restart needs no saved state.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from broadcast.daemon.attempts import record_not_aired
from broadcast.daemon.context import AirContext
from broadcast.daemon.inputs import Inputs
from broadcast.daemon.rehearsal import Rehearsal
from broadcast.daemon.restart import begin_airing, upcoming_airings
from broadcast.playlog import Outcome, Reason
from broadcast.playlog.history import plan_days
from broadcast.schedule import Plan, PlanItem

logger = logging.getLogger("broadcast.daemon")

JOB_PREFIX = "airing:"
PREPARE_PREFIX = "prepare:"
PLAN_DAYS = 2  # today and tomorrow: a restart just after midnight still knows the next slots


class Current(NamedTuple):
    """What airings are planned and aired from now; the daemon replaces it on every change."""

    inputs: Inputs
    context: AirContext
    durations: Mapping[str, float]  # rendered durations the planner counts with


class AiringScheduler:
    """Owns the scheduler and the airings' state: pending (scheduled, not started), started
    (or missed) by this run, and running.

    ``lock`` is the daemon's own: a reschedule plans from the current inputs and replaces the
    timetable under it, so ``status`` never sees the one without the other.
    """

    def __init__(
        self,
        current: Callable[[], Current],
        *,
        lock: threading.RLock,
        timezone: ZoneInfo,
        grace: timedelta,
        prepare_ahead: timedelta,
        start_ahead: timedelta,
        rehearsal: Rehearsal | None,
        finished: threading.Event,  # set when a rehearsal has nothing left to air
    ):
        self._current = current
        self._lock = lock
        self._grace = grace
        self._prepare_ahead = prepare_ahead
        self._start_ahead = start_ahead
        self._rehearsal = rehearsal
        self._finished = finished
        self._started_at: datetime | None = None
        self._pending: dict[str, PlanItem] = {}
        self._running: dict[str, PlanItem] = {}
        self._started: set[str] = set()
        self._scheduler = BackgroundScheduler(
            timezone=timezone,
            executors={"default": ThreadPoolExecutor(8)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self._scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)

    # -- the scheduler -----------------------------------------------------------------

    def start(self, started_at: datetime) -> None:
        """Run jobs from now on; an airing due before ``started_at`` and missed was down time."""
        self._started_at = started_at
        self._scheduler.start()

    def replan_daily(self) -> None:
        """Plan again every night, so the timetable always reaches into tomorrow."""
        self._scheduler.add_job(
            self.reschedule, "cron", hour=0, minute=0, second=30, id="replan-daily"
        )

    def every(self, interval: timedelta, job: Callable[[], None], job_id: str) -> None:
        """Run the daemon's ``job`` on this scheduler every ``interval``."""
        self._scheduler.add_job(job, "interval", seconds=interval.total_seconds(), id=job_id)

    def wakeup(self) -> None:
        """Check the jobs now rather than at the next one's time (see the daemon's heartbeat)."""
        self._scheduler.wakeup()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)  # running programs finish their item's logging

    def pending(self) -> list[PlanItem]:
        with self._lock:
            return list(self._pending.values())

    def running(self) -> list[PlanItem]:
        with self._lock:
            return list(self._running.values())

    # -- the timetable -----------------------------------------------------------------

    def _plan(self, first_day: date, days: int) -> Plan:
        with self._lock:
            inputs, context, durations = self._current()
        scripts = context.audio.manifest.airable(inputs.scripts)
        return plan_days(
            inputs.config, scripts, first_day, context.log, days=days, durations=durations
        )

    def reschedule(self) -> None:
        """Make the scheduler's jobs match the plan of today and tomorrow."""
        if not self._scheduler.running or self._current().context.air.stopping.is_set():
            return
        with self._lock:
            now = self._current().context.clock.now()
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
                    run_date=item.start - self._start_ahead,
                    args=[item_id],
                    id=JOB_PREFIX + item_id,
                    replace_existing=True,
                    misfire_grace_time=int(self._grace.total_seconds()),
                )
                # Its audio is loaded ahead: at once for an airing due soon (the first one
                # after a start included), else by a job shortly before its instant.
                self._scheduler.add_job(
                    self._prepare,
                    "date",
                    run_date=max(now, item.start - self._prepare_ahead),
                    args=[item_id],
                    id=PREPARE_PREFIX + item_id,
                    replace_existing=True,
                    misfire_grace_time=None,
                )
            self._pending = items
        logger.info("lịch: %d lượt phát sắp tới", len(items), extra={"event": "rescheduled"})

    def _prepare(self, item_id: str) -> None:
        with self._lock:
            item, context = self._pending.get(item_id), self._current().context
        if item is not None:
            context.audio.prepare(item.segments)

    def _upcoming(self, now: datetime) -> dict[str, PlanItem]:
        rehearsal = self._rehearsal
        if rehearsal is not None:
            if self._started:
                return self._pending  # a rehearsal is planned once
            return {item.id: item for item in self._rehearsal_items(now, rehearsal)}
        plan = self._plan(now.date(), PLAN_DAYS).items
        log = self._current().context.log
        return upcoming_airings(
            plan, now, self._grace, log, pending=self._pending, started=self._started
        )

    def _rehearsal_items(self, now: datetime, rehearsal: Rehearsal) -> list[PlanItem]:
        plan = self._plan(now.date(), 1).items
        items = rehearsal.items(plan, now, self._current().context)
        if not items:
            self._finished.set()  # nothing to air (or all held back): the rehearsal is over
        return items

    # -- the airings -------------------------------------------------------------------

    def _air(self, item_id: str) -> None:
        with self._lock:
            context = self._current().context
            item = self._pending.pop(item_id, None)
            if item is None or item_id in self._started or context.air.stopping.is_set():
                return
            self._started.add(item_id)
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
                finished = self._rehearsal is not None and not (self._pending or self._running)
        if finished:
            self._finished.set()

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
            down = self._started_at is not None and item.start < self._started_at
            reason = Reason.DAEMON_DOWN if down else Reason.CLOCK_JUMP
            context = self._current().context
            record_not_aired(context, item, item.segments, reason, outcome=Outcome.MISSED)
