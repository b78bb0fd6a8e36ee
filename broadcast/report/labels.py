"""Names people read instead of ids: topics and zones from ``schedules.yaml`` when it loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from broadcast.config import Config, load_config
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths

NO_TOPIC = "(chưa phân loại)"


@dataclass(frozen=True)
class Labels:
    topics: Mapping[str, str] = field(default_factory=dict)
    zones: Mapping[str, str] = field(default_factory=dict)

    def topic(self, topic_id: str | None) -> str:
        if topic_id is None:
            return NO_TOPIC
        return self.topics.get(topic_id, topic_id)

    def zone(self, zone_id: str) -> str:
        return self.zones.get(zone_id, zone_id)

    def zone_order(self, zone_id: str) -> tuple[int, str]:
        """Zones in the order ``schedules.yaml`` declares them, unknown ones after."""
        order = list(self.zones)
        return (order.index(zone_id) if zone_id in order else len(order), zone_id)


def load_labels(paths: ProjectPaths) -> tuple[Labels, tuple[Diagnostic, ...]]:
    """Labels from the configuration; with its problems, and ids as names, when it won't load.

    Reports and logs must work from the log alone: the schedule may have changed or be broken
    long after the plays it describes.
    """
    try:
        config = load_config(paths)
    except InputError as exc:
        return Labels(), exc.diagnostics
    return labels_from_config(config), tuple(config.warnings)


def labels_from_config(config: Config) -> Labels:
    return Labels(dict(config.topics), {zone.id: zone.name for zone in config.zones})
