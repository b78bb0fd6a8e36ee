"""``broadcast status`` shows what an IP zone plays next: the entries its clusters were sent,
like a wired zone's next, with how many of the zone's clusters have each."""

from datetime import timedelta

import pytest

from broadcast.clusters.messages import AudioRef, PlanEntry
from broadcast.clusters.registry import Cluster
from broadcast.daemon.ip_next import Label, upcoming
from broadcast.daemon.status import DaemonStatus
from tests.clusters.station_ward import eventually, ip_ward, start_station
from tests.daemon.daemon_project import console, ward_now


@pytest.mark.slow
def test_an_ip_zones_next_is_what_its_clusters_were_sent(tmp_path, mosquitto_broker):
    ward = ip_ward(
        tmp_path / "ward",
        mosquitto_broker,
        {"cum-cho": "loa-cho", "cum-dinh": "loa-cho", "cum-ben": "loa-ben"},
    )
    daemon = start_station(ward)
    try:
        station = daemon.ip_station
        eventually(lambda: all(station.published(c) for c in ("cum-cho", "cum-ben")))
        status = daemon.status()
        wired, cho = status.next["to-1"], status.next["loa-cho"]
        # the clusters' plans reach 48 h ahead, the daemon's own pending items may stop sooner
        # (by the hour of the day): the wired zone's next are the IP zone's first ones
        assert wired and len(cho) >= len(wired)
        for ip, own in zip(cho[: len(wired)], wired, strict=True):  # same slot, same seconds
            assert (ip.at, ip.slot, ip.title) == (own.at, own.slot, own.title)
            assert abs(ip.seconds - own.seconds) < 0.2
            assert (ip.clusters, ip.of_clusters) == (2, 2)
        assert {n.clusters for n in status.next["loa-ben"]} == {1}
        assert own.clusters is None
        again = DaemonStatus.from_json(status.to_json())  # as status.json and the channel carry it
        assert again.next == status.next
        printed = console(ward.paths, "status").stdout
        assert "Cụm loa loa-cho (2 cụm)" in printed and "Thông báo" in printed
    finally:
        daemon.stop()


def _entry(item: str, index: int, start, title: str | None = "Bài") -> PlanEntry:
    airing = None if title is None else {"title": title}
    return PlanEntry(f"{item}#{index}", item, start, 30.0, AudioRef("a" * 64, 10), airing)


def test_a_segment_some_clusters_lack_says_how_many_have_it():
    now = ward_now()
    clusters = [Cluster(c, c, "loa-cho", now, c, "") for c in ("cum-1", "cum-2")]
    chime = _entry("sang@x", 0, now + timedelta(hours=1), title=None)
    script = _entry("sang@x", 1, now + timedelta(hours=1, seconds=5))
    begun = _entry("dem@x", 0, now - timedelta(seconds=5))
    plans = {"cum-1": [begun, chime, script], "cum-2": [chime]}
    found = upcoming(clusters, plans, {chime.id: Label("Khung sáng", "Nhạc hiệu")}, now, 5)
    assert [(n.title, n.slot, n.clusters, n.of_clusters) for n in found["loa-cho"]] == [
        ("Nhạc hiệu", "Khung sáng", 2, 2),
        ("Bài", "sang", 1, 2),
    ]
    assert upcoming(clusters, plans, {}, now, 1)["loa-cho"][0].clusters == 2
