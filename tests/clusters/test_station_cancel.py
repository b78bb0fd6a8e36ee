"""``broadcast cancel`` of a priority bulletin sent to IP zones: the clusters of those zones are
sent a signed ``stop`` naming it (a cluster holding it for a gap drops it and logs its row); the
wired zones' queued part is taken off the air as before."""

import pytest

from broadcast.clusters.bodies import NowBody
from broadcast.clusters.messages import NOW, STOP
from broadcast.control import ANNOUNCE, CANCEL, ControlClient, ControlError
from broadcast.daemon.daemon import BroadcastDaemon
from broadcast.playlog import Outcome
from tests.clusters.station_ward import ip_ward, start_station
from tests.daemon.daemon_project import console, start_to_files, wait_for, ward_now

pytestmark = pytest.mark.slow

CLUSTERS = {"cum-cho": "loa-cho", "cum-ben": "loa-ben"}
LONG = "Bản tin dài\n\n" + "Bà con nộp hồ sơ trực tuyến tại cổng dịch vụ công của thành phố. " * 6


def test_cancel_sends_the_clusters_a_signed_stop_naming_the_bulletin(tmp_path, mosquitto_broker):
    ward = ip_ward(tmp_path / "ward", mosquitto_broker, CLUSTERS)
    daemon = start_station(ward)
    cho = ward.cluster("cum-cho", NOW, STOP)
    ben = ward.cluster("cum-ben", NOW, STOP)
    client = ControlClient.from_paths(ward.paths)
    try:
        sent = client.call(ANNOUNCE, text="Họp tổ dân phố lúc 19 giờ.", zones=["loa-cho"])
        now = NowBody.from_json(ward.opened(cho.next_message(timeout=20), "cum-cho", NOW))
        assert now.bulletin == sent["id"] and now.priority == "priority"
        answer = client.call(CANCEL, id=sent["id"], sender="an")
        assert answer == {"id": sent["id"], "zones": ["loa-cho"], "clusters": ["cum-cho"]}
        received = cho.next_message(timeout=10)
        stop = ward.opened(received, "cum-cho", STOP)  # signed, for that cluster, checked
        assert (stop["bulletin"], stop["by"]) == (sent["id"], "an")
        assert not received.retain
        assert ben.quiet_for(1.0)  # not its zone
        with pytest.raises(ControlError) as again:  # taken back once
            client.call(CANCEL, id=sent["id"], sender="an")
        assert "không có bản tin" in again.value.message
        # typed in a console
        second = client.call(ANNOUNCE, text="Lịch tiêm phòng dại.", zones=["loa-cho"])
        cho.next_message(timeout=20)
        typed = console(ward.paths, "cancel", second["id"])
        assert typed.returncode == 0 and "Đã gửi lệnh hủy tới 1 cụm loa IP." in typed.stdout
        assert (
            ward.opened(cho.next_message(timeout=10), "cum-cho", STOP)["bulletin"] == (second["id"])
        )
        # an emergency is never waiting: not cancelled, on clusters either
        urgent = client.call(
            ANNOUNCE, text="Nước lên nhanh.", zones=["loa-cho"], priority="emergency"
        )
        cho.next_message(timeout=20)
        with pytest.raises(ControlError):
            client.call(CANCEL, id=urgent["id"], sender="an")
        assert cho.quiet_for(1.0)
        # the station writes no row for it: each cluster logs its own
        assert not [r for r in daemon.log.attempts() if r.airing.bulletin_id == sent["id"]]
    finally:
        cho.close()
        ben.close()
        daemon.stop()


def test_a_bulletin_queued_on_wired_zones_and_sent_to_clusters_is_cancelled_on_both(
    tmp_path, mosquitto_broker
):
    ward = ip_ward(
        tmp_path / "ward",
        mosquitto_broker,
        CLUSTERS,
        slot_at=ward_now(),  # the wired zone plays a long item: the bulletin waits there
        scripts={"a-dai.txt": LONG},
    )
    daemon: BroadcastDaemon = start_to_files(ward.paths, console_log=None)
    cho = ward.cluster("cum-cho", STOP)
    client = ControlClient.from_paths(ward.paths)
    try:
        wait_for(ward.paths, lambda found: any(r.is_open for r in found), 60)
        sent = client.call(ANNOUNCE, text="Họp tổ dân phố.", zones=["loa-cho", "to-1"])
        answer = client.call(CANCEL, id=sent["id"], sender="an")
        assert answer == {"id": sent["id"], "zones": ["to-1", "loa-cho"], "clusters": ["cum-cho"]}
        stop = ward.opened(cho.next_message(timeout=10), "cum-cho", STOP)
        assert stop["bulletin"] == sent["id"]
        rows = wait_for(
            ward.paths, lambda found: any(r.airing.bulletin_id == sent["id"] for r in found), 10
        )
    finally:
        cho.close()
        daemon.stop()
    (row,) = [row for row in rows if row.airing.bulletin_id == sent["id"]]
    assert (row.airing.zone, row.outcome, row.reason) == ("to-1", Outcome.MISSED, "cancelled_by:an")
