"""Where an item cut by a bulletin is taken up again: at the pause before the cut sentence."""

from __future__ import annotations

import numpy as np
import pytest

from broadcast.audio.pauses import LEAD_IN_SECONDS, resume_point

RATE = 16000


def speech_like(*parts: tuple[str, float]) -> np.ndarray:
    """Tone for "words", digital or near silence for "pauses", as int16 mono."""
    pieces = []
    for kind, seconds in parts:
        n = round(seconds * RATE)
        if kind == "words":
            t = np.arange(n) / RATE
            pieces.append(np.rint(8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16))
        else:
            noise = np.random.default_rng(1).integers(-3, 4, n)  # room noise, far below -45 dB
            pieces.append(noise.astype(np.int16))
    return np.concatenate(pieces)


def test_an_item_cut_mid_sentence_is_taken_up_at_the_pause_before_it():
    audio = speech_like(("words", 3.0), ("pause", 0.4), ("words", 4.0))
    resume = resume_point(audio, RATE, cut_seconds=5.5, back_seconds=5.0)
    assert resume == pytest.approx(3.4 - LEAD_IN_SECONDS, abs=0.011)


def test_the_latest_pause_is_chosen_and_short_gaps_between_words_are_not_pauses():
    audio = speech_like(
        ("words", 1.0), ("pause", 0.5), ("words", 1.0), ("pause", 0.08), ("words", 1.5)
    )
    # the 80 ms gap at 2.5 s is inside a sentence; the sentence began after the pause at 1.0 s
    assert resume_point(audio, RATE, 3.5, 5.0) == pytest.approx(1.5 - LEAD_IN_SECONDS, abs=0.011)


def test_without_a_pause_in_reach_it_steps_back_a_fixed_time():
    audio = speech_like(("words", 10.0))
    assert resume_point(audio, RATE, 8.0, 3.0) == pytest.approx(5.0)


def test_never_before_the_start_nor_after_the_cut():
    audio = speech_like(("words", 2.0))
    assert resume_point(audio, RATE, 1.0, 3.0) == 0.0
    assert resume_point(audio, RATE, 0.0, 3.0) == 0.0
    silent_end = speech_like(("words", 1.0), ("pause", 1.0))
    resume = resume_point(silent_end, RATE, 1.9, 3.0)
    assert 1.0 <= resume <= 1.9  # cut in a pause: taken up in it, nothing repeated


def test_float_audio_is_measured_like_int16():
    audio = speech_like(("words", 2.0), ("pause", 0.3), ("words", 2.0))
    as_float = audio.astype(np.float32) / 32768
    assert resume_point(as_float, RATE, 3.0, 5.0) == resume_point(audio, RATE, 3.0, 5.0)
