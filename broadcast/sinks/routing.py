"""A mono program read block by block as one device's channels, with gain and fade-out.

The signal is routed per block instead of building the whole multi-channel program up front,
so a long programme on a 4-channel card costs no more memory than its mono source.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np

from broadcast.audio.loudness import db_to_gain
from broadcast.sinks.protocol import ZoneSpeakers

INT16_MIN, INT16_MAX = -32768, 32767


@dataclass(frozen=True)
class ChannelRoute:
    zone_id: str
    channels: tuple[int, ...]  # 0-based columns of the device's frames
    gain: float  # linear


def as_mono(audio: np.ndarray) -> np.ndarray:
    """The program as a 1-D array: int16 kept as is (bit-exact), anything else float32."""
    mono = np.asarray(audio)
    if mono.ndim == 2 and mono.shape[1] == 1:
        mono = mono[:, 0]
    if mono.ndim != 1:
        raise ValueError(f"program audio must be mono, got shape {mono.shape}")
    if mono.dtype == np.int16:
        return mono
    if not np.issubdtype(mono.dtype, np.floating):
        raise ValueError(f"program audio must be int16 or float, got {mono.dtype}")
    return mono.astype(np.float32, copy=False)


def routes_for(zones: Sequence[ZoneSpeakers]) -> list[ChannelRoute]:
    """Routes of the zones sharing one device; two zones on one channel is a setup error."""
    used: dict[int, str] = {}
    for zone in zones:
        for channel in zone.channels:
            if channel in used:
                raise ValueError(
                    f"zones {used[channel]} and {zone.zone_id} share channel {channel}"
                )
            used[channel] = zone.zone_id
    return [
        # 10 ** 0 is exactly 1.0, so a zone at 0 dB gets the samples unchanged.
        ChannelRoute(zone.zone_id, tuple(c - 1 for c in zone.channels), db_to_gain(zone.volume_db))
        for zone in zones
    ]


class _RouteState:
    """Where one zone's share of the program ends, and its fade, if it is fading."""

    def __init__(self, route: ChannelRoute, end: int):
        self.route = route
        self.end = end
        self.fade_start = 0
        self.fade_length = 0
        self.fading = False


class RoutedProgram:
    """Fills output blocks from a mono program; thread-safe enough for one reader (the audio
    callback) and other threads asking for fade-outs.

    Each zone fades on its own: an emergency on one zone silences that zone's channels while
    the others play on (issue 13: pre-emption used to stop every zone of the stream). The
    program runs until its last zone has ended."""

    def __init__(
        self,
        mono: np.ndarray,
        routes: Sequence[ChannelRoute],
        channel_count: int,
        sample_rate: int,
    ):
        self._mono = mono
        self._routes = [_RouteState(route, len(mono)) for route in routes]
        self.channel_count = channel_count
        self.sample_rate = sample_rate
        self.dtype = mono.dtype
        self.position = 0  # frames handed out so far
        # (frames, zones or None for all); a deque's append and popleft are thread-safe
        self._requests: deque[tuple[int, AbstractSet[str] | None]] = deque()

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(state.route.zone_id for state in self._routes)

    @property
    def finished(self) -> bool:
        return self.position >= self._end

    @property
    def _end(self) -> int:
        return max((state.end for state in self._routes), default=0)

    def zone_frames(self, zone_id: str) -> int:
        """Program frames handed out on this zone's channels."""
        return min(self.position, self._state(zone_id).end)

    def zones_end(self, zones: AbstractSet[str]) -> int | None:
        """The frame after the last one ``zones`` will get, once all of them have been handed
        everything they will get (``None`` while one is still playing)."""
        ends = [state.end for state in self._routes if state.route.zone_id in zones]
        if any(self.position < end for end in ends):
            return None
        return max(ends, default=0)

    def zone_stopped(self, zone_id: str) -> bool:
        """The zone was faded out before the program's end."""
        return self._state(zone_id).fading

    def fates(self) -> list[tuple[tuple[str, ...], bool, int]]:
        """Zones that fared alike, each group with whether it was stopped and the program
        frames handed out on it (one group unless some zones were stopped apart)."""
        groups: dict[tuple[bool, int], list[str]] = {}
        for state in self._routes:
            key = (state.fading, min(self.position, state.end))
            groups.setdefault(key, []).append(state.route.zone_id)
        return [(tuple(zones), stopped, frames) for (stopped, frames), zones in groups.items()]

    def _state(self, zone_id: str) -> _RouteState:
        return next(state for state in self._routes if state.route.zone_id == zone_id)

    def let_go(self) -> None:
        """The program is over: its samples are no longer needed (what it did stays). A
        sounddevice stream is a reference cycle that holds its callback, hence this program,
        until Python's next full collection: ~12 MB of a 2-minute item per play, kept."""
        self._mono = np.empty(0, dtype=self.dtype)

    def fade_out(self, seconds: float, zones: AbstractSet[str] | None = None) -> None:
        """Ask for a linear fade to silence, starting at the next block, on ``zones`` (``None``:
        all); called from any thread. Zones this program does not carry are ignored."""
        self._requests.append((max(1, round(seconds * self.sample_rate)), zones))

    def take_requests(self) -> None:
        """Begin the fades asked for since the last block (the reader calls it, or ``read``)."""
        while self._requests:
            length, zones = self._requests.popleft()
            for state in self._routes:
                if zones is not None and state.route.zone_id not in zones:
                    continue
                if state.fading or self.position >= state.end:
                    continue
                state.fading = True
                state.fade_start = self.position
                state.fade_length = length
                # Stopped before its first frame: nothing was heard, nothing fades in and out.
                state.end = 0 if self.position == 0 else min(state.end, self.position + length)

    def read(self, out: np.ndarray) -> int:
        """Fill ``out`` (frames × channels, of ``dtype``); returns the program frames written,
        the rest of ``out`` is silence. Fewer frames than asked means the program is over."""
        self.take_requests()
        count = max(0, min(len(out), self._end - self.position))
        block = self._mono[self.position : self.position + count]
        out.fill(0)
        for state in self._routes:
            zone_count = max(0, min(count, state.end - self.position))
            if zone_count:
                out[:zone_count, state.route.channels] = self._scaled(block[:zone_count], state)[
                    :, None
                ]
        self.position += count
        return count

    def _scaled(self, block: np.ndarray, state: _RouteState) -> np.ndarray:
        gain = state.route.gain
        if gain == 1.0 and not state.fading:
            return block  # unchanged samples: bit-exact
        scaled = block.astype(np.float64) * gain
        if state.fading:
            done = np.arange(self.position, self.position + len(block)) - state.fade_start
            scaled *= 1.0 - (done + 1) / state.fade_length
        if self.dtype == np.int16:
            return np.clip(np.rint(scaled), INT16_MIN, INT16_MAX).astype(np.int16)
        return np.clip(scaled, -1.0, 1.0).astype(np.float32)
