"""The row for a segment that never left the station: an IP cluster cannot log what it never had.

A plan pass leaves out a segment with no audio yet, or whose approval no longer holds
(``ip_plan.LeftOut``); a later pass sends it once it can. If none has by the segment's start
(plus ``UNSENT_GRACE``: a plan sent a little late still has the cluster join it at its place),
the station writes one row per cluster of the zone that does not have it — the reason, error
text and outcome the wired zone would log (``segment_play``), the daemon's own airing fields,
the cluster's id and an ``output`` saying it never left the station — and never sends it to
that cluster afterwards (the cluster would log a second row).

Only what this run of the station sent is known: a cluster is judged for a segment only if a
plan went to it in this run before the segment's start (before that, it plays the plan an
earlier run sent, which may have had it). The play log is the memory across restarts: a row is
not written when that cluster already has one for the segment (``PlayLog.record_unsent``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from broadcast.clusters.registry import Cluster
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.attempts import segment_airing
from broadcast.daemon.context import AirContext
from broadcast.daemon.ip_plan import WINDOW, LeftOut
from broadcast.daemon.segment_audio import SegmentAudio
from broadcast.playlog import Outcome, PlayLog, Reason

logger = logging.getLogger("broadcast.daemon")

UNSENT_GRACE = timedelta(seconds=60)
# The wired zone logs a refused approval as ``missed`` (it was not to air) and a segment
# without audio as ``failed`` (it could not air): ``segment_play``.
_MISSED_REASONS = (Reason.NOT_APPROVED, Reason.AUDIO_NOT_APPROVED)


@dataclass(frozen=True)
class Sent:
    """What this run sent a cluster: when its first plan went, the entry ids of its last."""

    first_at: datetime
    ids: frozenset[str]


class Unsent:
    def __init__(self, log: PlayLog, alarms: Alarms, context: Callable[[], AirContext]):
        self._log = log
        self._alarms = alarms
        self._context = context
        self._left: dict[tuple[str, str], LeftOut] = {}  # (zone, entry id) → not sent yet
        self._written: dict[tuple[str, str], datetime] = {}  # (cluster, entry id) → its start
        self._lock = threading.Lock()

    def noted(self, zone: str, left_out: Sequence[LeftOut], now: datetime) -> None:
        """A plan pass's view of ``zone``: what it left out from now on replaces the last
        pass's; segments already begun keep the last view until they are judged."""
        with self._lock:
            self._left = {
                key: left for key, left in self._left.items() if key[0] != zone or left.start <= now
            }
            for left in left_out:
                if left.start > now:
                    self._left[(zone, left.id)] = left

    def pending(self) -> list[LeftOut]:
        """The segments left out and not judged yet, earliest first."""
        with self._lock:
            return sorted(self._left.values(), key=lambda left: (left.start, left.id))

    def never_sent(self) -> frozenset[tuple[str, str]]:
        """(cluster, entry id) whose row says the entry never reached the cluster: not to be
        sent to it now."""
        with self._lock:
            return frozenset(self._written)

    def record(
        self, now: datetime, clusters: Sequence[Cluster], sent: Callable[[str], Sent | None]
    ) -> int:
        """Rows for the segments due by ``now`` that their clusters never had; returns how
        many were written. A write that fails is tried again at the next call."""
        with self._lock:
            due = [left for left in self._left.values() if left.start + UNSENT_GRACE <= now]
            self._written = {k: at for k, at in self._written.items() if now - at < WINDOW}
        written = 0
        for left in sorted(due, key=lambda x: (x.start, x.id)):
            try:
                written += self._judge(left, clusters, sent)
            except Exception:
                logger.exception(
                    "lỗi ghi nhật ký đoạn chưa gửi cho cụm loa",
                    extra={"event": "cluster_unsent_failed", "item": left.item.id},
                )
                continue
            with self._lock:
                self._left.pop((left.zone, left.id), None)
        return written

    def _judge(
        self, left: LeftOut, clusters: Sequence[Cluster], sent: Callable[[str], Sent | None]
    ) -> int:
        context = self._context()
        airing = segment_airing(
            context, left.item, left.segment, left.zone, SegmentAudio(np.zeros(0, np.int16))
        )
        outcome = Outcome.MISSED if left.reason in _MISSED_REASONS else Outcome.FAILED
        written = 0
        for cluster in clusters:
            if cluster.zone != left.zone:
                continue
            known = sent(cluster.id)
            if known is None or known.first_at > left.start or left.id in known.ids:
                continue  # its plan is not ours to know, or it has the segment
            with self._lock:
                self._written[(cluster.id, left.id)] = left.start
            if self._log.record_unsent(cluster.id, airing, left.reason, left.why, outcome):
                written += 1
        if written:
            logger.warning(
                "%s: đoạn %d không gửi được cho %d cụm loa của khu vực %s (%s)",
                left.item.id,
                left.index,
                written,
                left.zone,
                left.why,
                extra={"event": "cluster_entry_unsent", "item": left.item.id, "zone": left.zone},
            )
            if left.reason in {code.value for code in AlarmCode}:
                self._alarms.raise_alarm(
                    AlarmCode(left.reason), f"{left.item.id}: {left.why} (cụm loa IP)"
                )
        return written
