"""A lock granted in the order it was asked for.

A speech engine that is not thread-safe is used under a lock, sentence by sentence. With a
plain lock the thread reading a long bulletin takes it back after every sentence before a
waiting thread wakes, so a one-line emergency waited for the whole of the long one (issue 14).
Handed over in order, the emergency's sentence comes after at most one of the long one's.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class TurnLock:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False

    def acquire(self) -> None:
        with self._guard:
            if not self._held and not self._waiting:
                self._held = True
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()  # the releasing thread hands the lock over: it stays held

    def release(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._held = False

    def __enter__(self) -> TurnLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
