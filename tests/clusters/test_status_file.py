"""status.json at many clusters: the clusters' table in a file of its own, written when what a
technician acts on changed or once a minute — every cluster still shown, an alarm at once."""

import json
from datetime import timedelta

from broadcast.clusters.registry import Cluster
from broadcast.daemon.alarms import Alarm, AlarmCode
from broadcast.daemon.ip_health import ClusterHealth
from broadcast.daemon.status import (
    CLUSTERS_EVERY_SECONDS,
    DaemonState,
    DaemonStatus,
    clusters_file,
    read_status,
    status_file,
    write_status,
)
from broadcast.paths import ProjectPaths
from broadcast.web.accounts import Role
from tests.daemon.daemon_project import console, ward_now
from tests.web.console import browser, make_console_ward

COUNT = 40


class Beats:
    """The daemon's beats at 2 s, with the clusters' heartbeats as ``ClusterHealth`` hears them."""

    def __init__(self, root):
        self.paths = ProjectPaths(root)
        self.start = ward_now()
        self.clusters = [
            Cluster(f"cum-{n:02d}", f"Cụm {n}", f"loa-{n % 4}", self.start, f"cum-{n:02d}", "")
            for n in range(COUNT)
        ]
        self.health = ClusterHealth(self.start, timedelta(seconds=120))
        self.seconds = 0.0

    @property
    def now(self):
        return self.start + timedelta(seconds=self.seconds)

    def heard(self, cluster, offset=0.001, state="online"):
        body = {"state": state, "at": self.now.isoformat(), "clock": {"offset_seconds": offset}}
        body["disk_free_bytes"] = 7_000_000_000 - int(self.seconds)
        self.health.heard_status(cluster.id, json.dumps(body).encode(), self.now)

    def beat(self, alarms=()):
        """One beat 2 s later; (bytes of status.json, bytes of the clusters' table)."""
        self.seconds += 2
        status = DaemonStatus(
            pid=1,
            home=str(self.paths.home),
            started_at=self.start,
            heartbeat_at=self.now,
            state=DaemonState.RUNNING,
            sink="sound",
            scripts=1,
            input_problems=(),
            playing=(),
            busy_zones=(),
            next={},
            devices=(),
            alarms=tuple(alarms),
            recent_errors=(),
            clusters=self.health.statuses(self.clusters, self.now),
        )
        table = clusters_file(self.paths)
        before = table.stat().st_mtime_ns if table.exists() else None
        written = write_status(self.paths, status, monotonic=lambda: self.seconds)
        main = status_file(self.paths).stat().st_size
        changed = table.exists() and table.stat().st_mtime_ns != before
        return main, (written - main if changed else 0)


def test_the_table_is_written_on_change_and_once_a_minute(tmp_path):
    beats = Beats(tmp_path)
    for cluster in beats.clusters:
        beats.heard(cluster)
    main, table = beats.beat()
    assert table > 0 and main < 1000  # the beat's file stays small
    shown = read_status(beats.paths)
    assert shown is not None and [c.id for c in shown.clusters] == [c.id for c in beats.clusters]
    # heartbeats only move times, offsets, free disk: not written again within the minute
    for _ in range(5):
        for cluster in beats.clusters[:10]:
            beats.heard(cluster, offset=0.002)
        assert beats.beat()[1] == 0
    # a cluster goes offline: written at the next beat, and so is its alarm
    beats.heard(beats.clusters[3], state="offline")
    alarm = Alarm(
        beats.now, AlarmCode.CLUSTER_SILENT, "cụm cum-03 ngắt kết nối", "cum-03", since=beats.now
    )
    assert beats.beat([alarm])[1] > 0
    shown = read_status(beats.paths)
    assert shown.clusters[3].state == "offline" and shown.alarms[0].zone == "cum-03"
    assert len(shown.clusters) == COUNT
    # the times heard come in at least once a minute
    while beats.beat()[1] == 0:
        assert beats.seconds <= 20 + CLUSTERS_EVERY_SECONDS
    shown = read_status(beats.paths)
    assert shown.clusters[0].clock_offset == 0.002
    assert shown.clusters[0].last_heard is not None


def test_no_cluster_left_no_table(tmp_path):
    beats = Beats(tmp_path)
    beats.beat()
    assert clusters_file(beats.paths).exists()
    beats.clusters = []
    beats.beat()
    assert not clusters_file(beats.paths).exists()
    assert read_status(beats.paths).clusters == ()


def test_an_unreadable_table_still_shows_the_rest(tmp_path):
    beats = Beats(tmp_path)
    beats.beat()
    clusters_file(beats.paths).write_text("{ hỏng", encoding="utf-8")
    shown = read_status(beats.paths)
    assert shown is not None and shown.clusters == () and shown.scripts == 1


def test_the_web_page_and_the_console_show_every_cluster_from_the_files(tmp_path):
    """The daemon is gone: both read the last status, the clusters' table from its own file."""
    ward = make_console_ward(tmp_path)
    beats = Beats(ward.home)
    beats.paths = ward
    for cluster in beats.clusters[1:]:
        beats.heard(cluster)
    beats.beat()
    page = browser(ward, Role.TECHNICIAN).get("/status").text
    assert "Cụm loa IP" in page and f"{COUNT} cụm: {COUNT - 1} đang liên lạc, 1 chưa" in page
    assert all(f"<td>{cluster.id}</td>" in page for cluster in beats.clusters)
    printed = console(ward, "status").stdout
    assert all(cluster.id in printed for cluster in beats.clusters)
