"""The real audio sink: one PortAudio output stream per sound device, in parallel.

Zones sharing a device are played by one multi-channel stream (each zone's channels carry the
program at the zone's volume, other channels silence); zones on other devices get their own
stream, so a failing card never stops the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from types import ModuleType

import numpy as np
import soxr

from broadcast.sinks.devices import (
    DeviceNotFound,
    OutputDevice,
    PortAudioMissing,
    find_output_device,
    list_output_devices,
    sounddevice_module,
)
from broadcast.sinks.protocol import (
    DeviceError,
    OutletOutcome,
    Playback,
    PlayStatus,
    ZoneHealth,
    ZoneSpeakers,
)
from broadcast.sinks.routing import RoutedProgram, as_mono, routes_for

# Seconds of buffer: room for a busy Python process, short enough for a 0.5 s stop. Through
# PulseAudio, 0.15 s also gave the quickest start (bench/timing.py); 0.1 s added ~20 ms.
DEFAULT_LATENCY = 0.15
STALL_SECONDS = 2.0  # a stream whose callback stops being called is a vanished device


class SoundDeviceSink:
    """Plays through sounddevice/PortAudio."""

    def __init__(
        self, latency: float | str = DEFAULT_LATENCY, stall_seconds: float = STALL_SECONDS
    ):
        self.latency = latency
        self.stall_seconds = stall_seconds

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        """Each zone's device found, with the channels the zone needs (one look at PortAudio)."""
        try:
            devices = list_output_devices()
        except PortAudioMissing as exc:
            return [ZoneHealth(z.zone_id, str(z.device), str(exc), playable=False) for z in zones]
        return [_zone_health(zone, devices) for zone in zones]

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
    ) -> Playback:
        mono = as_mono(audio)
        groups = _group_by_device(zones)
        for _, _, device_zones in groups:
            routes_for(device_zones)  # a setup error (shared channel) fails before any sound
        outlets: list[_StreamOutlet | _FailedOutlet] = []
        for name, device, device_zones in groups:
            zone_ids = tuple(z.zone_id for z in device_zones)
            if isinstance(device, DeviceError):
                outlets.append(_FailedOutlet(name, zone_ids, device))
                continue
            try:
                outlets.append(_StreamOutlet(device, device_zones, mono, sample_rate, self.latency))
            except DeviceError as exc:
                outlets.append(_FailedOutlet(name, zone_ids, exc))
        for outlet in outlets:
            if isinstance(outlet, _StreamOutlet):
                outlet.watch(self.stall_seconds)
        return Playback(outlets)


def _zone_health(zone: ZoneSpeakers, devices: Sequence[OutputDevice]) -> ZoneHealth:
    try:
        device = find_output_device(zone.device, devices)
    except DeviceNotFound as exc:
        return ZoneHealth(zone.zone_id, str(zone.device), exc.message, playable=False)
    highest = max(zone.channels)
    problem = None
    if highest > device.max_output_channels:
        problem = f"thiết bị chỉ có {device.max_output_channels} kênh, khu vực cần kênh {highest}"
    return ZoneHealth(
        zone.zone_id, device.name, problem, playable=problem is None, device_index=device.index
    )


def _group_by_device(
    zones: Sequence[ZoneSpeakers],
) -> list[tuple[str, OutputDevice | DeviceError, list[ZoneSpeakers]]]:
    """Zones grouped by the device they resolve to (a name and an index may be one device)."""
    groups: dict[object, tuple[str, OutputDevice | DeviceError, list[ZoneSpeakers]]] = {}
    for zone in zones:
        device: OutputDevice | DeviceError
        key: object
        try:
            found = find_output_device(zone.device)
            device, key, name = found, found.index, found.name
        except (DeviceNotFound, PortAudioMissing) as exc:
            name = str(zone.device)
            device = DeviceError(name, getattr(exc, "message", str(exc)))
            key = ("missing", name)
        groups.setdefault(key, (name, device, []))[2].append(zone)
    return list(groups.values())


class _FailedOutlet:
    """A device that could not even start; finished from the outset."""

    def __init__(self, device: str, zone_ids: tuple[str, ...], error: DeviceError):
        self._outcome = OutletOutcome(device, zone_ids, PlayStatus.DEVICE_ERROR, 0.0, error)
        self.finished = threading.Event()
        self.finished.set()

    def fade_out(self, seconds: float) -> None:
        pass

    def outcome(self) -> OutletOutcome:
        return self._outcome


def playable_rate(sd: ModuleType, device: OutputDevice, wanted: int, channels: int, dtype) -> int:
    """``wanted`` if the device takes it, else the device's own default rate."""
    for rate in (wanted, round(device.default_samplerate)):
        try:
            sd.check_output_settings(
                device=device.index, channels=channels, samplerate=rate, dtype=dtype
            )
            return rate
        except (sd.PortAudioError, ValueError):
            continue
    raise DeviceError(device.name, f"thiết bị không phát được {channels} kênh ở {wanted} Hz")


def stream_channel_count(zones: Sequence[ZoneSpeakers], device: OutputDevice) -> int:
    """Enough channels for every zone; at least stereo where the device has it, because a mono
    stream is copied to both speakers by many drivers and the other channel must stay silent."""
    needed = max(max(zone.channels) for zone in zones)
    if needed > device.max_output_channels:
        raise DeviceError(
            device.name,
            f"thiết bị chỉ có {device.max_output_channels} kênh, cấu hình cần kênh {needed}",
        )
    return max(needed, min(2, device.max_output_channels))


class _StreamOutlet:
    def __init__(
        self,
        device: OutputDevice,
        zones: Sequence[ZoneSpeakers],
        mono: np.ndarray,
        sample_rate: int,
        latency: float | str,
    ):
        self.device = device
        self.zone_ids = tuple(z.zone_id for z in zones)
        self.finished = threading.Event()
        self._stream_done = threading.Event()
        self._error: DeviceError | None = None
        self.first_callback_monotonic: float | None = None
        self._last_callback = time.monotonic()
        sd = self._sd = sounddevice_module()
        channels = stream_channel_count(zones, device)
        rate = playable_rate(sd, device, sample_rate, channels, mono.dtype)
        if rate != sample_rate:
            mono = soxr.resample(mono, sample_rate, rate)
        self.program = RoutedProgram(mono, routes_for(zones), channels, rate)
        try:
            self._stream = sd.OutputStream(
                samplerate=rate,
                device=device.index,
                channels=channels,
                dtype=mono.dtype.name,
                latency=latency,
                callback=self._callback,
                finished_callback=self._stream_done.set,
                dither_off=True,  # keep int16 programmes bit-exact
                prime_output_buffers_using_stream_callback=True,  # no leading silence
            )
            self._stream.start()
        except sd.PortAudioError as exc:
            raise DeviceError(device.name, f"không mở được luồng âm thanh ({exc})") from exc

    def _callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:
        self._last_callback = time.monotonic()
        if self.first_callback_monotonic is None:
            self.first_callback_monotonic = self._last_callback
        if self.program.read(outdata) < frames:
            raise self._sd.CallbackStop

    def fade_out(self, seconds: float) -> None:
        self.program.fade_out(seconds)

    def watch(self, stall_seconds: float) -> None:
        threading.Thread(
            target=self._watch, args=(stall_seconds,), name=f"play-{self.device.index}", daemon=True
        ).start()

    def _watch(self, stall_seconds: float) -> None:
        while not self._stream_done.wait(0.05):
            if time.monotonic() - self._last_callback > stall_seconds:
                self._error = DeviceError(
                    self.device.name, "thiết bị ngừng nhận âm thanh giữa chừng"
                )
                break
        try:
            if self._error is not None:
                self._stream.abort()
            self._stream.close()
        except self._sd.PortAudioError:
            pass  # the device is gone; nothing left to release
        if self._error is None and not self.program.finished:
            self._error = DeviceError(self.device.name, "luồng âm thanh bị ngắt giữa chừng")
        self.finished.set()

    def outcome(self) -> OutletOutcome:
        if self._error is not None:
            status = PlayStatus.DEVICE_ERROR
        elif self.program.fading:
            status = PlayStatus.STOPPED
        else:
            status = PlayStatus.COMPLETED
        return OutletOutcome(
            self.device.name, self.zone_ids, status, self.program.aired_seconds, self._error
        )
