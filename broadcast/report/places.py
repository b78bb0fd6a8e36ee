"""Where an item is heard: a wired zone, or one IP cluster of an IP zone (a *place*).

Each cluster of an ``output: ip`` zone plays the zone's plan by itself and sends its own rows
(``Attempt.cluster_id``), so a zone served by several clusters is several places: one cluster
may have heard an item that another missed, or sent nothing at all. Which clusters a zone
expects at a moment is the registry's history (``ClusterRegistry.memberships``), not today's
list: a cluster added later is not expected before, a removed one only until its removal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from broadcast.clusters.registry import ClusterFiles, ClusterRegistry, Membership
from broadcast.config import Config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt

# (zone, cluster id): the cluster is ``None`` for a wired zone (the station's own sound card)
Place = tuple[str, str | None]

NO_CLUSTER_REASON = "vùng loa IP không có cụm loa nào"


def place_of(attempt: Attempt) -> Place:
    return attempt.airing.zone, attempt.cluster_id


def silent_cluster_reason(cluster_id: str) -> str:
    """Why a cluster that served the zone has no line of its own in the log."""
    return f"cụm loa IP {cluster_id} chưa gửi bản ghi (mất kết nối?)"


@dataclass(frozen=True)
class ZoneClusters:
    """The registry's history of which cluster served which zone, and the zones that are
    ``output: ip`` now; empty (the default) for a ward without IP clusters."""

    memberships: tuple[Membership, ...] = ()
    ip_zones: frozenset[str] = frozenset()

    @classmethod
    def read(cls, paths: ProjectPaths, config: Config | None) -> ZoneClusters:
        """From the registry in the data folder; no registry file: no clusters (and none
        made: a report never creates the station's files)."""
        ip_zones = config.ip_zone_ids if config else ()
        path = ClusterFiles.under(paths.data_dir).registry
        found = tuple(ClusterRegistry(path).memberships()) if path.is_file() else ()
        return cls(found, frozenset(ip_zones))

    def __bool__(self) -> bool:
        return bool(self.memberships or self.ip_zones)

    @cached_property
    def _by_zone(self) -> dict[str, list[Membership]]:
        found: dict[str, list[Membership]] = {}
        for membership in self.memberships:
            found.setdefault(membership.zone, []).append(membership)
        return found

    def serving(self, zone: str, moment: datetime) -> tuple[str, ...]:
        """The clusters that served ``zone`` at ``moment``, in the order they were added."""
        found = (m.cluster_id for m in self._by_zone.get(zone, ()) if m.covers(moment))
        return tuple(dict.fromkeys(found))

    def expected(self, zone: str, moment: datetime) -> tuple[str | None, ...]:
        """The places of ``zone`` at ``moment``, by cluster: its clusters then; a wired zone
        is itself (``(None,)``); an IP zone no cluster served, none (``()``)."""
        serving = self.serving(zone, moment)
        if serving or zone in self.ip_zones:
            return serving
        return (None,)

    def names(self) -> dict[tuple[str, str], str]:
        """Each cluster's name in each zone it served (the latest, if renamed)."""
        return {(m.zone, m.cluster_id): m.name for m in self.memberships}


def places_of(
    zone: str,
    moment: datetime,
    rows: Iterable[Attempt],
    clusters: ZoneClusters | None,
) -> list[str | None]:
    """The places of ``zone`` (by cluster) that had to hear what ``rows`` aired at ``moment``:
    the expected ones, then any other that logged rows for it (the wired place first)."""
    expected = clusters.expected(zone, moment) if clusters is not None else (None,)
    logged = {row.cluster_id for row in rows} - set(expected)
    others = sorted(logged, key=lambda cluster: (cluster is not None, cluster or ""))
    return [*expected, *others]


def rows_by_cluster(rows: Iterable[Attempt]) -> Mapping[str | None, list[Attempt]]:
    found: dict[str | None, list[Attempt]] = {}
    for row in rows:
        found.setdefault(row.cluster_id, []).append(row)
    return found
