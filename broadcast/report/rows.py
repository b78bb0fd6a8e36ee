"""A period's rows read from the play log: what the report and its narrative count from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from broadcast.playlog import Attempt, PlayLog
from broadcast.playlog.model import BulletinRecord
from broadcast.report.figures import PeriodFigures, compute_figures
from broadcast.report.period import Period

# an announcement asked for just before the period may air in it
_ANNOUNCEMENT_LEAD = timedelta(hours=1)

PeriodRows = tuple[list[Attempt], dict[str, BulletinRecord]]


def period_rows(log: PlayLog, period: Period) -> PeriodRows:
    """The log's rows in ``period`` (oldest first) and the records of its announcements, by id."""
    start, end = period.bounds(log.timezone)
    attempts = log.attempts(since=start, until=end)
    named = {attempt.airing.bulletin_id for attempt in attempts}
    records = {
        record.id: record
        for record in log.bulletins(since=start - _ANNOUNCEMENT_LEAD, until=end)
        if record.requested_at >= start or record.id in named
    }
    return attempts, records


def period_figures(log: PlayLog, period: Period) -> PeriodFigures:
    attempts, records = period_rows(log, period)
    return compute_figures(attempts, period, records)


def covered_from(log: PlayLog, attempts: Sequence[Attempt]) -> date | None:
    """The first day the log has a row (``attempts``: a period's rows, oldest first), in
    the log's time zone; ``None`` for an empty log."""
    moments = [*log.first_logged().values(), *(attempt.occurred_at for attempt in attempts[:1])]
    return min(moments).astimezone(log.timezone).date() if moments else None
