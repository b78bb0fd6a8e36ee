"""Period reports from the play log: figures, one document, several formats.

``period_report`` is what the CLI calls; the pieces are importable for the daemon or tests.
"""

from __future__ import annotations

from broadcast.clock import Clock
from broadcast.playlog import PlayLog
from broadcast.report.campaigns import campaign_rows, campaign_table
from broadcast.report.document import (
    BarChart,
    ChainAnchor,
    ReportDocument,
    build_document,
    log_coverage,
)
from broadcast.report.figures import PeriodFigures, Tally, compute_figures
from broadcast.report.labels import Labels
from broadcast.report.output import FORMATS, save_report
from broadcast.report.period import Period, parse_period
from broadcast.report.reconcile import reconcile_days
from broadcast.report.replan import Timetable
from broadcast.report.rows import PeriodRows, covered_from, period_rows
from broadcast.report.tables import Table


def period_report(
    log: PlayLog,
    period: Period,
    labels: Labels,
    *,
    clock: Clock,
    check_chain: bool = True,
    timetable: Timetable | None = None,
    rows: PeriodRows | None = None,
) -> ReportDocument:
    """The report for ``period`` as of ``clock.now()``; its notes carry the log's head and,
    if asked, its check.

    The check reads the whole log, so it grows with the years; the head alone is cheap.
    With the ``timetable`` the summary also compares the log with it, zone by zone, on the
    days that have ended and that the log covers (an open period says so). ``rows``: the
    period's rows already read, so a text written beside the tables counts the same rows.
    """
    now = clock.now().astimezone(log.timezone)
    attempts, records = rows or period_rows(log, period)
    clusters = timetable.clusters if timetable is not None else None
    if timetable is not None:  # the IP clusters' names, from the registry
        labels = labels.with_clusters(timetable.labels.clusters)
    figures = compute_figures(attempts, period, records, clusters)
    events, head_hash = log.chain_head()
    chain = ChainAnchor(events, head_hash, log.verify() if check_chain else None)
    began = covered_from(log, attempts)
    coverage, _ = log_coverage(period, began)
    if timetable is None:
        return build_document(figures, labels, generated_at=now, chain=chain, coverage=coverage)
    days = period.ended_days(now.date(), began)
    comparison = reconcile_days(timetable, log, days, attempts) if timetable.config.slots else None
    targets = campaign_rows(timetable.campaigns, figures, days, labels)
    return build_document(
        figures,
        labels,
        generated_at=now,
        chain=chain,
        comparison=comparison,
        campaigns=campaign_table(targets) if targets else None,
        known_titles=timetable.titles,
        coverage=coverage,
    )


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
