"""Period reports from the play log: figures, one document, several formats.

``period_report`` is what the CLI calls; the pieces are importable for the daemon or tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from broadcast.config import Config
from broadcast.playlog import PlayLog
from broadcast.report.document import (
    BarChart,
    ChainAnchor,
    ReportDocument,
    Table,
    build_document,
)
from broadcast.report.figures import PeriodFigures, Tally, compute_figures
from broadcast.report.labels import Labels
from broadcast.report.output import FORMATS, save_report
from broadcast.report.period import Period, parse_period
from broadcast.report.reconcile import PLANNED_STATUSES, LineStatus, lines_against_plan
from broadcast.scripts.model import Script


def period_report(
    log: PlayLog,
    period: Period,
    labels: Labels,
    *,
    generated_at: datetime,
    check_chain: bool = True,
    config: Config | None = None,
    scripts: Sequence[Script] = (),
) -> ReportDocument:
    """The report for ``period``; its notes carry the log's head and, if asked, its check.

    The check reads the whole log, so it grows with the years; the head alone is cheap.
    With the ``config`` (and the ``scripts``) the summary also compares the log with the
    timetable, zone by zone, each day planned again as the daemon planned it.
    """
    start, end = period.bounds(log.timezone)
    attempts = log.attempts(since=start, until=end)
    figures = compute_figures(attempts, period)
    events, head_hash = log.chain_head()
    chain = ChainAnchor(events, head_hash, log.verify() if check_chain else None)
    against_plan = None
    if config is not None and config.slots:
        lines = lines_against_plan(config, scripts, period.days(), attempts, log)
        statuses = [line.status for line in lines]
        planned = sum(status in PLANNED_STATUSES for status in statuses)
        against_plan = Tally(planned, statuses.count(LineStatus.AIRED))
    return build_document(
        figures, labels, generated_at=generated_at, chain=chain, against_plan=against_plan
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
    "build_document",
    "compute_figures",
    "parse_period",
    "period_report",
    "save_report",
]
