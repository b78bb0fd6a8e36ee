"""Broadcast loudness: integrated loudness to a target (ITU-R BS.1770 via pyloudnorm) and a
look-ahead limiter that keeps the true peak under a ceiling.

Plain gain to -16 LUFS clips espeak-ng's output (its peaks land near +3 dBFS), so the gain is
chosen for the limited signal. A pyloudnorm measurement costs more than all the rest, so the
gain is found on a model (the K-weighted energy of every gating block, computed once, which gain
and limiter only scale) and pyloudnorm measures the result to confirm; when the model was off,
its error corrects the next round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

if TYPE_CHECKING:
    import pyloudnorm

# scipy and pyloudnorm (about 60 MB resident) are imported where they are used: the daemon
# imports this module but, with every script already rendered, never needs them while idle.

OVERSAMPLING = 4  # BS.1770 Annex 2: true peak from a 4x oversampled signal
CEILING_MARGIN_DB = 0.2  # room for the later rate conversion to 48 kHz and 16-bit rounding
LIMITER_WINDOW_SECONDS = 0.02  # gain ramps over 20 ms: no audible clicks, no pumping
ENVELOPE_BLOCK = 8  # samples per step of the limiter's gain envelope
TOLERANCE_LU = 0.1
MAX_ROUNDS = 3  # pyloudnorm measurements; the model's first answer is usually within tolerance
PREDICTION_STEPS = 6  # secant steps on the model per round
PREDICTION_PRECISION_DB = 0.005
# BS.1770 gating, as pyloudnorm implements it.
_BLOCK_SECONDS = 0.4
_BLOCK_OVERLAP = 0.75
_ABSOLUTE_GATE_LUFS = -70.0
_RELATIVE_GATE_LU = 10.0
_LOUDNESS_OFFSET = -0.691


@lru_cache(maxsize=1)
def _upsampler() -> tuple[np.ndarray, float]:
    """The per-block oversampling matrix and the bound of its gain.

    The oversampled samples of one envelope block depend only on that block and its neighbours
    (the interpolator, 12 taps per phase like BS.1770 Annex 2, reaches 6 samples either side),
    so one small matrix product per block gives exactly what oversampling the whole signal
    would. No interpolated sample exceeds the bound times the largest sample it is made from
    (the factor above 1 covers float32 rounding).
    """
    from scipy.signal import firwin, resample_poly

    interpolator = firwin(12 * OVERSAMPLING + 1, 1 / OVERSAMPLING, window=("kaiser", 5.0))
    # scipy-stubs 1.17 leave out the array window that resample_poly documents and accepts.
    matrix = resample_poly(  # type: ignore[call-overload]
        np.eye(3 * ENVELOPE_BLOCK), OVERSAMPLING, 1, axis=1, window=interpolator
    )[:, ENVELOPE_BLOCK * OVERSAMPLING : 2 * ENVELOPE_BLOCK * OVERSAMPLING]
    bound = float(np.abs(matrix).sum(axis=0).max()) * (1 + 1e-5)
    return matrix.astype(np.float32), bound  # float64 would double the work on every block


# OpenBLAS computes a product under 2^18 multiply-adds (256 x 24 x 32) on the calling thread;
# a larger one wakes its thread pool, whose spinning costs more CPU than the product (and takes
# it from the other render worker).
_BLOCKS_PER_PRODUCT = 256


@dataclass(frozen=True)
class Normalized:
    samples: np.ndarray
    loudness_lufs: float
    true_peak_dbtp: float


def db_to_gain(db: float) -> float:
    return float(10 ** (db / 20))


def gain_to_db(gain: float) -> float:
    return float(20 * np.log10(max(gain, 1e-12)))


@lru_cache(maxsize=8)
def _meter(sample_rate: int) -> pyloudnorm.Meter:
    """One meter per rate: a new one designs its filters again."""
    import pyloudnorm

    return pyloudnorm.Meter(sample_rate)


def _shortest_measurable(sample_rate: int) -> int:
    return int(np.ceil(_BLOCK_SECONDS * sample_rate)) + 1


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """LUFS of a mono signal; -inf for silence."""
    needed = _shortest_measurable(sample_rate)
    if len(samples) < needed:  # too short to gate: a repetition has the same loudness
        samples = np.tile(samples, needed // max(len(samples), 1) + 1)
    return float(_meter(sample_rate).integrated_loudness(samples))


def _blocks(samples: np.ndarray) -> np.ndarray:
    """``samples`` zero-padded to whole envelope blocks, one block a row."""
    return np.pad(samples, (0, -len(samples) % ENVELOPE_BLOCK)).reshape(-1, ENVELOPE_BLOCK)


def _row_max(rows: np.ndarray) -> np.ndarray:
    """Largest value of each row of a narrow array (halving the columns is far quicker than
    numpy's reduction along such short rows)."""
    while rows.shape[1] > 1:
        half = rows.shape[1] // 2
        rows = np.maximum(rows[:, :half], rows[:, half:])
    return rows[:, 0]


class _PeakEnvelope:
    """True peak (linear) per envelope block, oversampled only where needed.

    Oversampling every block costs more than the rest of the limiter, yet most blocks of speech
    stay far below the ceiling. Until a question needs the exact value (may this block pass the
    ceiling? is it the loudest?) a block holds an upper bound: the upsampler's gain bound times
    the largest sample within the interpolator's reach.
    """

    def __init__(self, blocks: np.ndarray):
        size = ENVELOPE_BLOCK
        # One silent block either side, and one more so that even no samples make a window.
        padded = np.pad(blocks.ravel(), (size, 2 * size))
        self._windows = sliding_window_view(padded, 3 * size)[::size][: len(blocks)]
        block_peak = np.pad(_row_max(np.abs(blocks)), 1)
        reach = np.maximum(np.maximum(block_peak[:-2], block_peak[1:-1]), block_peak[2:])
        self.values = reach.astype(np.float64) * _upsampler()[1]
        self._exact = np.zeros(len(blocks), dtype=bool)

    def _measure(self, blocks: np.ndarray) -> None:
        for start in range(0, len(blocks), _BLOCKS_PER_PRODUCT):
            chunk = blocks[start : start + _BLOCKS_PER_PRODUCT]
            self.values[chunk] = _row_max(np.abs(self._windows[chunk] @ _upsampler()[0]))
        self._exact[blocks] = True

    def limited_to(self, threshold: float) -> np.ndarray:
        """The envelope, exact for every block whose peak may exceed ``threshold``."""
        self._measure(np.flatnonzero(~self._exact & (self.values > threshold)))
        return self.values

    def peak(self, gain: float | np.ndarray) -> float:
        """The largest true peak once each block is scaled by ``gain`` (scalar or per block)."""
        while True:
            scaled = self.values * gain
            top = float(scaled[self._exact].max(initial=0.0))
            pending = np.flatnonzero(~self._exact & (scaled > top))
            if not len(pending):
                return top
            self._measure(pending)


def true_peak(samples: np.ndarray) -> float:
    """True peak (linear) estimated on a 4x oversampled copy."""
    return _PeakEnvelope(_blocks(np.asarray(samples, dtype=np.float32))).peak(1.0)


def _limiter_gain(envelope: np.ndarray, ceiling: float, sample_rate: int) -> np.ndarray:
    """Per-block gain <= ceiling / peak everywhere, ramping smoothly.

    A minimum filter of half-width W followed by a moving average of half-width W can never
    exceed the required gain at any block: every value averaged already saw that block.
    """
    required = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    half = max(1, round(LIMITER_WINDOW_SECONDS * sample_rate / ENVELOPE_BLOCK))
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    held = minimum_filter1d(required, 2 * half + 1, mode="nearest")
    return uniform_filter1d(held, 2 * half + 1, mode="nearest")


def _gating_blocks(length: int, sample_rate: int) -> tuple[np.ndarray, np.ndarray, float]:
    """First and end sample of each gating block, placed as pyloudnorm places them, and the
    factor from a block's energy to its mean square."""
    if length < _shortest_measurable(sample_rate):  # measured on a repetition: one block
        return np.array([0]), np.array([length]), 1 / max(length, 1)
    step = 1 - _BLOCK_OVERLAP
    count = int(np.round((length / sample_rate - _BLOCK_SECONDS) / (_BLOCK_SECONDS * step))) + 1
    index = np.arange(count)
    lower = (_BLOCK_SECONDS * (index * step) * sample_rate).astype(np.int64)
    upper = (_BLOCK_SECONDS * (index * step + 1) * sample_rate).astype(np.int64)
    return lower, np.minimum(upper, length), 1 / (_BLOCK_SECONDS * sample_rate)


def _gated_loudness(mean_squares: np.ndarray) -> float:
    """BS.1770 integrated loudness (mono) from the K-weighted mean square of every block."""
    mean_squares = np.maximum(mean_squares, 0.0)  # a subtraction can leave -1e-20 for silence
    with np.errstate(divide="ignore"):
        block_lufs = _LOUDNESS_OFFSET + 10 * np.log10(mean_squares)
    audible = mean_squares[block_lufs >= _ABSOLUTE_GATE_LUFS]
    if not len(audible):
        return float("-inf")
    relative_gate = _LOUDNESS_OFFSET + 10 * np.log10(audible.mean()) - _RELATIVE_GATE_LU
    kept = mean_squares[(block_lufs > relative_gate) & (block_lufs > _ABSOLUTE_GATE_LUFS)]
    if not len(kept):
        return float("-inf")
    return float(_LOUDNESS_OFFSET + 10 * np.log10(kept.mean()))


@lru_cache(maxsize=8)
def _k_weighting(sample_rate: int) -> np.ndarray:
    """The meter's own K-weighting filters as second-order sections: one pass, same response."""
    stages = _meter(sample_rate)._filters.values()
    return np.array([np.concatenate([stage.passband_gain * stage.b, stage.a]) for stage in stages])


def _weighted_energy(blocks: np.ndarray, sample_rate: int) -> np.ndarray:
    """K-weighted energy of each envelope block."""
    if not blocks.size:  # sosfilt refuses empty input
        return np.zeros(len(blocks))
    from scipy.signal import sosfilt

    weighted = sosfilt(_k_weighting(sample_rate), blocks.ravel().astype(np.float64))
    weighted = weighted.reshape(blocks.shape)
    return np.einsum("ij,ij->i", weighted, weighted)


class _BlockSums:
    """Energy of one part of a programme inside each gating block, from its energy per envelope
    block (gating block edges round to envelope blocks: a few samples in 0.4 s)."""

    def __init__(self, offset: int, blocks: int, lower: np.ndarray, upper: np.ndarray):
        self.first = np.clip((lower - offset) // ENVELOPE_BLOCK, 0, blocks)
        self.end = np.clip((upper - offset) // ENVELOPE_BLOCK, 0, blocks)

    def __call__(self, energy: np.ndarray) -> np.ndarray:
        running = np.concatenate([[0.0], np.cumsum(energy)])
        return running[self.end] - running[self.first]


class _LoudnessModel:
    """Loudness of ``head + samples * gain * limiter + tail`` without measuring it again.

    K-weighting is linear and the limiter's gain moves slowly next to the filter's response, so
    weighting the limited signal gives the weighted source times the same gain.
    """

    def __init__(self, blocks: np.ndarray, sample_rate: int, head: np.ndarray, tail: np.ndarray):
        self._energy = _weighted_energy(blocks, sample_rate)
        total = len(head) + blocks.size + len(tail)
        lower, upper, self._scale = _gating_blocks(total, sample_rate)
        self._sums = _BlockSums(len(head), len(blocks), lower, upper)
        self._unlimited = self._scale * self._sums(self._energy)
        self._frame = self._scale * sum(
            _BlockSums(offset, len(part), lower, upper)(_weighted_energy(part, sample_rate))
            for part, offset in ((_blocks(head), 0), (_blocks(tail), total - len(tail)))
        )
        lower, upper, scale = _gating_blocks(blocks.size, sample_rate)
        alone = _BlockSums(0, len(blocks), lower, upper)(self._energy)
        self.alone = _gated_loudness(scale * alone)  # of ``samples``, without gain or frame

    def loudness(self, gain: float, limiter: np.ndarray) -> float:
        # The limiter leaves most blocks alone: sum only what it takes from the others.
        limited = np.flatnonzero(limiter < 1 - 1e-9)
        taken = self._energy[limited] * (1 - np.square(limiter[limited]))
        running = np.concatenate([[0.0], np.cumsum(taken)])
        lost = running[np.searchsorted(limited, self._sums.end)]
        lost -= running[np.searchsorted(limited, self._sums.first)]
        return _gated_loudness(self._frame + gain**2 * (self._unlimited - self._scale * lost))


def _solve(loudness_at: Callable[[float], float], target_lufs: float, gain_db: float) -> float:
    """The gain (dB) at which ``loudness_at`` meets the target: secant steps, since loudness
    rises with gain (one for one until the limiter starts taking some of it back)."""
    slope, previous = 1.0, None
    for _ in range(PREDICTION_STEPS):
        loudness = loudness_at(gain_db)
        if abs(target_lufs - loudness) < PREDICTION_PRECISION_DB:
            break
        if previous is not None and gain_db != previous[0]:
            slope = (loudness - previous[1]) / (gain_db - previous[0])
            slope = min(1.0, max(0.1, slope))
        previous = (gain_db, loudness)
        gain_db += (target_lufs - loudness) / slope
    return gain_db


def _joined(parts: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.zeros(0, dtype=np.float32), *parts]).astype(np.float32)


def normalize(
    samples: np.ndarray,
    sample_rate: int,
    target_lufs: float,
    true_peak_dbtp: float,
    *,
    before: Sequence[np.ndarray] = (),
    after: Sequence[np.ndarray] = (),
) -> Normalized:
    """Gain to ``target_lufs`` and limit to ``true_peak_dbtp``; both measured on the result.

    ``before`` and ``after`` are finished audio around ``samples`` (chime, pauses, outro): the
    result then includes them and its loudness, on target, is that of the whole; its true peak
    is that of ``samples`` after gain and limiting.
    """
    samples = np.asarray(samples, dtype=np.float32)
    blocks = _blocks(samples)
    head, tail = _joined(before), _joined(after)
    model = _LoudnessModel(blocks, sample_rate, head, tail)
    envelope = _PeakEnvelope(blocks)
    if not np.isfinite(model.alone):  # silence stays silence
        programme = np.concatenate([head, samples, tail])
        loudness = integrated_loudness(programme, sample_rate)
        return Normalized(programme, loudness, gain_to_db(envelope.peak(1.0)))
    ceiling = db_to_gain(true_peak_dbtp - CEILING_MARGIN_DB)

    def limiter_at(gain: float) -> np.ndarray:
        return _limiter_gain(envelope.limited_to(ceiling / gain) * gain, ceiling, sample_rate)

    def predicted(gain_db: float) -> float:
        gain = db_to_gain(gain_db)
        return model.loudness(gain, limiter_at(gain)) + correction

    correction = 0.0  # the model's error, once pyloudnorm has measured
    gain_db = target_lufs - model.alone
    for _ in range(MAX_ROUNDS):
        gain_db = _solve(predicted, target_lufs, gain_db)
        gain = db_to_gain(gain_db)
        limiter = limiter_at(gain)
        limited = (blocks * (gain * limiter).astype(np.float32)[:, None]).ravel()
        programme = np.concatenate([head, limited[: len(samples)], tail])
        loudness = integrated_loudness(programme, sample_rate)
        if not np.isfinite(loudness) or abs(loudness - target_lufs) <= TOLERANCE_LU:
            break
        correction += loudness - predicted(gain_db)
    return Normalized(programme, loudness, gain_to_db(envelope.peak(gain * limiter)))
