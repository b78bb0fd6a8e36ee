"""The daemon's status file: written every few seconds, read by ``broadcast status``.

The IP clusters' table (``clusters``: ~0.4 KB a cluster, 0.8 MB at 2,000) is kept in a file of
its own, ``status-clusters.json``, written when something a technician acts on changed (a state,
what plays, a refusal, a bulletin, the files cached, rows waiting) and otherwise at most every
``CLUSTERS_EVERY_SECONDS`` (the times last heard, clock offsets and free disk move with every
heartbeat of every cluster): the beat's ``status.json`` stays small, and an alarm still shows at
the next beat (the alarms are in it). ``broadcast status`` and the web page ask the running
daemon first (live, every cluster); these files are what they show when it does not answer.

The file doubles as the daemon's heartbeat: its ``heartbeat_at`` says when the daemon was last
alive, which is also how a restarted daemon knows since when it was down. Whether it is alive
now is not the heartbeat's age alone: a killed daemon's file looks fresh for a while, so its
process is asked too (``daemon_alive``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from broadcast.daemon.alarms import Alarm
from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.processes import process_alive

STATUS_NAME = "status.json"
CLUSTERS_NAME = "status-clusters.json"  # the clusters' table, written on change (see above)
CLUSTERS_EVERY_SECONDS = 60.0
# what moves with every heartbeat of a cluster: refreshed in the file at most every minute
_CLUSTER_DRIFT = ("last_heard", "clock_offset", "disk_free_bytes")
HEARTBEAT_SECONDS = 2.0
ALIVE_WITHIN_SECONDS = 15.0  # a heartbeat older than this: the daemon is not running (or hung)


class DaemonState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True)
class PlayingNow:
    item: str
    slot: str
    zones: tuple[str, ...]


@dataclass(frozen=True)
class NextSegment:
    at: datetime
    slot: str
    title: str
    seconds: float
    # an IP zone's: how many of its clusters were sent it, of how many (None: a wired zone)
    clusters: int | None = None
    of_clusters: int | None = None


@dataclass(frozen=True)
class ZoneStatus:
    """A zone's output as the sink answered at the last heartbeat."""

    zone: str
    name: str
    device: str | int  # as configured
    channels: tuple[int, ...]
    outlet: str | None  # where its sound goes now: the device found, or a WAV folder
    problem: str | None  # why its loudspeakers cannot play (Vietnamese)
    to_file: bool
    playable: bool
    fallback_to_file: bool


@dataclass(frozen=True)
class ClusterStatus:
    """An IP loudspeaker cluster as the station last heard it (``ip_health``)."""

    id: str
    name: str
    zone: str
    state: str  # "online", "offline" (its last will or its own goodbye), "silent", "unheard"
    last_heard: datetime | None  # its last message, by its own clock (never ahead of ours)
    clock_offset: float | None  # seconds its clock is off, as it measured (None: unknown)
    disk_free_bytes: int | None
    cached_items: int | None
    playing: tuple[str, ...]  # titles
    rows_waiting: int | None  # as-played rows it holds not yet acknowledged
    refusals: tuple[str, ...]  # what it refused lately, newest last (Vietnamese)
    bulletin: str | None = None  # the last urgent bulletin sent to it
    bulletin_sent_at: datetime | None = None
    bulletin_started_at: datetime | None = None  # when it began there, as the cluster said

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClusterStatus:
        def moment(key: str) -> datetime | None:
            return datetime.fromisoformat(data[key]) if data.get(key) else None

        return cls(
            **{
                **data,
                "last_heard": moment("last_heard"),
                "bulletin_sent_at": moment("bulletin_sent_at"),
                "bulletin_started_at": moment("bulletin_started_at"),
                "playing": tuple(data["playing"]),
                "refusals": tuple(data["refusals"]),
            }
        )


_CLUSTER_KEY = tuple(f.name for f in fields(ClusterStatus) if f.name not in _CLUSTER_DRIFT)


@dataclass(frozen=True)
class DaemonStatus:
    """What ``broadcast status`` shows; written to ``status.json`` and served on the control
    channel with the same keys."""

    pid: int
    home: str
    started_at: datetime | None
    heartbeat_at: datetime
    state: DaemonState
    sink: str
    scripts: int
    input_problems: tuple[str, ...]
    playing: tuple[PlayingNow, ...]
    busy_zones: tuple[str, ...]
    next: dict[str, tuple[NextSegment, ...]]  # by zone id, in time order
    devices: tuple[ZoneStatus, ...]
    alarms: tuple[Alarm, ...]
    recent_errors: tuple[Alarm, ...]
    clusters: tuple[ClusterStatus, ...] = ()  # IP loudspeaker clusters, when the ward has any

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["alarms"] = [alarm.to_json() for alarm in self.alarms]
        data["recent_errors"] = [alarm.to_json() for alarm in self.recent_errors]
        return json.loads(json.dumps(data, default=_iso))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DaemonStatus:
        """``ValueError`` (or ``KeyError``/``TypeError``) when ``data`` is not a status."""
        started = data["started_at"]
        return cls(
            pid=int(data["pid"]),
            home=str(data["home"]),
            started_at=datetime.fromisoformat(started) if started else None,
            heartbeat_at=datetime.fromisoformat(data["heartbeat_at"]),
            state=DaemonState(data["state"]),
            sink=str(data["sink"]),
            scripts=int(data["scripts"]),
            input_problems=tuple(data["input_problems"]),
            playing=tuple(
                PlayingNow(p["item"], p["slot"], tuple(p["zones"])) for p in data["playing"]
            ),
            busy_zones=tuple(data["busy_zones"]),
            next={
                zone: tuple(
                    NextSegment(
                        datetime.fromisoformat(n["at"]),
                        n["slot"],
                        n["title"],
                        n["seconds"],
                        n.get("clusters"),
                        n.get("of_clusters"),
                    )
                    for n in entries
                )
                for zone, entries in data["next"].items()
            },
            devices=tuple(
                ZoneStatus(**{**d, "channels": tuple(d["channels"])}) for d in data["devices"]
            ),
            alarms=tuple(Alarm.from_json(a) for a in data["alarms"]),
            recent_errors=tuple(Alarm.from_json(a) for a in data["recent_errors"]),
            clusters=tuple(ClusterStatus.from_json(c) for c in data.get("clusters", ())),
        )


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"not JSON: {value!r}")


def status_file(paths: ProjectPaths) -> Path:
    return paths.data_dir / STATUS_NAME


def clusters_file(paths: ProjectPaths) -> Path:
    return paths.data_dir / CLUSTERS_NAME


@dataclass
class _TableWritten:
    key: list[tuple[Any, ...]]  # the table without its drifting values
    at: float  # monotonic


_tables: dict[Path, _TableWritten] = {}  # by file: what was written last, and when
_tables_lock = threading.Lock()


def write_status(
    paths: ProjectPaths, status: DaemonStatus, *, monotonic: Callable[[], float] = time.monotonic
) -> int:
    """``status.json``, and the clusters' table when it is due; returns the bytes written."""
    data = replace(status, clusters=()).to_json()
    data.pop("clusters")
    data["clusters_file"] = CLUSTERS_NAME if status.clusters else None
    written = _write_json(status_file(paths), data)
    if status.clusters:
        written += _write_table(clusters_file(paths), status.clusters, monotonic())
    else:  # no cluster (left): no table to show
        with _tables_lock:
            had = _tables.pop(clusters_file(paths), None) is not None
        if had or status.state is DaemonState.STOPPED:
            clusters_file(paths).unlink(missing_ok=True)
    return written


def _write_json(path: Path, data: Any, *, compact: bool = False) -> int:
    """``compact``: one line (a table of thousands of rows nobody reads by eye)."""
    layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 1}
    body = json.dumps(data, ensure_ascii=False, default=_iso, **layout).encode("utf-8")
    with atomic_write(path) as handle:
        handle.write(body)
    return len(body)


def _write_table(path: Path, clusters: tuple[ClusterStatus, ...], now: float) -> int:
    # compared as they are (no JSON made): most beats end here
    key = [tuple(getattr(c, name) for name in _CLUSTER_KEY) for c in clusters]
    with _tables_lock:
        last = _tables.get(path)
        if (
            last is not None
            and last.key == key
            and now - last.at < CLUSTERS_EVERY_SECONDS
            and path.exists()
        ):
            return 0
        written = _write_json(path, [asdict(c) for c in clusters], compact=True)
        _tables[path] = _TableWritten(key, now)
        return written


def _read_json(paths: ProjectPaths) -> Any:
    try:
        return json.loads(status_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_table(paths: ProjectPaths) -> list[Any]:
    """The clusters' table; none when it cannot be read (the rest of the status still shows)."""
    try:
        table = json.loads(clusters_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return table if isinstance(table, list) else []


def read_status(paths: ProjectPaths) -> DaemonStatus | None:
    """The last status written (the clusters' table from its own file), or ``None`` when there
    is none or it cannot be read."""
    data = _read_json(paths)
    try:
        if isinstance(data, dict) and data.get("clusters_file") and "clusters" not in data:
            data["clusters"] = _read_table(paths)
        return DaemonStatus.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def last_heartbeat(paths: ProjectPaths) -> datetime | None:
    """When the last daemon was last alive; only this key is needed (a status file written by
    an older version still tells how long the station was down)."""
    try:
        return datetime.fromisoformat(_read_json(paths)["heartbeat_at"])
    except (KeyError, TypeError, ValueError):
        return None


def daemon_alive(status: DaemonStatus, *, answered: bool, now: datetime) -> bool:
    """Whether the daemon that wrote ``status`` runs: it answered on the control channel
    (``answered``), or, when the channel cannot tell, its process still exists and its heartbeat
    is recent. A killed daemon is not running from the moment its process is gone."""
    if status.state is not DaemonState.RUNNING:
        return False
    if answered:
        return True
    age = (now - status.heartbeat_at).total_seconds()
    return age < ALIVE_WITHIN_SECONDS and process_alive(status.pid)
