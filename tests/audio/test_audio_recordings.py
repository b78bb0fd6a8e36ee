import subprocess

import imageio_ffmpeg
import numpy as np
import pytest

from broadcast.audio.batch import render_all
from broadcast.audio.render import RenderOutcome
from broadcast.media.ffmpeg import decode, export_mp3
from broadcast.scripts.model import ScriptKind
from tests.audio.audio_helpers import (
    make_script,
    measured_lufs,
    measured_true_peak_db,
    read_file,
    spoken,
)


def _announcer_recording(path, seconds: float = 4.0) -> None:
    """A quiet 44.1 kHz stereo MP3 standing in for an announcer's reading (-30 dBFS tones)."""
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y",
            "-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}:sample_rate=44100",
            "-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}:sample_rate=44100",
            "-filter_complex", "[0][1]amerge=inputs=2,volume=0.03",
            "-c:a", "libmp3lame", "-b:a", "128k", str(path),
        ],
        check=True,
    )  # fmt: skip


def _recording_script(path):
    return make_script(
        "ban-tin-thu-am", body="", kind=ScriptKind.RECORDING, recording=path, recording_seconds=4.0
    )


def test_a_recording_is_brought_to_broadcast_loudness_not_resynthesized(paths, settings):
    recording = paths.home / "scripts_vi" / "ban-tin.mp3"
    recording.parent.mkdir()
    _announcer_recording(recording)
    result = render_all(paths, settings, [_recording_script(recording)], reader=spoken).results[0]
    assert result.outcome is RenderOutcome.RENDERED
    assert (result.entry.engine, result.entry.voice) == (None, None)
    samples, rate = read_file(result.entry.path)
    # Chime 2.5 s + pause 0.5 s + the 4 s recording (MP3 adds a few ms of padding).
    assert len(samples) / rate == pytest.approx(7.0, abs=0.1)
    speech = samples[int(3.0 * rate) :]
    assert measured_lufs(speech, rate) == pytest.approx(-16, abs=0.5)
    assert measured_true_peak_db(samples) <= -1.0
    again = render_all(paths, settings, [_recording_script(recording)], reader=spoken)
    assert again.results[0].outcome is RenderOutcome.CACHED


def test_an_unreadable_recording_fails_with_a_reason(paths, settings):
    broken = paths.home / "ban-tin.mp3"
    broken.write_bytes(b"not audio at all")
    result = render_all(paths, settings, [_recording_script(broken)], reader=spoken).results[0]
    assert result.outcome is RenderOutcome.FAILED
    assert result.problems[0].startswith("bản thu: không đọc được âm thanh")


def test_mp3_export_decodes_back_to_the_same_bulletin(paths, settings, tmp_path):
    entry = render_all(paths, settings, [make_script()], reader=spoken).results[0].entry
    mp3 = tmp_path / "web" / "thong-bao.mp3"
    mp3.parent.mkdir()
    export_mp3(entry.path, mp3, "Thông báo của phường")
    decoded = decode(mp3, 48000)
    original, _ = read_file(entry.path)
    assert len(decoded) / 48000 == pytest.approx(entry.duration_seconds, abs=0.1)
    # About as loud after the lossy round trip (the encoder drops some of espeak's hiss).
    assert measured_lufs(decoded.astype(np.float64), 48000) == pytest.approx(
        measured_lufs(original, 48000), abs=1.0
    )
