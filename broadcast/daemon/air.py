"""Who has the air on each zone: running programs, urgent announcements, and stopping.

An emergency bulletin pre-empts programs on its zones only: the program fades out there, its
other zones play on (as zone priority works in PRAESENSA or TOA systems). The cut zones wait
until the bulletin has aired, then take up the item where they were cut (the runner decides
where exactly) and go on with the program on their own. A priority bulletin waits for the
item in progress to end and airs between items. All of it is decided under one lock so a
bulletin can never slip in between a program's check and its start.
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
    """A program's hold on its zones while it plays; the air control can pre-empt it.

    Per zone, because a cut on some zones leaves the others playing: what pre-empted the
    playback now, which technician cut it, and the zones a technician ended the airing on."""

    def __init__(self, zones: Iterable[str]):
        self.zones = frozenset(zones)
        self.playback: Playback | None = None
        self.playing: frozenset[str] = frozenset()  # zones of ``playback``
        self.preempted: dict[str, Bulletin] = {}
        self.cut_by: dict[str, str] = {}  # a technician's cut (``Reason.asked_by``)
        self.ended_by: dict[str, str] = {}  # nothing more plays there on this channel

    def overlaps(self, zones: Iterable[str]) -> bool:
        return not self.zones.isdisjoint(zones)


@dataclass(frozen=True)
class PlaybackEnd:
    """How a playback's zones were cut, if they were: by an emergency, or by a technician."""

    preempted: dict[str, Bulletin]
    cut_by: dict[str, str]


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

    def narrow(self, channel: Channel, zones: AbstractSet[str]) -> None:
        """``channel`` holds only ``zones`` from now on (the others went their own way)."""
        with self._lock:
            channel.zones = frozenset(zones) & channel.zones

    def take_ended(self, channel: Channel) -> dict[str, str]:
        """Zones of ``channel`` a technician ended the airing on, with why; they leave it."""
        with self._lock:
            ended = {z: why for z, why in channel.ended_by.items() if z in channel.zones}
            channel.zones -= set(ended)
            channel.ended_by = {}
            return ended

    def held(self, zones: Iterable[str]) -> frozenset[str]:
        """Those of ``zones`` an emergency bulletin holds now."""
        zones = frozenset(zones)
        with self._lock:
            return frozenset(z for a in self._emergencies for z in a.zones if z in zones)

    def wait_until_clear(self, zones: Iterable[str]) -> None:
        """Block while an emergency bulletin holds any of ``zones``."""
        zones = frozenset(zones)
        while not self.stopping.is_set():
            with self._lock:
                blocking = next((a for a in self._emergencies if zones & set(a.zones)), None)
            if blocking is None:
                return
            blocking.done.wait(0.5)

    def begin(
        self, channel: Channel, zones: Iterable[str], start: Callable[[], Playback]
    ) -> Playback | None:
        """Start a playback on ``zones`` of ``channel`` unless an emergency holds one of them
        or the daemon is stopping."""
        zones = frozenset(zones)
        with self._lock:
            if self.stopping.is_set() or any(zones & set(a.zones) for a in self._emergencies):
                return None
            return self.attach(channel, zones, start)

    def attach(
        self, channel: Channel, zones: Iterable[str], start: Callable[[], Playback]
    ) -> Playback:
        """Start a playback on ``channel`` whatever holds its zones (a bulletin's own)."""
        with self._lock:
            channel.preempted, channel.cut_by = {}, {}
            channel.playing = frozenset(zones)
            channel.playback = start()
            return channel.playback

    def end(self, channel: Channel) -> PlaybackEnd:
        """The playback on ``channel`` has finished: how its zones were cut, if they were."""
        with self._lock:
            ended = PlaybackEnd(channel.preempted, channel.cut_by)
            channel.playback, channel.playing = None, frozenset()
            channel.preempted, channel.cut_by = {}, {}
            return ended

    def release_silent(self, channel: Channel) -> PlaybackEnd:
        """Zones of the playback on ``channel`` that were cut and are silent by now: they
        leave the playback (its other zones play on) and are returned with how they were cut.
        Their channel keeps them until the runner decides where they go."""
        with self._lock:
            playback = channel.playback
            cut = (set(channel.preempted) | set(channel.cut_by)) & channel.playing
            if playback is None or not cut:
                return PlaybackEnd({}, {})
            silent = {zone for zone in cut if playback.silent({zone})}
            channel.playing -= silent
            return PlaybackEnd(
                {z: channel.preempted.pop(z) for z in silent if z in channel.preempted},
                {z: channel.cut_by.pop(z) for z in silent if z in channel.cut_by},
            )

    def take_priority(self, zones: Iterable[str]) -> list[Bulletin]:
        """Priority announcements waiting for a gap on any of ``zones``, oldest first."""
        zones = frozenset(zones)
        with self._lock:
            taken = [a for a in self._waiting_priority if zones & set(a.zones)]
            for bulletin in taken:
                self._waiting_priority.remove(bulletin)
            return taken

    # -- announcements -----------------------------------------------------------------

    def claim_for_emergency(self, bulletin: Bulletin) -> list[Playback]:
        """Hold the bulletin's zones and fade out what plays there (only there); returns the
        playbacks that were cut (wait for them with ``wait_silent``)."""
        with self._lock:
            self._emergencies.append(bulletin)
            cut = []
            for channel in self._channels:
                hit = channel.playing & frozenset(bulletin.zones)
                if channel.playback is not None and hit:
                    for zone in hit:
                        channel.preempted[zone] = bulletin
                    channel.playback.stop(zones=hit)
                    cut.append(channel.playback)
            return cut

    def release_emergency(self, bulletin: Bulletin) -> None:
        with self._lock:
            if bulletin in self._emergencies:
                self._emergencies.remove(bulletin)
        bulletin.done.set()

    @staticmethod
    def wait_silent(playbacks: Iterable[Playback], zones: Iterable[str]) -> None:
        """Until nothing cut is heard on ``zones`` any more (the fade has reached the
        loudspeaker); a device that never answers is not waited on for long."""
        zones = frozenset(zones)
        for playback in playbacks:
            playback.wait_silent(zones, SILENT_WAIT_SECONDS)

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
        between items or waiting for an emergency. Other zones play on. Returns the zones
        cut, sorted."""
        cut: set[str] = set()
        with self._lock:
            for channel in self._channels:
                hit = channel.zones if zones is None else channel.zones & zones
                if not hit:
                    continue
                if end_airing:
                    channel.ended_by.update(dict.fromkeys(hit, reason))
                    cut |= hit
                stopping = hit & channel.playing
                if channel.playback is not None and stopping:
                    channel.cut_by.update(dict.fromkeys(stopping, reason))
                    channel.playback.stop(zones=stopping)
                    cut |= stopping
        return sorted(cut)

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
            return {zone for c in self._channels if c.playback for zone in c.playing}
