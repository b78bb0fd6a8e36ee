"""What the receiver tells the station: heartbeats, as-played rows, refused messages.

- ``status`` (retained): the heartbeat, every ``heartbeat_seconds``; the broker's last will
  says "offline" when the box goes silent.
- ``played``: closed rows of the receiver's own play log, in id order, in batches, sent again
  on every reconnection and every ``RESEND_SECONDS`` until a signed ``ack`` names them; an
  acknowledged row is marked with its ack (``ReceiverStore.accept``), never deleted from the log.
- ``event``: each refused message (code, message, topic, seq) and each problem the technician
  must see (a full disk), also written to the receiver's own log.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from broadcast.clock import Clock
from broadcast.clusters.messages import EVENT, PLAYED, STATUS
from broadcast.clusters.topics import topic
from broadcast.playlog import Attempt, PlayLog
from broadcast.playlog.remote import played_message
from broadcast.receiver.fetch import AudioCache, free_bytes
from broadcast.receiver.host import HostProbe
from broadcast.receiver.mqtt_link import Link
from broadcast.receiver.settings import ReceiverSettings
from broadcast.receiver.store import ReceiverStore
from broadcast.sinks.protocol import ZoneHealth

logger = logging.getLogger("broadcast.receiver")

BATCH_ROWS = 100  # rows per ``played`` message: a day's backlog is a few messages
RESEND_SECONDS = 30.0  # a row not acknowledged by then is sent again


class Uplink:
    def __init__(
        self,
        settings: ReceiverSettings,
        link: Link,
        log: PlayLog,
        store: ReceiverStore,
        cache: AudioCache,
        clock: Clock,
        probe: HostProbe | None = None,
    ):
        self.settings = settings
        self.link = link
        self.log = log
        self.store = store
        self.cache = cache
        self.clock = clock
        self.probe = probe or HostProbe()
        self._lock = threading.Lock()
        self._acked = store.acked()
        # Rows are read from the first one still open or not acknowledged (ids only grow;
        # 1: the whole log, once, at start): each row closing reads only the last few.
        self._first_id = 1
        self._sent: dict[int, float] = {}  # row id → when last sent (time.monotonic)
        self.problems: dict[str, str] = {}  # code → message, while it lasts (a full disk)
        self.station_offset: float | None = None  # box minus the station's issued, rough

    def _topic(self, kind: str) -> str:
        return topic(self.settings.ward, self.settings.cluster, kind)

    # -- played rows -------------------------------------------------------------------

    def pending_rows(self) -> list[Attempt]:
        """Closed rows not acknowledged yet, in id order."""
        rows = self.log.attempts_from(self._first_id)
        with self._lock:
            waiting = [a for a in rows if a.outcome is not None and a.id not in self._acked]
            unsettled = [a.id for a in rows if a.outcome is None or a.id not in self._acked]
            if unsettled:
                self._first_id = max(self._first_id, unsettled[0])
            elif rows:
                self._first_id = max(self._first_id, rows[-1].id + 1)
        return waiting

    def send_rows(self, *, again: bool = False) -> int:
        """Send the rows waiting (those sent less than ``RESEND_SECONDS`` ago only when
        ``again``, after a reconnection); returns how many were sent."""
        if not self.link.connected:
            return 0
        moment = time.monotonic()
        with self._lock:
            sent = dict(self._sent)
        due = [
            a
            for a in self.pending_rows()
            if again or moment - sent.get(a.id, -RESEND_SECONDS) >= RESEND_SECONDS
        ]
        for first in range(0, len(due), BATCH_ROWS):
            batch = due[first : first + BATCH_ROWS]
            self.link.publish(self._topic(PLAYED), played_message(batch))
        with self._lock:
            self._sent.update((a.id, moment) for a in due)
        return len(due)

    def acknowledged(self, row_ids: Iterable[int]) -> None:
        """The station stored these rows: never sent again (kept across a restart by
        ``ReceiverStore.accept`` with the ack that named them)."""
        ids = list(row_ids)
        with self._lock:
            self._acked.update(ids)
            for row_id in ids:
                self._sent.pop(row_id, None)

    # -- events ------------------------------------------------------------------------

    def refused(self, code: str, message: str, down_topic: str, seq: object) -> None:
        """A down message not acted on: to the station and the receiver's own log."""
        logger.warning(
            "từ chối tin nhắn trên %s: %s",
            down_topic,
            message,
            extra={"event": "message_refused", "code": code},
        )
        self.event(code, message, topic=down_topic, seq=seq)

    def event(self, code: str, message: str, **fields: Any) -> None:
        body = {
            "cluster": self.settings.cluster,
            "at": self.clock.now().isoformat(),
            "code": code,
            "message": message,
            **fields,
        }
        self.link.publish(self._topic(EVENT), _json(body))

    def problem(self, code: str, message: str) -> None:
        """A lasting problem: in every heartbeat while it lasts, one event when it starts."""
        with self._lock:
            new = self.problems.get(code) != message
            self.problems[code] = message
        if new:
            logger.error(message, extra={"event": code})
            self.event(code, message)

    def solved(self, code: str) -> None:
        with self._lock:
            gone = self.problems.pop(code, None)
        if gone is not None:
            logger.info("đã hết lỗi: %s", gone, extra={"event": f"{code}_solved"})

    # -- heartbeat ---------------------------------------------------------------------

    def heartbeat(
        self,
        *,
        plan_seq: int,
        playing: list[str],
        next_entry: dict[str, Any] | None,
        device: ZoneHealth | None,
    ) -> dict[str, Any]:
        """The ``status`` message (published retained when connected); returned for tests."""
        cached = self.cache.size()
        with self._lock:
            problems = dict(self.problems)
        clock = self.probe.clock().to_json()
        clock["station_estimate_seconds"] = self.station_offset  # rough: includes transit
        body: dict[str, Any] = {
            "cluster": self.settings.cluster,
            "state": "online",
            "at": self.clock.now().isoformat(),
            "clock": clock,
            "disk_free_bytes": free_bytes(self.settings.data_dir),
            "cache": {"items": cached.items, "bytes": cached.bytes},
            "plan_seq": plan_seq if plan_seq >= 0 else None,
            "next": next_entry,
            "playing": playing,
            "device": None
            if device is None
            else {
                "outlet": device.outlet,
                "playable": device.playable,
                "problem": device.problem,
                "to_file": device.to_file,
            },
            "rows_waiting": len(self.pending_rows()),
            "problems": problems,
            "signal_percent": self.probe.signal(),  # the 4G modem's, when one tells
        }
        if self.link.connected:
            self.link.publish(self._topic(STATUS), _json(body), retain=True)
        return body


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
