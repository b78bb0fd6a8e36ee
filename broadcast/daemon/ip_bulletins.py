"""Urgent bulletins and stops for the IP clusters: a signed ``now`` to each cluster of the
bulletin's IP zones, its audio served by hash (``ip_offer``) or, for a bulletin to half the
ward's clusters or more, pushed once on the ward's audio topic first (``push_audio``); a
technician's ``stop`` signed to each cluster of the zones."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from broadcast.clock import Clock
from broadcast.clusters.bodies import NowBody, stop_body
from broadcast.clusters.messages import NOW, NOW_LIFETIME, STOP
from broadcast.clusters.registry import Cluster
from broadcast.config.ip_clusters import IpClusterSettings
from broadcast.daemon.air import Bulletin
from broadcast.daemon.ip_health import ClusterHealth
from broadcast.daemon.ip_offer import OfferedAudio
from broadcast.daemon.ip_plan import ClusterAudio
from broadcast.daemon.ip_signed import SignedOut

logger = logging.getLogger("broadcast.daemon")

# A pushed file is copied once per subscriber in the broker (Mosquitto builds each client's
# packet), held until that client's link drains: a ward's 30 clusters × 8 MB fits, 2,000
# clusters × 8 MB does not. Beyond this the clusters fetch the file by hash (streamed from disk).
PUSH_BROKER_BYTES = 256 * 1024 * 1024


class ClusterBulletins:
    def __init__(
        self,
        *,
        settings: IpClusterSettings,
        out: SignedOut,
        audio_files: ClusterAudio,
        offered: OfferedAudio,
        health: ClusterHealth,
        clock: Clock,
        clusters: Callable[[], list[Cluster]],
    ):
        self.settings = settings
        self.out = out
        self.audio_files = audio_files
        self.offered = offered
        self.health = health
        self.clock = clock
        self._clusters = clusters

    def announce(self, bulletin: Bulletin, zones: Sequence[str]) -> list[str]:
        """Send ``bulletin`` (its sound as the daemon made it, chime included) to the
        clusters of ``zones``; returns their ids."""
        now = self.clock.now()
        audio = self.audio_files.samples(bulletin.audio)
        self.offered.bulletin(audio.sha256, now)
        body = NowBody(bulletin.id, bulletin.title, bulletin.priority.value, audio).to_json()
        clusters = self._clusters()
        targets = [cluster.id for cluster in clusters if cluster.zone in zones]
        if 2 * len(targets) >= len(clusters):
            self.push_audio(audio.sha256, audio.bytes, len(clusters), bulletin.id)
        self.out.send_each(NOW, targets, now, body, NOW_LIFETIME)
        for cluster in targets:
            self.health.bulletin_sent(cluster, bulletin.id, now)
        logger.warning(
            "gửi bản tin %s tới %d cụm loa IP",
            bulletin.id,
            len(targets),
            extra={"event": "cluster_bulletin_sent", "bulletin": bulletin.id},
        )
        return targets

    def push_audio(self, sha256: str, size: int, clusters: int, bulletin: str) -> None:
        """The bulletin's audio once through the broker, before its ``now`` messages. Every
        cluster of the ward gets the copy, so only for a bulletin to half of them or more, and
        only while the copies fit ``PUSH_BROKER_BYTES``; a cluster that misses it fetches it
        by hash."""
        path = self.audio_files.file(sha256)
        if path is None or size > self.settings.push_audio_max_kb * 1024:
            return
        if size * clusters > PUSH_BROKER_BYTES:
            return
        self.out.push_audio(sha256, path.read_bytes())
        logger.info(
            "đẩy âm thanh bản tin %s qua máy chủ MQTT (%d kB)",
            bulletin,
            size // 1024,
            extra={"event": "cluster_audio_pushed", "bulletin": bulletin},
        )

    def stop_playing(
        self, zones: Sequence[str], by: str | None, bulletin: str | None = None
    ) -> list[str]:
        """A technician's stop on IP zones: a signed ``stop`` to their clusters."""
        now = self.clock.now()
        targets = [cluster.id for cluster in self._clusters() if cluster.zone in zones]
        self.out.send_each(STOP, targets, now, stop_body(by, bulletin))
        return targets
