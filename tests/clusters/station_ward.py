"""A ward with IP zones for the station's tests: a real daemon on WAV files, a real Mosquitto
with the accounts ``broadcast clusters add`` would make, and clients logged in as clusters."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from broadcast.clusters import messages
from broadcast.clusters.broker_files import hash_password
from broadcast.clusters.credentials import write_broker_files
from broadcast.clusters.registry import ClusterFiles, ClusterRegistry
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import topic
from broadcast.daemon.daemon import BroadcastDaemon
from broadcast.paths import ProjectPaths
from tests.daemon.daemon_project import (
    OFFLINE_TTS,
    make_project,
    start_to_files,
    ward_now,
    zone_yaml,
)
from tests.support.mosquitto import MosquittoBroker, Received, TestClient, connect, free_port

WARD_ID = "long-anh"
T = TypeVar("T")

IP_SECTION = """\
ip_clusters:
  ward: {ward}
  broker: 127.0.0.1:{broker}
  audio_url: http://127.0.0.1:{audio}
  heartbeat_seconds: {heartbeat}
  silent_after_seconds: {silent}
"""


def ip_zone_yaml(zone_id: str) -> str:
    return f"  - id: {zone_id}\n    name: Cụm loa {zone_id}\n    output: ip\n"


@dataclass
class IpWard:
    paths: ProjectPaths
    broker: MosquittoBroker
    passwords: dict[str, str]  # cluster id → its broker password
    audio_port: int

    @property
    def files(self) -> ClusterFiles:
        return ClusterFiles.under(self.paths.data_dir)

    @property
    def registry(self) -> ClusterRegistry:
        return ClusterRegistry(self.files.registry)

    def station_key(self) -> StationKey:
        return StationKey.load_or_create(self.files.station_key)

    def cluster(self, cluster_id: str, *kinds: str) -> TestClient:
        """A plain paho client with the cluster's own credentials, subscribed to ``kinds``."""
        client = connect(self.broker, cluster_id, self.passwords[cluster_id])
        for kind in kinds:
            assert client.subscribe(topic(WARD_ID, cluster_id, kind)) == 1
        return client

    def opened(self, received: Received, cluster: str, kind: str, last_seq: int = 0) -> dict:
        """``messages.check`` as the cluster's receiver runs it: the payload, or ``Refused``."""
        return messages.check(
            received.payload,
            keys=[self.station_key().public],
            ward=WARD_ID,
            cluster=cluster,
            kind=kind,
            last_seq=last_seq,
            now=ward_now(),
        )


def ip_ward(
    root: Path,
    broker: MosquittoBroker,
    clusters: dict[str, str],  # cluster id → its zone
    *,
    wired: tuple[str, ...] = ("to-1",),
    slot_at: datetime | None = None,
    heartbeat: int = 30,
    silent: int = 120,
    scripts: dict[str, str] | None = None,
    ip_lines: str = "",
) -> IpWard:
    """A ward whose one slot (in six hours unless ``slot_at``) reaches every zone: the wired
    ones on WAV files, and an IP zone per distinct zone of ``clusters``; ``ip_lines``: more
    lines of its ``ip_clusters:`` section."""
    audio_port = free_port()
    ip_zones = sorted(set(clusters.values()))
    section = (
        IP_SECTION.format(
            ward=WARD_ID, broker=broker.port, audio=audio_port, heartbeat=heartbeat, silent=silent
        )
        + ip_lines
    )
    paths = make_project(
        root,
        [zone_yaml(z, "file", [1]) for z in wired] + [ip_zone_yaml(z) for z in ip_zones],
        scripts or {"tin.txt": "Thông báo\n\nMời bà con dự họp tổ dân phố tối nay.\n"},
        slots={"sang": slot_at or ward_now() + timedelta(hours=6)},
        tts=OFFLINE_TTS + section,
    )
    files = ClusterFiles.under(paths.data_dir)
    registry = ClusterRegistry(files.registry)
    passwords = {}
    for cluster_id, zone in clusters.items():
        passwords[cluster_id] = f"mat-khau-{cluster_id}"
        registry.add(
            cluster_id,
            name=f"Cụm {cluster_id}",
            zone=zone,
            password_hash=hash_password(passwords[cluster_id]),
            now=ward_now(),
        )
    made = write_broker_files(files, registry, WARD_ID, port=broker.port)
    broker.install(made.passwd, made.acl)
    return IpWard(paths, broker, passwords, audio_port)


def start_station(ward: IpWard, **options: Any) -> BroadcastDaemon:
    daemon = start_to_files(ward.paths, realtime=False, console_log=None, **options)
    assert daemon.ip_station is not None
    return daemon


def eventually(probe: Callable[[], T | None], timeout: float = 20.0, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or probe}")
        time.sleep(0.05)
