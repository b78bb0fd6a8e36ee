"""How each IP cluster is doing, as the station hears it: heartbeats, refusals, bulletins.

A cluster sends its heartbeat on ``status`` (retained, so the station hears the last one as it
connects; the broker's last will replaces it with "offline" when the box drops off) and what it
refused on ``event``. A cluster not heard for longer than ``silent_after_seconds``, or offline,
is an alarm (``AlarmCode.CLUSTER_SILENT``, keyed by the cluster) until it is heard again.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from broadcast.clusters.registry import Cluster
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.status import ClusterStatus
from broadcast.playlog import Attempt

REFUSALS_KEPT = 5
ONLINE, OFFLINE, SILENT, UNHEARD = "online", "offline", "silent", "unheard"


@dataclass
class _Heard:
    at: datetime | None = None
    state: str = UNHEARD
    status: dict[str, Any] = field(default_factory=dict)
    refusals: deque[str] = field(default_factory=lambda: deque(maxlen=REFUSALS_KEPT))
    bulletin: str | None = None
    bulletin_sent_at: datetime | None = None
    bulletin_started_at: datetime | None = None


def _json(payload: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _part(status: dict[str, Any], key: str) -> dict[str, Any]:
    found = status.get(key)
    return found if isinstance(found, dict) else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class ClusterHealth:
    def __init__(self, since: datetime, silent_after: timedelta):
        self._since = since  # the station's start: a cluster unheard since is silent after a while
        self.silent_after = silent_after
        self._heard: dict[str, _Heard] = {}
        self._lock = threading.Lock()

    def _of(self, cluster: str) -> _Heard:
        return self._heard.setdefault(cluster, _Heard())

    def heard_status(self, cluster: str, payload: bytes, now: datetime) -> None:
        """A heartbeat, or the last will ("offline"); its time is the cluster's own, never
        later than ``now`` (a retained heartbeat from long ago tells that it is silent)."""
        body = _json(payload)
        offline = body is None and payload.strip().lower() == b"offline"
        at = _moment(body.get("at")) if body else None
        with self._lock:
            heard = self._of(cluster)
            if offline or (body is not None and body.get("state") == OFFLINE):
                heard.state = OFFLINE  # what it said last is kept: where it was when it left
                return
            if body is None:
                return
            heard.state = ONLINE
            heard.status = body
            heard.at = min(at, now) if at is not None else now

    def heard_event(self, cluster: str, payload: bytes, now: datetime) -> None:
        """A refused message or a problem the cluster reports."""
        body = _json(payload) or {
            "code": "unreadable",
            "message": payload[:200].decode("utf-8", "replace"),
        }
        code, message = body.get("code", "?"), body.get("message", "")
        with self._lock:
            self._of(cluster).refusals.append(f"{now:%d/%m %H:%M:%S} {code}: {message}")

    def heard_rows(self, cluster: str, rows: Iterable[Attempt], now: datetime) -> None:
        """As-played rows: the cluster is alive, and a bulletin sent to it has started."""
        with self._lock:
            heard = self._of(cluster)
            if heard.state != OFFLINE:
                heard.at = max(heard.at, now) if heard.at else now
            for row in rows:
                if row.airing.bulletin_id == heard.bulletin and row.started_at is not None:
                    heard.bulletin_started_at = row.started_at

    def bulletin_sent(self, cluster: str, bulletin: str, at: datetime) -> None:
        with self._lock:
            heard = self._of(cluster)
            heard.bulletin, heard.bulletin_sent_at, heard.bulletin_started_at = bulletin, at, None

    def check(self, clusters: Sequence[Cluster], now: datetime, alarms: Alarms) -> None:
        """An alarm for each cluster silent or offline; cleared for those heard in time."""
        for cluster in clusters:
            problem = self._problem(cluster, now)
            if problem is None:
                alarms.clear(AlarmCode.CLUSTER_SILENT, cluster.id)
            else:
                alarms.raise_alarm(AlarmCode.CLUSTER_SILENT, problem, cluster.id)

    def _state(self, heard: _Heard | None, now: datetime) -> str:
        if heard is None or heard.state == UNHEARD:
            return SILENT if now - self._since > self.silent_after else UNHEARD
        if heard.state == OFFLINE:
            return OFFLINE
        return SILENT if heard.at is None or now - heard.at > self.silent_after else ONLINE

    def _problem(self, cluster: Cluster, now: datetime) -> str | None:
        with self._lock:
            heard = self._heard.get(cluster.id)
            state = self._state(heard, now)
            last = heard.at if heard else None
        who = f"cụm loa {cluster.name} ({cluster.id}, khu vực {cluster.zone})"
        if state == OFFLINE:
            return f"{who} đã ngắt kết nối (mất mạng hoặc mất điện?)"
        if state != SILENT:
            return None
        if last is None:
            return f"{who} chưa liên lạc lần nào kể từ {self._since:%H:%M %d/%m}"
        seconds = int((now - last).total_seconds())
        return f"{who} mất liên lạc từ {last:%H:%M:%S %d/%m} ({seconds} giây)"

    def statuses(self, clusters: Sequence[Cluster], now: datetime) -> tuple[ClusterStatus, ...]:
        with self._lock:
            return tuple(self._status(c, self._heard.get(c.id), now) for c in clusters)

    def _status(self, cluster: Cluster, heard: _Heard | None, now: datetime) -> ClusterStatus:
        status = heard.status if heard else {}
        clock, cache = _part(status, "clock"), _part(status, "cache")
        playing = status.get("playing")
        disk, cached = _number(status.get("disk_free_bytes")), _number(cache.get("items"))
        waiting = _number(status.get("rows_waiting"))
        return ClusterStatus(
            id=cluster.id,
            name=cluster.name,
            zone=cluster.zone,
            state=self._state(heard, now),
            last_heard=heard.at if heard else None,
            clock_offset=_number(clock.get("offset_seconds")),
            disk_free_bytes=None if disk is None else int(disk),
            cached_items=None if cached is None else int(cached),
            playing=tuple(str(t) for t in playing) if isinstance(playing, list) else (),
            rows_waiting=None if waiting is None else int(waiting),
            refusals=tuple(heard.refusals) if heard else (),
            bulletin=heard.bulletin if heard else None,
            bulletin_sent_at=heard.bulletin_sent_at if heard else None,
            bulletin_started_at=heard.bulletin_started_at if heard else None,
        )
