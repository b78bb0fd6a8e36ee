"""How the play log's rows add up to plays: one item on one zone, one announcement.

* A **zone play** is one item at one scheduled time on one zone. A preempted item is played
  again whole (``resumed``), so one zone play may have several rows. It is *heard* when one of
  them reached its end on a loudspeaker; its airtime is what its rows delivered to
  loudspeakers, never more than the item's length: the item is heard once, however many
  times it started.
* A row written to a WAV file (``Attempt.to_file``) reached no loudspeaker: it is never heard,
  and a zone play whose only completed rows went to a file is counted apart (``TO_FILE``).
* An **announcement** (emergency or priority bulletin) is one broadcast, whatever its zones:
  its rows share ``bulletin_id``. Older rows lack it; they are told by having neither slot nor
  script and are grouped by title, their scheduled times milliseconds apart.
* Each of these is counted per **place** (``places``): a wired zone, or one IP cluster of an
  IP zone. Clusters play and log apart, so one may hear what another missed; airtime is per
  place, never summed across the clusters of a zone.

Reconcile and the period report both count with these rules, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property

from broadcast.playlog import COMPLETED_OUTCOMES, Attempt, reason_label_vi
from broadcast.playlog.model import BulletinRecord
from broadcast.report.places import (
    NO_CLUSTER_REASON,
    Place,
    ZoneClusters,
    place_of,
    places_of,
    silent_cluster_reason,
)

TO_FILE_LABEL = "ghi ra tệp WAV, không phát ra loa"
NO_ROWS_LABEL = "không có bản ghi phát"
PRIORITY_LABELS_VI = {"emergency": "khẩn cấp", "priority": "ưu tiên"}
# rows of one older announcement: one per zone, each stamped as it was written
LEGACY_SPREAD = timedelta(seconds=5)


class PlayState(StrEnum):
    HEARD = "heard"  # reached its end on a loudspeaker
    TO_FILE = "to_file"  # reached its end only in a WAV file
    NOT_AIRED = "not_aired"  # missed, failed or cut, and not played again to the end
    OPEN = "open"  # its last row is still open (playing, or left by a crash)

    @property
    def label_vi(self) -> str:
        return _STATE_LABELS_VI[self]


_STATE_LABELS_VI = {
    PlayState.HEARD: "đã phát",
    PlayState.TO_FILE: TO_FILE_LABEL,
    PlayState.NOT_AIRED: "không phát trọn",
    PlayState.OPEN: "đang phát",
}


def play_state(rows: Sequence[Attempt]) -> PlayState:
    """What the rows of one zone play (oldest first) come to."""
    if any(row.heard for row in rows):
        return PlayState.HEARD
    if rows and rows[-1].is_open:
        return PlayState.OPEN
    if any(row.outcome in COMPLETED_OUTCOMES for row in rows):
        return PlayState.TO_FILE
    return PlayState.NOT_AIRED


def delivered_seconds(rows: Iterable[Attempt], length: float | None = None) -> float:
    """Seconds the rows of one zone play delivered to loudspeakers, at most the item's length
    (as logged, else ``length``): a resumed item replays what its cut row already aired."""
    total, logged = 0.0, 0.0
    for row in rows:  # one loop: a yearly report adds up some 50,000 of these
        if not row.to_file:
            total += row.aired_seconds or 0.0
        logged = max(logged, row.airing.planned_seconds or 0.0)
    cap = logged or length
    return total if cap is None else min(total, cap)


def row_problems(rows: Iterable[Attempt]) -> tuple[str, ...]:
    """Vietnamese, one per row that did not reach a loudspeaker's end: outcome and reason."""
    problems = []
    for row in rows:
        if row.outcome is None or row.heard:
            continue
        if row.outcome in COMPLETED_OUTCOMES:  # completed, but into a file
            problems.append(f"{TO_FILE_LABEL}: {row.output or '–'}")
        else:
            why = reason_label_vi(row.reason) or row.error or "–"
            problems.append(f"{row.outcome.label_vi}: {why}")
    return tuple(problems)


def is_announcement(attempt: Attempt) -> bool:
    """A row of an emergency or priority bulletin, not of a planned program."""
    airing = attempt.airing
    return airing.bulletin_id is not None or (airing.slot_id is None and airing.script_id is None)


@dataclass(frozen=True)
class AiredBulletin:
    """One bulletin as sent and aired: its record (absent for older rows), its rows, and the
    IP clusters its zones had then (``None``: every zone is one place)."""

    rows: tuple[Attempt, ...]
    record: BulletinRecord | None = None
    clusters: ZoneClusters | None = None

    @property
    def at(self) -> datetime:
        if self.rows:
            return self.rows[0].occurred_at
        if self.record is None:
            raise ValueError("an announcement is made of its rows, its record, or both")
        return self.record.requested_at

    @property
    def title(self) -> str:
        return self.record.title if self.record else self.rows[0].airing.title

    @property
    def priority_vi(self) -> str | None:
        return PRIORITY_LABELS_VI.get(self.record.priority) if self.record else None

    @property
    def content(self) -> str:
        """What was read or played: the text, the file, or (older rows) the title."""
        record = self.record
        return (record.text or record.file or record.title) if record else self.title

    @property
    def zones(self) -> tuple[str, ...]:
        found = tuple(dict.fromkeys(row.airing.zone for row in self.rows))
        if self.record is None:
            return found
        return self.record.zones + tuple(z for z in found if z not in self.record.zones)

    @cached_property
    def places(self) -> tuple[Place, ...]:
        """Where it had to be heard: each zone, or each IP cluster serving it when it was
        sent, then any other cluster that logged it; an IP zone no cluster served is kept
        as itself (its problem says so)."""
        moment = self.record.requested_at if self.record else self.at
        found: list[Place] = []
        logged: dict[str, list[Attempt]] = {}
        for row in self.rows:
            logged.setdefault(row.airing.zone, []).append(row)
        for zone in self.zones:
            rows = logged.get(zone, [])
            found += [(zone, c) for c in places_of(zone, moment, rows, self.clusters)] or [
                (zone, None)
            ]
        return tuple(found)

    @cached_property
    def _by_place(self) -> dict[Place, list[Attempt]]:
        found: dict[Place, list[Attempt]] = {}
        for row in self.rows:  # once: a bulletin may reach 2,000 clusters
            found.setdefault(place_of(row), []).append(row)
        return found

    def place_rows(self, place: Place) -> list[Attempt]:
        return self._by_place.get(place, [])

    def heard_on(self) -> list[Place]:
        return [p for p in self.places if play_state(self.place_rows(p)) is PlayState.HEARD]

    def problem(self, place: Place) -> str | None:
        """Why ``place`` did not hear it (Vietnamese); ``None`` when it did."""
        rows = self.place_rows(place)
        if not rows:
            zone, cluster = place
            if cluster is not None:
                return silent_cluster_reason(cluster)
            ip_zone = self.clusters is not None and zone in self.clusters.ip_zones
            return NO_CLUSTER_REASON if ip_zone else NO_ROWS_LABEL
        state = play_state(rows)
        if state is PlayState.HEARD:
            return None
        return "; ".join(row_problems(rows)) or state.label_vi

    @property
    def seconds(self) -> float:
        """Longest airtime delivered to one place's loudspeakers."""
        return max((delivered_seconds(self.place_rows(p)) for p in self.places), default=0.0)


def announcements(
    attempts: Iterable[Attempt],
    records: Mapping[str, BulletinRecord] | None = None,
    clusters: ZoneClusters | None = None,
) -> list[AiredBulletin]:
    """The announcements among ``attempts`` (oldest first), oldest first, each with its record
    from ``records`` (by id) and the ward's ``clusters``; a record none of the rows names is an
    announcement that never logged a row."""
    records = records or {}
    by_id: dict[str, list[Attempt]] = {}
    legacy: list[list[Attempt]] = []
    latest: dict[str, list[Attempt]] = {}  # older rows: the last group of each title
    for attempt in attempts:
        if not is_announcement(attempt):
            continue
        airing = attempt.airing
        if airing.bulletin_id is not None:
            by_id.setdefault(airing.bulletin_id, []).append(attempt)
            continue
        group = latest.get(airing.title)
        if group is None or airing.scheduled_at - group[0].airing.scheduled_at > LEGACY_SPREAD:
            group = latest[airing.title] = []
            legacy.append(group)
        group.append(attempt)
    found = [AiredBulletin(tuple(rows), records.get(key), clusters) for key, rows in by_id.items()]
    found += [
        AiredBulletin((), record, clusters) for key, record in records.items() if key not in by_id
    ]
    found += [AiredBulletin(tuple(rows), None, clusters) for rows in legacy]
    return sorted(found, key=lambda announcement: announcement.at)
