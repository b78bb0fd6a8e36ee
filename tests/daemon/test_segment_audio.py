"""The sound of planned segments as the daemon gets it: a script from its rendered file as is,
chime and media levelled in a process of their own (issue 13: scipy, ~70 MB, stayed in the
daemon for good once the chime had been levelled there)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from broadcast.audio.batch import render_all
from broadcast.audio.loudness import integrated_loudness
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import SAMPLE_RATE, read_wav, write_wav
from broadcast.config import load_config
from broadcast.config.model import SegmentKind
from broadcast.daemon.segment_audio import (
    AudioMemory,
    AudioUnavailable,
    SegmentAudioSource,
    as_pcm16,
    levelled,
)
from broadcast.paths import ProjectPaths
from broadcast.playlog import Reason
from broadcast.schedule import PlannedSegment
from tests.audio.audio_helpers import make_script, spoken

REPOSITORY = Path(__file__).resolve().parents[2]
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - id: loa
    name: Loa phường
    output: {device: test_speaker, channels: [1]}
programs:
  - id: tin
    name: Tin
    segments:
      - chime
      - scripts: {max_count: 1}
slots:
  - id: sang
    name: Sáng
    times: ["06:00"]
    program: tin
    zones: [loa]
    max_minutes: 10
tts:
  engines: [espeak]
  chime: none
"""
# The daemon's own way to the chime, in a fresh interpreter: what it imported is then known.
CHIME_IN_A_FRESH_DAEMON = """
import sys
from pathlib import Path
import numpy as np
from broadcast.audio.manifest import AudioManifest
from broadcast.config import load_config
from broadcast.config.model import SegmentKind
from broadcast.daemon.segment_audio import SegmentAudioSource
from broadcast.paths import ProjectPaths
from broadcast.schedule import PlannedSegment

paths = ProjectPaths(Path(sys.argv[1]))
source = SegmentAudioSource(paths, load_config(paths), AudioManifest.load(paths))
chime = source.for_segment(PlannedSegment(SegmentKind.CHIME, 0, 1, ("loa",)))
np.save(sys.argv[2], chime.samples)
print(sorted({name.split(".")[0] for name in sys.modules} & {"scipy", "pyloudnorm"}))
"""


# Buffers of the sizes a program and its bulletins take, freed on the main thread and another.
FREED_BUFFERS_IN_A_FRESH_DAEMON = """
import threading
import numpy as np
from broadcast.daemon.segment_audio import AudioMemory

AudioMemory.for_daemon()


def anonymous_mb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon"):
            return int(line.split()[1]) / 1024


def play():
    item = np.ones(20 * 2**20 // 8)  # glibc raised its threshold to this once freed
    del item
    bulletins = [np.ones(5 * 2**20 // 8) for _ in range(4)]
    del bulletins


before = anonymous_mb()
worker = threading.Thread(target=play)
worker.start()
worker.join()
play()
print(anonymous_mb() - before)
"""


# Small blocks (under the mmap threshold) freed between blocks still in use, on a thread as a
# bulletin's or a control connection's are: the allocator keeps their pages until trimmed.
FREED_BETWEEN_KEPT_BLOCKS = """
import threading
import numpy as np
from broadcast.daemon.segment_audio import AudioMemory

AudioMemory.for_daemon()
kept = []


def anonymous_mb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon"):
            return int(line.split()[1]) / 1024


def work():
    blocks = [np.ones(64 * 1024 // 8) for _ in range(1000)]  # 64 KB each, 64 MB in all
    kept.extend(blocks[::2])  # every other one still in use


worker = threading.Thread(target=work)
worker.start()
worker.join()
held = anonymous_mb()
AudioMemory.give_back()
print(held - anonymous_mb())
"""


def _in_a_fresh_interpreter(code: str, *args: str) -> str:
    """What ``code`` prints when run as the daemon would be: a new process, nothing imported."""
    run = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env=dict(os.environ, PYTHONPATH=str(REPOSITORY)),
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _ward(tmp_path: Path) -> ProjectPaths:
    (tmp_path / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    return ProjectPaths(tmp_path)


def _source(paths: ProjectPaths, memory: AudioMemory | None = None) -> SegmentAudioSource:
    return SegmentAudioSource(paths, load_config(paths), AudioManifest.load(paths), memory)


def _media(name: str) -> PlannedSegment:
    return PlannedSegment(SegmentKind.AUDIO, 0, 1, ("loa",), file=f"media/{name}")


def test_a_script_plays_its_rendered_file_sample_for_sample(tmp_path):
    paths = _ward(tmp_path)
    config = load_config(paths)
    render_all(paths, config.tts, [make_script("tin")], reader=spoken)
    entry = AudioManifest.load(paths).entry("tin")
    assert entry is not None

    audio = _source(paths).for_script("tin")

    assert audio.samples.dtype == np.int16 and audio.audio_hash == entry.audio_hash
    np.testing.assert_array_equal(audio.samples, as_pcm16(read_wav(entry.path)))
    entry.path.write_bytes(entry.path.read_bytes()[:-2000])  # a disk error cut it short
    with pytest.raises(AudioUnavailable) as refused:
        _source(paths).for_script("tin")
    assert refused.value.reason == Reason.AUDIO_MISSING


def test_the_chime_is_levelled_without_scipy_ever_entering_the_daemon(tmp_path):
    paths = _ward(tmp_path)
    saved = tmp_path / "chime.npy"
    output = _in_a_fresh_interpreter(CHIME_IN_A_FRESH_DAEMON, str(paths.home), str(saved))
    assert output.strip() == "[]"  # neither scipy nor pyloudnorm in the daemon's process
    chime = np.load(saved)
    loudness = load_config(paths).tts.loudness
    np.testing.assert_array_equal(
        chime, levelled(None, loudness.target_lufs, loudness.true_peak_dbtp)
    )
    assert integrated_loudness(chime, SAMPLE_RATE) == pytest.approx(loudness.target_lufs, abs=0.1)


def test_a_media_file_ffmpeg_cannot_read_is_unavailable_with_its_reason(tmp_path):
    paths = _ward(tmp_path)
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "hong.mp3").write_text("đây không phải âm thanh", encoding="utf-8")

    with pytest.raises(AudioUnavailable) as refused:
        _source(paths).for_segment(_media("hong.mp3"))

    assert refused.value.reason == Reason.AUDIO_MISSING
    assert refused.value.message.startswith("media/hong.mp3: không đọc được âm thanh")


def test_an_edited_media_file_airs_in_its_new_version_and_the_old_one_is_let_go(tmp_path):
    paths = _ward(tmp_path)
    (tmp_path / "media").mkdir()
    music = tmp_path / "media" / "nhac.wav"
    tone = np.sin(2 * np.pi * 440 * np.arange(SAMPLE_RATE) / SAMPLE_RATE).astype(np.float32)
    write_wav(music, 0.3 * tone)
    memory = AudioMemory()
    first = _source(paths, memory).for_segment(_media("nhac.wav")).samples

    write_wav(music, 0.3 * tone[::-1])
    os.utime(music, ns=(music.stat().st_atime_ns, music.stat().st_mtime_ns + 10**9))
    second = _source(paths, memory).for_segment(_media("nhac.wav")).samples

    assert not np.array_equal(first, second)
    assert len(memory.levelled) == 1  # one version kept in memory, the one that airs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_audio_buffers_the_daemon_frees_go_back_to_the_system():
    """Without ``for_daemon`` the same process keeps 40 MB of freed buffers (issue 13: memory
    was not returned after programs)."""
    output = _in_a_fresh_interpreter(FREED_BUFFERS_IN_A_FRESH_DAEMON)
    assert float(output) < 5  # MB still held after everything was freed


def test_memory_freed_between_blocks_in_use_goes_back_when_the_air_falls_silent():
    """issue 13: 13 MB more at rest after programs and bulletins (bench/idle.py) until the
    daemon handed the allocator's free pages back once nothing played."""
    output = _in_a_fresh_interpreter(FREED_BETWEEN_KEPT_BLOCKS)
    assert float(output) > 20  # MB of the 32 MB freed between kept blocks given back
