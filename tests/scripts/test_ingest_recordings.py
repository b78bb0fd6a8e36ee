"""Recorded bulletins: real WAV and MP3 files, their sidecar metadata, and broken audio."""

import struct
import subprocess
import wave

import imageio_ffmpeg
import pytest

from broadcast.diagnostics import InputError
from broadcast.scripts import Priority, ScriptKind, load_folder, read_script


def write_wav(path, seconds: float, rate: int = 8000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<h", 1000) * int(seconds * rate))


def write_mp3(path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tone = f"sine=frequency=440:duration={seconds}"
    options = ["-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i"]
    encode = ["-codec:a", "libmp3lame", "-y", str(path)]
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), *options, tone, *encode], check=True)


def test_wav_with_sidecar(project):
    audio = project.paths.scripts_dir / "2026-11" / "loi-keu-goi.wav"
    write_wav(audio, 2.5)
    project.write(
        "2026-11/loi-keu-goi.yaml",
        "title: Lời kêu gọi của Chủ tịch UBND phường\npriority: ưu tiên\nzones: tdp-1\n",
    )
    script = read_script(audio, project.paths)
    assert script.kind is ScriptKind.RECORDING
    assert script.id == "2026-11/loi-keu-goi"
    assert script.title == "Lời kêu gọi của Chủ tịch UBND phường"
    assert (script.priority, script.zones) == (Priority.PRIORITY, ("tdp-1",))
    assert script.recording_seconds == pytest.approx(2.5)
    assert script.estimated_seconds == pytest.approx(2.5)
    assert script.recording == audio.resolve()


def test_mp3_without_sidecar_is_titled_by_its_name(project):
    audio = project.paths.scripts_dir / "ban-tin-sang.mp3"
    write_mp3(audio, 1.5)
    script = read_script(audio, project.paths)
    assert script.title == "ban-tin-sang"
    assert script.recording_seconds == pytest.approx(1.5, abs=0.1)


def test_sidecar_with_capital_extension_is_found(project):
    write_wav(project.paths.scripts_dir / "B.WAV", 0.5)
    project.write("B.YAML", "title: Bản tin chiều\n")
    (script,) = load_folder(project.paths).scripts
    assert (script.id, script.title) == ("B", "Bản tin chiều")


def test_sidecar_path_stands_for_its_recording(project):
    write_wav(project.paths.scripts_dir / "a.wav", 1.0)
    sidecar = project.write("a.yaml", "title: Bản tin\n")
    assert read_script(sidecar, project.paths).recording.name == "a.wav"


def test_content_hash_follows_the_audio_bytes(project):
    audio = project.paths.scripts_dir / "a.wav"
    write_wav(audio, 1.0)
    before = read_script(audio, project.paths).content_hash
    write_wav(audio, 1.2)
    assert read_script(audio, project.paths).content_hash != before


@pytest.mark.parametrize("name", ["hong.mp3", "hong.ogg", "hong.wav"])
def test_undecodable_recording_is_an_error_naming_the_file(project, name):
    path = project.write(name, b"ID3 not really audio " * 50)
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.file == f"scripts_vi/{name}"
    assert problem.code == "bad_recording"
    assert "không giải mã được" in problem.message


def test_sidecar_without_recording_is_an_error(project):
    project.write("mo-coi.yaml", "title: Bản tin\n")
    folder = load_folder(project.paths)
    (rejected,) = folder.rejected
    assert rejected.source == "scripts_vi/mo-coi.yaml"
    assert rejected.diagnostics[0].code == "missing_recording"


def test_sidecar_errors_name_the_sidecar_and_line(project):
    write_wav(project.paths.scripts_dir / "a.wav", 0.5)
    project.write("a.yaml", "title: Bản tin\nvalid_until: 31/02/2027\n")
    folder = load_folder(project.paths)
    assert folder.scripts == []
    assert [str(d) for d in folder.errors] == [
        'scripts_vi/a.yaml:2: ngày valid_until "31/02/2027" không tồn tại'
    ]
    assert folder.ignored == []  # the sidecar is read, not ignored, and reported as itself
