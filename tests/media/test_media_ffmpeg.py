"""The ffmpeg wrapper's time-out and failures, with the real binary."""

from __future__ import annotations

import os
import time

import pytest

from broadcast.media.ffmpeg import AudioDecodeError, decode, export_mp3


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX-only")
def test_a_source_that_never_ends_is_stopped_at_the_time_out(tmp_path):
    never_written = tmp_path / "stuck.wav"
    os.mkfifo(never_written)  # ffmpeg waits forever for a writer, like a hung network share
    started = time.monotonic()
    with pytest.raises(AudioDecodeError, match="giải mã quá lâu"):
        decode(never_written, 48000, timeout=0.5)
    assert time.monotonic() - started < 5


def test_an_export_that_fails_is_a_file_not_written(tmp_path):
    # An OSError, so ``broadcast export`` reports it like a full disk.
    with pytest.raises(OSError):
        export_mp3(tmp_path / "missing.wav", tmp_path / "out.mp3")
    assert not (tmp_path / "out.mp3").exists()
