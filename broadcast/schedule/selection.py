"""Choosing scripts for one airing: order them, then fill the time and count allowed.

Order: higher priority first; then a campaign whose turn it is; then the script its zones
heard least recently (never heard comes first); the id breaks ties, so the same inputs
always give the same plan.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from broadcast.schedule.candidates import Candidate
from broadcast.schedule.labels import duration_label


def rank(candidates: Iterable[Candidate], due: Collection[str]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (-c.rank, c.id not in due, c.last_heard(), c.id))


@dataclass
class Fill:
    chosen: list[Candidate] = field(default_factory=list)
    # Left out for lack of time: id -> why (Vietnamese).
    reasons: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0  # of the chosen


def fill(
    ranked: Iterable[Candidate], budget: float, max_count: int | None, shortest: float = 0.0
) -> Fill:
    """Take scripts in order while they fit; a long one is skipped for shorter ones after it.

    Stops once ``max_count`` are taken or less time is left than ``shortest`` (the shortest
    script there is), so a lazily ordered ``ranked`` is read no further than needed.
    """
    result = Fill()
    left = budget
    for candidate in ranked:
        if max_count is not None and len(result.chosen) >= max_count:
            break
        if candidate.seconds > left:
            result.reasons[candidate.id] = (
                f"bài dài {duration_label(candidate.seconds)}, khung giờ chỉ còn "
                f"{duration_label(max(left, 0))}"
            )
        else:
            result.chosen.append(candidate)
            result.seconds += candidate.seconds
            left -= candidate.seconds
            if left < shortest:
                break
    return result
