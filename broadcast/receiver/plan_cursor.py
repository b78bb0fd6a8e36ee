"""The plan a receiver plays and which of its entries are handled (played, logged or let go).

Any thread may hand in a new plan or ask what comes next; the player's thread asks what is due.
An entry is marked handled (on disk, ``ReceiverStore``) before its sound, so no restart plays
it twice; ``cursor`` skips the handled start of the plan so each look is short.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from itertools import islice

from broadcast.clusters.messages import PlanEntry
from broadcast.receiver.store import ReceiverStore


class PlanCursor:
    def __init__(self, store: ReceiverStore):
        self.store = store
        self._lock = threading.Lock()
        self._plan: list[PlanEntry] = []
        self._cursor = 0  # every entry before it is handled: looks start from there
        self._known_since: datetime | None = None
        self._handled: set[str] = set()

    def use(self, entries: Sequence[PlanEntry], known_since: datetime | None) -> None:
        """``entries`` from now on; ``known_since``: when the box got them (``None``: unknown)."""
        ordered = sorted(entries, key=lambda e: e.start)
        handled = self.store.handled(e.id for e in ordered)
        with self._lock:
            self._plan = ordered
            self._cursor = 0
            self._known_since = known_since
            self._handled = handled

    def next_entry(self, now: datetime) -> PlanEntry | None:
        with self._lock:
            coming = islice(self._plan, self._cursor, None)
            return next((e for e in coming if e.start > now and e.id not in self._handled), None)

    def due(self, until: datetime) -> tuple[list[PlanEntry], datetime | None]:
        """Entries not handled yet that start before ``until``, and when the plan was known."""
        with self._lock:
            plan, handled = self._plan, self._handled
            while self._cursor < len(plan) and plan[self._cursor].id in handled:
                self._cursor += 1
            found = []
            for entry in islice(plan, self._cursor, None):
                if entry.start > until:
                    break
                if entry.id not in handled:
                    found.append(entry)
            return found, self._known_since

    def mark_handled(self, entry: PlanEntry, attempt_id: int | None) -> None:
        """Kept on disk (with its row, if it has one), then skipped from now on."""
        self.store.mark_handled(entry.id, entry.start, attempt_id)
        self.let_go(entry)

    def let_go(self, entry: PlanEntry) -> None:
        """Skipped from now on, with nothing kept (the station accounts for it)."""
        with self._lock:
            self._handled.add(entry.id)
