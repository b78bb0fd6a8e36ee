"""One script's airings in time order, as the planner's history and fairness keep them."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class Timeline(Generic[T]):
    """Moments in time order, each with a value (the zones that heard the airing).

    Kept as two lists rather than a list of pairs: a year's plan records about a hundred
    thousand airings, and a pair for each is one more object for Python's cycle collector to
    scan over and over while the plan grows.
    """

    __slots__ = ("moments", "values")

    def __init__(self) -> None:
        self.moments: list[datetime] = []
        self.values: list[T] = []

    def add(self, moment: datetime, value: T) -> None:
        if self.moments and moment < self.moments[-1]:  # out of time order: rare
            index = bisect.bisect_right(self.moments, moment)
            self.moments.insert(index, moment)
            self.values.insert(index, value)
        else:
            self.moments.append(moment)
            self.values.append(value)

    def __len__(self) -> int:
        return len(self.moments)

    def newest_first(self) -> Iterator[tuple[datetime, T]]:
        return zip(reversed(self.moments), reversed(self.values), strict=True)

    def latest(self) -> datetime | None:
        return self.moments[-1] if self.moments else None

    def count(self, start: datetime, end: datetime) -> int:
        """Moments in ``[start, end)``."""
        return bisect.bisect_left(self.moments, end) - bisect.bisect_left(self.moments, start)
