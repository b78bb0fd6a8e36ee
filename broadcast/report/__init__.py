"""Period reports from the play log: figures, one document, several formats.

``period_report`` is what the CLI calls; the pieces are importable for the daemon or tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from broadcast.clock import Clock
from broadcast.playlog import Attempt, PlayLog
from broadcast.report.document import (
    BarChart,
    ChainAnchor,
    ReportDocument,
    build_document,
)
from broadcast.report.figures import PeriodFigures, Tally, compute_figures
from broadcast.report.labels import Labels
from broadcast.report.output import FORMATS, save_report
from broadcast.report.period import Period, parse_period
from broadcast.report.reconcile import reconcile_days
from broadcast.report.replan import Timetable
from broadcast.report.tables import Table

# an announcement asked for just before the period may air in it
_ANNOUNCEMENT_LEAD = timedelta(hours=1)


def _covered_from(log: PlayLog, attempts: Sequence[Attempt]) -> date | None:
    """The first day the log has a row (``attempts``: the period's rows, oldest first), in
    the log's time zone; ``None`` for an empty log."""
    moments = [*log.first_logged().values(), *(attempt.occurred_at for attempt in attempts[:1])]
    return min(moments).astimezone(log.timezone).date() if moments else None


def period_report(
    log: PlayLog,
    period: Period,
    labels: Labels,
    *,
    clock: Clock,
    check_chain: bool = True,
    timetable: Timetable | None = None,
) -> ReportDocument:
    """The report for ``period`` as of ``clock.now()``; its notes carry the log's head and,
    if asked, its check.

    The check reads the whole log, so it grows with the years; the head alone is cheap.
    With the ``timetable`` the summary also compares the log with it, zone by zone, on the
    days that have ended and that the log covers (an open period says so).
    """
    now = clock.now().astimezone(log.timezone)
    start, end = period.bounds(log.timezone)
    attempts = log.attempts(since=start, until=end)
    named = {attempt.airing.bulletin_id for attempt in attempts}
    records = {
        record.id: record
        for record in log.bulletins(since=start - _ANNOUNCEMENT_LEAD, until=end)
        if record.requested_at >= start or record.id in named
    }
    figures = compute_figures(attempts, period, records)
    events, head_hash = log.chain_head()
    chain = ChainAnchor(events, head_hash, log.verify() if check_chain else None)
    comparison = None
    if timetable is not None and timetable.config.slots:
        days = period.ended_days(now.date(), _covered_from(log, attempts))
        comparison = reconcile_days(timetable, log, days, attempts)
    return build_document(figures, labels, generated_at=now, chain=chain, comparison=comparison)


__all__ = [
    "FORMATS",
    "BarChart",
    "ChainAnchor",
    "Labels",
    "Period",
    "PeriodFigures",
    "ReportDocument",
    "Table",
    "Tally",
    "Timetable",
    "build_document",
    "compute_figures",
    "parse_period",
    "period_report",
    "save_report",
]
