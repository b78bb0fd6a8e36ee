import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from broadcast.audio.batch import render_all
from broadcast.audio.cache import audio_file
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.render import RenderOutcome
from broadcast.audio.wavfile import write_wav
from broadcast.config.tts import LoudnessSettings, PauseSettings
from broadcast.tts.chain import EngineChain
from tests.audio.audio_helpers import CountingEngine, make_script, read_file, spoken

SCRIPTS = [make_script("a"), make_script("b", body="Phường tổ chức tiêm chủng vào thứ bảy.")]


def _render(paths, settings, engine, scripts=SCRIPTS, **options):
    return render_all(
        paths, settings, scripts, chain=EngineChain([engine]), reader=spoken, **options
    )


def _audio_files(paths) -> set[str]:
    return {p.name for p in paths.audio_cache_dir.iterdir() if p.name != "manifest.json"}


def test_second_pass_synthesizes_nothing(paths, settings):
    engine = CountingEngine()
    first = _render(paths, settings, engine)
    assert [r.outcome for r in first.results] == [RenderOutcome.RENDERED] * 2
    calls = engine.calls
    second = _render(paths, settings, engine)
    assert [r.outcome for r in second.results] == [RenderOutcome.CACHED] * 2
    assert engine.calls == calls
    assert [r.entry for r in second.results] == [r.entry for r in first.results]


@pytest.mark.parametrize(
    "change",
    [
        lambda s, sc: (s, [replace(sc[0], body=sc[0].body + " Xin cảm ơn.")]),
        lambda s, sc: (s, [replace(sc[0], voice="vi-vn-x-south")]),
        lambda s, sc: (s, [replace(sc[0], speed=1.2)]),
        lambda s, sc: (replace(s, pauses=PauseSettings(sentence_ms=600)), sc),
        lambda s, sc: (replace(s, repeat=True), sc),
        lambda s, sc: (replace(s, chime=None), sc),
        lambda s, sc: (replace(s, loudness=LoudnessSettings(target_lufs=-18.0)), sc),
    ],
    ids=["text", "voice", "speed", "pauses", "repeat", "chime", "loudness"],
)
def test_any_change_of_an_input_renders_again(paths, settings, change):
    engine = CountingEngine()
    before = _render(paths, settings, engine, SCRIPTS[:1]).results[0].entry
    changed_settings, changed_scripts = change(settings, SCRIPTS[:1])
    after = _render(paths, changed_settings, engine, changed_scripts).results[0]
    assert after.outcome is RenderOutcome.RENDERED
    assert after.entry.key != before.key


def test_changing_the_outro_file_renders_again(paths, settings):
    outro = paths.home / "media" / "ket-thuc.wav"
    outro.parent.mkdir()
    engine = CountingEngine()

    write_wav(outro, np.full(48000, 0.1, dtype=np.float32) * np.sin(np.arange(48000) / 7))
    with_outro = replace(settings, outro=outro)
    first = _render(paths, with_outro, engine, SCRIPTS[:1]).results[0]
    write_wav(outro, np.full(24000, 0.1, dtype=np.float32) * np.sin(np.arange(24000) / 5))
    second = _render(paths, with_outro, engine, SCRIPTS[:1]).results[0]
    assert second.outcome is RenderOutcome.RENDERED and second.entry.key != first.entry.key
    assert second.duration_seconds < first.duration_seconds


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_a_damaged_file_is_rendered_again(paths, settings, damage):
    engine = CountingEngine()
    entry = _render(paths, settings, engine, SCRIPTS[:1]).results[0].entry
    data = entry.path.read_bytes()
    if damage == "truncate":
        entry.path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.path.write_bytes(b"\0" * len(data))
    else:
        entry.path.unlink()
    again = _render(paths, settings, engine, SCRIPTS[:1]).results[0]
    assert again.outcome is RenderOutcome.RENDERED
    samples, rate = read_file(again.entry.path)
    assert len(samples) == again.entry.frames
    # espeak-ng varies by a few samples between runs; the length is that of the same speech.
    assert len(samples) / rate == pytest.approx(entry.duration_seconds, abs=0.05)


def test_an_engine_failing_midway_leaves_no_file_behind(paths, settings):
    engine = CountingEngine(fail_on_call=3)  # the script has four sentences and a title
    result = _render(paths, settings, engine, SCRIPTS[:1]).results[0]
    assert result.outcome is RenderOutcome.FAILED
    assert result.problems == ("espeak: máy chủ không trả lời",)
    assert _audio_files(paths) == set()  # no WAV, no temporary file
    manifest = AudioManifest.load(paths)
    assert manifest.entry("a") is None
    assert "máy chủ không trả lời" in manifest.failures["a"]


def test_fallback_then_the_preferred_engine_comes_back(paths, settings):
    preferred, fallback = CountingEngine("gtts"), CountingEngine("espeak")
    chain = lambda: EngineChain([preferred, fallback])  # noqa: E731 - fresh rest counters
    preferred.down = True
    first = render_all(paths, settings, SCRIPTS[:1], chain=chain(), reader=spoken).results[0]
    assert (first.entry.engine, first.entry.fell_back) == ("espeak", True)
    # Still down: the fallback audio is kept, nothing is synthesized again.
    calls = fallback.calls
    second = render_all(paths, settings, SCRIPTS[:1], chain=chain(), reader=spoken).results[0]
    assert second.outcome is RenderOutcome.CACHED and second.entry.fell_back
    assert fallback.calls == calls
    # Back up: the preferred engine's audio replaces the fallback's.
    preferred.down = False
    third = render_all(paths, settings, SCRIPTS[:1], chain=chain(), reader=spoken).results[0]
    assert third.outcome is RenderOutcome.RENDERED
    assert (third.entry.engine, third.entry.fell_back) == ("gtts", False)
    assert AudioManifest.load(paths).entry("a").file == third.entry.file


def test_manifest_records_each_file_and_prune_removes_the_rest(paths, settings):
    engine = CountingEngine()
    _render(paths, settings, engine)
    stray = paths.audio_cache_dir / "ghi-chu.txt"  # not ours: never pruned
    stray.write_text("x")
    only_b = _render(paths, settings, engine, SCRIPTS[1:], prune=True)
    manifest = AudioManifest.load(paths)
    assert set(manifest.entries) == {"b"}
    assert len(only_b.pruned) == 1
    assert _audio_files(paths) == {manifest.entry("b").file, "ghi-chu.txt"}
    raw = json.loads((paths.audio_cache_dir / "manifest.json").read_text(encoding="utf-8"))
    fields = raw["scripts"]["b"]
    assert fields["engine"] == "espeak" and fields["voice"] == "vi"
    assert fields["duration_seconds"] > 3 and len(fields["audio_hash"]) == 64
    assert {"loudness_lufs", "true_peak_dbtp", "rendered_at", "fell_back", "key"} <= set(fields)


def test_a_lost_manifest_does_not_cost_a_render(paths, settings):
    engine = CountingEngine()
    first = _render(paths, settings, engine, SCRIPTS[:1]).results[0]
    (paths.audio_cache_dir / "manifest.json").unlink()
    calls = engine.calls
    again = _render(paths, settings, engine, SCRIPTS[:1]).results[0]
    assert again.outcome is RenderOutcome.CACHED and engine.calls == calls
    assert again.entry.duration_seconds == pytest.approx(first.entry.duration_seconds)
    assert again.entry.loudness_lufs == pytest.approx(first.entry.loudness_lufs, abs=0.1)


def test_cache_files_are_named_by_their_key(paths, settings):
    entry = _render(paths, settings, CountingEngine(), SCRIPTS[:1]).results[0].entry
    assert entry.path == audio_file(paths.audio_cache_dir, entry.key)
    assert isinstance(entry.path, Path)
