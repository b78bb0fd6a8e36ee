"""The daemon's decisions that must hold across a restart, made from the play log.

A running daemon keeps in memory the airings it scheduled and started; a restart loses them.
The play log keeps what must survive: the plan each airing started with (``aired_plans``) and
when each script was first seen (``script_arrivals``). Decided from it, a restart never airs a
started airing with other content, and the time it was down is accounted for with only the
scripts it could have had. Plain functions of the log, the plan and the time, so the daemon
and the month simulation (``tests/reliability``, on a fake clock) run the same decisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from pathlib import Path

from broadcast.config import Config
from broadcast.daemon.context import AirContext
from broadcast.daemon.downtime import account_for_downtime, aired_parts, heard_parts
from broadcast.daemon.ip_zones import wired_plan
from broadcast.daemon.runner import ProgramRunner
from broadcast.playlog import PlayLog
from broadcast.playlog.history import approved_at, known_from, plan_as_known
from broadcast.schedule import Plan, PlanItem
from broadcast.scripts import file_saved_at
from broadcast.scripts.model import Script

DAY = timedelta(days=1)


def _unseen(log: PlayLog, scripts: Iterable[Script]) -> list[Script]:
    known = log.script_arrivals()
    return [script for script in scripts if script.id not in known]


def note_arrivals(log: PlayLog, scripts: Iterable[Script], now: datetime) -> None:
    """Record when each script was first in the folder: a script new to a running daemon
    arrived ``now``."""
    new = _unseen(log, scripts)
    if new:
        log.note_scripts_seen({script.id: now for script in new})


def note_arrivals_at_start(
    log: PlayLog,
    scripts: Iterable[Script],
    now: datetime,
    home: Path,
    down_since: datetime | None,
) -> None:
    """Scripts found new at start arrived while the daemon was down: not before its last
    heartbeat (``down_since``), nor before the file was last saved (a copy may keep an older
    time: then the heartbeat bounds it), and not after ``now``."""
    arrivals = {}
    for script in _unseen(log, scripts):
        saved = file_saved_at(home / script.source, now.tzinfo)
        candidates = [moment for moment in (down_since, saved) if moment is not None]
        arrivals[script.id] = min(now, max(candidates)) if candidates else now
    if arrivals:
        log.note_scripts_seen(arrivals)


def upcoming_airings(
    plan: Iterable[PlanItem],
    now: datetime,
    grace: timedelta,
    log: PlayLog,
    *,
    pending: Mapping[str, PlanItem],
    started: AbstractSet[str],
) -> dict[str, PlanItem]:
    """The airings of ``plan`` to schedule at ``now``, by id: those to come, and those due
    less than ``grace`` ago. ``pending``: scheduled by this run and not started yet;
    ``started``: started (or missed) by this run."""
    items: dict[str, PlanItem] = {}
    recorded: dict[str, PlanItem] | None = None  # read from the log when first needed
    for item in plan:
        if item.id in started:
            continue
        if item.id in pending:
            # Scheduled before its time came, it stays as planned then, even if the wall
            # clock has just jumped past it: the scheduler then logs it as missed instead
            # of it vanishing from the timetable.
            item = pending[item.id] if item.start < now else item
        elif item.start < now:
            if item.start < now - grace:
                continue
            # Due already (a start within the grace period). One that started before a
            # restart keeps the plan it started with: it never airs what arrived since.
            if recorded is None:
                recorded = log.aired_plans(since=now - grace, until=now)
            item = recorded.get(item.id, item)
        items[item.id] = item
    return items


def begin_airing(context: AirContext, item: PlanItem) -> ProgramRunner:
    """``item`` as it starts now: its plan recorded in the log — or, if it started before a
    restart, the plan recorded then — and only the parts not yet aired left to play, those
    cut part-way taken up where they were cut."""
    log = context.log
    if not log.record_aired_plan(item, context.clock.now()):
        item = log.aired_plans(since=item.start, until=item.end).get(item.id, item)
    # Asked even for an airing not yet due: after a restart with the wall clock set back,
    # the log may already hold it, and it must not play twice.
    return ProgramRunner(context, item, aired_parts(log, item), heard_parts(log, item))


def plan_known(
    config: Config,
    scripts: Sequence[Script],
    day: date,
    log: PlayLog,
    durations: Mapping[str, float] | None = None,
    approvals: PlayLog | None = None,
) -> Plan:
    """``day`` for airings already due: each as it started (recorded in the log), or with
    only the scripts first seen before its time — and, with approval required, approved
    before it (``approvals``: where approvals are read; ``None``: ``log``)."""
    midnight = datetime.combine(day, datetime.min.time(), config.timezone)
    arrivals = log.script_arrivals()
    if config.approval.required:
        approved = approved_at(config, scripts, (approvals or log).approval_events())
        arrivals = known_from(arrivals, approved)
    return plan_as_known(
        config,
        scripts,
        day,
        log,
        arrivals=arrivals,
        aired=log.aired_plans(since=midnight, until=midnight + DAY),
        durations=durations,
    )


def missed_while_down(
    context: AirContext,
    scripts: Sequence[Script],
    durations: Mapping[str, float] | None,
    down_since: datetime | None,
    grace: timedelta,
) -> int:
    """Log as missed what was due while the daemon was down (``down_since``: its last
    heartbeat) and is now past ``grace``, each airing planned as it could have been then
    (``scripts``: those it can air); returns how many airings that was."""
    return account_for_downtime(
        context,
        lambda day, _days: wired_plan(
            plan_known(context.config, scripts, day, context.log, durations, context.approval_log),
            context.config,
        ),
        down_since,
        grace,
    )
