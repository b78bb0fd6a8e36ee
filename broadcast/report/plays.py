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

Reconcile and the period report both count with these rules, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from broadcast.playlog import COMPLETED_OUTCOMES, Attempt, reason_label_vi
from broadcast.playlog.model import BulletinRecord

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
    """One bulletin as sent and aired: its record (absent for older rows) and its rows."""

    rows: tuple[Attempt, ...]
    record: BulletinRecord | None = None

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

    def zone_rows(self, zone: str) -> list[Attempt]:
        return [row for row in self.rows if row.airing.zone == zone]

    def heard_on(self) -> list[str]:
        return [zone for zone in self.zones if play_state(self.zone_rows(zone)) is PlayState.HEARD]

    def problem(self, zone: str) -> str | None:
        """Why ``zone`` did not hear it (Vietnamese); ``None`` when it did."""
        rows = self.zone_rows(zone)
        if not rows:
            return NO_ROWS_LABEL
        state = play_state(rows)
        if state is PlayState.HEARD:
            return None
        return "; ".join(row_problems(rows)) or state.label_vi

    @property
    def seconds(self) -> float:
        """Longest airtime delivered to a zone's loudspeakers."""
        return max((delivered_seconds(self.zone_rows(z)) for z in self.zones), default=0.0)


def announcements(
    attempts: Iterable[Attempt], records: Mapping[str, BulletinRecord] | None = None
) -> list[AiredBulletin]:
    """The announcements among ``attempts`` (oldest first), oldest first, each with its record
    from ``records`` (by id); a record none of the rows names is an announcement that never
    logged a row."""
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
    found = [AiredBulletin(tuple(rows), records.get(key)) for key, rows in by_id.items()]
    found += [AiredBulletin((), record) for key, record in records.items() if key not in by_id]
    found += [AiredBulletin(tuple(rows)) for rows in legacy]
    return sorted(found, key=lambda announcement: announcement.at)
