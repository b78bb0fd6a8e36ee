"""End to end: the daemon (``broadcast run`` on WAV files) plans a slot on an IP zone; a
receiver (``broadcast receiver``, in this process, on WAV files) gets the signed plan from the
real broker, fetches the audio from the station, plays the slot at its second by its own clock,
and the station's play log shows the receiver's row, once, chained like its own."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from broadcast.playlog import Outcome
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import Broker, OutputSettings, ReceiverSettings
from tests.clusters.station_ward import WARD_ID, eventually, ip_ward, start_station
from tests.daemon.daemon_project import WARD, ward_now

pytestmark = pytest.mark.slow


class AheadClock:
    """The box's clock, set ``ahead`` of this PC's: the slot, minutes away here, comes to the
    box within seconds (the box plays by its own clock, which is the point)."""

    def __init__(self, ahead: timedelta):
        self._ahead = ahead

    def now(self) -> datetime:
        return datetime.now(WARD) + self._ahead

    def monotonic(self) -> float:
        return time.monotonic()


def test_a_slot_on_an_ip_zone_plays_at_the_receiver_and_the_station_logs_its_row(
    tmp_path, mosquitto_broker
):
    slot = (ward_now() + timedelta(minutes=2)).replace(second=0, microsecond=0)
    ward = ip_ward(tmp_path / "ward", mosquitto_broker, {"cum-cho": "loa-cho"}, slot_at=slot)
    daemon = start_station(ward)
    receiver = None
    try:
        station = daemon.ip_station
        entries = eventually(
            lambda: [e for e in station.published("cum-cho") if e.airing and e.start >= slot],
            timeout=60,
            what="the slot's entries in the cluster's plan",
        )
        entry = entries[0]
        ahead = entry.start - ward_now() - timedelta(seconds=6)
        settings = ReceiverSettings(
            cluster="cum-cho",
            ward=WARD_ID,
            zone="loa-cho",
            broker=Broker("127.0.0.1", mosquitto_broker.port),
            username="cum-cho",
            password=ward.passwords["cum-cho"],
            station_keys=(ward.station_key().public,),
            audio_url=f"http://127.0.0.1:{ward.audio_port}",
            data_dir=tmp_path / "box",
            output=OutputSettings(folder=tmp_path / "box-wav"),
            heartbeat_seconds=1.0,
            timezone=ZoneInfo("Asia/Ho_Chi_Minh"),
        )
        receiver = Receiver(settings, clock=AheadClock(ahead), retry_max=0.5)
        receiver.start()
        (row,) = eventually(
            lambda: [r for r in daemon.log.attempts(zones=["loa-cho"]) if r.outcome],
            timeout=60,
            what="the receiver's row in the station's log",
        )
        assert row.outcome is Outcome.PLAYED and row.heard is False  # a WAV file at the box
        assert row.airing.script_id == entry.airing["script_id"]
        assert row.airing.audio_hash == entry.audio.sha256
        assert row.output.startswith("cụm loa IP cum-cho: ")
        # the receiver's own time: the entry's second by its clock, not the station's
        assert (
            row.started_at is not None and abs((row.started_at - entry.start).total_seconds()) < 1
        )
        assert list((tmp_path / "box-wav").rglob("*.wav"))
        assert daemon.log.verify().ok
        heard = eventually(
            lambda: [c for c in daemon.status().clusters if c.state == "online"], timeout=10
        )
        assert heard[0].id == "cum-cho"
        # the station's acknowledgement reached the box: nothing is waiting to be sent again
        eventually(lambda: not receiver.uplink.pending_rows(), timeout=20, what="the ack")
    finally:
        if receiver is not None:
            receiver.stop()
        daemon.stop()
