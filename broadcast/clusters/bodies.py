"""What each signed down message carries besides the envelope fields (``messages.seal``).

- ``plan``: ``{"zone", "from", "until", "entries": [PlanEntry, …]}``: the cluster's entries
  starting in ``[from, until)`` (and any still playing at ``from``), earliest first;
- ``now``: ``{"bulletin", "title", "priority", "audio": AudioRef, "chime": AudioRef | null}``:
  an urgent bulletin: ``emergency`` plays at once, pre-empting (the chime first, when there
  is one); ``priority`` waits for the gap after the entry playing, as on wired zones;
- ``stop``: ``{"by": who asked, "bulletin": id | null}``: end what plays (that bulletin only;
  a priority bulletin still waiting is dropped, its row ``cancelled_by``);
- ``ack``: ``{"rows": [id, …]}``: the receiver's play-log rows the station has stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broadcast.clusters.messages import AudioRef, PlanEntry

ROWS = "rows"


def plan_body(
    zone: str, entries: Sequence[PlanEntry], since: datetime, until: datetime
) -> dict[str, Any]:
    return {
        "zone": zone,
        "from": since.isoformat(),
        "until": until.isoformat(),
        "entries": [entry.to_json() for entry in sorted(entries, key=lambda e: (e.start, e.id))],
    }


def plan_entries(payload: Mapping[str, Any]) -> list[PlanEntry]:
    """The entries of a checked ``plan`` payload; ``ValueError`` if one is malformed."""
    entries = payload.get("entries")
    if not isinstance(entries, list):
        raise ValueError("plan without entries")
    try:
        return [PlanEntry.from_json(entry) for entry in entries]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"bad plan entry: {exc}") from exc


@dataclass(frozen=True)
class NowBody:
    """An urgent bulletin as a cluster receives it."""

    bulletin: str  # the station's bulletin id: the receiver's row names it
    title: str
    priority: str  # "emergency" or "priority"
    audio: AudioRef
    chime: AudioRef | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "bulletin": self.bulletin,
            "title": self.title,
            "priority": self.priority,
            "audio": self.audio.to_json(),
            "chime": None if self.chime is None else self.chime.to_json(),
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> NowBody:
        try:
            chime = payload.get("chime")
            return cls(
                bulletin=str(payload["bulletin"]),
                title=str(payload["title"]),
                priority=str(payload["priority"]),
                audio=AudioRef.from_json(payload["audio"]),
                chime=None if chime is None else AudioRef.from_json(chime),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad now message: {exc}") from exc


def stop_body(by: str | None, bulletin: str | None = None) -> dict[str, Any]:
    return {"by": by, "bulletin": bulletin}


def ack_body(row_ids: Sequence[int]) -> dict[str, Any]:
    return {ROWS: list(row_ids)}


def acked_rows(payload: Mapping[str, Any]) -> list[int]:
    """The receiver row ids an ``ack`` names (anything not a positive whole number dropped)."""
    ids = payload.get(ROWS)
    if not isinstance(ids, list):
        return []
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool) and i > 0]
