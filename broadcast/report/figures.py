"""The figures of a period report, computed from the play log's rows.

Words used throughout (and in the report's notes):

* a **broadcast** (lượt phát) is one item scheduled at one time; it may reach several zones
  (one row each) and a preempted item may be resumed (another row), all with the same
  scheduled time. It is *aired* when it reached its end (``played``/``resumed``) on at least
  one zone; its airtime is the longest total airtime over its zones.
* a **zone play** is one broadcast on one zone: *aired* when completed there; otherwise it is
  counted once under the outcome and reason of its last row (missed, failed, cut …).
* "planned" counts every broadcast or zone play the log knows about, missed ones included.
  Rows still open (playing, or left by a crash not yet repaired) are left out and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from broadcast.playlog import COMPLETED_OUTCOMES, Attempt, Outcome
from broadcast.report.period import Period


@dataclass
class Tally:
    planned: int = 0
    aired: int = 0
    seconds: float = 0.0

    def add(self, aired: bool, seconds: float) -> None:
        self.planned += 1
        self.aired += int(aired)
        self.seconds += seconds

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    @property
    def share(self) -> float | None:
        """Aired out of planned, 0..1; ``None`` when nothing was planned."""
        return self.aired / self.planned if self.planned else None


@dataclass
class ScriptTally(Tally):
    title: str = ""
    topic: str | None = None


@dataclass
class PeriodFigures:
    period: Period
    total: Tally = field(default_factory=Tally)  # broadcasts
    by_topic: dict[str | None, Tally] = field(default_factory=dict)  # broadcasts
    by_month: dict[date, Tally] = field(default_factory=dict)  # broadcasts, every month
    by_zone: dict[str, Tally] = field(default_factory=dict)  # zone plays
    scripts: dict[str, ScriptTally] = field(default_factory=dict)  # broadcasts, by script
    not_aired: dict[tuple[Outcome, str | None], int] = field(default_factory=dict)  # zone plays
    open_rows: int = 0


@dataclass
class _ZonePlay:
    seconds: float = 0.0
    completed: bool = False
    last_end: tuple[Outcome, str | None] | None = None  # outcome and reason of its last row


@dataclass
class _Broadcast:
    first: Attempt
    zones: dict[str, _ZonePlay] = field(default_factory=lambda: defaultdict(_ZonePlay))

    @property
    def aired(self) -> bool:
        return any(play.completed for play in self.zones.values())

    @property
    def seconds(self) -> float:
        return max(play.seconds for play in self.zones.values())


def _script_key(attempt: Attempt) -> str:
    # pre-recorded media has no script id; its title names it
    return attempt.airing.script_id or attempt.airing.title


def _group(attempts: Iterable[Attempt], figures: PeriodFigures) -> list[_Broadcast]:
    broadcasts: dict[tuple[str, datetime], _Broadcast] = {}
    for attempt in attempts:
        outcome = attempt.outcome
        if outcome is None:  # still open: playing, or left by a crash not yet repaired
            figures.open_rows += 1
            continue
        key = (_script_key(attempt), attempt.airing.scheduled_at)
        broadcast = broadcasts.setdefault(key, _Broadcast(attempt))
        play = broadcast.zones[attempt.airing.zone]
        play.seconds += attempt.aired_seconds or 0.0
        play.completed |= outcome in COMPLETED_OUTCOMES
        play.last_end = (outcome, attempt.reason)
    return list(broadcasts.values())


def compute_figures(attempts: Iterable[Attempt], period: Period) -> PeriodFigures:
    """Figures over ``attempts`` (the log's rows in ``period``, oldest first)."""
    figures = PeriodFigures(period, by_month={month: Tally() for month in period.months()})
    for broadcast in _group(attempts, figures):
        first, aired, seconds = broadcast.first, broadcast.aired, broadcast.seconds
        month = first.airing.scheduled_at.date().replace(day=1)
        figures.total.add(aired, seconds)
        figures.by_topic.setdefault(first.airing.topic, Tally()).add(aired, seconds)
        figures.by_month.setdefault(month, Tally()).add(aired, seconds)
        script = figures.scripts.setdefault(
            _script_key(first), ScriptTally(title=first.airing.title, topic=first.airing.topic)
        )
        script.add(aired, seconds)
        for zone, play in broadcast.zones.items():
            figures.by_zone.setdefault(zone, Tally()).add(play.completed, play.seconds)
            if not play.completed and play.last_end is not None:
                figures.not_aired[play.last_end] = figures.not_aired.get(play.last_end, 0) + 1
    return figures
