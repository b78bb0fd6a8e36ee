"""The station's down messages as they leave: signed by its key, numbered from the registry's
counter, published on each cluster's own topic (``clusters.messages``, ``clusters.topics``);
and the one unsigned one, a bulletin's audio pushed on the ward's audio topic (a receiver
checks it against the hash a signed ``now`` names)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from broadcast.clusters.messages import seal
from broadcast.clusters.registry import ClusterRegistry
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import audio_topic, topic
from broadcast.sinks.ip.mqtt_station import StationLink


class SignedOut:
    def __init__(self, ward: str, key: StationKey, registry: ClusterRegistry, link: StationLink):
        self.ward = ward
        self.key = key
        self.registry = registry
        self.link = link

    def seal(
        self,
        kind: str,
        clusters: list[str],
        now: datetime,
        body: dict[str, Any],
        lifetime: timedelta | None = None,
        *,
        seq: int | None = None,
    ) -> bytes:
        """Signed, numbered by ``seq`` (one of a block taken for a pass) or the next number."""
        return seal(
            self.key,
            kind,
            ward=self.ward,
            clusters=clusters,
            seq=self.registry.next_seq() if seq is None else seq,
            issued=now,
            body=body,
            lifetime=lifetime,
        )

    def topic(self, cluster: str, kind: str) -> str:
        return topic(self.ward, cluster, kind)

    def send(
        self,
        kind: str,
        cluster: str,
        now: datetime,
        body: dict[str, Any],
        lifetime: timedelta | None = None,
        *,
        seq: int | None = None,
        retain: bool = False,
    ) -> None:
        """One signed message to one cluster."""
        data = self.seal(kind, [cluster], now, body, lifetime, seq=seq)
        self.link.publish(self.topic(cluster, kind), data, retain=retain)

    def send_each(
        self,
        kind: str,
        clusters: Sequence[str],
        now: datetime,
        body: dict[str, Any],
        lifetime: timedelta | None = None,
    ) -> None:
        """The same body to each of ``clusters``, each its own signed message (numbers taken
        in one block: one write to the registry, not one a cluster)."""
        seqs = self.registry.next_seqs(len(clusters))
        for cluster, seq in zip(clusters, seqs, strict=True):
            self.send(kind, cluster, now, body, lifetime, seq=seq)

    def push_audio(self, sha256: str, data: bytes) -> None:
        """One audio file for every cluster of the ward, fanned out by the broker (which keeps
        its order before the ``now`` messages sent after it)."""
        self.link.publish(audio_topic(self.ward, sha256), data)
