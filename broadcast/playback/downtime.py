"""After a restart: which airings the daemon missed while it was down, and what already aired.

An airing missed by less than the grace period still plays (only the parts not yet aired);
older ones since the last heartbeat are logged as ``missed`` with reason ``daemon_down``, so
the reviewer sees every planned item accounted for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from broadcast.playback.runner import AirContext, record_not_aired
from broadcast.playlog import COMPLETED_OUTCOMES, Outcome, PlayLog, Reason
from broadcast.schedule import Plan, PlanItem

MAX_DAYS_BACK = 7  # a PC off for longer is reported for its last week only

Planner = Callable[[date, int], Plan]


def aired_parts(log: PlayLog, item: PlanItem) -> set[tuple[str | None, str]]:
    """(script id or media file, zone) pairs of ``item`` that the log shows as completed."""
    rows = log.attempts(since=item.start, until=item.end + timedelta(hours=1))
    return {
        (row.airing.script_id or row.airing.title, row.airing.zone)
        for row in rows
        if row.airing.slot_id == item.slot_id
        and row.outcome in COMPLETED_OUTCOMES
        and item.start <= row.airing.scheduled_at <= item.end
    }


def account_for_downtime(
    context: AirContext, plan: Planner, last_seen: datetime | None, grace: timedelta
) -> int:
    """Log as missed (``daemon_down``) what should have started while the daemon was down and
    is now beyond the grace period; returns how many airings that was."""
    if last_seen is None:
        return 0  # the very first start: there was no daemon to miss anything
    now = context.clock.now()
    cutoff = now - grace
    if cutoff <= last_seen:
        return 0
    first_day = max(last_seen.date(), (now - timedelta(days=MAX_DAYS_BACK)).date())
    days = (now.date() - first_day).days + 1
    missed = 0
    for item in plan(first_day, days).items:
        if last_seen < item.start <= cutoff:
            done = aired_parts(context.log, item)
            record_not_aired(
                context,
                item,
                item.segments,
                Reason.DAEMON_DOWN,
                outcome=Outcome.MISSED,
                skip=done,
            )
            missed += 1
    return missed
