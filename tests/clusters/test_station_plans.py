"""Plans out: each cluster's next 48 hours, signed, retained, sent again only when changed; the
daemon itself plays only the wired zones."""

import hashlib
import urllib.request
from datetime import datetime, timedelta

import pytest

from broadcast.clusters.bodies import plan_entries
from broadcast.clusters.messages import PLAN, Refused
from broadcast.playlog import PlayLog
from tests.clusters.station_ward import WARD_ID, eventually, ip_ward, start_station
from tests.daemon.daemon_project import wait_for, ward_now

pytestmark = pytest.mark.slow


@pytest.fixture
def ward(tmp_path, mosquitto_broker):
    return ip_ward(
        tmp_path / "ward",
        mosquitto_broker,
        {"cum-cho": "loa-cho", "cum-dinh": "loa-cho", "cum-ben": "loa-ben"},
    )


def plan_of(ward, daemon, cluster):
    """The retained plan as a cluster that connects now gets it, checked as its receiver
    checks it; waits until the station has sent one with entries."""
    eventually(lambda: daemon.ip_station.published(cluster), what=f"a plan for {cluster}")
    client = ward.cluster(cluster, PLAN)
    try:
        received = client.next_message(timeout=5)
    finally:
        client.close()
    assert received.retain and received.qos == 1
    return received, ward.opened(received, cluster, PLAN)


def test_each_cluster_gets_its_zones_plan_signed_and_retained(ward):
    daemon = start_station(ward)
    try:
        received, payload = plan_of(ward, daemon, "cum-cho")
        entries = plan_entries(payload)
        assert payload["zone"] == "loa-cho" and payload["clusters"] == ["cum-cho"]
        until = datetime.fromisoformat(payload["until"]) - datetime.fromisoformat(payload["from"])
        assert until == timedelta(hours=48)
        script = next(e for e in entries if e.airing is not None)
        item = daemon.ip_station.published("cum-cho")[0].item
        assert script.item == item and script.id.startswith(item + "#")
        assert script.airing["zone"] == "loa-cho" and script.airing["slot_id"] == "sang"
        assert script.airing["title"] == "Thông báo" and script.airing["engine"] == "espeak"
        assert script.airing["audio_hash"] == script.audio.sha256
        assert script.start > ward_now() + timedelta(hours=5)
        # its audio is served by that hash, the bytes the daemon would play
        url = f"http://127.0.0.1:{ward.audio_port}/audio/{script.audio.sha256}"
        with urllib.request.urlopen(url, timeout=5) as answer:
            body = answer.read()
        assert len(body) == script.audio.bytes
        assert hashlib.sha256(body).hexdigest() == script.audio.sha256
        # the same plan is not meant for another cluster, even of the same zone
        with pytest.raises(Refused) as refused:
            ward.opened(received, "cum-dinh", PLAN)
        assert refused.value.code == "wrong_cluster"
        _, other = plan_of(ward, daemon, "cum-ben")
        assert other["zone"] == "loa-ben" and other["seq"] != payload["seq"]
        # the daemon's own timetable has the wired zone only
        assert {item.zones for item in daemon._airings.pending()} == {("to-1",)}
    finally:
        daemon.stop()


def test_a_plan_is_sent_again_only_when_it_changed(ward):
    daemon = start_station(ward)
    try:
        station = daemon.ip_station
        eventually(lambda: station.published("cum-cho"), what="the first plans")
        assert station.publish_plans() == []  # nothing changed: nothing sent
        first = station.published("cum-cho")
        (ward.paths.scripts_dir / "moi.txt").write_text(
            "Lịch tiêm chủng\n\nTrạm y tế phường tiêm chủng vào sáng thứ bảy.\n", "utf-8"
        )
        daemon.reload()
        changed = eventually(
            lambda: len(station.published("cum-cho")) > len(first) and station.published("cum-cho"),
            timeout=60,
            what="a plan with the new script",
        )
        assert any(e.airing and e.airing["title"] == "Lịch tiêm chủng" for e in changed)
        assert station.publish_plans() == []
        assert station.publish_plans(force=True) == ["cum-cho", "cum-dinh", "cum-ben"]
    finally:
        daemon.stop()


def test_the_daemon_plays_and_logs_the_wired_zone_only(tmp_path, mosquitto_broker):
    ward = ip_ward(tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho"}, slot_at=ward_now())
    daemon = start_station(ward)
    try:
        rows = wait_for(ward.paths, lambda found: any(r.outcome for r in found), timeout=60)
        assert {row.airing.zone for row in rows} == {"to-1"}
        heard = sorted(p.parent.name for p in (ward.paths.home / "heard").rglob("*.wav"))
        assert heard and "loa-cho" not in " ".join(heard)
        _, payload = plan_of(ward, daemon, "cum-cho")  # playing now: the cluster has it too
        assert any(e.airing for e in plan_entries(payload))
    finally:
        daemon.stop()
    with PlayLog.open_for_reading(ward.paths) as log:
        assert {row.airing.zone for row in log.attempts()} == {"to-1"}
        assert log.verify().ok
    assert WARD_ID in payload["ward"]


def test_a_plans_audio_is_served_before_the_plan_goes_out(ward):
    """A cluster fetches as soon as its plan comes: a 404 then sends it into a long backoff."""
    daemon = start_station(ward)
    try:
        station = daemon.ip_station
        eventually(lambda: station.published("cum-cho"), what="the first plans")
        with station._lock:  # as if the station had just started
            station._published.clear()
            station.offered.plan_files((), station.clock.now())
        served_when_sent: dict[str, set[str]] = {}
        publish = station.link.publish

        def watched(name: str, payload: bytes, *, retain: bool = False) -> bool:
            if name.endswith("/" + PLAN) and payload:
                served_when_sent[name.split("/")[2]] = set(station.server.offered())
            return publish(name, payload, retain=retain)

        station.link.publish = watched  # type: ignore[method-assign]
        assert station.publish_plans() == ["cum-cho", "cum-dinh", "cum-ben"]
        for cluster, served in served_when_sent.items():
            named = {entry.audio.sha256 for entry in station.published(cluster)}
            assert named and named <= served, cluster
    finally:
        daemon.stop()


def test_a_starting_station_sends_each_plan_once(ward):
    """Its first pass would run before the link is up: only the pass forced once it connects
    sends the plans (not both, each plan twice)."""
    client = ward.cluster("cum-cho", PLAN)
    try:
        daemon = start_station(ward)
        try:
            received = client.next_message(timeout=20)
            assert ward.opened(received, "cum-cho", PLAN)["clusters"] == ["cum-cho"]
            assert client.quiet_for(1.5)  # no second copy
        finally:
            daemon.stop()
    finally:
        client.close()
