"""``reload`` takes a changed ``ip_clusters:`` section without a restart: a new broker is
connected (the plans go there), new limits are used, a zone switched off ``output: ip`` has its
clusters' plans cleared; a broken section keeps the last good one and says where."""

import queue

import pytest

from broadcast.clusters.messages import PLAN
from broadcast.clusters.topics import topic
from broadcast.daemon.alarms import AlarmCode
from tests.clusters.station_ward import WARD_ID, eventually, ip_ward, start_station
from tests.support.mosquitto import MosquittoBroker, connect

pytestmark = pytest.mark.slow


def retained_plan(broker, ward, cluster):
    """The plan a cluster connecting to ``broker`` now is given (checked as its receiver does),
    or None when there is none."""
    client = connect(broker, cluster, ward.passwords[cluster])
    try:
        assert client.subscribe(topic(WARD_ID, cluster, PLAN)) == 1
        try:
            received = client.next_message(timeout=1.0)
        except queue.Empty:
            return None
        return ward.opened(received, cluster, PLAN)
    finally:
        client.close()


def test_reload_follows_the_ip_clusters_section(tmp_path, mosquitto_broker):
    ward = ip_ward(
        tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho", "cum-ben": "loa-ben"}
    )
    other = MosquittoBroker(tmp_path / "other-broker")
    other.install(ward.files.passwd, ward.files.acl)
    other.start()
    schedules = ward.paths.schedules_file
    daemon = start_station(ward)
    try:
        first = daemon.ip_station
        eventually(lambda: first.published("cum-cho"), what="the first plans")
        text = schedules.read_text("utf-8")
        edited = text.replace(
            f"broker: 127.0.0.1:{mosquitto_broker.port}", f"broker: 127.0.0.1:{other.port}"
        ).replace("silent_after_seconds: 120", "silent_after_seconds: 90")
        assert edited != text
        schedules.write_text(edited, "utf-8")
        assert daemon.reload()["ok"]
        station = daemon.ip_station
        assert station is not first and station.settings.broker_port == other.port
        assert station.health.silent_after.total_seconds() == 90
        eventually(lambda: station.link.connected, what="the link to the new broker")
        plan = eventually(lambda: retained_plan(other, ward, "cum-cho"), what="plan there")
        assert plan["zone"] == "loa-cho" and plan["entries"]
        # a broken section: the last good one stays, and the daemon says where
        schedules.write_text(edited.replace(f"127.0.0.1:{other.port}", "127.0.0.1:99999"), "utf-8")
        answer = daemon.reload()
        line = 1 + edited[: edited.index("127.0.0.1:" + str(other.port))].count("\n")
        assert not answer["ok"] and f"schedules.yaml:{line}:" in answer["problems"][0]
        assert daemon.ip_station is station and station.link.connected
        alarms = [a for a in daemon.alarms.active() if a.code is AlarmCode.INPUT_INVALID]
        assert alarms and "99999" in alarms[0].message
        # loa-ben is wired now: its cluster is sent no plan (the retained one is cleared)
        schedules.write_text(
            edited.replace(
                "  - id: loa-ben\n    name: Cụm loa loa-ben\n    output: ip\n",
                "  - id: loa-ben\n    name: Loa ben\n    output: {device: file, channels: [1]}\n",
            ),
            "utf-8",
        )
        assert daemon.reload()["ok"]
        assert daemon.ip_station is station  # the section itself did not change
        eventually(lambda: not station.published("cum-ben") and station.passes, timeout=20)
        eventually(lambda: retained_plan(other, ward, "cum-ben") is None, what="plan cleared")
        assert retained_plan(other, ward, "cum-cho") is not None
    finally:
        daemon.stop()
        other.stop()
