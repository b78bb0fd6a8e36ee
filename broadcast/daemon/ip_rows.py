"""As-played in: the rows each IP cluster uploads on ``played``, stored in the station's play
log once each (``PlayLog.ingest_remote``) and acknowledged, off the network thread."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from broadcast.clock import Clock
from broadcast.daemon.ip_health import ClusterHealth
from broadcast.playlog import PlayLog
from broadcast.playlog.remote import rows_from_message

logger = logging.getLogger("broadcast.daemon")


class RowIntake:
    """Takes ``played`` messages as they come and stores them in turn on its own thread.

    ``known(cluster)``: whether rows from this cluster are taken (a cluster removed since
    is not); ``acknowledge(cluster, ids, now)``: the signed ``ack`` for the rows stored."""

    def __init__(
        self,
        *,
        log: PlayLog,
        health: ClusterHealth,
        clock: Clock,
        known: Callable[[str], bool],
        acknowledge: Callable[[str, list[int], datetime], None],
    ):
        self._log = log
        self._health = health
        self._clock = clock
        self._known = known
        self._acknowledge = acknowledge
        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
        self._stored: dict[str, set[int]] = {}  # receiver row ids stored, by cluster
        self._heard = threading.Condition()

    def put(self, cluster: str, payload: bytes) -> None:
        self._queue.put((cluster, payload))

    def close(self) -> None:
        """``run`` returns once what was put before is stored."""
        self._queue.put(None)

    def run(self) -> None:
        while True:
            got = self._queue.get()
            if got is None:
                return
            try:
                self.ingest(*got)
            except Exception:  # not acknowledged: the cluster sends them again
                logger.exception(
                    "lỗi ghi nhật ký phát của cụm loa %s",
                    got[0],
                    extra={"event": "cluster_rows_failed", "cluster": got[0]},
                )

    def ingest(self, cluster: str, payload: bytes) -> list[int]:
        """Store a ``played`` message's rows and acknowledge them; returns the ids acked."""
        if not self._known(cluster):
            logger.warning(
                "bỏ qua nhật ký phát từ cụm loa lạ %s",
                cluster,
                extra={"event": "cluster_unknown", "cluster": cluster},
            )
            return []
        rows, problems = rows_from_message(payload)
        for problem in problems:
            logger.warning(
                "cụm loa %s gửi dòng nhật ký hỏng: %s",
                cluster,
                problem,
                extra={"event": "cluster_row_refused", "cluster": cluster},
            )
        acked = self._log.ingest_remote(cluster, rows)
        with self._heard:
            self._stored.setdefault(cluster, set()).update(acked)
            self._heard.notify_all()
        now = self._clock.now()
        self._health.heard_rows(cluster, rows, now)
        if acked:
            self._acknowledge(cluster, acked, now)
        return acked

    def await_rows(self, expected: Callable[[], Mapping[str, int]], seconds: float) -> bool:
        """Wait up to ``seconds`` until each cluster has stored as many rows as ``expected()``
        says; whether they all came."""

        def missing() -> int:
            return sum(
                max(0, count - len(self._stored.get(cluster, ())))
                for cluster, count in expected().items()
            )

        with self._heard:
            came = self._heard.wait_for(lambda: missing() == 0, timeout=seconds)
            left = missing()
        if not came:
            logger.warning(
                "hết %.0f giây chờ mà cụm loa chưa gửi đủ nhật ký phát (còn thiếu %d dòng)",
                seconds,
                left,
                extra={"event": "cluster_rows_late"},
            )
        return came
