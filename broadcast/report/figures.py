"""The figures of a period report, computed from the play log's rows.

Words used throughout (and in the report's notes), with the rules of ``plays``:

* a **zone play** (lượt tại vùng loa) is one planned item at one time on one zone: *aired*
  when heard there, i.e. completed on its loudspeakers (a WAV file is not a loudspeaker);
  otherwise it is counted once under the outcome and reason of its last row. The headline
  counts zone plays, so a zone that did not hear an item lowers it.
* on an IP zone each cluster plays and logs by itself: a zone play there is one per cluster
  (a *place* play, ``places``), so a zone's tally counts each of its clusters' plays ("3 of 4
  heard it") and ``by_cluster`` has each cluster's own; airtime is per place, never summed
  across the clusters of a zone (a zone's airtime is the longest of its clusters').
* a **broadcast** (lượt phát) is one planned item at one time with all its zones: *aired* when
  every one of its places heard it; its airtime is the longest over its places.
* "planned" counts every broadcast or zone play the log knows about, missed ones included.
  Announcements (emergency and priority bulletins) are not planned: they are listed apart.
  Rows still open (playing, or left by a crash not yet repaired) are left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from broadcast.playlog import Attempt, reason_label_vi
from broadcast.playlog.model import BulletinRecord
from broadcast.report.period import Period, quarter_start
from broadcast.report.places import Place, ZoneClusters, place_of
from broadcast.report.plays import (
    AiredBulletin,
    PlayState,
    announcements,
    delivered_seconds,
    is_announcement,
    play_state,
    row_problems,
)


@dataclass
class Tally:
    planned: int = 0
    aired: int = 0
    seconds: float = 0.0  # delivered to loudspeakers
    to_file: int = 0  # completed only into a WAV file: not aired

    def add(self, aired: bool, seconds: float, to_file: bool = False) -> None:
        self.planned += 1
        self.aired += int(aired)
        self.seconds += seconds
        self.to_file += int(to_file)

    def merge(self, other: Tally) -> None:
        self.planned += other.planned
        self.aired += other.aired
        self.seconds += other.seconds
        self.to_file += other.to_file

    @property
    def share(self) -> float | None:
        """Aired out of planned, 0..1; ``None`` when nothing was planned."""
        return self.aired / self.planned if self.planned else None


@dataclass
class ScriptTally(Tally):
    title: str = ""
    topic: str | None = None


@dataclass(frozen=True)
class ZonePlay:
    """One planned item at one time on one place (a wired zone, or one IP cluster of a zone):
    its rows (oldest first), what they came to."""

    rows: tuple[Attempt, ...]
    state: PlayState
    seconds: float  # delivered to loudspeakers

    @classmethod
    def of(cls, rows: tuple[Attempt, ...]) -> ZonePlay:
        return cls(rows, play_state(rows), delivered_seconds(rows))

    @property
    def first(self) -> Attempt:
        return self.rows[0]

    @property
    def place(self) -> Place:
        return place_of(self.first)

    @property
    def result(self) -> tuple[str, str | None]:
        """Outcome and reason (Vietnamese) of a zone play that was not heard."""
        if self.state is PlayState.TO_FILE:
            return PlayState.TO_FILE.label_vi, None
        last = self.rows[-1]
        outcome = last.outcome.label_vi if last.outcome else PlayState.OPEN.label_vi
        return outcome, reason_label_vi(last.reason)

    @property
    def problems(self) -> tuple[str, ...]:
        return row_problems(self.rows)


@dataclass
class PeriodFigures:
    period: Period
    broadcasts: Tally = field(default_factory=Tally)
    zone_plays: Tally = field(default_factory=Tally)
    by_topic: dict[str | None, Tally] = field(default_factory=dict)  # broadcasts
    by_month: dict[date, Tally] = field(default_factory=dict)  # broadcasts, every month
    by_quarter: dict[date, Tally] = field(default_factory=dict)  # broadcasts, every quarter
    by_zone: dict[str, Tally] = field(default_factory=dict)  # zone plays (each cluster's)
    by_cluster: dict[tuple[str, str], Tally] = field(default_factory=dict)  # by (zone, cluster)
    scripts: dict[str, ScriptTally] = field(default_factory=dict)  # broadcasts, by script
    scripts_heard: int = 0  # scripts heard on at least one zone
    aired_days: dict[str, list[date]] = field(default_factory=dict)  # by script, each aired
    not_aired: dict[tuple[str, str | None], int] = field(default_factory=dict)  # zone plays
    unheard: list[ZonePlay] = field(default_factory=list)  # zone plays, oldest first
    announcements: list[AiredBulletin] = field(default_factory=list)
    open_rows: int = 0


def script_key(attempt: Attempt) -> str:
    # pre-recorded media has no script id; its title names it
    return attempt.airing.script_id or attempt.airing.title


BroadcastKey = tuple[str | None, str, datetime]  # slot, script, scheduled time


def _zone_plays(
    attempts: Iterable[Attempt], figures: PeriodFigures
) -> dict[BroadcastKey, list[ZonePlay]]:
    rows: dict[tuple[BroadcastKey, Place], list[Attempt]] = {}
    for attempt in attempts:
        if attempt.is_open:  # playing, or left by a crash not yet repaired
            figures.open_rows += 1
            continue
        airing = attempt.airing
        key = (airing.slot_id, script_key(attempt), airing.scheduled_at)
        rows.setdefault((key, place_of(attempt)), []).append(attempt)
    broadcasts: dict[BroadcastKey, list[ZonePlay]] = {}
    for (key, _), found in rows.items():
        broadcasts.setdefault(key, []).append(ZonePlay.of(tuple(found)))
    return broadcasts


def compute_figures(
    attempts: Iterable[Attempt],
    period: Period,
    bulletins: Mapping[str, BulletinRecord] | None = None,
    clusters: ZoneClusters | None = None,
) -> PeriodFigures:
    """Figures over ``attempts`` (the log's rows in ``period``, oldest first) and the
    announcements among them (with their records in ``bulletins``, by id, and the places
    they had to reach: ``clusters``, the registry's history)."""
    attempts = list(attempts)
    figures = PeriodFigures(
        period,
        by_month={month: Tally() for month in period.months()},
        by_quarter={quarter: Tally() for quarter in period.quarters()},
    )
    figures.announcements = announcements(attempts, bulletins, clusters)
    program = (attempt for attempt in attempts if not is_announcement(attempt))
    heard_scripts: set[str] = set()
    for plays in _zone_plays(program, figures).values():
        first = plays[0].first
        aired = all(play.state is PlayState.HEARD for play in plays)
        seconds = max(play.seconds for play in plays)
        day = first.airing.scheduled_at.date()
        month = day.replace(day=1)
        figures.broadcasts.add(aired, seconds)
        figures.by_topic.setdefault(first.airing.topic, Tally()).add(aired, seconds)
        figures.by_month.setdefault(month, Tally()).add(aired, seconds)
        figures.by_quarter.setdefault(quarter_start(month), Tally()).add(aired, seconds)
        script = figures.scripts.setdefault(
            script_key(first), ScriptTally(title=first.airing.title, topic=first.airing.topic)
        )
        script.add(aired, seconds)
        if aired:
            figures.aired_days.setdefault(script_key(first), []).append(day)
        # a zone's airtime is the longest of its places', never their sum
        zone_seconds: dict[str, float] = {}
        for play in plays:
            zone = play.place[0]
            zone_seconds[zone] = max(zone_seconds.get(zone, 0.0), play.seconds)
        for play in plays:
            heard, to_file = play.state is PlayState.HEARD, play.state is PlayState.TO_FILE
            figures.zone_plays.add(heard, 0.0, to_file)
            zone, cluster = play.place
            figures.by_zone.setdefault(zone, Tally()).add(heard, 0.0, to_file)
            if cluster is not None:
                tally = figures.by_cluster.setdefault((zone, cluster), Tally())
                tally.add(heard, play.seconds, to_file)
            if heard:
                heard_scripts.add(script_key(first))
            else:
                figures.unheard.append(play)
                figures.not_aired[play.result] = figures.not_aired.get(play.result, 0) + 1
        for zone, seconds in zone_seconds.items():
            figures.zone_plays.seconds += seconds
            figures.by_zone[zone].seconds += seconds
    figures.scripts_heard = len(heard_scripts)
    figures.unheard.sort(key=lambda play: (play.first.airing.scheduled_at, play.first.id))
    return figures
