"""The finished audio files: WAV, 16-bit, 48 kHz, mono, written whole or not at all."""

from __future__ import annotations

import hashlib
import mmap
import wave
from pathlib import Path

import numpy as np

from broadcast.media.files import atomic_write

SAMPLE_RATE = 48000
SAMPLE_WIDTH = 2
HEADER_BYTES = 44  # what the standard library's writer puts before the samples


def to_pcm16(samples: np.ndarray) -> bytes:
    scaled = np.clip(np.round(samples * 32767.0), -32768, 32767)
    return scaled.astype("<i2").tobytes()


def write_wav(path: Path, samples: np.ndarray) -> str:
    """Write 48 kHz mono float samples as 16-bit WAV; returns the sha256 of the file."""
    pcm = to_pcm16(samples)
    with atomic_write(path) as handle:
        with wave.open(handle, "wb") as writer:
            writer.setnchannels(1)
            writer.setsampwidth(SAMPLE_WIDTH)
            writer.setframerate(SAMPLE_RATE)
            writer.writeframes(pcm)
        handle.seek(0)
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_wav(path: Path) -> np.ndarray:
    """Samples of a file written by ``write_wav``, as float32."""
    with wave.open(str(path), "rb") as reader:
        frames = reader.readframes(reader.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def read_pcm16(path: Path) -> np.ndarray | None:
    """Samples of a file written by ``write_wav``, exactly, as a read-only int16 view of the
    file mapped into memory; ``None`` if missing, cut short or damaged (``intact_frames``).

    Nothing is copied or converted: a 2-minute item read whole as floats took 23–46 MB that the
    allocator then kept; mapped, its pages are read as it plays and given back with the array.
    The kernel is asked to start reading the file now, so a play never waits on the disk.
    """
    frames = intact_frames(path)
    if frames is None:
        return None
    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # gone or emptied since it was checked
        return None
    if len(mapped) != HEADER_BYTES + frames * SAMPLE_WIDTH:  # replaced since it was checked
        mapped.close()
        return None
    if hasattr(mmap, "MADV_WILLNEED"):  # not on Windows
        mapped.madvise(mmap.MADV_WILLNEED)
    return np.frombuffer(mapped, dtype="<i2", count=frames, offset=HEADER_BYTES)


def intact_frames(path: Path) -> int | None:
    """Frame count of a complete WAV in our format; ``None`` if missing, cut short or damaged.

    Cheap (header and file size only), so a warm render can check every file.
    """
    try:
        with wave.open(str(path), "rb") as reader:
            good_format = (
                reader.getnchannels() == 1
                and reader.getsampwidth() == SAMPLE_WIDTH
                and reader.getframerate() == SAMPLE_RATE
            )
            frames = reader.getnframes()
        size = path.stat().st_size
    except (OSError, EOFError, wave.Error):
        return None
    if not good_format or size != HEADER_BYTES + frames * SAMPLE_WIDTH or frames == 0:
        return None
    return frames
