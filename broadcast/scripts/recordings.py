"""Bulletins read by a human announcer: proved decodable, and their length measured."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg

from broadcast.diagnostics import InputError
from broadcast.scripts.problems import refused

RECORDING_SUFFIXES = frozenset({".mp3", ".wav", ".m4a", ".ogg"})
_DECODED_TIME = re.compile(r"^out_time_us=(\d+)$", re.MULTILINE)
_DECODE_TIMEOUT_SECONDS = 120


def _undecodable(source: str, detail: str) -> InputError:
    return refused(
        source,
        "bad_recording",
        f"không giải mã được tệp âm thanh ({detail}); hãy xuất lại tệp từ phần mềm ghi âm",
    )


def _wav_seconds(path: Path) -> float | None:
    """Length of a PCM WAV from its header; None when ``wave`` cannot read it (float, etc.)."""
    try:
        with wave.open(str(path), "rb") as recording:
            frames, rate = recording.getnframes(), recording.getframerate()
    except (wave.Error, EOFError):
        return None
    return frames / rate if rate and frames else None


def _decoded_seconds(path: Path, source: str) -> float:
    """Decode the whole file with ffmpeg (no ffprobe here): proves it plays, gives its length."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-v",
        "error",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-f",
        "null",
        "-progress",
        "pipe:1",
        "-",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_DECODE_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise _undecodable(source, "giải mã quá lâu") from exc
    times = _DECODED_TIME.findall(done.stdout)
    seconds = int(times[-1]) / 1_000_000 if times else 0.0
    if done.returncode != 0 or seconds <= 0:
        last_line = (done.stderr.strip().splitlines() or ["không có âm thanh"])[-1]
        raise _undecodable(source, last_line.strip()[:120])
    return seconds


def recording_seconds(path: Path, source: str) -> float:
    """Duration in seconds; raises ``InputError`` naming the file when it cannot be decoded."""
    if path.suffix.lower() == ".wav":
        seconds = _wav_seconds(path)
        if seconds is not None:
            return seconds
    return _decoded_seconds(path, source)
