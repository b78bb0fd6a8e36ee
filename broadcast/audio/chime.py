"""The built-in pre-announcement chime, generated in code (no audio file of unclear licence).

Three descending bell-like tones (G5, E5, C5), as heard before announcements in stations and
markets; each tone has a few soft partials and an exponential decay.
"""

from __future__ import annotations

import numpy as np

TONES_HZ = (783.99, 659.25, 523.25)
TONE_SPACING_SECONDS = 0.55
TONE_SECONDS = 1.4
PARTIALS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12))  # (multiple of the tone, relative level)
DECAY_PER_SECOND = 3.2
ATTACK_SECONDS = 0.008  # a few ms of fade-in so the tone starts without a click


def builtin_chime(sample_rate: int) -> np.ndarray:
    """Mono float32, peak 0.5; the loudness stage sets its final level."""
    length = TONE_SPACING_SECONDS * (len(TONES_HZ) - 1) + TONE_SECONDS
    chime = np.zeros(int(length * sample_rate), dtype=np.float64)
    t = np.arange(int(TONE_SECONDS * sample_rate)) / sample_rate
    envelope = np.exp(-DECAY_PER_SECOND * t) * np.minimum(1.0, t / ATTACK_SECONDS)
    envelope[-int(0.05 * sample_rate) :] *= np.linspace(1, 0, int(0.05 * sample_rate))
    for index, frequency in enumerate(TONES_HZ):
        tone = sum(
            level * np.sin(2 * np.pi * frequency * multiple * t)
            for multiple, level in PARTIALS
            if frequency * multiple < sample_rate / 2
        )
        start = int(index * TONE_SPACING_SECONDS * sample_rate)
        chime[start : start + len(t)] += tone * envelope
    return (chime * 0.5 / np.abs(chime).max()).astype(np.float32)
