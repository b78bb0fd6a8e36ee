"""The clusters a station knows, and its message counter: one SQLite file, ``data/clusters/``.

``broadcast clusters add`` writes a cluster here (its id is also its broker user name) with its
password hashed as Mosquitto wants it; ``edit`` renames it or moves it to another zone (same
credentials); ``remove`` marks it removed (the row stays, so the play log's rows from it keep a
name). Which clusters served which zone when is kept apart (``memberships``: one row per
cluster and zone with its since/until), so a report on a past day expects the clusters that
served the zone that day, not today's. ``next_seq`` numbers every signed message the station
sends (``next_seqs``: a block of them, for a pass over many clusters): strictly increasing
across restarts and across processes (one SQL statement, under SQLite's write lock), and never
below the clock in microseconds, so a registry restored from an old backup or made anew still
numbers above what receivers already accepted.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

CLUSTERS_FOLDER = "clusters"  # under the data folder
BUSY_TIMEOUT_SECONDS = 30.0  # another process (the daemon, a command) holding the write lock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clusters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    zone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    removed_at TEXT
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters (name, value) VALUES ('seq', 0);
CREATE TABLE IF NOT EXISTS memberships (
    cluster_id TEXT NOT NULL,
    zone TEXT NOT NULL,
    name TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT
);
-- a registry made before memberships were kept: each cluster served its zone from its creation
INSERT INTO memberships (cluster_id, zone, name, since, until)
    SELECT id, zone, name, created_at, removed_at FROM clusters
    WHERE NOT EXISTS (SELECT 1 FROM memberships);
"""


@dataclass(frozen=True)
class ClusterFiles:
    """Where the station keeps what its clusters need: ``data/clusters/``."""

    root: Path

    @classmethod
    def under(cls, data_dir: Path) -> ClusterFiles:
        return cls(data_dir / CLUSTERS_FOLDER)

    @property
    def registry(self) -> Path:
        return self.root / "registry.sqlite3"

    @property
    def station_key(self) -> Path:
        return self.root / "station_ed25519.pem"

    @property
    def station_password(self) -> Path:
        """The station's own broker password, made once, readable by its owner only."""
        return self.root / "station.password"

    @property
    def mosquitto_dir(self) -> Path:
        return self.root / "mosquitto"

    @property
    def passwd(self) -> Path:
        return self.mosquitto_dir / "passwd"

    @property
    def acl(self) -> Path:
        return self.mosquitto_dir / "acl"

    @property
    def mosquitto_conf(self) -> Path:
        return self.mosquitto_dir / "mosquitto.conf"

    @property
    def bridge_conf(self) -> Path:
        """The ward broker's bridge to the provincial one (``clusters bridge``)."""
        return self.mosquitto_dir / "bridge.conf"

    @property
    def bridge_password(self) -> Path:
        """The bridge's password on the provincial broker, made once (0600)."""
        return self.root / "bridge.password"

    @property
    def province_dir(self) -> Path:
        """The ward's accounts as the provincial broker needs them (hashed passwords only)."""
        return self.mosquitto_dir / "tinh"

    def receiver_config(self, cluster_id: str) -> Path:
        """What ``clusters add`` printed for the box, kept (0600) for the technician."""
        return self.root / cluster_id / "receiver.yaml"


@dataclass(frozen=True)
class Cluster:
    id: str  # a topic level and the broker user name
    name: str  # Vietnamese, for people: "Cụm loa chợ Long Anh"
    zone: str  # the zone of schedules.yaml it serves (output: ip)
    created_at: datetime
    username: str
    password_hash: str  # Mosquitto's $7$ (PBKDF2-SHA512); the password itself is never kept
    removed_at: datetime | None = None

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


@dataclass(frozen=True)
class Membership:
    """A cluster serving a zone from ``since`` until ``until`` (``None``: still does)."""

    cluster_id: str
    zone: str
    name: str
    since: datetime
    until: datetime | None = None

    def covers(self, moment: datetime) -> bool:
        return self.since <= moment and (self.until is None or moment < self.until)


_CLUSTER_COLUMNS = "id, name, zone, created_at, username, password_hash, removed_at"


def _cluster(row: tuple[Any, ...]) -> Cluster:
    """A ``clusters`` row read with ``_CLUSTER_COLUMNS``."""
    return Cluster(
        row[0],
        row[1],
        row[2],
        datetime.fromisoformat(row[3]),
        row[4],
        row[5],
        datetime.fromisoformat(row[6]) if row[6] else None,
    )


class ClusterTaken(ValueError):
    """An active cluster already has this id."""


class UnknownCluster(KeyError):
    """No active cluster has this id."""


def _now_microseconds() -> int:
    return time.time_ns() // 1000


class ClusterRegistry:
    """The registry file; each call opens its own connection (safe across threads and
    processes, and nothing stays locked between calls)."""

    def __init__(self, path: Path, *, floor: Callable[[], int] = _now_microseconds) -> None:
        self.path = path
        self._floor = floor  # the lowest next sequence number: the clock, in microseconds
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connection() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        # closing: the file is let go; ``with db``: one transaction, committed or rolled back
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)) as db, db:
            yield db

    def add(
        self, cluster_id: str, *, name: str, zone: str, password_hash: str, now: datetime
    ) -> Cluster:
        """A new cluster; a removed cluster's id may be taken again (with new credentials)."""
        cluster = Cluster(cluster_id, name, zone, now, cluster_id, password_hash)
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")  # the check and the write under one lock
            row = db.execute(
                "SELECT removed_at FROM clusters WHERE id = ?", (cluster_id,)
            ).fetchone()
            if row is not None and row[0] is None:
                raise ClusterTaken(cluster_id)
            db.execute(
                "INSERT OR REPLACE INTO clusters "
                "(id, name, zone, created_at, username, password_hash, removed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (cluster_id, name, zone, now.isoformat(), cluster_id, password_hash),
            )
            db.execute(
                "INSERT INTO memberships (cluster_id, zone, name, since) VALUES (?, ?, ?, ?)",
                (cluster_id, zone, name, now.isoformat()),
            )
        return cluster

    def remove(self, cluster_id: str, *, now: datetime) -> Cluster:
        with self._connection() as db:
            updated = db.execute(
                "UPDATE clusters SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
                (now.isoformat(), cluster_id),
            ).rowcount
            db.execute(
                "UPDATE memberships SET until = ? WHERE cluster_id = ? AND until IS NULL",
                (now.isoformat(), cluster_id),
            )
        if not updated:
            raise UnknownCluster(cluster_id)
        found = self.get(cluster_id, removed=True)
        assert found is not None
        return found

    def edit(
        self,
        cluster_id: str,
        *,
        name: str | None = None,
        zone: str | None = None,
        now: datetime,
    ) -> Cluster:
        """The active cluster ``cluster_id`` renamed and/or moved to another zone; its
        credentials stay. A move closes its service of the old zone at ``now`` and opens one
        of the new zone (a report on a past day still expects it in the old zone); a new name
        is the name of its current service (``memberships``)."""
        with self._connection() as db:
            db.execute("BEGIN IMMEDIATE")  # the check and the writes under one lock
            row = db.execute(
                f"SELECT {_CLUSTER_COLUMNS} FROM clusters WHERE id = ? AND removed_at IS NULL",
                (cluster_id,),
            ).fetchone()
            if row is None:
                raise UnknownCluster(cluster_id)
            before = _cluster(row)
            new_name = before.name if name is None else name
            new_zone = before.zone if zone is None else zone
            db.execute(
                "UPDATE clusters SET name = ?, zone = ? WHERE id = ?",
                (new_name, new_zone, cluster_id),
            )
            if new_zone != before.zone:
                db.execute(
                    "UPDATE memberships SET until = ? WHERE cluster_id = ? AND until IS NULL",
                    (now.isoformat(), cluster_id),
                )
                db.execute(
                    "INSERT INTO memberships (cluster_id, zone, name, since) VALUES (?, ?, ?, ?)",
                    (cluster_id, new_zone, new_name, now.isoformat()),
                )
            else:
                db.execute(
                    "UPDATE memberships SET name = ? WHERE cluster_id = ? AND until IS NULL",
                    (new_name, cluster_id),
                )
        return replace(before, name=new_name, zone=new_zone)

    def get(self, cluster_id: str, *, removed: bool = False) -> Cluster | None:
        """The active cluster ``cluster_id`` (or a removed one too, with ``removed``)."""
        return next((c for c in self.clusters(removed=removed) if c.id == cluster_id), None)

    def clusters(self, *, removed: bool = False) -> list[Cluster]:
        """Active clusters in the order they were added; removed ones too with ``removed``."""
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {_CLUSTER_COLUMNS} FROM clusters ORDER BY created_at, id"
            ).fetchall()
        found = [_cluster(row) for row in rows]
        return [c for c in found if removed or not c.removed]

    def memberships(self) -> list[Membership]:
        """Every cluster's service of a zone, past and present, oldest first."""
        with self._connection() as db:
            rows = db.execute(
                "SELECT cluster_id, zone, name, since, until FROM memberships "
                "ORDER BY since, cluster_id"
            ).fetchall()
        return [
            Membership(
                row[0],
                row[1],
                row[2],
                datetime.fromisoformat(row[3]),
                datetime.fromisoformat(row[4]) if row[4] else None,
            )
            for row in rows
        ]

    def next_seq(self) -> int:
        """The next number for a signed message: above every number given before, by any
        process, and not below the clock in microseconds."""
        with self._connection() as db:
            (value,) = db.execute(
                "UPDATE counters SET value = max(value + 1, ?) WHERE name = 'seq' RETURNING value",
                (self._floor(),),
            ).fetchone()
        return int(value)

    def next_seqs(self, count: int) -> range:
        """``count`` next numbers at once, in one transaction (one write to the disk, where
        ``next_seq`` costs one each: a pass over 2,000 clusters' plans took ~8 s), with the
        same guarantee: above every number given before, by any process, and not below the
        clock in microseconds."""
        if count < 1:
            return range(0)
        with self._connection() as db:
            (last,) = db.execute(
                "UPDATE counters SET value = max(value, ? - 1) + ? WHERE name = 'seq' "
                "RETURNING value",
                (self._floor(), count),
            ).fetchone()
        return range(int(last) - count + 1, int(last) + 1)
