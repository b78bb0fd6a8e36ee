"""What the planner produces: items to air, occurrences it skipped, and warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from broadcast.config.model import SegmentKind


@dataclass(frozen=True)
class PlannedSegment:
    kind: SegmentKind  # CHIME, INTRO, SCRIPT, AUDIO or OUTRO (selected scripts are SCRIPT)
    offset_seconds: float  # from the item's start; segments for other zones may overlap it
    duration_seconds: float
    zones: tuple[str, ...]  # a script aimed at fewer zones is heard only there
    script_id: str | None = None
    file: str | None = None  # project-relative, for INTRO, AUDIO, OUTRO
    emergency: bool = False

    @property
    def end_seconds(self) -> float:
        return self.offset_seconds + self.duration_seconds


@dataclass(frozen=True)
class PlanItem:
    """One airing of a slot: what plays, in order, on which zones."""

    slot_id: str
    slot_name: str
    program_id: str
    start: datetime  # aware, in the config's timezone
    zones: tuple[str, ...]
    segments: tuple[PlannedSegment, ...]
    emergency_only: bool = False  # inside quiet hours: only emergency bulletins

    @property
    def id(self) -> str:
        """Stable key of the airing, shared by the plan, the daemon and the play log."""
        return f"{self.slot_id}@{self.start.isoformat(timespec='minutes')}"

    @property
    def duration_seconds(self) -> float:
        # The zone that hears the most ends it: zones may go side by side (``lanes.py``).
        return max((s.end_seconds for s in self.segments), default=0.0)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.duration_seconds)

    def to_record(self) -> dict[str, Any]:
        """Every field, exactly, as JSON-ready values (the play log keeps the aired plan)."""
        return {
            "slot_id": self.slot_id,
            "slot_name": self.slot_name,
            "program_id": self.program_id,
            "start": self.start.isoformat(),
            "zones": list(self.zones),
            "emergency_only": self.emergency_only,
            "segments": [
                {**asdict(s), "kind": s.kind.value, "zones": list(s.zones)} for s in self.segments
            ],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PlanItem:
        return cls(
            slot_id=record["slot_id"],
            slot_name=record["slot_name"],
            program_id=record["program_id"],
            start=datetime.fromisoformat(record["start"]),
            zones=tuple(record["zones"]),
            segments=tuple(
                PlannedSegment(**{**s, "kind": SegmentKind(s["kind"]), "zones": tuple(s["zones"])})
                for s in record["segments"]
            ),
            emergency_only=record["emergency_only"],
        )


class SkipReason:
    HOLIDAY = "holiday"
    QUIET_HOURS = "quiet_hours"  # inside quiet hours and no emergency bulletin to air


@dataclass(frozen=True)
class SkippedOccurrence:
    slot_id: str
    start: datetime
    reason: str  # a SkipReason
    detail: str = ""  # e.g. the holiday's Vietnamese name


@dataclass(frozen=True)
class PlanWarning:
    code: str  # stable English key
    message: str  # Vietnamese
    when: datetime | None = None
    slot_id: str | None = None
    script_id: str | None = None
    zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    start: datetime
    end: datetime  # exclusive
    items: tuple[PlanItem, ...]
    skipped: tuple[SkippedOccurrence, ...] = ()
    warnings: tuple[PlanWarning, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "items": [
                {
                    "id": item.id,
                    "slot": item.slot_id,
                    "slot_name": item.slot_name,
                    "program": item.program_id,
                    "start": item.start,
                    "end": item.end,
                    "duration_seconds": round(item.duration_seconds, 1),
                    "zones": item.zones,
                    "emergency_only": item.emergency_only,
                    "segments": [
                        {
                            "kind": s.kind,
                            "script_id": s.script_id,
                            "file": s.file,
                            "offset_seconds": round(s.offset_seconds, 1),
                            "duration_seconds": round(s.duration_seconds, 1),
                            "zones": s.zones,
                            "emergency": s.emergency,
                        }
                        for s in item.segments
                    ],
                }
                for item in self.items
            ],
            "skipped": [vars(s) for s in self.skipped],
            "warnings": [vars(w) for w in self.warnings],
        }
