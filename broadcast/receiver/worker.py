"""A receiver's background thread: started, woken when there is news, stopped and joined."""

from __future__ import annotations

import threading


class Worker:
    """Subclasses loop in ``_run`` until ``_stopping``, sleeping on ``_wake``."""

    thread_name = "receiver"

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to end and wait for it (its own clean-up included)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        raise NotImplementedError
