"""Playing one finished file on the machine's default output, for ``broadcast preview``/``say``."""

from __future__ import annotations

from pathlib import Path

from broadcast.audio.wavfile import SAMPLE_RATE, read_wav
from broadcast.sinks.devices import PortAudioMissing, list_output_devices, sounddevice_module


class NoOutputDevice(RuntimeError):
    """Nothing to play on; the message (Vietnamese) suggests writing a file instead."""


def play_on_default_device(wav_file: Path) -> None:
    """Play a 48 kHz mono WAV from ``audio_cache/`` and wait until it has finished."""
    try:
        devices = list_output_devices()
    except PortAudioMissing as exc:
        raise NoOutputDevice(f"{exc}; hãy dùng --out TỆP để ghi ra tệp") from exc
    if not any(device.is_default for device in devices):
        raise NoOutputDevice(
            "máy này không có thiết bị phát âm thanh nào; hãy dùng --out TỆP để ghi ra tệp"
        )
    sounddevice = sounddevice_module()
    sounddevice.play(read_wav(wav_file), SAMPLE_RATE, blocking=True)
