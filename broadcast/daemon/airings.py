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
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from broadcast.daemon.air import ProgramTurn
from broadcast.daemon.attempts import record_not_aired
from broadcast.daemon.context import AirContext
from broadcast.daemon.inputs import Inputs
from broadcast.daemon.ip_zones import ip_zone_ids, wired_plan, without_zones
from broadcast.daemon.rehearsal import Rehearsal
from broadcast.daemon.restart import begin_airing, upcoming_airings
from broadcast.playlog import Outcome, Reason
from broadcast.playlog.history import plan_days, plannable
from broadcast.schedule import Plan, PlanItem

logger = logging.getLogger("broadcast.daemon")
EARLIER_FIRST_SECONDS = 2.0  # at most this long for an earlier airing's job to fire

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
        on_rescheduled: Callable[[], None] | None = None,
    ):
        self._current = current
        self._lock = lock
        self._timezone = timezone
        self._grace = grace
        self._prepare_ahead = prepare_ahead
        self._start_ahead = start_ahead
        self._rehearsal = rehearsal
        self._finished = finished
        self._on_rescheduled = on_rescheduled  # the IP clusters are planned again after it
        self._started_at: datetime | None = None
        self._pending: dict[str, PlanItem] = {}
        self._running: dict[str, PlanItem] = {}
        self._started: set[str] = set()
        self._rehearsed: Plan | None = None  # a rehearsal's timetable, every zone's
        self._rescheduling = threading.Lock()  # in turn: an older plan never lands last
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

    def plan(self, first_day: date, days: int) -> Plan:
        """The plan of every zone, as ``broadcast plan`` shows it (IP zones included). In a
        rehearsal, the rehearsal's timetable: its IP clusters play it at the same seconds as
        the wired zones (nothing before it is made)."""
        if self._rehearsal is not None:
            with self._lock:
                rehearsed = self._rehearsed
            if rehearsed is None:
                midnight = datetime.combine(first_day, clock_time(), self._timezone)
                return Plan(midnight, midnight, ())
            return rehearsed
        return self._day_plan(first_day, days)

    def _day_plan(self, first_day: date, days: int) -> Plan:
        with self._lock:
            inputs, context, durations = self._current()
        manifest, approvals = context.audio.manifest, context.approval_log
        scripts, _ = plannable(inputs.config, inputs.scripts, manifest, approvals)
        return plan_days(
            inputs.config, scripts, first_day, context.log, days=days, durations=durations
        )

    def reschedule(self) -> None:
        """Make the scheduler's jobs match the plan of today and tomorrow.

        One reschedule at a time, with the daemon's lock held only to swap what is pending:
        status and commands answer while the plan is made and the jobs are set (each job reads
        its airing from what is pending when it runs; an airing's id holds its instant)."""
        if not self._scheduler.running or self._current().context.air.stopping.is_set():
            return
        with self._rescheduling:
            now = self._current().context.clock.now()
            plan = self._wired_plan(now.date(), PLAN_DAYS) if self._rehearsal is None else None
            with self._lock:
                items = self._upcoming(now, plan)
                self._pending = dict(items)  # airings starting take theirs out of this one
            self._replace_jobs(now, items)
        logger.info("lịch: %d lượt phát sắp tới", len(items), extra={"event": "rescheduled"})
        if self._on_rescheduled is not None:
            self._on_rescheduled()

    def _wired_plan(self, first_day: date, days: int) -> Plan:
        """What the daemon airs: the plan without the zones IP clusters play (``ip_zones``)."""
        return wired_plan(self._day_plan(first_day, days), self._current().inputs.config)

    def _replace_jobs(self, now: datetime, items: dict[str, PlanItem]) -> None:
        for job in self._scheduler.get_jobs():
            for prefix in (JOB_PREFIX, PREPARE_PREFIX):
                if job.id.startswith(prefix) and job.id[len(prefix) :] not in items:
                    job.remove()
        for item_id, item in items.items():
            # The scheduler applies the grace rule itself: a job past it (the daemon
            # restarted late, the wall clock jumped) is a missed event, never a late play.
            grace = int(self._grace.total_seconds())
            self._schedule(self._air, JOB_PREFIX, item_id, item.start - self._start_ahead, grace)
            # Its audio is loaded ahead: at once for an airing due soon (the first one
            # after a start included), else by a job shortly before its instant.
            at = max(now, item.start - self._prepare_ahead)
            self._schedule(self._prepare, PREPARE_PREFIX, item_id, at, None)

    def _schedule(
        self, job: Callable[[str], None], prefix: str, item_id: str, at: datetime, grace: int | None
    ) -> None:
        """A date job for the airing; one already set for that instant is left as it is: the
        job reads its airing when it runs, and a reload of thousands of airings changes few."""
        scheduled = self._scheduler.get_job(prefix + item_id)
        if scheduled is not None and scheduled.next_run_time == at:
            return
        self._scheduler.add_job(
            job,
            "date",
            run_date=at,
            args=[item_id],
            id=prefix + item_id,
            replace_existing=True,
            misfire_grace_time=grace,
        )

    def _prepare(self, item_id: str) -> None:
        with self._lock:
            item, context = self._pending.get(item_id), self._current().context
        if item is not None:
            context.audio.prepare(item.segments)

    def _upcoming(self, now: datetime, plan: Plan | None) -> dict[str, PlanItem]:
        """The airings to schedule now: ``plan``'s, or with none a rehearsal's."""
        if plan is not None:
            log = self._current().context.log
            return upcoming_airings(
                plan.items, now, self._grace, log, pending=self._pending, started=self._started
            )
        if self._started or self._rehearsal is None:
            return self._pending  # a rehearsal is planned once
        return {item.id: item for item in self._rehearsal_items(now, self._rehearsal)}

    def _rehearsal_items(self, now: datetime, rehearsal: Rehearsal) -> list[PlanItem]:
        """The rehearsed day's items (today's unless told) moved to now, IP zones included
        (their clusters keep the same seconds); the daemon airs them without those zones."""
        plan = self._day_plan(rehearsal.day or now.date(), 1)
        context = self._current().context
        ip_zones = ip_zone_ids(context.config)
        if ip_zones:
            # Chime and media levelled before the times are set (seconds, in a process of its
            # own): the clusters' plan is made of them, and must reach them before its start.
            for item in plan.items:
                context.audio.prepare(item.segments, script_limit=0)
            now = context.clock.now()
        items = rehearsal.items(plan.items, now, context)
        with self._lock:
            self._rehearsed = replace(plan, items=tuple(items))
        wired = without_zones(items, ip_zones)
        if not wired:
            self._finished.set()  # nothing to air (or all held back): the rehearsal is over
        return list(wired)

    # -- the airings -------------------------------------------------------------------

    def _air(self, item_id: str) -> None:
        taken = self._take(item_id)
        if taken is None:
            return
        context, item, turn = taken
        try:
            runner = begin_airing(context, item)
            with self._lock:
                self._running[item_id] = runner.item
            runner.run(turn)
        except Exception:
            logger.exception("lỗi khi phát %s", item_id, extra={"event": "program_failed"})
        finally:
            with self._lock:
                self._running.pop(item_id, None)
                finished = self._rehearsal is not None and not (self._pending or self._running)
        if finished:
            self._finished.set()

    def _take(self, item_id: str) -> tuple[AirContext, PlanItem, ProgramTurn] | None:
        """The due airing, out of the pending ones, with its place among programs on its
        zones. Two due at once (a late start): the earlier planned takes its place first."""
        waited_until = time.monotonic() + EARLIER_FIRST_SECONDS
        while True:
            with self._lock:
                context = self._current().context
                item = self._pending.get(item_id)
                if item is None or item_id in self._started or context.air.stopping.is_set():
                    return None
                if not self._earlier_due(item) or time.monotonic() > waited_until:
                    del self._pending[item_id]
                    self._started.add(item_id)
                    zones = item.zones
                    return context, item, context.air.reserve_program((item.start, item_id), zones)
            time.sleep(0.05)  # its job fires at the same moment: let it take its place

    def _earlier_due(self, item: PlanItem) -> bool:
        due = self._current().context.clock.now() + self._start_ahead
        return any(
            other.start < item.start and other.start <= due and set(other.zones) & set(item.zones)
            for other in self._pending.values()
        )

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
