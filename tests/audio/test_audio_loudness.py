import numpy as np
import pytest

from broadcast.audio.batch import render_all
from broadcast.audio.loudness import integrated_loudness, normalize
from broadcast.config.tts import LoudnessSettings, TtsSettings
from broadcast.tts.chain import EngineChain
from broadcast.tts.engine import Piece
from broadcast.tts.espeak_engine import EspeakEngine, EspeakSettings
from tests.audio.audio_helpers import (
    make_script,
    measured_lufs,
    measured_true_peak_db,
    read_file,
    spoken,
)


@pytest.mark.parametrize(("target", "ceiling"), [(-16.0, -1.0), (-23.0, -2.0)])
def test_rendered_file_is_on_target_and_under_the_peak_ceiling(paths, target, ceiling):
    settings = TtsSettings(
        engines=("espeak",), loudness=LoudnessSettings(target_lufs=target, true_peak_dbtp=ceiling)
    )
    summary = render_all(paths, settings, [make_script()], reader=spoken)
    entry = summary.results[0].entry
    samples, rate = read_file(entry.path)
    assert rate == 48000
    assert measured_lufs(samples, rate) == pytest.approx(target, abs=0.5)
    assert 20 * np.log10(np.abs(samples).max()) <= ceiling
    assert measured_true_peak_db(samples) <= ceiling
    assert entry.loudness_lufs == pytest.approx(measured_lufs(samples, rate), abs=0.2)


def test_plain_gain_would_clip_espeak_but_the_limiter_does_not():
    speech = EspeakEngine().synthesize([Piece("Xin kính chào toàn thể bà con nhân dân.")], "vi", 1)
    loudness = integrated_loudness(speech.samples, speech.sample_rate)
    plain = speech.samples * 10 ** ((-16 - loudness) / 20)
    assert np.abs(plain).max() > 1.0  # the problem the limiter exists for
    limited = normalize(speech.samples, speech.sample_rate, -16, -1)
    assert np.abs(limited.samples).max() < 10 ** (-1 / 20)
    assert limited.loudness_lufs == pytest.approx(-16, abs=0.2)


def test_chime_and_speech_are_equally_loud(paths, settings):
    summary = render_all(paths, settings, [make_script()], reader=spoken)
    samples, rate = read_file(summary.results[0].entry.path)
    chime = samples[: int(2.5 * rate)]  # the built-in chime lasts 2.5 s
    speech = samples[int(3.0 * rate) :]  # after the 500 ms pause
    assert measured_lufs(chime, rate) == pytest.approx(measured_lufs(speech, rate), abs=1.0)


def test_repeat_reads_the_message_twice(paths):
    once = render_all(paths, TtsSettings(engines=("espeak",)), [make_script()], reader=spoken)
    twice = render_all(
        paths, TtsSettings(engines=("espeak",), repeat=True), [make_script()], reader=spoken
    )
    speech_once = once.results[0].duration_seconds - 3.0
    assert twice.results[0].duration_seconds > 3.0 + 2 * speech_once


def test_a_clip_shorter_than_a_gating_block_is_measured():
    tone = np.sin(2 * np.pi * 440 * np.arange(2205) / 22050).astype(np.float32) * 0.1
    assert np.isfinite(integrated_loudness(tone, 22050))
    assert normalize(tone, 22050, -16, -1).loudness_lufs == pytest.approx(-16, abs=0.3)


def test_the_chain_records_engine_and_voice(paths, settings):
    chain = EngineChain([EspeakEngine(EspeakSettings(voice="vi-vn-x-south"))])
    summary = render_all(paths, settings, [make_script()], chain=chain, reader=spoken)
    entry = summary.results[0].entry
    assert (entry.engine, entry.voice, entry.fell_back) == ("espeak", "vi-vn-x-south", False)
