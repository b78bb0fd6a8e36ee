"""The small ward of ``tests.report.ward`` with a third zone heard through IP clusters.

Clusters are registered in the station's real registry (``data/clusters/registry.sqlite3``)
with the moments they were added and removed; their rows are written by a receiver in its
own play log, sent as the ``played`` message carries them, and stored by the station's real
intake (``PlayLog.ingest_remote``), as the daemon does when a cluster uploads.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from broadcast.clusters.registry import ClusterFiles, ClusterRegistry
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.remote import played_message, rows_from_message
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.schedule import PlanItem, PlannedSegment
from tests.report.conftest import play
from tests.report.ward import SCHEDULES, write_project

IP_ZONE = "tdp-3"
IP_SCHEDULES = SCHEDULES.replace(
    '  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}\n',
    '  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}\n'
    "  - {id: tdp-3, name: Tổ dân phố 3, output: ip}\n",
) + (
    "ip_clusters:\n  ward: long-anh\n  broker: 127.0.0.1:1883\n  audio_url: http://127.0.0.1:8765\n"
)
NAMES = {"cho": "Cụm loa chợ", "dinh": "Cụm loa đình", "truong": "Cụm loa trường", "moi": "Mới"}


def write_ip_project(tmp_path: Path) -> ProjectPaths:
    paths = write_project(tmp_path)
    (tmp_path / "schedules.yaml").write_text(IP_SCHEDULES, encoding="utf-8")
    return paths


def ward_time(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), WARD_TIMEZONE)


def registry(paths: ProjectPaths) -> ClusterRegistry:
    return ClusterRegistry(ClusterFiles.under(paths.data_dir).registry)


def add_cluster(paths: ProjectPaths, cluster_id: str, since: datetime) -> None:
    """``broadcast clusters add`` at ``since`` (the registry's own call, as the command makes)."""
    registry(paths).add(
        cluster_id, name=NAMES[cluster_id], zone=IP_ZONE, password_hash="$7$x", now=since
    )


def segment_airing(item: PlanItem, segment: PlannedSegment, zone: str = IP_ZONE) -> Airing:
    """What the station's plan entry carries for a cluster, as the daemon's ``segment_airing``."""
    return Airing(
        zone=zone,
        scheduled_at=item.start + timedelta(seconds=segment.offset_seconds),
        title=segment.script_id or "",
        script_id=segment.script_id,
        slot_id=item.slot_id,
        program=item.program_id,
        planned_seconds=segment.duration_seconds,
    )


class Receiver:
    """A cluster's box: its own play log, whose closed rows it uploads to the station."""

    def __init__(self, root: Path, cluster_id: str) -> None:
        self.cluster_id = cluster_id
        self.paths = ProjectPaths(root / f"box-{cluster_id}")

    def play(
        self,
        airing: Airing,
        outcome: Outcome,
        seconds: float,
        reason: str | None = None,
        delay: float = 0.0,
    ) -> None:
        with PlayLog.open(self.paths) as box:
            if outcome is Outcome.MISSED:
                box.record_missed(airing, reason)
            else:
                play(box, airing, seconds, outcome, reason, delay)

    def upload(self, station: ProjectPaths) -> list[int]:
        """Every closed row, through the wire format, into the station's log; the ids acked."""
        with PlayLog.open(self.paths) as box:
            rows, problems = rows_from_message(played_message(box.attempts()))
        assert not problems
        with PlayLog.open(station) as log:
            return log.ingest_remote(self.cluster_id, rows)
