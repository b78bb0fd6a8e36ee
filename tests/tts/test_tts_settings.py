"""The ``tts:`` section of ``schedules.yaml``: defaults, values, and messages naming the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadcast import yamlsource
from broadcast.config.tts import BUILTIN_CHIME, TtsSettings, parse_tts
from broadcast.diagnostics import DiagnosticCollector, Severity


def _parse(text: str, home: Path) -> tuple[TtsSettings, DiagnosticCollector]:
    root = yamlsource.parse(text, "schedules.yaml")
    collector = DiagnosticCollector()
    return parse_tts(root.mapping()["tts"], home, collector), collector


def test_defaults_prefer_gtts_and_fall_back_to_espeak():
    settings = TtsSettings()
    assert settings.engines == ("gtts", "espeak")
    assert (settings.loudness.target_lufs, settings.loudness.true_peak_dbtp) == (-16.0, -1.0)
    assert settings.chime == BUILTIN_CHIME and settings.outro is None


def test_every_setting_is_read(tmp_path):
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "chuong.wav").write_bytes(b"RIFF")
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "vi.onnx").write_bytes(b"onnx")
    text = """tts:
  engines: [piper, espeak]
  region: south
  espeak: {voice: vi-vn-x-south, speed: 0.9}
  gtts: {tld: com.vn, timeout: 4, retries: 1}
  piper: {voice_path: voices/vi.onnx}
  pauses: {sentence_ms: 500, paragraph_ms: 1000}
  repeat: true
  chime: media/chuong.wav
  outro: null
  loudness: {target_lufs: -18, true_peak_dbtp: -2}
"""
    settings, collector = _parse(text, tmp_path)
    assert collector.diagnostics == []
    assert settings.engines == ("piper", "espeak") and settings.region == "south"
    assert (settings.espeak.voice, settings.espeak.speed) == ("vi-vn-x-south", 0.9)
    assert (settings.gtts.timeout_seconds, settings.gtts.retries) == (4.0, 1)
    assert settings.piper.voice_path == (tmp_path / "voices" / "vi.onnx").resolve()
    assert (settings.pauses.sentence_ms, settings.pauses.paragraph_ms) == (500, 1000)
    assert settings.repeat and settings.chime == (tmp_path / "media" / "chuong.wav").resolve()
    assert (settings.loudness.target_lufs, settings.loudness.true_peak_dbtp) == (-18.0, -2.0)


def test_bad_values_name_their_line_and_keep_the_default(tmp_path):
    text = """tts:
  engines: [gtts, festival]
  espeak:
    voice: vi-vn-x-north
  gtts:
    timeout: 0
  loudness:
    true_peak_dbtp: 3
  pausess: {}
"""
    settings, collector = _parse(text, tmp_path)
    lines = {d.line: d for d in collector.diagnostics}
    assert lines[2].code == "unknown_choice" and "festival" in lines[2].message
    assert lines[4].code == "unknown_choice"
    assert lines[6].code == "out_of_range"
    assert lines[8].code == "out_of_range"
    assert lines[9].severity is Severity.WARNING and '"pauses"' in lines[9].message
    assert settings.engines == ("gtts", "espeak") and settings.gtts.timeout_seconds == 10.0


@pytest.mark.parametrize("written", ["../chuong.wav", "/etc/passwd", "media/../../chuong.wav"])
def test_files_outside_the_project_are_refused(tmp_path, written):
    project = tmp_path / "du-an"
    project.mkdir()
    (tmp_path / "chuong.wav").write_bytes(b"RIFF")
    _, collector = _parse(f"tts:\n  chime: {written}\n", project)
    (problem,) = collector.errors
    assert (problem.code, problem.line) == ("path_outside_project", 2)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlink_leading_out_of_the_project_is_refused(tmp_path):
    project = tmp_path / "du-an"
    (project / "media").mkdir(parents=True)
    (tmp_path / "ngoai.wav").write_bytes(b"RIFF")
    (project / "media" / "ket-thuc.wav").symlink_to(tmp_path / "ngoai.wav")
    _, collector = _parse("tts:\n  outro: media/ket-thuc.wav\n", project)
    assert [d.code for d in collector.errors] == ["path_outside_project"]


def test_piper_needs_a_voice_file(tmp_path):
    _, collector = _parse("tts:\n  engines: [piper, espeak]\n", tmp_path)
    assert [(d.code, d.line) for d in collector.errors] == [("piper_without_voice", 2)]
