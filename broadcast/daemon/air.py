"""Who has the air on each zone: running programs, urgent announcements, and stopping.

An emergency bulletin pre-empts every program playing on one of its zones: the program's
current playback fades out, the program waits until the bulletin has aired, then plays
again the item it was on. A priority bulletin waits for the item in progress to end and
airs between items. All of it is decided under one lock so a bulletin can never slip in
between a program's check and its start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from broadcast.scripts.model import Priority
from broadcast.sinks.protocol import Playback

SILENT_WAIT_SECONDS = 2.0  # a fade takes 0.25 s; a device that never answers is not waited on


@dataclass(eq=False)
class Bulletin:
    id: str
    zones: tuple[str, ...]
    priority: Priority
    title: str
    audio: np.ndarray  # chime + message, at broadcast loudness
    received_at: datetime
    done: threading.Event = field(default_factory=threading.Event)


class Channel:
    """A program's hold on its zones while it plays; the air control can pre-empt it."""

    def __init__(self, zones: Iterable[str]):
        self.zones = frozenset(zones)
        self.playback: Playback | None = None
        self.preempted_by: Bulletin | None = None
        # A technician's cut (``Reason.asked_by``): of the playback now (read once by the
        # runner), and of the whole airing (nothing more plays on this channel).
        self.cut_by: str | None = None
        self.ended_by: str | None = None
        self.silent = threading.Event()
        self.silent.set()

    def overlaps(self, zones: Iterable[str]) -> bool:
        return not self.zones.isdisjoint(zones)


class AirControl:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._channels: set[Channel] = set()
        self._emergencies: list[Bulletin] = []
        self._waiting_priority: list[Bulletin] = []
        self.stopping = threading.Event()

    # -- programs ----------------------------------------------------------------------

    def open_channel(self, zones: Iterable[str]) -> Channel:
        channel = Channel(zones)
        with self._lock:
            self._channels.add(channel)
        return channel

    def close_channel(self, channel: Channel) -> None:
        with self._lock:
            self._channels.discard(channel)

    def wait_until_clear(self, zones: Iterable[str]) -> None:
        """Block while an emergency bulletin holds any of ``zones``."""
        zones = frozenset(zones)
        while not self.stopping.is_set():
            with self._lock:
                blocking = next((a for a in self._emergencies if zones & set(a.zones)), None)
            if blocking is None:
                return
            blocking.done.wait(0.5)

    def begin(self, channel: Channel, start: Callable[[], Playback]) -> Playback | None:
        """Start a playback on ``channel`` unless an emergency or a stop came first."""
        with self._lock:
            if self.stopping.is_set() or any(channel.overlaps(a.zones) for a in self._emergencies):
                return None
            channel.preempted_by = None
            channel.playback = start()
            channel.silent.clear()
            return channel.playback

    def end(self, channel: Channel) -> Bulletin | None:
        """The playback on ``channel`` has finished; returns what pre-empted it, if anything."""
        with self._lock:
            channel.playback = None
            channel.silent.set()
            preempted_by, channel.preempted_by = channel.preempted_by, None
            return preempted_by

    def take_priority(self, zones: Iterable[str]) -> list[Bulletin]:
        """Priority announcements waiting for a gap on any of ``zones``, oldest first."""
        zones = frozenset(zones)
        with self._lock:
            taken = [a for a in self._waiting_priority if zones & set(a.zones)]
            for bulletin in taken:
                self._waiting_priority.remove(bulletin)
            return taken

    # -- announcements -----------------------------------------------------------------

    def claim_for_emergency(self, bulletin: Bulletin) -> list[Channel]:
        """Hold the bulletin's zones and fade out what plays there; returns the channels
        that were cut (wait for them with ``wait_silent``)."""
        with self._lock:
            self._emergencies.append(bulletin)
            cut = []
            for channel in self._channels:
                if channel.playback is not None and channel.overlaps(bulletin.zones):
                    channel.preempted_by = bulletin
                    channel.playback.stop()
                    cut.append(channel)
            return cut

    def release_emergency(self, bulletin: Bulletin) -> None:
        with self._lock:
            if bulletin in self._emergencies:
                self._emergencies.remove(bulletin)
        bulletin.done.set()

    @staticmethod
    def wait_silent(channels: Iterable[Channel]) -> None:
        for channel in channels:
            channel.silent.wait(SILENT_WAIT_SECONDS)

    def queue_priority(self, bulletin: Bulletin) -> bool:
        """Queue for the next gap when a program plays on its zones; ``False`` when the zones
        are idle and the bulletin can air at once."""
        with self._lock:
            if any(c.overlaps(bulletin.zones) for c in self._channels):
                self._waiting_priority.append(bulletin)
                return True
            return False

    # -- a technician's requests -------------------------------------------------------

    def cut(
        self, zones: AbstractSet[str] | None, reason: str, *, end_airing: bool = False
    ) -> list[str]:
        """Fade out what plays on ``zones`` (``None``: everywhere), logged with ``reason``; with
        ``end_airing`` the programs and bulletins there also play nothing more, even those
        between items or waiting for an emergency. Returns the zones cut, sorted.

        A playback is one stream per device, so it is cut on all its zones, not only on
        ``zones``: the answer names every zone that fell silent."""
        cut: set[str] = set()
        with self._lock:
            for channel in self._channels:
                if zones is not None and not channel.overlaps(zones):
                    continue
                if end_airing:
                    channel.ended_by = reason
                    cut |= channel.zones
                if channel.playback is not None:
                    channel.cut_by = reason
                    channel.playback.stop()
                    cut |= channel.zones
        return sorted(cut)

    def take_cut(self, channel: Channel) -> str | None:
        """Why the playback that just ended on ``channel`` was cut by a technician, if it was."""
        with self._lock:
            reason, channel.cut_by = channel.cut_by, None
            return reason

    def cancel_queued(self, bulletin_id: str) -> Bulletin | None:
        """Take a priority bulletin off the queue before it airs; ``None`` if it is not there
        (an emergency never waits there; a bulletin taken by a program is airing)."""
        with self._lock:
            bulletin = next((b for b in self._waiting_priority if b.id == bulletin_id), None)
            if bulletin is not None:
                self._waiting_priority.remove(bulletin)
        if bulletin is not None:
            bulletin.done.set()
        return bulletin

    def queued(self, zones: AbstractSet[str] | None = None) -> list[Bulletin]:
        """Priority bulletins waiting for a gap on any of ``zones`` (``None``: anywhere)."""
        with self._lock:
            return [
                b for b in self._waiting_priority if zones is None or not zones.isdisjoint(b.zones)
            ]

    # -- stopping ----------------------------------------------------------------------

    def stop_everything(self) -> None:
        """The daemon is stopping: fade out every playback; programs end after their item."""
        with self._lock:
            self.stopping.set()
            for channel in self._channels:
                if channel.playback is not None:
                    channel.playback.stop()
            for bulletin in self._emergencies + self._waiting_priority:
                bulletin.done.set()

    def busy_zones(self) -> set[str]:
        with self._lock:
            return {zone for c in self._channels if c.playback for zone in c.zones}
