"""The real audio sink: one PortAudio output stream per sound device, in parallel.

Zones sharing a device are played by one multi-channel stream (each zone's channels carry the
program at the zone's volume, other channels silence); zones on other devices get their own
stream, so a failing card never stops the others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import replace
from types import ModuleType

import numpy as np
import soxr

from broadcast.sinks.devices import (
    DeviceNotFound,
    OutputDevice,
    PortAudioMissing,
    find_output_device,
    output_devices_for,
    portaudio_held,
    sounddevice_module,
    stream_closed,
    stream_opened,
)
from broadcast.sinks.playout import Playout
from broadcast.sinks.protocol import (
    DeviceError,
    OutletOutcome,
    Playback,
    PlayStatus,
    ZoneHealth,
    ZoneSpeakers,
)
from broadcast.sinks.routing import RoutedProgram, as_mono, routes_for

# Seconds of buffer asked of PortAudio. Measured through PulseAudio with 4–8 busy processes
# and a thread holding the GIL on 2 cores: at 0.15 s one underrun in 240 s of playing (a gap
# and 37.5 ms skipped; the field saw two in a few minutes), at 0.25 s none in 240 s. The cost:
# a stop is silent ~0.1 s later (fade plus buffer, ~0.55 s). The start does not depend on it.
DEFAULT_LATENCY = 0.25
STALL_SECONDS = 2.0  # a stream whose callback stops being called is a vanished device
STANDARD_LAYOUTS = (2, 4, 6, 8)  # channel counts that sound servers map one to one


class SoundDeviceSink:
    """Plays through sounddevice/PortAudio."""

    def __init__(
        self, latency: float | str = DEFAULT_LATENCY, stall_seconds: float = STALL_SECONDS
    ):
        self.latency = latency
        self.stall_seconds = stall_seconds

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        """Each zone's device found, with the channels the zone needs (one look at PortAudio,
        two when a device is missing: a card plugged in since is found)."""
        try:
            devices = output_devices_for([z.device for z in zones])
        except PortAudioMissing as exc:
            return [ZoneHealth(z.zone_id, str(z.device), str(exc), playable=False) for z in zones]
        return [_zone_health(zone, devices) for zone in zones]

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
        at: float | None = None,
    ) -> Playback:
        mono = as_mono(audio)
        outlets: list[_StreamOutlet | _FailedOutlet] = []
        # Held from finding the devices to opening their streams: a refresh in between would
        # renumber them.
        with portaudio_held():
            groups = _group_by_device(zones)
            for _, _, device_zones in groups:
                routes_for(device_zones)  # a setup error (shared channel) fails before any sound
            for name, device, device_zones in groups:
                zone_ids = tuple(z.zone_id for z in device_zones)
                if isinstance(device, DeviceError):
                    outlets.append(_FailedOutlet(name, zone_ids, device))
                    continue
                try:
                    outlets.append(
                        _StreamOutlet(device, device_zones, mono, sample_rate, self.latency, at)
                    )
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
    try:
        devices, problem = output_devices_for([z.device for z in zones]), None
    except PortAudioMissing as exc:
        devices, problem = [], str(exc)
    groups: dict[object, tuple[str, OutputDevice | DeviceError, list[ZoneSpeakers]]] = {}
    for zone in zones:
        device = _resolved(zone.device, devices, problem)
        key: object
        if isinstance(device, OutputDevice):
            key, name = device.index, device.name
        else:
            key, name = ("missing", device.device), device.device
        groups.setdefault(key, (name, device, []))[2].append(zone)
    return list(groups.values())


def _resolved(
    wanted: str | int, devices: Sequence[OutputDevice], problem: str | None
) -> OutputDevice | DeviceError:
    if problem is not None:
        return DeviceError(str(wanted), problem)
    try:
        return find_output_device(wanted, devices)
    except DeviceNotFound as exc:
        return DeviceError(str(wanted), exc.message)


class _FailedOutlet:
    """A device that could not even start; finished from the outset."""

    def __init__(self, device: str, zone_ids: tuple[str, ...], error: DeviceError):
        self.zone_ids = zone_ids
        self._outcome = OutletOutcome(device, zone_ids, PlayStatus.DEVICE_ERROR, 0.0, error)
        self.finished = threading.Event()
        self.finished.set()

    def fade_out(self, seconds: float, zones: AbstractSet[str] | None = None) -> None:
        pass

    def outcomes(self) -> list[OutletOutcome]:
        return [self._outcome]

    def silent(self, zones: AbstractSet[str]) -> bool:
        return True

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        return replace(self._outcome, zone_ids=(zone_id,))


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
    """Every channel the device's zones span, rounded up to a standard layout the device has
    (stereo, quad, 5.1, 7.1). A stream of another count is remixed on its way, so a channel
    would not carry exactly its zone: many drivers copy a mono stream to both speakers;
    PulseAudio played a 3-channel stream's third channel on none of a 4-channel card's
    loudspeakers, and a stereo one on the rear pair too (heard at its monitor)."""
    needed = max(max(zone.channels) for zone in zones)
    if needed > device.max_output_channels:
        raise DeviceError(
            device.name,
            f"thiết bị chỉ có {device.max_output_channels} kênh, cấu hình cần kênh {needed}",
        )
    spanned = min(
        max(needed, *(zone.device_channels for zone in zones)), device.max_output_channels
    )
    layouts = [n for n in STANDARD_LAYOUTS if spanned <= n <= device.max_output_channels]
    return layouts[0] if layouts else spanned


class _StreamOutlet:
    def __init__(
        self,
        device: OutputDevice,
        zones: Sequence[ZoneSpeakers],
        mono: np.ndarray,
        sample_rate: int,
        latency: float | str,
        at: float | None,
    ):
        self.device = device
        self.zone_ids = tuple(z.zone_id for z in zones)
        self.finished = threading.Event()
        self.underruns = 0  # callbacks told of an output underflow: the device ran dry
        self._stream_done = threading.Event()
        self._error: DeviceError | None = None
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
        except sd.PortAudioError as exc:
            raise DeviceError(device.name, f"không mở được luồng âm thanh ({exc})") from exc
        stream_opened()
        # PortAudio's clock is time.monotonic()'s on Linux; elsewhere it may be offset.
        self._clock_offset = self._stream.time - time.monotonic()
        at_on_stream = None if at is None else at + self._clock_offset
        self._playout = Playout(rate, self._stream.latency, at_on_stream)
        try:
            self._stream.start()
        except sd.PortAudioError as exc:
            self._close(abort=True)
            raise DeviceError(device.name, f"không mở được luồng âm thanh ({exc})") from exc

    def _callback(self, outdata: np.ndarray, frames: int, time_info, status) -> None:
        self._last_callback = time.monotonic()
        if status.output_underflow:
            self.underruns += 1
        now = time_info.currentTime or self._last_callback + self._clock_offset
        dac_time = time_info.outputBufferDacTime
        self.program.take_requests()
        if self.program.finished:
            self._playout.start_now()  # stopped before its instant: nothing to wait for
        silence = self._playout.silence_before_program(frames, now, dac_time)
        outdata[:silence].fill(0)
        written = self.program.read(outdata[silence:]) if silence < frames else 0
        self._playout.block(frames, silence, written, now, dac_time)
        if self._playout.all_played:
            # Only silence is left in the buffer: closing now cuts nothing a listener hears.
            raise self._sd.CallbackStop

    def fade_out(self, seconds: float, zones: AbstractSet[str] | None = None) -> None:
        self.program.fade_out(seconds, zones)

    def silent(self, zones: AbstractSet[str]) -> bool:
        if self.finished.is_set():
            return True
        end = self.program.zones_end(zones)
        return end is not None and self._playout.has_played(end)

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
        self._close(abort=self._error is not None)
        self.program.let_go()
        if self._error is None and not self._playout.all_played:
            self._error = DeviceError(self.device.name, "luồng âm thanh bị ngắt giữa chừng")
        self.finished.set()

    def _close(self, abort: bool) -> None:
        try:
            if abort:
                self._stream.abort()
            self._stream.close()
        except self._sd.PortAudioError:
            pass  # the device is gone; nothing left to release
        finally:
            stream_closed()

    def outcomes(self) -> list[OutletOutcome]:
        return [
            self._outcome(zone_ids, stopped, frames)
            for zone_ids, stopped, frames in self.program.fates()
        ]

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        stopped = self.program.zone_stopped(zone_id)
        return self._outcome((zone_id,), stopped, self.program.zone_frames(zone_id))

    def _outcome(self, zone_ids: tuple[str, ...], stopped: bool, frames: int) -> OutletOutcome:
        if self._error is not None:
            status = PlayStatus.DEVICE_ERROR
        else:
            status = PlayStatus.STOPPED if stopped else PlayStatus.COMPLETED
        played = self._playout.played_program_frames(frames)
        return OutletOutcome(
            self.device.name,
            zone_ids,
            status,
            played / self.program.sample_rate,
            self._error,
            underruns=self.underruns,
        )
