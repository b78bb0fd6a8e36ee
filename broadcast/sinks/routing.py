"""A mono program read block by block as one device's channels, with gain and fade-out.

The signal is routed per block instead of building the whole multi-channel program up front,
so a long programme on a 4-channel card costs no more memory than its mono source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from broadcast.audio.loudness import db_to_gain
from broadcast.sinks.protocol import ZoneSpeakers

INT16_MIN, INT16_MAX = -32768, 32767


@dataclass(frozen=True)
class ChannelRoute:
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
        ChannelRoute(tuple(c - 1 for c in zone.channels), db_to_gain(zone.volume_db))
        for zone in zones
    ]


class RoutedProgram:
    """Fills output blocks from a mono program; thread-safe enough for one reader (the audio
    callback) and one other thread asking for a fade-out."""

    def __init__(
        self,
        mono: np.ndarray,
        routes: Sequence[ChannelRoute],
        channel_count: int,
        sample_rate: int,
    ):
        self._mono = mono
        self._routes = tuple(routes)
        self.channel_count = channel_count
        self.sample_rate = sample_rate
        self.dtype = mono.dtype
        self.position = 0  # frames handed out so far
        self._end = len(mono)
        self._fade_start = 0
        self._fade_length = 0
        self._fade_request: int | None = None
        self.fading = False

    @property
    def aired_seconds(self) -> float:
        return self.position / self.sample_rate

    @property
    def finished(self) -> bool:
        return self.position >= self._end

    @property
    def stop_requested(self) -> bool:
        """A fade-out was asked for and the next ``read`` will begin it."""
        return self._fade_request is not None

    def fade_out(self, seconds: float) -> None:
        """Ask for a linear fade to silence starting at the next block (called from any thread)."""
        self._fade_request = max(1, round(seconds * self.sample_rate))

    def read(self, out: np.ndarray) -> int:
        """Fill ``out`` (frames × channels, of ``dtype``); returns the program frames written,
        the rest of ``out`` is silence. Fewer frames than asked means the program is over."""
        request, self._fade_request = self._fade_request, None
        if request is not None and not self.fading and not self.finished:
            self.fading = True
            self._fade_start = self.position
            self._fade_length = request
            # Stopped before its first frame: nothing was heard, so nothing fades in and out.
            self._end = 0 if self.position == 0 else min(self._end, self.position + request)
        count = max(0, min(len(out), self._end - self.position))
        block = self._mono[self.position : self.position + count]
        envelope = self._envelope(count)
        out.fill(0)
        for route in self._routes:
            out[:count, route.channels] = self._scaled(block, route.gain, envelope)[:, None]
        self.position += count
        return count

    def _envelope(self, count: int) -> np.ndarray | None:
        if not self.fading:
            return None
        done = np.arange(self.position, self.position + count) - self._fade_start
        return 1.0 - (done + 1) / self._fade_length

    def _scaled(self, block: np.ndarray, gain: float, envelope: np.ndarray | None) -> np.ndarray:
        if gain == 1.0 and envelope is None:
            return block  # unchanged samples: bit-exact
        scaled = block.astype(np.float64) * gain
        if envelope is not None:
            scaled *= envelope
        if self.dtype == np.int16:
            return np.clip(np.rint(scaled), INT16_MIN, INT16_MAX).astype(np.int16)
        return np.clip(scaled, -1.0, 1.0).astype(np.float32)
