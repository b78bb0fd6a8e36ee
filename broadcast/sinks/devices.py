"""PortAudio output devices: listing and finding them, with Vietnamese messages when missing.

``sounddevice`` is imported only when a device is actually needed: on Linux the import fails
without the PortAudio library, and the rest of the program (rendering, planning, reports, the
file sink) must keep working there.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
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


def list_output_devices() -> list[OutputDevice]:
    """Every device PortAudio can play on (empty when the machine has no sound card)."""
    sd = sounddevice_module()
    hostapis = sd.query_hostapis()
    default_index = _default_output_index(sd)
    return [
        OutputDevice(
            index=info["index"],
            name=info["name"],
            hostapi=hostapis[info["hostapi"]]["name"],
            max_output_channels=info["max_output_channels"],
            default_samplerate=float(info["default_samplerate"]),
            is_default=info["index"] == default_index,
        )
        for info in sd.query_devices()
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
