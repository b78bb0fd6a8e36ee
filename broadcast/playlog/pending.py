"""Writes the storage refused (a full disk, an I/O error), kept in memory until it takes them.

The air never waits for the log: a write that fails on the storage is kept, in order, and
every later write goes behind it, so rows and chain events are written in the order they
happened once space returns (the next write, or the daemon's heartbeat calling
``catch_up``). A row written late is known meanwhile by a provisional, negative id: the
calls that name it (its progress, its end) are kept too and find its real id when they run.
What waits is lost if the daemon stops first; the alarm says so while it waits.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from broadcast.playlog.faults import sqlite_verdict, storage_fault

logger = logging.getLogger("broadcast.playlog")
T = TypeVar("T")
# Writes kept at most: a ward's day is a few hundred, so weeks of a full disk fit in a few
# megabytes; beyond, new writes are counted as lost rather than fill the memory.
LIMIT = 20_000


class PendingWrites:
    def __init__(self, lock: threading.RLock):
        self._lock = lock  # the log's: a write and the ones waiting before it run as one
        self._writes: deque[Callable[[], object]] = deque()
        self._ids: dict[int, int] = {}  # provisional id → the id its row got when written
        self._last_provisional = 0
        self.lost = 0  # writes dropped: the memory limit, or refused for their values later
        self.problem: str | None = None  # why the storage refused the last write

    @property
    def waiting(self) -> int:
        return len(self._writes)

    def alarm(self) -> str | None:
        """The technician's alarm while writes wait or were lost (Vietnamese), else ``None``."""
        if not self._writes and not self.lost:
            return None
        parts = []
        if self._writes:
            parts.append(
                f"không ghi được nhật ký phát ({self.problem}): {len(self._writes)} thao tác "
                "đang chờ trong bộ nhớ, sẽ tự ghi khi ghi được trở lại (hãy giải phóng dung "
                "lượng đĩa); loa vẫn phát bình thường, đừng tắt chương trình phát lúc này"
            )
        if self.lost:
            parts.append(f"{self.lost} thao tác ghi nhật ký phát đã bị mất")
        return "; ".join(parts)

    def write(self, write: Callable[[], T], deferred: T) -> T:
        """``write`` now, after what waits; if the storage refuses, kept and ``deferred``."""
        return self._run(write, write, deferred)

    def new_row(self, write: Callable[[], int]) -> int:
        """``write`` adds a row and returns its id; kept, it returns a provisional id."""
        with self._lock:
            self._last_provisional -= 1
            provisional = self._last_provisional

            def later() -> None:
                self._ids[provisional] = write()

            return self._run(write, later, provisional)

    def on_row(self, row_id: int, write: Callable[[int], None], *, keep: bool = True) -> None:
        """``write(real id)`` for a row named by an id ``new_row`` gave. ``keep=False``: a
        write the next one supersedes (a heartbeat), done only if the storage takes it now."""

        def resolved() -> None:
            real = self._ids.get(row_id) if row_id < 0 else row_id
            if real is None:  # its row was lost: so is what follows it
                self.lost += 1
                return
            write(real)

        with self._lock:
            if keep:
                self._run(resolved, resolved, None)
            elif not self._writes and (row_id > 0 or row_id in self._ids):
                try:
                    resolved()
                except Exception as exc:
                    self._refused(exc)

    def catch_up(self) -> bool:
        """Write what waits, in order; whether nothing waits any more."""
        with self._lock:
            while self._writes:
                try:
                    self._writes[0]()
                except Exception as exc:
                    if storage_fault(exc):
                        self.problem = sqlite_verdict(exc)
                        return False
                    # It would have been raised to its caller, who has long gone on.
                    logger.exception("a play log write kept for later was refused")
                    self.lost += 1
                self._writes.popleft()
            self.problem = None
            return True

    def abandon(self) -> None:
        """The log closes: what still waits is lost, and said so in the daemon's log."""
        with self._lock:
            if self._writes:
                logger.error(
                    "%d thao tác ghi nhật ký phát bị mất: %s",
                    len(self._writes),
                    self.problem,
                    extra={"event": "playlog_writes_lost"},
                )
            self.lost += len(self._writes)
            self._writes.clear()

    def _run(self, now: Callable[[], T], later: Callable[[], object], deferred: T) -> T:
        with self._lock:
            if self.catch_up():
                try:
                    return now()
                except Exception as exc:
                    self._refused(exc)
            if len(self._writes) < LIMIT:
                self._writes.append(later)
            else:
                self.lost += 1
            return deferred

    def _refused(self, exc: Exception) -> None:
        """Note why the storage refused a write; any other error is raised, as before."""
        if not storage_fault(exc):
            raise exc
        self.problem = sqlite_verdict(exc)
