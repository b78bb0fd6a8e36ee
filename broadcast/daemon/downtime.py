"""After a restart: which airings the daemon missed while it was down, and what already aired.

An airing missed by less than the grace period still plays (only the parts not yet aired);
older ones since the last heartbeat are logged as ``missed`` with reason ``daemon_down``, so
the reviewer sees every planned item accounted for. That includes the rest of an airing the
daemon was in the middle of when it died: the part it cut is closed as ``interrupted`` by the
play log, the parts after it never started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from broadcast.daemon.attempts import LOGGED_KINDS, Part, content_key, record_not_aired
from broadcast.daemon.context import AirContext
from broadcast.daemon.segment_play import OVERRUN_TOLERANCE_SECONDS
from broadcast.playlog import COMPLETED_OUTCOMES, Attempt, Outcome, PlayLog, Reason
from broadcast.schedule import Plan, PlanItem

MAX_DAYS_BACK = 7  # a PC off for longer is reported for its last week only

Planner = Callable[[date, int], Plan]


def _rows_of(log: PlayLog, item: PlanItem) -> list[Attempt]:
    rows = log.attempts(since=item.start, until=item.end + timedelta(hours=1))
    return [
        row
        for row in rows
        if row.airing.slot_id == item.slot_id and item.start <= row.airing.scheduled_at <= item.end
    ]


def _part(row: Attempt) -> Part:
    return (row.airing.script_id or row.airing.title, row.airing.zone)


def aired_parts(log: PlayLog, item: PlanItem) -> set[Part]:
    """Parts of ``item`` not to play again: completed, or cut by a technician on purpose."""
    return {
        _part(row)
        for row in _rows_of(log, item)
        if row.outcome in COMPLETED_OUTCOMES or Reason.by_technician(row.reason)
    }


def heard_parts(log: PlayLog, item: PlanItem) -> dict[Part, float]:
    """Parts of ``item`` cut part-way (by a crash, a stop, an emergency, a device): how far
    into each the listeners got, the furthest any of its rows reached. An airing taken up
    after a restart plays each from there, not again from its start."""
    furthest: dict[Part, float] = {}
    for row in _rows_of(log, item):
        if row.outcome in COMPLETED_OUTCOMES or not row.aired_seconds:
            continue
        reached = (row.airing.resumed_from_seconds or 0.0) + row.aired_seconds
        furthest[_part(row)] = max(furthest.get(_part(row), 0.0), reached)
    return furthest


def logged_parts(log: PlayLog, item: PlanItem) -> set[Part]:
    """Parts of ``item`` with any row at all: aired, cut, failed or already marked missed."""
    return {_part(row) for row in _rows_of(log, item)}


def _on_air_window(grace: timedelta, slot_seconds: float) -> timedelta:
    """How long after its start an airing can still be playing: it starts at most ``grace``
    late, and the runner cuts it at its slot's length (plus a tolerance)."""
    return grace + timedelta(seconds=slot_seconds + OVERRUN_TOLERANCE_SECONDS)


def account_for_downtime(
    context: AirContext, plan: Planner, last_seen: datetime | None, grace: timedelta
) -> int:
    """Log as missed (``daemon_down``) what should have aired while the daemon was down and
    is now beyond the grace period; returns how many airings that was."""
    if last_seen is None:
        return 0  # the very first start: there was no daemon to miss anything
    now = context.clock.now()
    cutoff = now - grace
    slot_seconds = {slot.id: slot.max_seconds for slot in context.config.slots}
    longest = _on_air_window(grace, max(slot_seconds.values(), default=0.0))
    first_day = max((last_seen - longest).date(), (now - timedelta(days=MAX_DAYS_BACK)).date())
    days = (now.date() - first_day).days + 1
    missed = 0
    # Day by day, as the daemon plans: each day from its midnight with the log before it (the
    # missed rows of the days before included), never assuming a missed airing had aired.
    items = (
        item for offset in range(days) for item in plan(first_day + timedelta(days=offset), 1).items
    )
    for item in items:
        if item.start > cutoff:
            continue  # within the grace period: it plays what has not aired yet
        window = _on_air_window(grace, slot_seconds.get(item.slot_id, item.duration_seconds))
        if item.start <= last_seen and last_seen > item.start + window:
            continue  # over before the daemon's last sign of life
        logged = logged_parts(context.log, item)
        content = {
            (content_key(s), zone)
            for s in item.segments
            if s.kind in LOGGED_KINDS
            for zone in s.zones
        }
        if content <= logged:
            continue
        record_not_aired(
            context, item, item.segments, Reason.DAEMON_DOWN, outcome=Outcome.MISSED, skip=logged
        )
        missed += 1
    return missed
