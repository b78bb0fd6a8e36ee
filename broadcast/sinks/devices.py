"""PortAudio output devices: listing and finding them, with Vietnamese messages when missing.

``sounddevice`` is imported only when a device is actually needed: on Linux the import fails
without the PortAudio library, and the rest of the program (rendering, planning, reports, the
file sink) must keep working there.

PortAudio reads the machine's device list once, when it is initialised: a USB card plugged in
later stays invisible until PortAudio is terminated and initialised again, which would close
every open stream. ``refresh_devices`` does it only while no stream is open; streams are opened
and devices resolved under ``portaudio_held`` so a refresh never renumbers devices in between.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType


class PortAudioMissing(RuntimeError):
    """The PortAudio library cannot be loaded, so no sound card can be used."""

    def __init__(self, detail: str):
        hint = (
            "cài bằng lệnh: sudo apt-get install libportaudio2"
            if sys.platform.startswith("linux")
            else "cài lại chương trình (gói sounddevice kèm sẵn PortAudio)"
        )
        self.detail = detail
        super().__init__(f"không tìm thấy thư viện âm thanh PortAudio ({hint})")


class DeviceNotFound(LookupError):
    """No output device matches what the configuration names (or it is ambiguous)."""

    def __init__(self, device: str | int, message: str):
        self.device = device
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    hostapi: str
    max_output_channels: int
    default_samplerate: float
    is_default: bool


def sounddevice_module() -> ModuleType:
    """The ``sounddevice`` module, imported on first use; ``PortAudioMissing`` if it cannot be."""
    try:
        import sounddevice
    except OSError as exc:  # raised by sounddevice when libportaudio cannot be loaded
        raise PortAudioMissing(str(exc)) from exc
    return sounddevice


_held = threading.RLock()  # PortAudio's device list is process-wide; so is its keeper
_open_streams = 0
_last_refresh = float("-inf")  # time.monotonic() of the last re-read
# A missing device is looked for again at most this often: an airing asks ``health`` and then
# ``start`` within milliseconds, and each re-read costs ~40 ms before its sound.
MISSING_LOOKUP_SECONDS = 1.0


@contextmanager
def portaudio_held() -> Iterator[None]:
    """No refresh of the device list (hence no renumbering) until the block ends."""
    with _held:
        yield


def stream_opened() -> None:
    """Count a stream PortAudio holds open: no refresh until ``stream_closed``."""
    global _open_streams
    with _held:
        _open_streams += 1


def stream_closed() -> None:
    global _open_streams
    with _held:
        _open_streams -= 1


def refresh_devices() -> bool:
    """Read the machine's devices again (a card plugged in, or pulled out, since the last
    look); ``False``, doing nothing, while a stream is open: PortAudio would close it."""
    global _last_refresh
    with _held:
        if _open_streams:
            return False
        sd = sounddevice_module()
        # sounddevice has no public call for this; its own private pair does it cleanly
        sd._terminate()
        sd._initialize()
        _last_refresh = time.monotonic()
        return True


def output_devices_for(wanted: Sequence[str | int]) -> list[OutputDevice]:
    """PortAudio's devices, read again from the machine first if one of ``wanted`` is not
    among them (and no stream is open, and no re-read just happened): a card plugged in after
    the start is found."""
    with _held:
        devices = list_output_devices()
        missing = any(_unresolved(device, devices) for device in wanted)
        due = time.monotonic() - _last_refresh >= MISSING_LOOKUP_SECONDS
        if missing and due and refresh_devices():
            devices = list_output_devices()
        return devices


def _unresolved(device: str | int, devices: Sequence[OutputDevice]) -> bool:
    try:
        find_output_device(device, devices)
    except DeviceNotFound:
        return True
    return False


def list_output_devices() -> list[OutputDevice]:
    """Every device PortAudio can play on (empty when the machine has no sound card)."""
    sd = sounddevice_module()
    with _held:
        hostapis = sd.query_hostapis()
        default_index = _default_output_index(sd)
        infos = sd.query_devices()
    return [
        OutputDevice(
            index=info["index"],
            name=info["name"],
            hostapi=hostapis[info["hostapi"]]["name"],
            max_output_channels=info["max_output_channels"],
            default_samplerate=float(info["default_samplerate"]),
            is_default=info["index"] == default_index,
        )
        for info in infos
        if info["max_output_channels"] > 0
    ]


def _default_output_index(sd: ModuleType) -> int:
    try:
        return int(sd.default.device[1])
    except (TypeError, ValueError, IndexError):
        return -1


def find_output_device(
    device: str | int, devices: Sequence[OutputDevice] | None = None
) -> OutputDevice:
    """The device a zone names: an index, or a (case-insensitive) part of "name, host API".

    ``devices``: PortAudio's list when the caller already has it (one look for many zones).
    Windows lists one card once per host API (MME, DirectSound, WASAPI…); when a name matches
    several, the default host API's device is taken.
    """
    if devices is None:
        devices = list_output_devices()
    if not devices:
        raise DeviceNotFound(device, "máy này không có thiết bị phát âm thanh nào")
    if isinstance(device, int):
        for candidate in devices:
            if candidate.index == device:
                return candidate
        raise DeviceNotFound(device, f"không có thiết bị phát âm thanh số {device}")
    wanted = device.casefold()
    exact = [d for d in devices if d.name.casefold() == wanted]
    matches = exact or [d for d in devices if wanted in f"{d.name}, {d.hostapi}".casefold()]
    if len(matches) > 1:
        default_hostapi = _default_hostapi_name(devices)
        matches = [d for d in matches if d.hostapi == default_hostapi] or matches
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise DeviceNotFound(device, f'không tìm thấy thiết bị phát âm thanh "{device}"')
    names = "; ".join(f"{d.index}: {d.name} ({d.hostapi})" for d in matches)
    raise DeviceNotFound(
        device, f'tên thiết bị "{device}" khớp với nhiều thiết bị ({names}), hãy ghi rõ hơn'
    )


def _default_hostapi_name(devices: Sequence[OutputDevice]) -> str | None:
    return next((d.hostapi for d in devices if d.is_default), None)
