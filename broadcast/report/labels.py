"""Names people read instead of ids: topics and zones from ``schedules.yaml`` when it loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from broadcast.config import Config
from broadcast.config.report import ReportSettings

NO_TOPIC = "(chưa phân loại)"


@dataclass(frozen=True)
class Labels:
    topics: Mapping[str, str] = field(default_factory=dict)
    zones: Mapping[str, str] = field(default_factory=dict)
    report: ReportSettings | None = None  # the ward's identity and its plan's items
    # IP clusters' names by (zone, cluster id), from the registry (``ZoneClusters.names``)
    clusters: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def plan_mark(self, topic_id: str | None) -> str | None:
        """``c)``: the plan item ``topic_id`` belongs to, ``None`` when none does."""
        item = self.report.plan_item(topic_id) if self.report else None
        return f"{item.mark})" if item else None

    def topic(self, topic_id: str | None) -> str:
        if topic_id is None:
            return NO_TOPIC
        return self.topics.get(topic_id, topic_id)

    def zone(self, zone_id: str) -> str:
        return self.zones.get(zone_id, zone_id)

    def zone_and_id(self, zone_id: str) -> str:
        """``Tổ dân phố 1 (tdp-1)``: the name people read, the id the technician types."""
        name = self.zones.get(zone_id)
        return f"{name} ({zone_id})" if name and name != zone_id else zone_id

    def place(self, zone_id: str, cluster_id: str | None) -> str:
        """``Tổ dân phố 3 (tdp-3) — Cụm loa chợ (cho)``: a zone, and the IP cluster in it that
        played (or had to play); a wired zone alone."""
        if cluster_id is None:
            return self.zone_and_id(zone_id)
        name = self.clusters.get((zone_id, cluster_id))
        cluster = f"{name} ({cluster_id})" if name and name != cluster_id else cluster_id
        return f"{self.zone_and_id(zone_id)} — {cluster}"

    def with_clusters(self, names: Mapping[tuple[str, str], str]) -> Labels:
        """These labels with the clusters' names too (those already known kept)."""
        return replace(self, clusters={**names, **self.clusters}) if names else self

    def zone_order(self, zone_id: str) -> tuple[int, str]:
        """Zones in the order ``schedules.yaml`` declares them, unknown ones after."""
        order = list(self.zones)
        return (order.index(zone_id) if zone_id in order else len(order), zone_id)

    @classmethod
    def from_config(cls, config: Config | None) -> Labels:
        """Names from the configuration; without one (missing or broken) ids stand for names.

        Reports and logs must work from the log alone: the schedule may have changed or be
        broken long after the plays it describes.
        """
        if config is None:
            return cls()
        zones = {zone.id: zone.name for zone in config.zones}
        return cls(dict(config.topics), zones, config.report)
