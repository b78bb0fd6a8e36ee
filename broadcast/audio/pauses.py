"""Where to take up an item that was cut: at the pause before the sentence that was cut.

A listener who hears an item taken up mid-word, or even mid-sentence, after an emergency
bulletin cannot follow it; one who hears the whole item again loses patience (six bulletins in
three minutes replayed its first minute six times). So an item goes back a little from where
it was cut: to the last pause a reader makes between sentences or phrases, within a few
seconds, and a fixed step back when there is none.
"""

from __future__ import annotations

import numpy as np

WINDOW_SECONDS = 0.01
PAUSE_SECONDS = 0.2  # shorter gaps are between words; sentences and commas leave more
QUIET_DBFS = -45.0  # a window quieter than this is a pause (rendered speech sits near -16)
LEAD_IN_SECONDS = 0.1  # of the pause kept before the words, so they do not start abruptly


def resume_point(
    samples: np.ndarray, sample_rate: int, cut_seconds: float, back_seconds: float
) -> float:
    """Seconds into ``samples`` (mono) to play again from, for an item heard up to
    ``cut_seconds``: the end of the last pause of at least ``PAUSE_SECONDS`` that ends within
    ``back_seconds`` before the cut (less a short lead-in), or ``back_seconds`` before the cut
    when there is none. Never before 0 or after the cut."""
    cut = min(max(cut_seconds, 0.0), len(samples) / sample_rate)
    earliest = max(0.0, cut - back_seconds)
    window = max(1, round(WINDOW_SECONDS * sample_rate))
    first, last = round(earliest * sample_rate) // window, round(cut * sample_rate) // window
    if last <= first:
        return earliest
    frames = samples[first * window : last * window].astype(np.float64)
    if np.issubdtype(samples.dtype, np.integer):
        frames /= 32768.0
    rms = np.sqrt(np.mean(frames.reshape(-1, window) ** 2, axis=1))
    quiet = rms < 10 ** (QUIET_DBFS / 20)
    needed = max(1, round(PAUSE_SECONDS / WINDOW_SECONDS))
    run_end = None  # the window after the latest long enough quiet run
    run = end = 0
    for index in range(len(quiet) - 1, -1, -1):  # from the cut backwards
        if quiet[index]:
            run += 1
            if run == 1:
                end = index + 1
            if run >= needed:
                run_end = end
                break
        else:
            run = 0
    if run_end is None:
        return earliest
    pause_end = (first + run_end) * window / sample_rate
    return max(earliest, min(cut, pause_end - LEAD_IN_SECONDS))
