"""As-played in, health and urgent bulletins, at a real station on a real broker: rows stored
once and acknowledged, a silent cluster an alarm, a bulletin sent to its clusters only."""

import hashlib
import json
import threading
import urllib.request
from datetime import timedelta

import pytest

from broadcast.clusters.bodies import NowBody, acked_rows
from broadcast.clusters.messages import ACK, NOW, PLAYED, STATUS
from broadcast.clusters.messages import STOP as STOP_KIND
from broadcast.clusters.topics import topic
from broadcast.control import ANNOUNCE, STOP, ControlClient
from broadcast.daemon.alarms import AlarmCode
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.remote import attempt_to_row, played_message
from tests.clusters.station_ward import WARD_ID, eventually, ip_ward, start_station
from tests.daemon.daemon_project import console, wait_for, ward_now

pytestmark = pytest.mark.slow


def box_rows(root, count=3, bulletin=None):
    """Rows as a cluster's receiver writes them, in its own log."""
    with PlayLog.open(ProjectPaths(root)) as box:
        for n in range(count):
            at = ward_now() - timedelta(minutes=10 - n)
            airing = Airing("loa-cho", at, f"Bài {n}", script_id=f"bai-{n}", bulletin_id=bulletin)
            row = box.start_attempt(airing, at + timedelta(milliseconds=4))
            box.finish_attempt(
                row,
                Outcome.PLAYED,
                ended_at=at + timedelta(seconds=30),
                aired_seconds=30.0,
                output="hw:0, kênh 1",
                underruns=0,
            )
        return box.attempts()


def test_rows_are_stored_once_and_acknowledged(tmp_path, mosquitto_broker):
    ward = ip_ward(tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho"})
    daemon = start_station(ward)
    client = ward.cluster("cum-cho", ACK)
    try:
        rows = box_rows(tmp_path / "box")
        played = topic(WARD_ID, "cum-cho", PLAYED)
        client.publish(played, played_message(rows))
        first = ward.opened(client.next_message(timeout=10), "cum-cho", ACK)
        assert acked_rows(first) == [1, 2, 3]
        stored = daemon.log.attempts(zones=["loa-cho"])
        assert [row.airing for row in stored] == [row.airing for row in rows]
        assert [row.started_at for row in stored] == [row.started_at for row in rows]
        assert {row.output for row in stored} == {"cụm loa IP cum-cho: hw:0, kênh 1"}
        # the ack was lost: the cluster sends them again, with a bad row among them
        again = json.loads(played_message(rows))
        again["rows"].insert(1, {**attempt_to_row(rows[0]), "id": 9, "outcome": "won"})
        client.publish(played, json.dumps(again).encode())
        second = ward.opened(client.next_message(timeout=10), "cum-cho", ACK, first["seq"])
        assert acked_rows(second) == [1, 2, 3]
        assert len(daemon.log.attempts(zones=["loa-cho"])) == 3
        assert daemon.log.verify().ok
        cluster = next(c for c in daemon.status().clusters if c.id == "cum-cho")
        assert cluster.last_heard is not None
    finally:
        client.close()
        daemon.stop()


def test_a_silent_cluster_is_an_alarm_until_heard(tmp_path, mosquitto_broker):
    ward = ip_ward(
        tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho"}, heartbeat=1, silent=2
    )
    daemon = start_station(ward)
    client = ward.cluster("cum-cho")
    status_topic = topic(WARD_ID, "cum-cho", STATUS)

    def alarm():
        found = [a for a in daemon.status().alarms if a.code is AlarmCode.CLUSTER_SILENT]
        return found[0] if found else None

    try:
        silent = eventually(alarm, timeout=15, what="the silent cluster's alarm")
        assert silent.zone == "cum-cho" and "chưa liên lạc" in silent.message
        beating = threading.Event()

        def beat():  # the receiver's heartbeat, every second as its heartbeat_seconds says
            while not beating.wait(0.5):
                body = {
                    "cluster": "cum-cho",
                    "state": "online",
                    "at": ward_now().isoformat(),
                    "clock": {"offset_seconds": 0.012, "source": "chrony", "synchronised": True},
                    "disk_free_bytes": 7_000_000_000,
                    "cache": {"items": 4, "bytes": 9_000_000},
                    "playing": ["Thông báo"],
                    "rows_waiting": 0,
                }
                client.publish(status_topic, json.dumps(body), retain=True)

        beater = threading.Thread(target=beat, daemon=True)
        beater.start()
        eventually(lambda: alarm() is None, timeout=10, what="the alarm cleared")
        (heard,) = daemon.status().clusters
        assert (heard.state, heard.clock_offset, heard.cached_items) == ("online", 0.012, 4)
        assert heard.playing == ("Thông báo",) and heard.disk_free_bytes == 7_000_000_000
        beating.set()
        beater.join()
        client.publish(status_topic, json.dumps({"cluster": "cum-cho", "state": "offline"}))
        offline = eventually(alarm, timeout=10, what="the offline alarm")
        assert "ngắt kết nối" in offline.message
        client.publish(
            topic(WARD_ID, "cum-cho", "event"),
            json.dumps({"code": "bad_signature", "message": "chữ ký không đúng"}),
        )
        refusals = eventually(lambda: daemon.status().clusters[0].refusals, timeout=10)
        assert "bad_signature: chữ ký không đúng" in refusals[-1]
        printed = console(ward.paths, "status").stdout  # what the technician reads
        assert "Cụm loa IP:" in printed and "ngắt kết nối" in printed
        assert "cum-cho từ chối:" in printed and "+12 ms" in printed
    finally:
        client.close()
        daemon.stop()


def test_an_urgent_bulletin_goes_to_the_clusters_of_its_zones_only(tmp_path, mosquitto_broker):
    ward = ip_ward(
        tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho", "cum-ben": "loa-ben"}
    )
    daemon = start_station(ward)
    cho = ward.cluster("cum-cho", NOW, STOP_KIND)
    ben = ward.cluster("cum-ben", NOW)
    try:
        answer = ControlClient.from_paths(ward.paths).call(
            ANNOUNCE, text="Mất điện toàn phường từ 14 giờ.", zones=["loa-cho", "to-1"],
            priority="emergency",
        )  # fmt: skip
        now = NowBody.from_json(ward.opened(cho.next_message(timeout=20), "cum-cho", NOW))
        assert now.bulletin == answer["id"] and now.priority == "emergency"
        assert ben.quiet_for(1.0)  # not its zone
        url = f"http://127.0.0.1:{ward.audio_port}/audio/{now.audio.sha256}"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert hashlib.sha256(response.read()).hexdigest() == now.audio.sha256
        rows = wait_for(ward.paths, lambda found: any(r.outcome for r in found), timeout=30)
        assert {(row.airing.zone, row.airing.bulletin_id) for row in rows} == {
            ("to-1", answer["id"])
        }
        (sent,) = [c for c in daemon.status().clusters if c.bulletin]
        assert (sent.id, sent.bulletin, sent.bulletin_started_at) == ("cum-cho", now.bulletin, None)
        # the cluster plays it and says so: the station's status shows when it began there
        played = box_rows(tmp_path / "box", count=1, bulletin=now.bulletin)
        cho.publish(topic(WARD_ID, "cum-cho", PLAYED), played_message(played))
        started = eventually(
            lambda: (
                next(c for c in daemon.status().clusters if c.id == "cum-cho").bulletin_started_at
            )
        )
        assert started == played[0].started_at
        # a technician's stop there: the cluster is told to fade out what it plays
        answer = ControlClient.from_paths(ward.paths).call(STOP, zones=["loa-cho"], sender="an")
        assert answer["clusters"] == ["cum-cho"]
        stop = ward.opened(cho.next_message(timeout=10), "cum-cho", STOP_KIND)
        assert stop["by"] == "an"
    finally:
        cho.close()
        ben.close()
        daemon.stop()
