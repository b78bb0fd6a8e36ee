"""Who has the air on each zone: running programs, urgent announcements, and stopping.

One zone, one thing at a time. An emergency bulletin pre-empts programs and priority bulletins
on its zones only (as zone priority works in PRAESENSA or TOA systems): they fade out there,
their other zones play on, and the cut zones take up the item where they were cut once the
bulletin has aired. Emergencies on a zone air one after another, in the order they came. A
priority bulletin airs between two items of a program on its zones, or as soon as its zones
are free. Two programs due on the same zones play one after the other, the earlier first. All
of it is decided under one lock so nothing can slip in between a check and a start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

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


class Rank(IntEnum):
    """What holds a channel; an emergency cuts only what ranks below it."""

    PROGRAM = 0
    PRIORITY = 1
    EMERGENCY = 2


class Channel:
    """A program's (or a bulletin's) hold on its zones while it plays; the air control can
    pre-empt it.

    Per zone, because a cut on some zones leaves the others playing: what pre-empted the
    playback now, which technician cut it, and the zones a technician ended the airing on."""

    def __init__(self, zones: Iterable[str], rank: Rank = Rank.PROGRAM):
        self.zones = frozenset(zones)
        self.rank = rank
        self.playback: Playback | None = None
        self.playing: frozenset[str] = frozenset()  # zones of ``playback``
        self.preempted: dict[str, Bulletin] = {}
        self.cut_by: dict[str, str] = {}  # a technician's cut (``Reason.asked_by``)
        self.silent_at: dict[str, datetime] = {}  # when the emergency heard a cut zone silent
        self.ended_by: dict[str, str] = {}  # nothing more plays there on this channel
        self.bulletin: Bulletin | None = None  # the priority bulletin this channel airs

    def overlaps(self, zones: Iterable[str]) -> bool:
        return not self.zones.isdisjoint(zones)


@dataclass(frozen=True)
class PlaybackEnd:
    """How a playback's zones were cut, if they were: by an emergency, or by a technician."""

    preempted: dict[str, Bulletin]
    cut_by: dict[str, str]
    silent_at: dict[str, datetime] = field(default_factory=dict)


@dataclass(eq=False)
class ProgramTurn:
    """A program's place in the queue of programs due on overlapping zones."""

    order: tuple[datetime, str]  # its planned start, then its id
    zones: frozenset[str]
    running: bool = False


# Called with bulletins whose zones have just become free, each with its channel already
# holding them: the announcer plays them there.
FreeListener = Callable[[list[tuple[Bulletin, Channel]]], None]


class AirControl:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # a channel, bulletin or turn ended
        self._channels: set[Channel] = set()
        self._emergencies: list[Bulletin] = []  # in the order they came: each waits its turn
        self._waiting_priority: list[Bulletin] = []
        self._turns: list[ProgramTurn] = []
        self.stopping = threading.Event()
        self.on_free: FreeListener | None = None

    # -- programs ----------------------------------------------------------------------

    def reserve_program(self, order: tuple[datetime, str], zones: Iterable[str]) -> ProgramTurn:
        """A program's place in the queue, taken as soon as it is due (two due at once: the
        earlier planned goes first, whichever thread gets here first)."""
        turn = ProgramTurn(order, frozenset(zones))
        with self._lock:
            self._turns.append(turn)
        return turn

    def enter_program(self, turn: ProgramTurn, deadline: float | None) -> bool:
        """Wait until no other program holds or, being due earlier, waits for any of the
        turn's zones; ``False`` (and the turn given up) if the ``time.monotonic()``
        ``deadline`` or a stop comes first."""
        with self._changed:
            while not self.stopping.is_set():
                if not any(
                    other is not turn
                    and other.zones & turn.zones
                    and (other.running or other.order < turn.order)
                    for other in self._turns
                ):
                    turn.running = True
                    return True
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self._changed.wait(0.5)
        self.leave_program(turn)
        return False

    def leave_program(self, turn: ProgramTurn) -> None:
        with self._changed:
            self._turns.remove(turn)
            self._changed.notify_all()
        self._dispatch_waiting()  # its zones may be free now: a bulletin waiting there airs

    def open_channel(self, zones: Iterable[str], rank: Rank = Rank.PROGRAM) -> Channel:
        channel = Channel(zones, rank)
        with self._lock:
            self._channels.add(channel)
        return channel

    def close_channel(self, channel: Channel) -> None:
        with self._changed:
            self._channels.discard(channel)
            self._changed.notify_all()
        self._dispatch_waiting()

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
        """Those of ``zones`` a bulletin holds now (an emergency, or a priority bulletin on a
        channel of its own)."""
        zones = frozenset(zones)
        with self._lock:
            return zones & self._bulletin_zones()

    def bulletins_on_air(self) -> list[Bulletin]:
        """The bulletins holding zones now: emergencies (cutting in, airing, or waiting for an
        earlier one on a shared zone) and priority bulletins on channels of their own."""
        with self._lock:
            priority = [c.bulletin for c in self._channels if c.bulletin is not None]
            return [*self._emergencies, *priority]

    def _bulletin_zones(self) -> frozenset[str]:
        held = {z for bulletin in self._emergencies for z in bulletin.zones}
        held |= {z for c in self._channels if c.rank > Rank.PROGRAM for z in c.zones}
        return frozenset(held)

    def wait_until_clear(self, zones: Iterable[str]) -> None:
        """Block while a bulletin holds any of ``zones``."""
        zones = frozenset(zones)
        with self._changed:
            while not self.stopping.is_set() and zones & self._bulletin_zones():
                self._changed.wait(0.5)

    def begin(
        self, channel: Channel, zones: Iterable[str], start: Callable[[], Playback]
    ) -> Playback | None:
        """Start a program's playback on ``zones`` of ``channel`` unless a bulletin holds one
        of them or the daemon is stopping."""
        zones = frozenset(zones)
        with self._lock:
            if zones & self._bulletin_zones():
                return None
            return self.attach(channel, zones, start)

    def attach(
        self, channel: Channel, zones: Iterable[str], start: Callable[[], Playback]
    ) -> Playback | None:
        """Start a playback on ``channel`` whatever else holds its zones (a bulletin on its
        own); ``None`` once the daemon is stopping: nothing starts then."""
        with self._lock:
            if self.stopping.is_set():
                return None
            channel.preempted, channel.cut_by, channel.silent_at = {}, {}, {}
            channel.playback = start()
            channel.playing = frozenset(zones)
            return channel.playback

    def end(self, channel: Channel) -> PlaybackEnd:
        """The playback on ``channel`` has finished: how its zones were cut, if they were."""
        with self._lock:
            ended = PlaybackEnd(channel.preempted, channel.cut_by, channel.silent_at)
            channel.playback, channel.playing = None, frozenset()
            channel.preempted, channel.cut_by, channel.silent_at = {}, {}, {}
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
                {z: channel.silent_at.pop(z) for z in silent if z in channel.silent_at},
            )

    def take_priority(self, zones: Iterable[str]) -> list[Bulletin]:
        """Priority bulletins waiting for a gap that a program on ``zones`` can air now, between
        two items: all their zones are the program's, and no other bulletin holds one. Oldest
        first; a bulletin reaching beyond the program waits until all its zones are free."""
        zones = frozenset(zones)
        with self._lock:
            held = self._bulletin_zones()
            taken = [
                b
                for b in self._waiting_priority
                if set(b.zones) <= zones and not held & set(b.zones)
            ]
            for bulletin in taken:
                self._waiting_priority.remove(bulletin)
            return taken

    # -- announcements -----------------------------------------------------------------

    def claim_for_emergency(self, bulletin: Bulletin) -> list[Playback]:
        """Hold the bulletin's zones and fade out what plays there (only there), except an
        earlier emergency (it airs first: ``wait_turn``); returns the playbacks cut (wait for
        them with ``wait_silent``)."""
        with self._lock:
            self._emergencies.append(bulletin)
            cut = []
            for channel in self._channels:
                hit = channel.playing & frozenset(bulletin.zones)
                if channel.playback is not None and hit and channel.rank < Rank.EMERGENCY:
                    for zone in hit:
                        channel.preempted[zone] = bulletin
                    channel.playback.stop(zones=hit)
                    cut.append(channel.playback)
            return cut

    def wait_turn(self, bulletin: Bulletin) -> bool:
        """Until every emergency that came before on one of its zones has aired; ``False`` if
        the daemon stops first."""
        zones = frozenset(bulletin.zones)
        with self._changed:
            while not self.stopping.is_set():
                earlier = self._emergencies[: self._emergencies.index(bulletin)]
                if not any(zones & set(other.zones) for other in earlier):
                    return True
                self._changed.wait(0.5)
        return False

    def release_emergency(self, bulletin: Bulletin) -> None:
        with self._changed:
            if bulletin in self._emergencies:
                self._emergencies.remove(bulletin)
            self._changed.notify_all()
        bulletin.done.set()
        self._dispatch_waiting()

    def wait_no_emergency(self, bulletin: Bulletin, zones: Iterable[str]) -> None:
        """Block while another emergency holds any of ``zones`` (a priority bulletin it cut
        waits so, to take up where it was cut)."""
        zones = frozenset(zones)
        with self._changed:
            while not self.stopping.is_set() and any(
                zones & set(e.zones) for e in self._emergencies if e is not bulletin
            ):
                self._changed.wait(0.5)

    def wait_silent(
        self, playbacks: Iterable[Playback], bulletin: Bulletin, now: Callable[[], datetime]
    ) -> None:
        """Until nothing ``bulletin`` cut is heard on its zones any more (the fade has reached
        the loudspeaker); a device that never answers is not waited on for long. The instant
        it was heard silent is when the cut rows end, however late their players write them:
        the record never has the emergency start before what it cut had ended."""
        zones = frozenset(bulletin.zones)
        silent = [playback.wait_silent(zones, SILENT_WAIT_SECONDS) for playback in playbacks]
        if not all(silent):
            return
        at = now()
        with self._lock:
            for channel in self._channels:
                for zone, by in channel.preempted.items():
                    if by is bulletin:
                        channel.silent_at[zone] = at

    def admit_priority(self, bulletin: Bulletin) -> Channel | None:
        """A channel holding the bulletin's zones when they are free now; else ``None`` and it
        waits: for a gap between a program's items, or for its zones to be free."""
        with self._lock:
            if self._busy(bulletin.zones) or self.stopping.is_set():
                self._waiting_priority.append(bulletin)
                return None
            return self._bulletin_channel(bulletin)

    def _bulletin_channel(self, bulletin: Bulletin) -> Channel:
        channel = self.open_channel(bulletin.zones, Rank.PRIORITY)
        channel.bulletin = bulletin
        return channel

    def _busy(self, zones: Iterable[str], taken: AbstractSet[str] = frozenset()) -> bool:
        zones = frozenset(zones)
        return bool(
            zones & taken
            or zones & self._bulletin_zones()
            or any(c.overlaps(zones) for c in self._channels)
            or any(t.zones & zones for t in self._turns)
        )

    def _dispatch_waiting(self) -> None:
        """Hand the bulletins whose zones became free to ``on_free``, oldest first."""
        with self._lock:
            if self.stopping.is_set() or self.on_free is None:
                return
            freed: list[tuple[Bulletin, Channel]] = []
            taken: set[str] = set()
            for bulletin in list(self._waiting_priority):
                if not self._busy(bulletin.zones, taken):
                    self._waiting_priority.remove(bulletin)
                    freed.append((bulletin, self._bulletin_channel(bulletin)))
                taken |= set(bulletin.zones)  # an older one waiting keeps its zones' turn
            listener = self.on_free
        if freed:
            listener(freed)

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

    def stop_everything(self) -> list[Bulletin]:
        """The daemon is stopping: fade out every playback, start nothing more; returns the
        priority bulletins still waiting (to be logged as not aired)."""
        with self._changed:
            self.stopping.set()
            for channel in self._channels:
                if channel.playback is not None:
                    channel.playback.stop()
            waiting, self._waiting_priority = self._waiting_priority, []
            for bulletin in self._emergencies + waiting:
                bulletin.done.set()
            self._changed.notify_all()
            return waiting

    def busy_zones(self) -> set[str]:
        with self._lock:
            return {zone for c in self._channels if c.playback for zone in c.playing}
