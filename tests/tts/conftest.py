"""Speech-engine tests: real espeak-ng, real gTTS code with the network faked at the transport."""

from __future__ import annotations

import subprocess

import imageio_ffmpeg
import pytest


@pytest.fixture(scope="session")
def tone_mp3() -> bytes:
    """A real 1-second MP3 (24 kHz mono, like the service's), made by ffmpeg."""
    result = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v", "error",
            "-f", "lavfi",
            "-i", "sine=frequency=440:duration=1:sample_rate=24000",
            "-ac", "1",
            "-c:a", "libmp3lame",
            "-b:a", "32k",
            "-f", "mp3",
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    )  # fmt: skip
    return result.stdout
