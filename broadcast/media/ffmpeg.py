"""Decoding and encoding compressed audio with ffmpeg.

A system ``ffmpeg`` on PATH is used when present; otherwise the binary shipped in the
``imageio-ffmpeg`` wheel (pip-only installs, Windows included). That wheel has no ffprobe, so
nothing here asks for probing: the output format is always stated explicitly.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from functools import lru_cache
from pathlib import Path

import imageio_ffmpeg
import numpy as np


class AudioDecodeError(Exception):
    """The file or bytes are not audio ffmpeg can read; the message (Vietnamese) says why."""


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


def decode(source: Path | bytes, sample_rate: int, input_format: str | None = None) -> np.ndarray:
    """Mono float32 samples at ``sample_rate`` from a file or from bytes (then name the format,
    e.g. ``"mp3"``: a pipe cannot be probed reliably)."""
    command = [ffmpeg_exe(), "-nostdin", "-v", "error"]
    if input_format:
        command += ["-f", input_format]
    command += ["-i", "pipe:0" if isinstance(source, bytes) else str(source)]
    command += ["-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le"]
    command += ["pipe:1"]
    stdin = source if isinstance(source, bytes) else None
    result = subprocess.run(command, input=stdin, capture_output=True, check=False)
    if result.returncode != 0 or not result.stdout:
        problem = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["rỗng"]
        raise AudioDecodeError(f"không đọc được âm thanh ({problem[0]})")
    return np.frombuffer(result.stdout, dtype="<f4").copy()


def export_mp3(wav_file: Path, mp3_file: Path, title: str | None = None) -> None:
    """MP3 for the ward website (128 kbit/s), tagged with the bulletin's title."""
    # Imported here: at import time pydub warns when no ffmpeg is on PATH, which is normal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    AudioSegment.converter = ffmpeg_exe()
    tags = {"title": title} if title else None
    AudioSegment.from_wav(wav_file).export(mp3_file, format="mp3", bitrate="128k", tags=tags)
