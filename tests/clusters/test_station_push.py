"""An urgent bulletin's audio pushed once through the broker, at a real station on a real
Mosquitto with the ACL ``broadcast clusters`` makes: before the ``now`` messages, only for a
bulletin to half the ward's clusters or more, never above ``push_audio_max_kb`` nor when the
broker would hold more than ``PUSH_BROKER_BYTES`` of copies; a cluster's
account can read the ward's audio topic and cannot write it."""

import hashlib

import pytest

from broadcast.clusters.bodies import NowBody
from broadcast.clusters.messages import NOW
from broadcast.clusters.topics import audio_filter, audio_topic
from broadcast.control import ANNOUNCE, ControlClient
from broadcast.daemon import ip_bulletins
from tests.clusters.station_ward import WARD_ID, IpWard, ip_ward, start_station

pytestmark = pytest.mark.slow

CLUSTERS = {"cum-cho": "loa-cho", "cum-ben": "loa-ben", "cum-dinh": "loa-dinh"}


def announce(ward: IpWard, zones: list[str]) -> None:
    ControlClient.from_paths(ward.paths).call(
        ANNOUNCE, text="Mất điện toàn phường từ 14 giờ.", zones=zones, priority="emergency"
    )


def listening(ward: IpWard, cluster: str):
    client = ward.cluster(cluster, NOW)
    assert client.subscribe(audio_filter(WARD_ID)) == 1
    return client


def test_a_bulletin_to_most_clusters_pushes_its_audio_once_before_its_now(
    tmp_path, mosquitto_broker
):
    ward = ip_ward(tmp_path / "ward", mosquitto_broker, CLUSTERS)
    daemon = start_station(ward)
    cho = listening(ward, "cum-cho")
    try:
        announce(ward, ["loa-cho", "loa-ben"])  # two of three clusters
        audio = cho.next_message(timeout=20)
        now = NowBody.from_json(ward.opened(cho.next_message(timeout=10), "cum-cho", NOW))
        assert audio.topic == audio_topic(WARD_ID, now.audio.sha256)
        assert hashlib.sha256(audio.payload).hexdigest() == now.audio.sha256
        assert len(audio.payload) == now.audio.bytes
        assert cho.quiet_for(0.5)  # once, not once per cluster

        announce(ward, ["loa-cho"])  # one of three: fetched by hash by its one cluster
        later = cho.next_message(timeout=20)
        assert later.topic.endswith("/cum-cho/now")
        assert cho.quiet_for(0.5)
    finally:
        cho.close()
        daemon.stop()


def only_the_now_reaches(ward: IpWard) -> None:
    """A bulletin to every zone of ``ward`` comes to a cluster as its ``now`` alone."""
    daemon = start_station(ward)
    cho = listening(ward, "cum-cho")
    try:
        announce(ward, sorted(set(CLUSTERS.values())))
        assert cho.next_message(timeout=20).topic.endswith("/cum-cho/now")
        assert cho.quiet_for(0.5)
    finally:
        cho.close()
        daemon.stop()


def test_push_audio_max_kb_0_sends_the_now_only(tmp_path, mosquitto_broker):
    only_the_now_reaches(
        ip_ward(tmp_path / "ward", mosquitto_broker, CLUSTERS, ip_lines="  push_audio_max_kb: 0\n")
    )


def test_copies_beyond_the_brokers_budget_are_fetched_instead(
    tmp_path, mosquitto_broker, monkeypatch
):
    # three clusters: a budget below three copies of the bulletin's audio
    monkeypatch.setattr(ip_bulletins, "PUSH_BROKER_BYTES", 3 * 1024)
    only_the_now_reaches(ip_ward(tmp_path / "ward", mosquitto_broker, CLUSTERS))


def test_a_cluster_reads_the_wards_audio_topic_and_cannot_write_it(tmp_path, mosquitto_broker):
    ward = ip_ward(tmp_path / "ward", mosquitto_broker, CLUSTERS)
    cho, ben = listening(ward, "cum-cho"), ward.cluster("cum-ben")
    try:
        forged = b"RIFF not the station's"
        ben.publish(audio_topic(WARD_ID, hashlib.sha256(forged).hexdigest()), forged)
        assert cho.quiet_for(0.5)  # acknowledged by the broker, delivered to no one
    finally:
        cho.close()
        ben.close()
