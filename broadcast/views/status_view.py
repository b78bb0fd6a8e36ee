"""How ``broadcast status`` and the console's "Trạng thái" word the daemon's status: moments
as the ward writes them, each zone's health."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol


class ZoneHealth(Protocol):
    """A zone of the daemon's status (``broadcast.daemon.status.ZoneStatus``)."""

    @property
    def to_file(self) -> bool: ...

    @property
    def problem(self) -> str | None: ...


TO_FILE_NOTE = "ghi ra tệp WAV (không phát ra loa)"


def when_label(moment: datetime) -> str:
    """How the ward writes a moment: ``05/03 06:00``, in the daemon's own time zone."""
    return f"{moment:%d/%m %H:%M}"


class NextUp(Protocol):
    """A zone's next segment (``broadcast.daemon.status.NextSegment``)."""

    @property
    def clusters(self) -> int | None: ...

    @property
    def of_clusters(self) -> int | None: ...


def next_zone_label(name: str, entry: NextUp) -> str:
    """The zone of a "next" line; an IP zone's says how many of its clusters have it."""
    if entry.clusters is None:
        return name
    if entry.clusters == entry.of_clusters:
        return f"{name} ({entry.clusters} cụm)"
    return f"{name} ({entry.clusters}/{entry.of_clusters} cụm)"


def health_label(zone: ZoneHealth) -> str:
    if zone.to_file:
        return f"{TO_FILE_NOTE}: {zone.problem}" if zone.problem else TO_FILE_NOTE
    return zone.problem or "tốt"


class ClusterHealth(Protocol):
    """An IP cluster of the daemon's status (``broadcast.daemon.status.ClusterStatus``)."""

    @property
    def id(self) -> str: ...

    @property
    def zone(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def last_heard(self) -> datetime | None: ...

    @property
    def clock_offset(self) -> float | None: ...

    @property
    def disk_free_bytes(self) -> int | None: ...

    @property
    def cached_items(self) -> int | None: ...

    @property
    def playing(self) -> tuple[str, ...]: ...


CLUSTER_STATES = {
    "online": "đang liên lạc",
    "offline": "ngắt kết nối",
    "silent": "MẤT LIÊN LẠC",
    "unheard": "chưa liên lạc",
}
CLUSTER_COLUMNS = [
    ("id", "Cụm loa"),
    ("zone", "Khu vực"),
    ("state", "Tình trạng"),
    ("heard", "Liên lạc lần cuối"),
    ("clock", "Lệch giờ"),
    ("disk", "Đĩa trống"),
    ("cached", "Tệp đã tải"),
    ("playing", "Đang phát"),
]


def cluster_row(cluster: ClusterHealth) -> dict[str, str]:
    """One line of the clusters' table: unknown values shown as "?" (never guessed)."""
    offset = cluster.clock_offset
    disk = cluster.disk_free_bytes
    return {
        "id": cluster.id,
        "zone": cluster.zone,
        "state": CLUSTER_STATES.get(cluster.state, cluster.state),
        "heard": f"{cluster.last_heard:%d/%m %H:%M:%S}" if cluster.last_heard else "chưa",
        "clock": "?" if offset is None else f"{offset * 1000:+.0f} ms",
        "disk": "?" if disk is None else f"{disk / 1e9:.1f} GB",
        "cached": "?" if cluster.cached_items is None else str(cluster.cached_items),
        "playing": ", ".join(cluster.playing) or "không",
    }


def cluster_summary(clusters: Sequence[ClusterHealth]) -> str:
    """``3 cụm: 2 đang liên lạc, 1 MẤT LIÊN LẠC``: how many are in each state."""
    counts = Counter(cluster.state for cluster in clusters)
    states = ", ".join(
        f"{counts[state]} {label}" for state, label in CLUSTER_STATES.items() if counts[state]
    )
    others = sum(n for state, n in counts.items() if state not in CLUSTER_STATES)
    return f"{len(clusters)} cụm: {states}" + (f", {others} khác" if others else "")
