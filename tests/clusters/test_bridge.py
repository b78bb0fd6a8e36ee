"""A province beyond one broker: the ward's Mosquitto bridged to the provincial one.

Two real brokers on loopback. The station talks only to its ward's broker; the cluster only to
the provincial broker, as its 4G modem would; the bridge between them is configured by
``broadcast.clusters.bridge`` exactly as the documentation tells the technician
(docs/ip-clusters.md). What crosses the bridge arrives byte for byte, so the receiver's checks
(``messages.check``) hold end to end, and a hijacked provincial broker still cannot put a word
on the loudspeakers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from broadcast.clusters import messages
from broadcast.clusters.bridge import (
    WardBridge,
    bridge_user,
    notification_topic,
    provincial_account,
    provincial_users,
    queue_conf,
    topic_lines,
    ward_bridge_conf,
)
from broadcast.clusters.broker_files import (
    STATION_USER,
    BrokerUser,
    acl_text,
    cluster_acl,
    hash_password,
    passwd_text,
    station_acl,
)
from broadcast.clusters.messages import ACK, PLAN, PLAYED, STATUS, AudioRef, PlanEntry, Refused
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import audio_filter, audio_topic, station_subscriptions, topic
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import Broker
from tests.receiver.conftest import CLUSTER as BOX  # the receiver tests' own cluster
from tests.receiver.conftest import (
    AudioServer,
    Station,
    audio_server,  # noqa: F401 - fixture: audio by hash over real HTTP on loopback
    entry,
    make_settings,
    soon,
    station,  # noqa: F401 - fixture
    station_key,  # noqa: F401 - fixture
    wait_for,
)
from tests.support.mosquitto import (
    EVERYTHING,
    MosquittoBroker,
    Received,
    TestClient,
    connect,
    free_port,
)
from tests.support.tls import authority, pem, server_files

WARD = "phuong-1"
CLUSTER = "cum-01"
OTHER_CLUSTER = "cum-02"
PASSWORDS = {"bridge": "cau-noi-bi-mat", "station": "dai-bi-mat", CLUSTER: "cum-bi-mat"}
ISSUED = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
ARRIVAL = ISSUED + timedelta(minutes=1)  # the receiver's clock when the message is checked
BRIDGE_STATE = notification_topic(WARD)
WAIT = 20.0  # a bridge reconnects within restart_timeout (1 s here) plus its connect


@dataclass
class Province:
    """The ward broker bridged to the provincial one, and the station's key."""

    ward: MosquittoBroker
    province: MosquittoBroker
    key: StationKey

    def bridge_connections(self) -> int:
        """How often the bridge has connected and subscribed to the up topics at the province
        (its last subscription: from then on nothing a cluster sends is missed)."""
        return self.province.log().count(f"{bridge_user(WARD)} 1 loa-phuong/{WARD}/+/event")

    def wait_bridged(self, after: int = 0) -> None:
        _wait_until(lambda: self.bridge_connections() > after, "the bridge never connected")

    def station(self) -> TestClient:
        """The station's client: persistent session, subscribed to every cluster's up topics."""
        client = connect(
            self.ward,
            STATION_USER,
            PASSWORDS["station"],
            client_id="station",
            clean_session=False,
        )
        for subscription in station_subscriptions(WARD):
            assert client.subscribe(subscription) == 1
        return client

    def cluster(self, client_id: str = CLUSTER) -> TestClient:
        """The cluster's receiver as it connects over 4G: to the provincial broker."""
        client = connect(
            self.province, CLUSTER, PASSWORDS[CLUSTER], client_id=client_id, clean_session=False
        )
        assert client.subscribe(topic(WARD, CLUSTER, PLAN)) == 1
        return client

    def observer(self, broker: MosquittoBroker) -> TestClient:
        client = connect(broker, "observer", "observer")
        assert client.subscribe("loa-phuong/#") == 1
        return client


def _wait_until(condition: Callable[[], bool], failure: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.02)


@contextmanager
def _bridged(root: Path, extra_config: Sequence[str] = ()) -> Iterator[Province]:
    """The ward broker bridged to a provincial one, each with ``extra_config`` (and Mosquitto's
    own queue limit unless ``extra_config`` says otherwise)."""
    provincial = MosquittoBroker(
        root / "province",
        extra_config=["log_type subscribe", *extra_config],
        max_queued_messages=None,
    )
    provincial.start()
    try:
        # the ward's accounts as `broadcast clusters` makes them, moved to the province
        ward_users = [
            BrokerUser(STATION_USER, hash_password(PASSWORDS["station"]), station_acl(WARD)),
            BrokerUser(CLUSTER, hash_password(PASSWORDS[CLUSTER]), cluster_acl(WARD, CLUSTER)),
        ]
        users = provincial_users(ward_users, WARD, PASSWORDS["bridge"])
        assert [user.name for user in users] == [bridge_user(WARD), CLUSTER]
        provincial.install(passwd_text(users), acl_text(users))
        provincial.add_user("intruder", "intruder", EVERYTHING)  # whoever took the broker over
        provincial.add_user("observer", "observer", EVERYTHING)
        bridge = WardBridge(
            WARD, provincial.host, provincial.port, PASSWORDS["bridge"], restart_seconds=(1, 1)
        )
        ward = MosquittoBroker(
            root / "ward",
            extra_config=[*extra_config, *ward_bridge_conf(bridge).splitlines()],
            max_queued_messages=None,
        )
        ward.add_user(STATION_USER, PASSWORDS["station"], station_acl(WARD))
        ward.add_user("observer", "observer", (*EVERYTHING, f"topic read {BRIDGE_STATE}"))
        ward.start()
        try:
            setup = Province(ward, provincial, StationKey.generate())
            setup.wait_bridged()
            yield setup
        finally:
            ward.stop()
    finally:
        provincial.stop()


@pytest.fixture
def province(tmp_path: Path) -> Iterator[Province]:
    with _bridged(tmp_path) as setup:
        yield setup


def _plan(key: StationKey, seq: int, *, cluster: str = CLUSTER, hour: int = 7) -> bytes:
    entry = PlanEntry(
        id="p1#0",
        item="p1",
        start=datetime(2026, 12, 5, hour, 0, tzinfo=UTC),
        seconds=61.5,
        audio=AudioRef("ab" * 32, 1_234_567),
        airing={"zone": "to-1", "title": "Lịch tiêm chủng tháng 12"},
    )
    return messages.seal(
        key,
        PLAN,
        ward=WARD,
        clusters=[cluster],
        seq=seq,
        issued=ISSUED,
        body={"entries": [entry.to_json()]},
    )


def _check(setup: Province, data: bytes, *, last_seq: int = 0) -> dict[str, object]:
    return messages.check(
        data,
        keys=[setup.key.public],
        ward=WARD,
        cluster=CLUSTER,
        kind=PLAN,
        last_seq=last_seq,
        now=ARRIVAL,
    )


def _next_on(client: TestClient, name: str, timeout: float = WAIT) -> Received:
    deadline = time.monotonic() + timeout
    while True:
        message = client.next_message(max(0.01, deadline - time.monotonic()))
        if message.topic == name:
            return message


# --- the generated configuration --------------------------------------------------------------


def test_the_bridge_carries_down_kinds_out_and_up_kinds_in_for_its_ward_only():
    assert topic_lines(WARD) == [
        "topic loa-phuong/phuong-1/+/plan out 1",
        "topic loa-phuong/phuong-1/+/now out 1",
        "topic loa-phuong/phuong-1/+/stop out 1",
        "topic loa-phuong/phuong-1/+/ack out 1",
        "topic loa-phuong/phuong-1/_audio/+ out 1",  # a bulletin's pushed audio
        "topic loa-phuong/phuong-1/+/status in 1",
        "topic loa-phuong/phuong-1/+/played in 1",
        "topic loa-phuong/phuong-1/+/event in 1",
    ]
    conf = ward_bridge_conf(WardBridge(WARD, "mqtt.tinh.example.vn", 8883, "pw"))
    for line in (
        "connection bridge-phuong-1",
        "address mqtt.tinh.example.vn:8883",
        "remote_username bridge-phuong-1",
        "remote_password pw",
        "cleansession false",
        "try_private true",
        "restart_timeout 5 120",
    ):
        assert line in conf.splitlines()
    assert "bridge_cafile" not in conf


def test_the_bridge_speaks_tls_checking_the_provincial_certificate_when_given_itsauthority():
    conf = ward_bridge_conf(
        WardBridge(
            WARD,
            "mqtt.tinh.example.vn",
            8883,
            "pw",
            cafile=Path("/etc/mosquitto/ca/tinh.crt"),
            certfile=Path("/etc/mosquitto/certs/phuong-1.crt"),
            keyfile=Path("/etc/mosquitto/certs/phuong-1.key"),
        )
    ).splitlines()
    assert "bridge_cafile /etc/mosquitto/ca/tinh.crt" in conf
    assert "bridge_insecure false" in conf
    assert "bridge_certfile /etc/mosquitto/certs/phuong-1.crt" in conf
    assert "bridge_keyfile /etc/mosquitto/certs/phuong-1.key" in conf


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"ward": "Phường 1"}, "Mã phường"),
        ({"password": "hai tu"}, "Mật khẩu"),
        ({"password": "dong\nmoi"}, "Mật khẩu"),
        ({"remote_host": "tinh.vn\nconnection khac"}, "Địa chỉ máy chủ tỉnh"),
        ({"remote_port": 0}, "Cổng"),
        ({"certfile": Path("a.crt")}, "certfile lẫn keyfile"),
        ({"certfile": Path("a.crt"), "keyfile": Path("a.key")}, "bật TLS"),
    ],
)
def test_a_bridge_setting_mosquitto_would_misread_is_refused_in_vietnamese(changes, says):
    settings = {"ward": WARD, "remote_host": "tinh.vn", "remote_port": 8883, "password": "pw"}
    with pytest.raises(ValueError, match=says):
        WardBridge(**{**settings, **changes})


# --- two real brokers ----------------------------------------------------------------------


def test_a_signed_plan_published_on_the_ward_broker_reaches_a_cluster_on_the_provincial_one(
    province: Province,
):
    station_side = province.station()
    plan = _plan(province.key, seq=1)
    station_side.publish(topic(WARD, CLUSTER, PLAN), plan, retain=True)

    # the cluster connects afterwards: the plan waits for it, retained at the province
    cluster = province.cluster()
    got = _next_on(cluster, topic(WARD, CLUSTER, PLAN))
    assert got.payload == plan  # the bridge changes no byte
    assert got.retain
    assert _check(province, got.payload)["seq"] == 1


def test_a_bulletins_pushed_audio_crosses_the_bridge_once_for_the_provincial_clusters(
    province: Province,
):
    station_side = province.station()
    cluster = province.cluster()
    assert cluster.subscribe(audio_filter(WARD)) == 1  # as its receiver subscribes
    sound = b"RIFF" + bytes(range(256)) * 64
    sha = hashlib.sha256(sound).hexdigest()
    station_side.publish(audio_topic(WARD, sha), sound)
    got = _next_on(cluster, audio_topic(WARD, sha))
    assert got.payload == sound  # the bridge changes no byte


def test_as_played_rows_and_heartbeats_from_a_cluster_reach_the_station_through_the_bridge(
    province: Province,
):
    station_side = province.station()
    cluster = province.cluster()
    status = b'{"clock_offset_ms": 3, "free_disk": 5000000000, "cached": 12}'
    rows = b'{"rows": [{"id": 41, "status": "played"}]}'
    cluster.publish(topic(WARD, CLUSTER, STATUS), status, retain=True)
    cluster.publish(topic(WARD, CLUSTER, PLAYED), rows)

    assert _next_on(station_side, topic(WARD, CLUSTER, STATUS)).payload == status
    assert _next_on(station_side, topic(WARD, CLUSTER, PLAYED)).payload == rows
    # the heartbeat stays retained at the ward too: a station restarted later sees it at once
    later = province.observer(province.ward)
    seen = _next_on(later, topic(WARD, CLUSTER, STATUS))
    assert (seen.payload, seen.retain) == (status, True)


@pytest.mark.slow
def test_rows_sent_while_the_ward_broker_is_down_reach_the_station_when_it_is_back(
    province: Province,
):
    station_side = province.station()
    cluster = province.cluster()
    connections = province.bridge_connections()
    province.ward.stop()  # the ward office loses power: no bridge, no station broker

    rows = b'{"rows": [{"id": 42, "status": "played"}]}'
    cluster.publish(topic(WARD, CLUSTER, PLAYED), rows)  # held at the province for the bridge
    province.ward.start()
    province.wait_bridged(after=connections)

    # the station's client reconnects by itself to its persistent session
    assert _next_on(station_side, topic(WARD, CLUSTER, PLAYED)).payload == rows


@pytest.mark.slow
def test_a_plan_published_while_the_provincial_broker_is_down_reaches_the_cluster_when_it_is_back(
    province: Province,
):
    station_side = province.station()
    cluster = province.cluster()
    first = _plan(province.key, seq=1)
    station_side.publish(topic(WARD, CLUSTER, PLAN), first, retain=True)
    assert _next_on(cluster, topic(WARD, CLUSTER, PLAN)).payload == first

    link = connect(province.ward, "observer", "observer")  # what the station may watch
    assert link.subscribe(BRIDGE_STATE) == 1
    assert _next_on(link, BRIDGE_STATE).payload == b"1"
    connections = province.bridge_connections()
    province.province.stop()  # the province's server restarts, or the ward's line is cut
    assert _next_on(link, BRIDGE_STATE).payload == b"0"
    changed = _plan(province.key, seq=2, hour=8)
    station_side.publish(topic(WARD, CLUSTER, PLAN), changed, retain=True)  # held at the ward
    province.province.start()
    province.wait_bridged(after=connections)

    assert _next_on(link, BRIDGE_STATE).payload == b"1"
    got = _next_on(cluster, topic(WARD, CLUSTER, PLAN))
    assert got.payload == changed
    assert _check(province, got.payload, last_seq=1)["seq"] == 2
    # QoS 1 is "at least once": a copy delivered again is the same bytes, and the receiver's
    # sequence check refuses it as already seen; nothing else ever arrives
    while not cluster.quiet_for(1.5):
        pass
    with pytest.raises(Refused) as again:
        _check(province, changed, last_seq=2)
    assert again.value.code == "replayed"
    # and a cluster that was off all along finds the new plan retained at the province
    fresh = province.cluster(client_id="cum-01-reinstalled")
    assert _next_on(fresh, topic(WARD, CLUSTER, PLAN)).payload == changed


def test_a_message_forged_at_the_provincial_broker_is_refused_and_never_reaches_the_ward(
    province: Province,
):
    station_side = province.station()
    genuine_old = _plan(province.key, seq=1)
    genuine = _plan(province.key, seq=2)
    station_side.publish(topic(WARD, CLUSTER, PLAN), genuine_old)
    station_side.publish(topic(WARD, CLUSTER, PLAN), genuine, retain=True)
    cluster = province.cluster()
    while _next_on(cluster, topic(WARD, CLUSTER, PLAN)).payload != genuine:
        pass
    at_ward = province.observer(province.ward)
    assert _next_on(at_ward, topic(WARD, CLUSTER, PLAN)).payload == genuine

    # whoever holds the provincial broker writes on the cluster's plan topic
    altered = genuine.replace("Lịch tiêm chủng".encode(), "Lệnh sơ tán khẩn".encode())
    forgeries = {
        "unknown_key": _plan(StationKey.generate(), seq=99),
        "bad_signature": altered,
        "replayed": genuine_old,
        "wrong_cluster": _plan(province.key, seq=3, cluster=OTHER_CLUSTER),
        "malformed": b"PHAT NGAY: loa bi chiem quyen",
    }
    intruder = connect(province.province, "intruder", "intruder")
    for forged in forgeries.values():
        intruder.publish(topic(WARD, CLUSTER, PLAN), forged, retain=True)

    for code, forged in forgeries.items():
        got = _next_on(cluster, topic(WARD, CLUSTER, PLAN))
        assert got.payload == forged
        with pytest.raises(Refused) as refused:
            _check(province, got.payload, last_seq=2)
        assert refused.value.code == code
    # down kinds only go out of the ward (and the bridge's account may not read them at the
    # province): a heartbeat sent after the forgeries is the first thing to cross the bridge,
    # and the ward's retained plan is still the station's own
    marker = b'{"after": "forgeries"}'
    cluster.publish(topic(WARD, CLUSTER, STATUS), marker)
    first = at_ward.next_message(WAIT)
    assert (first.topic, first.payload) == (topic(WARD, CLUSTER, STATUS), marker)
    assert _next_on(province.observer(province.ward), topic(WARD, CLUSTER, PLAN)).payload == (
        genuine
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra_config", "whole"),
    [
        pytest.param([], False, id="mosquitto-default"),
        pytest.param(queue_conf().splitlines(), True, id="queue-conf"),
    ],
)
def test_a_wards_backlog_beyond_mosquittos_default_queue_arrives_whole_with_queue_conf(
    tmp_path: Path, extra_config: list[str], whole: bool
):
    """An outage's backlog crosses the bridge whole only if both brokers may queue it all
    (Mosquitto keeps 1000 messages for a session that is away, and drops the rest)."""
    sent = 1500
    with _bridged(tmp_path, extra_config) as setup:
        station_side = setup.station()
        cluster = setup.cluster()
        connections = setup.bridge_connections()
        setup.ward.stop()
        published = [  # what a ward's clusters say while the ward is away
            cluster.client.publish(topic(WARD, CLUSTER, PLAYED), str(row).encode(), qos=1)
            for row in range(sent)
        ]
        for info in published:
            info.wait_for_publish(timeout=10.0)
        setup.ward.start()
        setup.wait_bridged(after=connections)
        arrived: set[bytes] = set()  # QoS 1 may deliver one twice: count each once
        with contextlib.suppress(queue.Empty):
            while True:
                message = station_side.next_message(2.0)
                if message.topic == topic(WARD, CLUSTER, PLAYED):
                    arrived.add(message.payload)
        assert (len(arrived) == sent) is whole, len(arrived)


# --- the receiver itself, unchanged ----------------------------------------------------------


@pytest.mark.slow
def test_the_receiver_as_it_is_plays_through_the_bridge_and_its_rows_come_back_acknowledged(
    province: Province,
    tmp_path: Path,
    station_key: StationKey,  # noqa: F811 - the receiver tests' fixtures, imported above
    station: Station,  # noqa: F811
    audio_server: AudioServer,  # noqa: F811
):
    """`broadcast receiver`'s own code, told only the provincial broker's address."""
    province.province.add_user(BOX, "mat-khau-hop", cluster_acl(WARD, BOX))
    station_side = province.station()
    audio = audio_server.add(0.3)
    start = soon(2.5)
    plan = station.plan([entry("sang#0", start, audio, 0.3)])
    station_side.publish(topic(WARD, BOX, PLAN), plan, retain=True)

    settings = make_settings(
        tmp_path,
        station_key,
        audio_server.url,
        broker=Broker(province.province.host, province.province.port),
        heartbeat_seconds=1.0,
    )
    receiver = Receiver(replace(settings, password="mat-khau-hop"), retry_max=0.5)
    receiver.start()
    try:
        rows = json.loads(_next_on(station_side, topic(WARD, BOX, PLAYED)).payload)["rows"]
        assert [(row["outcome"], row["started_at"]) for row in rows] == [
            ("played", start.isoformat())
        ]
        ack = station.message("ack", {"rows": [rows[0]["id"]]})
        station_side.publish(topic(WARD, BOX, ACK), ack)
        wait_for(lambda: receiver.store.acked() == {rows[0]["id"]})
    finally:
        receiver.stop()


# --- TLS between the brokers ---------------------------------------------------------------


def _tls_client(broker: MosquittoBroker, port: int, cafile: Path) -> TestClient:
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2, client_id="observer-tls"
    )
    client.tls_set(ca_certs=str(cafile))  # checks the certificate and that it names the host
    client.username_pw_set("observer", "observer")
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    wrapped = TestClient(client)
    client.connect(broker.host, port)
    client.loop_start()
    assert connected.wait(5.0), "no TLS connection to the provincial broker"
    return wrapped


SLOW = pytest.mark.slow


@pytest.mark.parametrize(
    ("signer", "named"),
    [
        pytest.param("province", "127.0.0.1", id="province-certificate"),
        pytest.param("other", "127.0.0.1", id="impostor", marks=SLOW),
        pytest.param("province", "127.0.0.2", id="another-host-s-certificate", marks=SLOW),
    ],
)
def test_the_bridge_crosses_the_internet_over_tls_and_only_to_the_real_provincial_broker(
    tmp_path: Path, signer: str, named: str
):
    province_ca = authority("CA tinh")
    signing = province_ca if signer == "province" else authority("?")
    certfile, keyfile = server_files(tmp_path / "tls", signing, named)
    trusted = (signer, named) == ("province", "127.0.0.1")
    tls_port = free_port()
    provincial = MosquittoBroker(
        tmp_path / "province",
        extra_config=[
            f"listener {tls_port} 127.0.0.1",  # the 8883 of docs/ip-clusters.md
            f"certfile {certfile}",
            f"keyfile {keyfile}",
            "tls_version tlsv1.2",
        ],
    ).start()
    account = provincial_account(WARD, PASSWORDS["bridge"])
    provincial.install(passwd_text([account]), acl_text([account]))
    provincial.add_user("observer", "observer", EVERYTHING)
    bridge = WardBridge(
        WARD,
        "127.0.0.1",
        tls_port,
        PASSWORDS["bridge"],
        restart_seconds=(1, 1),
        cafile=pem(tmp_path / "tinh-ca.crt", province_ca[1]),
    )
    ward = MosquittoBroker(tmp_path / "ward", extra_config=ward_bridge_conf(bridge).splitlines())
    ward.add_user(STATION_USER, PASSWORDS["station"], station_acl(WARD))
    ward.start()
    try:
        plan = _plan(StationKey.generate(), seq=1)
        connect(ward, STATION_USER, PASSWORDS["station"]).publish(
            topic(WARD, CLUSTER, PLAN), plan, retain=True
        )
        if trusted:  # a receiver over 4G connects to the same TLS port, checking the same way
            watcher = _tls_client(provincial, tls_port, tmp_path / "tinh-ca.crt")
        else:
            watcher = connect(provincial, "observer", "observer")
        assert watcher.subscribe("loa-phuong/#") == 1
        if trusted:
            assert _next_on(watcher, topic(WARD, CLUSTER, PLAN)).payload == plan
        else:  # a broker with a certificate the ward does not trust gets nothing at all
            assert watcher.quiet_for(3.0)
            assert f"as {bridge_user(WARD)} " not in provincial.log()
            why = "certificate verify failed" if signer != "province" else "host name verification"
            assert why in ward.log()
    finally:
        ward.stop()
        provincial.stop()
