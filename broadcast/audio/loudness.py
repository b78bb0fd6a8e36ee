"""Broadcast loudness: integrated loudness to a target (ITU-R BS.1770 via pyloudnorm) and a
look-ahead limiter that keeps the true peak under a ceiling.

Plain gain to -16 LUFS clips espeak-ng's output (its peaks land near +3 dBFS), so gain and
limiting alternate until the limited signal measures on target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, resample_poly

OVERSAMPLING = 4  # BS.1770 Annex 2: true peak from a 4x oversampled signal
CEILING_MARGIN_DB = 0.2  # room for the later rate conversion to 48 kHz and 16-bit rounding
LIMITER_WINDOW_SECONDS = 0.02  # gain ramps over 20 ms: no audible clicks, no pumping
ENVELOPE_BLOCK = 8  # samples per step of the limiter's gain envelope
TOLERANCE_LU = 0.1
MAX_ROUNDS = 3  # real measurements after the first; one is usually enough
PREDICTION_STEPS = 4
_BLOCK_SECONDS = 0.4  # BS.1770 gating block: shorter sounds are measured on a repetition
# 12 taps per phase, like the interpolator of BS.1770 Annex 2.
_INTERPOLATOR = firwin(12 * OVERSAMPLING + 1, 1 / OVERSAMPLING, window=("kaiser", 5.0)).astype(
    np.float32  # float64 taps would double the work on every sample
)


@dataclass(frozen=True)
class Normalized:
    samples: np.ndarray
    loudness_lufs: float
    true_peak_dbtp: float


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def gain_to_db(gain: float) -> float:
    return float(20 * np.log10(max(gain, 1e-12)))


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """LUFS of a mono signal; -inf for silence."""
    needed = int(np.ceil(_BLOCK_SECONDS * sample_rate)) + 1
    if len(samples) < needed:  # too short to gate: a repetition has the same loudness
        samples = np.tile(samples, needed // max(len(samples), 1) + 1)
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(samples))


def _peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Oversampled absolute peak per block of ``ENVELOPE_BLOCK`` samples (linear scale)."""
    padded = np.pad(samples, (0, -len(samples) % ENVELOPE_BLOCK))
    over = resample_poly(padded, OVERSAMPLING, 1, window=_INTERPOLATOR).reshape(
        -1, ENVELOPE_BLOCK * OVERSAMPLING
    )
    return np.maximum(over.max(axis=1), -over.min(axis=1))


def true_peak(samples: np.ndarray) -> float:
    """True peak (linear) estimated on a 4x oversampled copy."""
    if not len(samples):
        return 0.0
    return float(_peak_envelope(samples).max())


def _limiter_gain(envelope: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """Per-block gain <= ceiling / peak everywhere, ramping smoothly.

    A minimum filter of half-width W followed by a moving average of half-width W can never
    exceed the required gain at any block: every value averaged already saw that block.
    """
    required = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    half = max(1, round(LIMITER_WINDOW_SECONDS * sample_rate / ENVELOPE_BLOCK))
    held = minimum_filter1d(required, 2 * half + 1, mode="nearest")
    return uniform_filter1d(held, 2 * half + 1, mode="nearest")


def normalize(
    samples: np.ndarray, sample_rate: int, target_lufs: float, true_peak_dbtp: float
) -> Normalized:
    """Gain to ``target_lufs`` and limit to ``true_peak_dbtp``; both measured on the result."""
    samples = np.asarray(samples, dtype=np.float32)
    loudness = integrated_loudness(samples, sample_rate)
    if not np.isfinite(loudness):  # silence stays silence
        return Normalized(samples, loudness, gain_to_db(true_peak(samples)))
    ceiling = db_to_gain(true_peak_dbtp - CEILING_MARGIN_DB)
    # Gain is linear, so the peak envelope of the source, scaled, is the envelope of any
    # gained copy: measured once, reused for every gain tried.
    envelope = _peak_envelope(samples)
    energy = _block_energy(samples)
    source_loudness = loudness

    def predicted(gain_db: float) -> float:
        """Loudness after gain and limiter, from the energy the limiter removes (no meter)."""
        limiter = _limiter_gain(envelope * db_to_gain(gain_db), ceiling, sample_rate)
        kept = float(np.dot(limiter**2, energy) / max(float(energy.sum()), 1e-20))
        return source_loudness + gain_db + 10 * np.log10(max(kept, 1e-20))

    # The prediction ignores frequency weighting and gating; the real meter corrects it.
    correction = 0.0
    gain_db = target_lufs - loudness
    for _ in range(MAX_ROUNDS):
        for _ in range(PREDICTION_STEPS):  # fixed point: each step shrinks the error
            gain_db += target_lufs - (predicted(gain_db) + correction)
        gain = db_to_gain(gain_db)
        limiter = _limiter_gain(envelope * gain, ceiling, sample_rate)
        per_sample = gain * np.repeat(limiter, ENVELOPE_BLOCK)[: len(samples)]
        result = (samples * per_sample).astype(np.float32)
        loudness = integrated_loudness(result, sample_rate)
        if abs(loudness - target_lufs) <= TOLERANCE_LU:
            break
        correction = loudness - predicted(gain_db)
    peak = float((envelope * gain * limiter).max())
    return Normalized(result, loudness, gain_to_db(peak))


def _block_energy(samples: np.ndarray) -> np.ndarray:
    padded = np.pad(samples, (0, -len(samples) % ENVELOPE_BLOCK)).astype(np.float64)
    return np.square(padded).reshape(-1, ENVELOPE_BLOCK).sum(axis=1)
