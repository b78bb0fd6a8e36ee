"""The audio sink boundary: play one program's mono audio on a set of zones, and say how
healthy each zone's output is.

``AudioSink`` has one real implementation (``SoundDeviceSink``, PortAudio) and one that writes
WAV files (``FileSink``), for dry runs, tests and PCs without a sound card; ``FallbackSink`` is
itself a sink made of two. Each returns a ``Playback`` that can be faded out and waited on; each
device (or file) reports its own ``OutletOutcome`` so a broken device never hides what the
others did. ``health`` is the one question ``status``, ``devices`` and the daemon's alarms ask.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

import numpy as np

from broadcast.config.model import Zone

DEFAULT_FADE_SECONDS = 0.25  # with the output latency, a stop is silent within 0.6 s
DEVICE_ERROR = "device_error"
SILENT_POLL_SECONDS = 0.005


@dataclass(frozen=True)
class ZoneSpeakers:
    """Where one zone's loudspeakers are: a device, its channels (1-based), a volume, and
    whether its sound may go to a WAV file when the device cannot play."""

    zone_id: str
    device: str | int
    channels: tuple[int, ...]
    volume_db: float = 0.0
    fallback_to_file: bool = False
    # The highest channel any zone on this device uses (0: only this zone's are known). A
    # stream narrower than the card is remixed by a sound server: PulseAudio copied a stereo
    # stream onto a 4-channel card's rear pair, i.e. onto another zone's loudspeakers.
    device_channels: int = 0

    def __post_init__(self) -> None:
        if not self.channels or min(self.channels) < 1:
            raise ValueError(f"zone {self.zone_id}: channels must be 1-based and not empty")

    @classmethod
    def from_zone(cls, zone: Zone) -> ZoneSpeakers:
        """The playback view of one zone from ``schedules.yaml``, alone: playing it may reach
        its device's other zones through a sound server's remixing; ``all_from`` may not."""
        output = zone.output
        return cls(zone.id, output.device, output.channels, zone.volume_db, zone.fallback_to_file)

    @classmethod
    def all_from(cls, zones: Sequence[Zone]) -> dict[str, ZoneSpeakers]:
        """Every wired zone's playback view by id, each knowing the channels its device's zones
        span. Zones served by IP clusters (``output: ip``) have no device here: left out."""
        zones = [zone for zone in zones if not zone.is_ip]
        spans: dict[str | int, int] = {}
        for zone in zones:
            device = zone.output.device
            spans[device] = max(spans.get(device, 0), *zone.output.channels)
        return {
            zone.id: replace(cls.from_zone(zone), device_channels=spans[zone.output.device])
            for zone in zones
        }


@dataclass(frozen=True)
class ZoneHealth:
    """What a sink can do with one zone right now."""

    zone_id: str
    outlet: str  # the device's name, or the folder its WAV files go to
    problem: str | None = None  # why the zone's loudspeakers cannot play (Vietnamese)
    to_file: bool = False  # the sound goes to WAV files, not to loudspeakers
    playable: bool = True  # something takes the sound (the device, or a fallback file)
    device_index: int | None = None  # PortAudio's index, when a device was found


class PlayStatus(StrEnum):
    COMPLETED = "completed"  # the whole program was played
    STOPPED = "stopped"  # faded out on request
    DEVICE_ERROR = DEVICE_ERROR  # the device was missing or failed; see ``error``


class DeviceError(Exception):
    """A device could not play: missing, refused the stream, or failed mid-play."""

    reason = DEVICE_ERROR

    def __init__(self, device: str, message: str):
        self.device = device
        self.message = message  # Vietnamese, for the technician
        super().__init__(f"{device}: {message}")


@dataclass(frozen=True)
class OutletOutcome:
    """What one outlet (a sound device, or one zone's WAV file) did with the program."""

    device: str
    zone_ids: tuple[str, ...]
    status: PlayStatus
    aired_seconds: float
    error: DeviceError | None = None
    to_file: bool = False  # ``device`` is a WAV file's path: no loudspeaker played it
    underruns: int = 0  # times the device ran dry mid-play (a gap or skip a listener heard)

    @property
    def reason(self) -> str | None:
        return self.error.reason if self.error else None


@dataclass(frozen=True)
class PlayResult:
    outcomes: tuple[OutletOutcome, ...]

    @property
    def completed(self) -> bool:
        return all(o.status is PlayStatus.COMPLETED for o in self.outcomes)

    @property
    def errors(self) -> list[DeviceError]:
        return [o.error for o in self.outcomes if o.error is not None]

    @property
    def aired_seconds(self) -> float:
        """How far the program got on the outlet that got furthest."""
        return max((o.aired_seconds for o in self.outcomes), default=0.0)

    def for_zone(self, zone_id: str) -> OutletOutcome:
        for outcome in self.outcomes:
            if zone_id in outcome.zone_ids:
                return outcome
        raise KeyError(zone_id)


class Outlet(Protocol):
    """One stream of a playback (a device, or a zone's file), as a sink implements it."""

    finished: threading.Event
    zone_ids: tuple[str, ...]

    def fade_out(self, seconds: float, zones: AbstractSet[str] | None = None) -> None:
        """Fade ``zones`` (``None``: all) to silence; zones it does not carry are ignored."""
        ...

    def outcomes(self) -> list[OutletOutcome]:
        """One per group of zones that fared alike; only called once ``finished`` is set."""
        ...

    def silent(self, zones: AbstractSet[str]) -> bool:
        """Nothing more of the program will be heard on ``zones`` (their fade, if any, has
        reached the loudspeaker); zones it does not carry are silent."""
        ...

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        """What this zone got, once ``silent`` for it (while other zones may still play)."""
        ...


class Playback:
    """A program playing on its zones; every outlet runs on its own, in parallel."""

    def __init__(self, outlets: Sequence[Outlet]):
        self._outlets = tuple(outlets)

    @classmethod
    def together(cls, playbacks: Sequence[Playback]) -> Playback:
        """One playback of several started separately (e.g. some zones to a fallback sink)."""
        return cls([outlet for playback in playbacks for outlet in playback._outlets])

    def stop(
        self, fade_seconds: float = DEFAULT_FADE_SECONDS, zones: AbstractSet[str] | None = None
    ) -> None:
        """Fade out ``zones`` (``None``: every zone); the others play on. Returns at once
        (``wait`` tells when the playback has ended everywhere)."""
        for outlet in self._outlets:
            outlet.fade_out(fade_seconds, zones)

    def silent(self, zones: AbstractSet[str]) -> bool:
        """Nothing more will be heard on ``zones``."""
        return all(outlet.silent(zones) for outlet in self._outlets)

    def wait_silent(self, zones: AbstractSet[str], timeout: float) -> bool:
        """Block until nothing more is heard on ``zones`` (the others may play on); ``False``
        if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        while not self.silent(zones):
            if time.monotonic() >= deadline:
                return False
            time.sleep(SILENT_POLL_SECONDS)
        return True

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        """One zone's outcome once it is silent, before the others have finished: a zone cut
        by an emergency is logged when its sound ended, not when the program's did."""
        outlet = next(o for o in self._outlets if zone_id in o.zone_ids)
        return outlet.outcome_for(zone_id)

    def done(self) -> bool:
        return all(outlet.finished.is_set() for outlet in self._outlets)

    def finished_so_far(self) -> list[OutletOutcome]:
        """Outcomes of the outlets already finished while others may still play: a device
        that failed is known long before the program ends on the other zones."""
        return [
            outcome
            for outlet in self._outlets
            if outlet.finished.is_set()
            for outcome in outlet.outcomes()
        ]

    def wait(self, timeout: float | None = None) -> PlayResult:
        """Block until every outlet has finished; ``TimeoutError`` if ``timeout`` passes first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for outlet in self._outlets:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not outlet.finished.wait(remaining):
                raise TimeoutError("playback still running")
        return PlayResult(tuple(o for outlet in self._outlets for o in outlet.outcomes()))


class AudioSink(Protocol):
    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        """One answer per zone, in order: where its sound would go now and what is wrong.

        Cheap enough for every heartbeat (one look at the devices for all zones)."""
        ...

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
        at: float | None = None,
    ) -> Playback:
        """Start playing mono ``audio`` (int16, or float in [-1, 1]) on ``zones``; never blocks
        for the program's length. Device problems come back in the result, not as exceptions.

        ``at``: the ``time.monotonic()`` instant the first sample should be heard. Called
        ahead of it (half a second is plenty), the outlets are opened and ready before it, so
        the start does not wait on opening a device or on a late thread; ``None``: at once.
        A stop before ``at`` means nothing is heard.
        """
        ...
