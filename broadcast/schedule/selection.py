"""Choosing scripts for one airing: order them, then fill the time and count allowed.

Order: higher priority first; then a campaign whose turn it is; then the script its zones
heard least recently (never heard comes first); the id breaks ties, so the same inputs
always give the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from broadcast.schedule.candidates import Candidate
from broadcast.schedule.labels import duration_label


@dataclass(frozen=True, slots=True)
class Ranked:
    candidate: Candidate
    due: bool  # a campaign's turn
    last_heard: datetime

    def key(self) -> tuple[int, bool, datetime, str]:
        return (-self.candidate.rank, not self.due, self.last_heard, self.candidate.id)


def rank(
    candidates: Iterable[Candidate],
    due: set[str],
    last_heard: Callable[[Candidate], datetime],
) -> list[Ranked]:
    ranked = [Ranked(c, c.id in due, last_heard(c)) for c in candidates]
    ranked.sort(key=Ranked.key)
    return ranked


@dataclass
class Fill:
    chosen: list[Ranked] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # id -> why left out (Vietnamese)
    out_of_time: set[str] = field(default_factory=set)  # left out for lack of time

    @property
    def seconds(self) -> float:
        return sum(r.candidate.seconds for r in self.chosen)

    def merge(self, other: Fill) -> None:
        self.reasons.update(other.reasons)
        self.out_of_time.update(other.out_of_time)


def fill(
    ranked: Iterable[Ranked], budget: float, max_count: int | None, shortest: float = 0.0
) -> Fill:
    """Take scripts in order while they fit; a long one is skipped for shorter ones after it.

    Stops once ``max_count`` are taken or less time is left than ``shortest`` (the shortest
    script there is), so a lazily ordered ``ranked`` is read no further than needed.
    """
    result = Fill()
    left = budget
    for entry in ranked:
        candidate = entry.candidate
        if max_count is not None and len(result.chosen) >= max_count:
            break
        if candidate.seconds > left:
            result.reasons[candidate.id] = (
                f"bài dài {duration_label(candidate.seconds)}, khung giờ chỉ còn "
                f"{duration_label(max(left, 0))}"
            )
            result.out_of_time.add(candidate.id)
        else:
            result.chosen.append(entry)
            left -= candidate.seconds
            if left < shortest:
                break
    return result
