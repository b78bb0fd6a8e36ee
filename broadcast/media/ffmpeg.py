"""Every use of ffmpeg: decoding, measuring and encoding audio, one binary, one time-out.

A system ``ffmpeg`` on PATH is used when present; otherwise the binary shipped in the
``imageio-ffmpeg`` wheel (pip-only installs, Windows included). That wheel has no ffprobe, so
nothing here asks for probing: formats are stated explicitly and lengths are measured by
decoding.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import imageio_ffmpeg
import numpy as np

# A bulletin of a few minutes decodes in about a second; a file still going after this long
# is damaged or the machine is stuck, and waiting longer would only hold up what comes next.
TIMEOUT_SECONDS = 120.0
_DECODED_TIME = re.compile(rb"^out_time_us=(\d+)$", re.MULTILINE)


class AudioDecodeError(Exception):
    """ffmpeg could not turn the input into audio; the message (Vietnamese) says why."""

    def __init__(self, detail: str):
        super().__init__(f"không đọc được âm thanh ({detail})")
        self.detail = detail  # ffmpeg's own last line, or why it was stopped


class AudioEncodeError(OSError):
    """The MP3 could not be written. An ``OSError``: to the caller it is a file not written,
    like a full disk; the message (Vietnamese) says why."""


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(
    arguments: Sequence[str], stdin: bytes | None = None, timeout: float = TIMEOUT_SECONDS
) -> subprocess.CompletedProcess[bytes]:
    """ffmpeg with ``arguments``, quiet but for errors; raises ``subprocess.TimeoutExpired``
    (the process is killed) when it runs longer than ``timeout`` seconds."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", *arguments]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=timeout, check=False)


def _last_line(stderr: bytes, default: str) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else default


def _decoding(
    arguments: Sequence[str], stdin: bytes | None, timeout: float, silent_failure: str
) -> bytes:
    """Standard output of a decoding run; ``AudioDecodeError`` when it fails or takes too long
    (``silent_failure`` says why when ffmpeg itself says nothing)."""
    try:
        result = run_ffmpeg(arguments, stdin, timeout)
    except subprocess.TimeoutExpired as exc:
        raise AudioDecodeError("giải mã quá lâu") from exc
    if result.returncode != 0 or not result.stdout:
        raise AudioDecodeError(_last_line(result.stderr, silent_failure))
    return result.stdout


def decode(
    source: Path | bytes,
    sample_rate: int,
    input_format: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> np.ndarray:
    """Mono float32 samples at ``sample_rate`` from a file or from bytes (then name the format,
    e.g. ``"mp3"``: a pipe cannot be probed reliably)."""
    arguments = ["-f", input_format] if input_format else []
    arguments += ["-i", "pipe:0" if isinstance(source, bytes) else str(source)]
    arguments += ["-vn", "-ac", "1", "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le"]
    stdin = source if isinstance(source, bytes) else None
    stdout = _decoding([*arguments, "pipe:1"], stdin, timeout, silent_failure="rỗng")
    return np.frombuffer(stdout, dtype="<f4").copy()


def decoded_seconds(path: Path, timeout: float = TIMEOUT_SECONDS) -> float:
    """Length of the file's first audio stream, found by decoding all of it (no ffprobe here):
    proves that it plays to the end. ``AudioDecodeError`` when it does not."""
    arguments = ["-i", str(path), "-map", "0:a:0", "-f", "null", "-progress", "pipe:1", "-"]
    stdout = _decoding(arguments, None, timeout, silent_failure="không có âm thanh")
    times = _DECODED_TIME.findall(stdout)
    seconds = int(times[-1]) / 1_000_000 if times else 0.0
    if seconds <= 0:
        raise AudioDecodeError("không có âm thanh")
    return seconds


def export_mp3(wav_file: Path, mp3_file: Path, title: str | None = None) -> None:
    """MP3 for the ward website (128 kbit/s), tagged with the bulletin's title, through pydub
    (the project's one library for encoding) driving the same ffmpeg. ``OSError`` when it
    cannot be written; no partial MP3 is left behind."""
    # Imported here: at import time pydub warns when no ffmpeg is on PATH, which is normal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
        from pydub.exceptions import CouldntEncodeError

    AudioSegment.converter = ffmpeg_exe()
    tags = {"title": title} if title else None
    audio = AudioSegment.from_wav(wav_file)
    try:
        audio.export(mp3_file, format="mp3", bitrate="128k", tags=tags)
    except CouldntEncodeError as exc:
        Path(mp3_file).unlink(missing_ok=True)
        reason = str(exc).strip().splitlines()[-1:] or ["?"]
        raise AudioEncodeError(f"ffmpeg không tạo được MP3 ({reason[0]})") from exc
