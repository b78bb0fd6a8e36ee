"""``check``'s duration column, ``say``/``preview``/``export`` offline and as MP3 (issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.cli import main
from broadcast.media.ffmpeg import decoded_seconds, ffmpeg_exe
from broadcast.paths import ProjectPaths
from broadcast.scripts import CHARS_PER_SECOND, load_folder

REPOSITORY = Path(__file__).parents[1]
# gTTS first, as shipped: --offline must never try it (the tests have no network anyway).
SCHEDULES = "tts:\n  engines: [gtts, espeak]\n  gtts: {timeout: 1, retries: 0}\n"
SCRIPT = "Bộ phận một cửa\n\nBộ phận một cửa làm việc sáng thứ 7, từ 7h30 đến 11h00.\n"


@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    paths = ProjectPaths(tmp_path / "phuong")
    (paths.scripts_dir / "2026-12").mkdir(parents=True)
    paths.schedules_file.write_text(SCHEDULES, encoding="utf-8")
    (paths.scripts_dir / "2026-12" / "mot-cua.txt").write_text(SCRIPT, encoding="utf-8")
    return paths


def _run(capsys, paths: ProjectPaths, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(paths.home), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _checked(capsys, paths: ProjectPaths) -> dict:
    code, out, _ = _run(capsys, paths, "check", "--json")
    assert code == 0
    (record,) = json.loads(out)["scripts"]
    return record


def _codec(path: Path) -> str:
    """What ffmpeg finds in the file (the wheel's ffmpeg has no ffprobe beside it)."""
    shown = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True)
    return shown.stderr.decode("utf-8", "replace")


def test_check_shows_an_estimate_marked_as_one_then_the_rendered_length(project, capsys):
    before = _checked(capsys, project)
    assert before["rendered_seconds"] is None
    assert before["duration"].startswith("~") and before["duration"].endswith("(ước tính)")
    code, _, err = _run(capsys, project, "render", "--offline", "--workers", "1")
    assert code == 0 and "gtts" not in err
    entry = AudioManifest.load(project).entry("2026-12/mot-cua")
    assert entry is not None
    after = _checked(capsys, project)
    assert after["rendered_seconds"] == pytest.approx(decoded_seconds(entry.path), abs=0.05)
    minutes, seconds = divmod(round(entry.duration_seconds), 60)
    assert after["duration"] == f"{minutes}:{seconds:02d}"
    code, out, _ = _run(capsys, project, "check")
    assert f" {minutes}:{seconds:02d} " in out and "ước tính" not in out


def test_an_edit_after_rendering_makes_the_duration_an_estimate_again(project, capsys):
    assert _run(capsys, project, "render", "--offline", "--workers", "1")[0] == 0
    script = project.scripts_dir / "2026-12" / "mot-cua.txt"
    later = script.stat().st_mtime + 60  # saved a minute after the render
    os.utime(script, (later, later))
    assert _checked(capsys, project)["rendered_seconds"] is None


@pytest.mark.slow  # renders the 19 sample scripts (about 10 s with espeak-ng)
def test_the_estimate_is_calibrated_on_the_sample_rendered_offline(tmp_path, capsys):
    """Re-measures the figure behind ``CHARS_PER_SECOND``: the sample's scripts rendered with
    espeak-ng last as long as their characters at that rate, within 5% over the whole sample
    and 20% for each script."""
    home = tmp_path / "mau"
    shutil.copytree(REPOSITORY / "scripts_vi", home / "scripts_vi")
    for name in ("schedules.yaml", "lexicon.yaml"):
        shutil.copy(REPOSITORY / name, home / name)
    paths = ProjectPaths(home)
    assert main(["--home", str(home), "render", "--offline"]) == 0
    capsys.readouterr()
    manifest = AudioManifest.load(paths)
    scripts = load_folder(paths).scripts
    pairs = [(s.characters, manifest.entries[s.id].duration_seconds) for s in scripts]
    assert len(pairs) >= 19
    characters, seconds = (sum(column) for column in zip(*pairs, strict=True))
    assert characters / seconds == pytest.approx(CHARS_PER_SECOND, rel=0.05)
    for count, length in pairs:
        assert count / CHARS_PER_SECOND == pytest.approx(length, rel=0.2)


def test_say_offline_writes_an_mp3_for_mp3_and_a_wav_for_wav(project, tmp_path, capsys):
    mp3, wav = tmp_path / "noi.mp3", tmp_path / "noi.wav"
    text = "Xin mời bà con đến nhận kết quả."
    code, out, err = _run(capsys, project, "say", text, "--offline", "--out", str(mp3))
    assert (code, err) == (0, "")
    assert out.startswith(f"Đã ghi {mp3} (")
    assert "Audio: mp3" in _codec(mp3)
    assert _run(capsys, project, "say", text, "--offline", "--out", str(wav))[0] == 0
    with wave.open(str(wav)) as reader:
        wav_seconds = reader.getnframes() / reader.getframerate()
    assert decoded_seconds(mp3) == pytest.approx(wav_seconds, abs=0.1)


def test_preview_and_export_offline_never_try_gtts(project, tmp_path, capsys):
    out = tmp_path / "nghe-thu.mp3"
    code, _, err = _run(
        capsys, project, "preview", "2026-12/mot-cua", "--offline", "--out", str(out)
    )
    assert (code, err) == (0, "")
    assert "Audio: mp3" in _codec(out)
    web = tmp_path / "web.mp3"
    code, out_text, err = _run(
        capsys, project, "export", "2026-12/mot-cua", "--offline", "--mp3", str(web)
    )
    assert (code, err) == (0, "")
    assert out_text.startswith(f"Đã xuất {web} (")
    entry = AudioManifest.load(project).entry("2026-12/mot-cua")
    assert entry is not None and (entry.engine, entry.fell_back) == ("espeak", False)
