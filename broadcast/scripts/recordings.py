"""Bulletins read by a human announcer: proved decodable, and their length measured."""

from __future__ import annotations

import wave
from pathlib import Path

from broadcast.media.ffmpeg import AudioDecodeError, decoded_seconds
from broadcast.scripts.problems import refused

RECORDING_SUFFIXES = frozenset({".mp3", ".wav", ".m4a", ".ogg"})


def _wav_seconds(path: Path) -> float | None:
    """Length of a PCM WAV from its header; None when ``wave`` cannot read it (float, etc.)."""
    try:
        with wave.open(str(path), "rb") as recording:
            frames, rate = recording.getnframes(), recording.getframerate()
    except (wave.Error, EOFError):
        return None
    return frames / rate if rate and frames else None


def recording_seconds(path: Path, source: str) -> float:
    """Duration in seconds; raises ``InputError`` naming the file when it cannot be decoded."""
    if path.suffix.lower() == ".wav":
        seconds = _wav_seconds(path)
        if seconds is not None:
            return seconds
    try:
        return decoded_seconds(path)
    except AudioDecodeError as exc:
        raise refused(
            source,
            "bad_recording",
            f"không giải mã được tệp âm thanh ({exc.detail[:120]}); "
            "hãy xuất lại tệp từ phần mềm ghi âm",
        ) from exc
