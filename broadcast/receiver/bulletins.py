"""Urgent bulletins on a cluster: the station's ``now``, and the priority ones waiting for a gap.

As on the station's wired zones (``broadcast.daemon.air``): an ``emergency`` bulletin fades out
what plays and airs at once; a ``priority`` one waits until the sound playing ends, then airs
before the next planned entry. Waiting ones air in the order they came. A ``stop`` naming a
waiting bulletin takes it off the queue (its row: ``missed``, ``cancelled_by:<who>``, as the
station's own cancel writes); one naming a bulletin still being fetched is remembered, so the
bulletin is dropped the same way when it arrives.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.playlog import Airing, Reason

EMERGENCY = "emergency"
PRIORITY = "priority"  # waits for a gap
REMEMBERED_STOPS = 100  # stops naming a bulletin not here (yet): the newest are kept


@dataclass(frozen=True)
class NowBulletin:
    """A signed ``now``, its audio already fetched."""

    id: str
    title: str
    issued: datetime  # every cluster's row shares it: one broadcast, counted once
    audio: np.ndarray
    audio_hash: str
    chime: np.ndarray | None = None
    priority: str = EMERGENCY

    @property
    def waits_for_gap(self) -> bool:
        """Only ``priority`` waits; anything else (``emergency``, or a word this box does not
        know) airs at once: an urgent message is never held back by a misreading."""
        return self.priority == PRIORITY

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE


@dataclass(frozen=True)
class StopRequest:
    """A signed ``stop``, as the player takes it."""

    by: str | None  # who asked, as the station says
    bulletin: str | None  # only this bulletin; ``None``: whatever plays


def bulletin_airing(bulletin: NowBulletin, zone: str) -> Airing:
    """The bulletin's row on this cluster's zone (aired or not)."""
    return Airing(
        zone=zone,
        scheduled_at=bulletin.issued,
        title=bulletin.title,
        planned_seconds=round(bulletin.seconds, 3),
        audio_hash=bulletin.audio_hash,
        bulletin_id=bulletin.id,
    )


def cancelled_reason(by: str | None) -> str:
    return Reason.asked_by(Reason.CANCELLED_BY, by)


class BulletinQueue:
    """Priority bulletins waiting for a gap, oldest first; changed by the player's thread only."""

    def __init__(self) -> None:
        self._waiting: list[NowBulletin] = []
        self._stopped: OrderedDict[str, str | None] = OrderedDict()  # bulletin id → who

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def __len__(self) -> int:
        return len(self._waiting)

    def ids(self) -> list[str]:
        return [b.id for b in list(self._waiting)]

    def add(self, bulletin: NowBulletin) -> None:
        self._waiting.append(bulletin)

    def next(self) -> NowBulletin | None:
        return self._waiting.pop(0) if self._waiting else None

    def drop(self, bulletin_id: str) -> NowBulletin | None:
        """Take ``bulletin_id`` off the queue; ``None`` if it is not waiting."""
        found = next((b for b in self._waiting if b.id == bulletin_id), None)
        if found is not None:
            self._waiting.remove(found)
        return found

    def all_taken(self) -> list[NowBulletin]:
        waiting, self._waiting = self._waiting, []
        return waiting

    def remember_stop(self, bulletin_id: str, by: str | None) -> None:
        """A stop for a bulletin not here: it may still be on its way (being fetched)."""
        self._stopped[bulletin_id] = by
        self._stopped.move_to_end(bulletin_id)
        while len(self._stopped) > REMEMBERED_STOPS:
            self._stopped.popitem(last=False)

    def stopped_before(self, bulletin_id: str) -> tuple[bool, str | None]:
        """Whether a stop named ``bulletin_id`` before it came, and who asked."""
        if bulletin_id not in self._stopped:
            return False, None
        return True, self._stopped.pop(bulletin_id)
