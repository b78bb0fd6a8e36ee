"""``render``, ``preview``, ``say`` and ``export`` as the technician runs them (offline)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.cli import main
from broadcast.media.ffmpeg import decode
from broadcast.paths import ProjectPaths
from tests.audio.audio_helpers import measured_lufs, read_file

SCHEDULES = "timezone: Asia/Ho_Chi_Minh\ntts:\n  engines: [espeak]\n  repeat: false\n"
SCRIPT = """Lịch tiêm chủng tháng 12

Ngày 15/12/2026, trạm y tế phường tiêm vắc xin cho trẻ dưới 5 tuổi từ 7h30 đến 11h00.

Xin liên hệ số 0237.3852.123 để biết thêm chi tiết.
"""


@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    (tmp_path / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    folder = tmp_path / "scripts_vi" / "2026-12"
    folder.mkdir(parents=True)
    (folder / "tiem-chung.txt").write_text(SCRIPT, encoding="utf-8")
    (folder / "mot-cua.txt").write_text(
        "Bộ phận một cửa\n\nBộ phận một cửa làm việc sáng thứ 7.\n", encoding="utf-8"
    )
    return ProjectPaths(tmp_path)


def _run(project: ProjectPaths, *args: str) -> int:
    return main(["--home", str(project.home), *args])


def test_render_then_render_again_from_cache(project, capsys):
    assert _run(project, "render", "--workers", "1") == 0
    table = capsys.readouterr().out
    assert "Kết quả" in table and "mới tạo" in table
    assert _run(project, "render", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"rendered": 0, "cached": 2, "failed": 0, "fell_back": 0}
    by_id = {s["id"]: s for s in report["scripts"]}
    entry = AudioManifest.load(project).entry("2026-12/tiem-chung")
    assert by_id["2026-12/tiem-chung"]["file"] == entry.file
    samples, rate = read_file(entry.path)
    assert measured_lufs(samples, rate) == pytest.approx(-16, abs=0.5)
    # Normalized words reach the engine: a date and a time are long when read out in words.
    assert entry.duration_seconds > 3.0 + len(SCRIPT) / 16


def test_render_prune_removes_audio_of_deleted_scripts(project, capsys):
    assert _run(project, "render", "--workers", "1") == 0
    capsys.readouterr()
    (project.scripts_dir / "2026-12" / "mot-cua.txt").unlink()
    assert _run(project, "render", "--prune", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["pruned"]) == 1
    wavs = list(project.audio_cache_dir.glob("*.wav"))
    assert [w.name for w in wavs] == [AudioManifest.load(project).entry("2026-12/tiem-chung").file]


def test_render_fails_with_exit_1_when_no_engine_can_read(project, capsys):
    voice = project.home / "voices" / "khong-co.onnx"
    voice.parent.mkdir()
    voice.write_bytes(b"not a voice model")
    (project.home / "schedules.yaml").write_text(
        "tts:\n  engines: [piper]\n  piper:\n    voice_path: voices/khong-co.onnx\n",
        encoding="utf-8",
    )
    assert _run(project, "render", "--workers", "1") == 1
    captured = capsys.readouterr()
    assert "scripts_vi/2026-12/mot-cua.txt: piper:" in captured.err
    assert "thất bại" in captured.out


def test_preview_and_say_write_files_and_export_makes_an_mp3(project, tmp_path, capsys):
    out = tmp_path / "nghe-thu.wav"
    assert _run(project, "preview", "2026-12/mot-cua", "--out", str(out)) == 0
    samples, rate = read_file(out)
    assert rate == 48000 and len(samples) / rate > 3.5
    said = tmp_path / "noi.wav"
    assert _run(project, "say", "Xin mời bà con đến nhận kết quả.", "--out", str(said)) == 0
    assert read_file(said)[0].size > 0
    mp3 = tmp_path / "web" / "mot-cua.mp3"
    assert _run(project, "export", "2026-12/mot-cua", "--mp3", str(mp3)) == 0
    assert len(decode(mp3, 48000)) / 48000 == pytest.approx(len(samples) / rate, abs=0.1)
    assert _run(project, "preview", "khong-co-ma-nay", "--out", str(out)) == 1
    assert "khong-co-ma-nay" in capsys.readouterr().err


@pytest.mark.slow  # two fresh Python processes loading PortAudio
def test_preview_without_a_sound_device_says_so(project, tmp_path):
    # A fresh process with no ALSA configuration of ours (the playback tests install a virtual
    # card in this process): on a machine without a sound card PortAudio lists no device.
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "no-alsa"))
    env.pop("PULSE_SERVER", None)  # the test PulseAudio server would be a sound device too
    count = "import sounddevice; print(len(sounddevice.query_devices()))"
    listed = subprocess.run([sys.executable, "-c", count], capture_output=True, text=True, env=env)
    if listed.returncode == 0 and listed.stdout.strip() != "0":
        pytest.skip("this machine has a sound device")
    command = ["--home", str(project.home), "preview", "2026-12/mot-cua"]
    completed = subprocess.run(
        [sys.executable, "-m", "broadcast", *command], capture_output=True, text=True, env=env
    )
    assert completed.returncode == 1
    assert "không có thiết bị phát âm thanh" in completed.stderr
    assert "--out" in completed.stderr
