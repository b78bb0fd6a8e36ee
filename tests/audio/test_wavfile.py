"""Rendered files as the daemon plays them: mapped, exact, and costing no memory of their own."""

import sys
from pathlib import Path

import numpy as np
import pytest

from broadcast.audio.wavfile import SAMPLE_RATE, read_pcm16, read_wav, write_wav


def _speech_like(seconds: float) -> np.ndarray:
    rng = np.random.default_rng(13)
    return (0.3 * rng.standard_normal(int(seconds * SAMPLE_RATE))).astype(np.float32)


def test_a_rendered_file_is_read_as_the_exact_integers_it_holds(tmp_path):
    samples = _speech_like(2.0)
    samples[:3] = [1.5, -1.5, 0.0]  # clipped by the writer, as a limiter never lets happen
    path = tmp_path / "bai.wav"
    write_wav(path, samples)

    played = read_pcm16(path)

    assert played is not None and played.dtype == np.int16
    expected = np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)
    np.testing.assert_array_equal(played, expected)
    np.testing.assert_array_equal(played, np.round(read_wav(path) * 32768.0).astype(np.int16))
    with pytest.raises(ValueError):  # a view of the file: nobody may write into it
        played[0] = 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_a_played_file_is_the_file_s_own_pages_not_a_copy_in_the_daemon(tmp_path):
    """Issue 13: each item was read whole as floats, 23–46 MB for two minutes, which the
    allocator kept after the play. Mapped, the samples are the file's pages: shared with the
    page cache, given back when the array goes."""
    path = tmp_path / "bai-dai.wav"
    write_wav(path, _speech_like(60.0))
    played = read_pcm16(path)
    assert played is not None
    start, end = played.ctypes.data, played.ctypes.data + played.nbytes
    holding = [
        line.split()[-1]
        for line in Path("/proc/self/maps").read_text().splitlines()
        if (bounds := line.split()[0].split("-"))
        and int(bounds[0], 16) <= start
        and end <= int(bounds[1], 16)
    ]
    assert holding == [str(path)]


@pytest.mark.parametrize("damage", ["missing", "cut short", "empty"])
def test_a_missing_or_damaged_file_reads_as_nothing(tmp_path, damage):
    path = tmp_path / "bai.wav"
    write_wav(path, _speech_like(1.0))
    if damage == "missing":
        path.unlink()
    elif damage == "cut short":
        path.write_bytes(path.read_bytes()[:-100])
    else:
        path.write_bytes(b"")
    assert read_pcm16(path) is None
