"""The station side of the IP clusters as the daemon runs it: real parts from the data folder.

The registry, the station's key and its broker password live under ``data/clusters/``
(``broadcast clusters add`` makes them); the link is Paho to the configured broker, the audio
server listens on ``audio_url``'s port.

A rehearsal keeps its own data folder (``data/rehearsal/``), so the ward's clusters are never
its own: they keep the real plan. Only a copy whose rehearsal folder has clusters registered
(``broadcast demo`` adds one on the broker it starts) has them play the rehearsal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlsplit

from broadcast.clock import Clock
from broadcast.clusters.broker_files import STATION_USER
from broadcast.clusters.credentials import station_password
from broadcast.clusters.registry import ClusterFiles, ClusterRegistry
from broadcast.clusters.signing import StationKey
from broadcast.config.ip_clusters import IpClusterSettings
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.context import AirContext
from broadcast.daemon.ip_plan import ClusterAudio
from broadcast.daemon.ip_station import IpStation, Planner
from broadcast.daemon.rehearsal import ward_of
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.sinks.ip.audio_server import AudioServer
from broadcast.sinks.ip.mqtt_station import PahoStationLink

logger = logging.getLogger("broadcast.daemon")

AUDIO_FOLDER = "audio"  # under data/clusters/: sounds made for the clusters, named by hash
# A rehearsal waits this long at most, when it ends, for the rows of what its clusters played.
REHEARSAL_ROWS_WAIT_SECONDS = 15.0


def rehearsal_has_clusters(paths: ProjectPaths) -> bool:
    """Whether a rehearsal's data folder (``paths``) has IP clusters of its own to plan."""
    return ClusterFiles.under(paths.data_dir).registry.exists()


def audio_listen_address(audio_url: str) -> tuple[str, int]:
    """Where the audio server listens: ``audio_url``'s port, on loopback when the URL names
    this PC's loopback, else on every interface (the clusters come over the network)."""
    parts = urlsplit(audio_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    return ("127.0.0.1" if host in ("127.0.0.1", "localhost") else "0.0.0.0"), port


def station_for(
    paths: ProjectPaths,
    settings: IpClusterSettings,
    *,
    log: PlayLog,
    alarms: Alarms,
    clock: Clock,
    planner: Planner,
    context: Callable[[], AirContext],
) -> IpStation:
    """The real station side: the registry, key and broker password under ``data/clusters/``,
    Paho to the configured broker, the audio server on ``audio_url``'s port."""
    files = ClusterFiles.under(paths.data_dir)
    rehearsal = ward_of(paths) is not None
    link = PahoStationLink(
        host=settings.broker_host,
        port=settings.broker_port,
        username=STATION_USER,
        password=station_password(files),
        ward=settings.ward,
        # a rehearsal's session never takes the running station's place at a broker
        client_id=f"{STATION_USER}-{settings.ward}" + ("-rehearsal" if rehearsal else ""),
    )
    return IpStation(
        settings=settings,
        registry=ClusterRegistry(files.registry),
        key=StationKey.load_or_create(files.station_key),
        link=link,
        server=AudioServer(*audio_listen_address(settings.audio_url)),
        audio_files=ClusterAudio(files.root / AUDIO_FOLDER),
        log=log,
        alarms=alarms,
        clock=clock,
        planner=planner,
        context=context,
        rows_wait_seconds=REHEARSAL_ROWS_WAIT_SECONDS if rehearsal else 0.0,
    )


def follow_settings(
    running: IpStation | None,
    settings: IpClusterSettings | None,
    make: Callable[[], IpStation | None],
    alarms: Alarms,
) -> IpStation | None:
    """The station side once a reload read ``settings`` (an invalid section never gets here:
    the last good configuration stays, with its alarm): unchanged, or made again with them —
    the link goes to the new broker, health uses the new limits — or stopped when the section
    went. Returns the one in force."""
    if running is None and settings is None:
        return None
    if running is not None and settings is not None and _same(running.settings, settings):
        return running
    if running is not None:
        running.stop()
        for cluster in running.clusters(fresh=True):  # the new one raises what is still true
            alarms.clear(AlarmCode.CLUSTER_SILENT, cluster.id)
        alarms.clear(AlarmCode.CLUSTERS_UNREACHABLE)
    station = make()
    if station is not None:
        station.start()
    logger.warning(
        "phần ip_clusters đã đổi: %s",
        f"kết nối tới {settings.broker}" if settings else "ngừng phần cụm loa IP",
        extra={"event": "ip_clusters_reloaded"},
    )
    return station


def _same(old: IpClusterSettings, new: IpClusterSettings) -> bool:
    """Whether a reload left the section as it was (its line may move with other edits)."""
    return replace(old, line=None) == replace(new, line=None)
