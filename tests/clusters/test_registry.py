"""The station's cluster registry, its message counter, and the broker files made from it, on
a real Mosquitto: each cluster reaches its own topics only, and a removed one not at all."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from broadcast.clusters import topics
from broadcast.clusters.broker_files import (
    MAX_QUEUED_MESSAGES,
    STATION_USER,
    cluster_acl,
    conf_text,
    hash_password,
    password_matches,
    station_acl,
)
from broadcast.clusters.credentials import (
    new_password,
    station_password,
    write_broker_files,
)
from broadcast.clusters.messages import PLAN, PLAYED, STATUS
from broadcast.clusters.registry import (
    ClusterFiles,
    ClusterRegistry,
    ClusterTaken,
    UnknownCluster,
)
from tests.support.mosquitto import ConnectRefused, MosquittoBroker, connect

WARD = "long-anh"
NOW = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def files(tmp_path: Path) -> ClusterFiles:
    return ClusterFiles.under(tmp_path / "data")


@pytest.fixture
def registry(files: ClusterFiles) -> ClusterRegistry:
    return ClusterRegistry(files.registry)


# --- the password file's format -------------------------------------------------------------


def test_a_hash_is_mosquittos_pbkdf2_sha512_format():
    hashed = hash_password("mật khẩu", salt=bytes(range(12)))
    kind, iterations, salt, digest = hashed.split("$")[1:]
    assert (kind, iterations, base64.b64decode(salt)) == ("7", "101", bytes(range(12)))
    assert len(base64.b64decode(digest)) == 64
    assert password_matches("mật khẩu", hashed) and not password_matches("mat khau", hashed)
    assert hash_password("x") != hash_password("x")  # a new salt each time


def test_a_password_hashed_by_mosquitto_passwd_is_read_the_same_way(tmp_path):
    made = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(made), "cum-1", "bí mật"], check=True)
    hashed = made.read_text("utf-8").strip().split(":", 1)[1]
    assert password_matches("bí mật", hashed) and not password_matches("bi mat", hashed)


def test_the_real_broker_takes_our_hash_and_refuses_a_wrong_password(mosquitto_broker):
    mosquitto_broker.install(f"cum-1:{hash_password('đúng-rồi')}\n", "user cum-1\n")
    connect(mosquitto_broker, "cum-1", "đúng-rồi").close()
    with pytest.raises(ConnectRefused):
        connect(mosquitto_broker, "cum-1", "sai-rồi")


# --- the registry -----------------------------------------------------------------------------


def test_clusters_are_added_listed_and_removed(registry):
    registry.add("cho", name="Cụm loa chợ", zone="khu-cho", password_hash="h1", now=NOW)
    registry.add("tdp-1", name="Tổ 1", zone="khu-cho", password_hash="h2", now=NOW)
    assert [(c.id, c.name, c.zone, c.username) for c in registry.clusters()] == [
        ("cho", "Cụm loa chợ", "khu-cho", "cho"),
        ("tdp-1", "Tổ 1", "khu-cho", "tdp-1"),
    ]
    with pytest.raises(ClusterTaken):
        registry.add("cho", name="Lần hai", zone="khu-cho", password_hash="h3", now=NOW)
    removed = registry.remove("cho", now=NOW)
    assert removed.removed and removed.removed_at == NOW
    assert [c.id for c in registry.clusters()] == ["tdp-1"]
    assert [c.id for c in registry.clusters(removed=True)] == ["cho", "tdp-1"]
    with pytest.raises(UnknownCluster):
        registry.remove("cho", now=NOW)
    again = registry.add("cho", name="Cụm mới", zone="khu-cho", password_hash="h4", now=NOW)
    assert not again.removed and registry.get("cho") == again


def test_the_registry_survives_reopening(files, registry):
    registry.add("cho", name="Cụm loa chợ", zone="khu-cho", password_hash="h1", now=NOW)
    assert ClusterRegistry(files.registry).get("cho") == registry.get("cho")
    assert files.registry == files.root / "registry.sqlite3"
    assert files.root.name == "clusters"


def test_seq_strictly_increases_across_restarts_and_never_falls_below_the_clock(files):
    clock = [1_000]
    first = ClusterRegistry(files.registry, floor=lambda: clock[0])
    assert [first.next_seq() for _ in range(3)] == [1_000, 1_001, 1_002]
    clock[0] = 10  # the clock went back: the counter does not
    assert ClusterRegistry(files.registry, floor=lambda: clock[0]).next_seq() == 1_003
    clock[0] = 5_000  # a registry from an old backup still numbers above the clock
    assert ClusterRegistry(files.registry, floor=lambda: clock[0]).next_seq() == 5_000


def _numbers_of_two_processes(files: ClusterFiles, taking: str) -> list[list[int]]:
    """What two processes at once took from the registry: ``taking`` fills a list ``taken``
    from ``registry``."""
    ClusterRegistry(files.registry)
    program = (
        textwrap.dedent(
            f"""
        import json
        from pathlib import Path
        from broadcast.clusters.registry import ClusterRegistry
        registry = ClusterRegistry(Path({str(files.registry)!r}), floor=lambda: 0)
        taken = []
        """
        )
        + textwrap.dedent(taking)
        + "\nprint(json.dumps(list(taken)))\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", program], cwd=REPO, stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    return [json.loads(run.communicate(timeout=60)[0]) for run in runs]


@pytest.mark.slow
def test_two_processes_never_get_the_same_seq(files):
    outputs = _numbers_of_two_processes(files, "taken = [registry.next_seq() for _ in range(60)]")
    for numbers in outputs:
        assert numbers == sorted(numbers) and len(set(numbers)) == 60
    together = outputs[0] + outputs[1]
    assert len(set(together)) == 120 and sorted(together) == list(range(1, 121))


def test_a_block_of_seqs_is_one_run_above_every_number_given_before(files):
    clock = [1_000]
    registry = ClusterRegistry(files.registry, floor=lambda: clock[0])
    assert list(registry.next_seqs(3)) == [1_000, 1_001, 1_002]
    assert registry.next_seq() == 1_003
    clock[0] = 10  # the clock went back: the counter does not
    assert list(ClusterRegistry(files.registry, floor=lambda: 10).next_seqs(2)) == [1_004, 1_005]
    clock[0] = 5_000  # a registry from an old backup still numbers above the clock
    assert list(registry.next_seqs(2)) == [5_000, 5_001]
    assert list(registry.next_seqs(0)) == [] and registry.next_seq() == 5_002


@pytest.mark.slow
def test_two_processes_taking_blocks_never_get_the_same_seq(files):
    """Blocks and single numbers mixed, in two processes at once: all distinct, each
    process's increasing, together exactly the numbers given."""
    taking = """
        for size in [1, 7, 3, 1, 12, 5, 1] * 4:
            taken.extend(registry.next_seqs(size) if size > 1 else [registry.next_seq()])
        """
    outputs = _numbers_of_two_processes(files, taking)
    for numbers in outputs:
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers) == 120
    assert sorted(outputs[0] + outputs[1]) == list(range(1, 241))


# --- credentials and the broker's files -------------------------------------------------------


def test_the_station_password_is_made_once_and_kept_private(files):
    password = station_password(files)
    assert station_password(files) == password and len(password) >= 24
    if os.name != "nt":
        assert mode(files.station_password) == 0o600


def test_the_broker_files_hold_the_active_clusters_only(files, registry):
    registry.add("cho", name="Chợ", zone="khu-cho", password_hash=hash_password("a"), now=NOW)
    registry.add("tdp-1", name="Tổ 1", zone="khu-cho", password_hash=hash_password("b"), now=NOW)
    registry.remove("tdp-1", now=NOW)
    made = write_broker_files(files, registry, WARD, port=8883)
    passwd = made.passwd.read_text("utf-8")
    assert [line.split(":")[0] for line in passwd.splitlines()] == [STATION_USER, "cho"]
    acl = made.acl.read_text("utf-8")
    assert "user cho\ntopic read loa-phuong/long-anh/cho/plan\n" in acl
    assert "topic write loa-phuong/long-anh/cho/status\n" in acl
    assert "user station\ntopic read loa-phuong/long-anh/+/status\n" in acl
    assert "tdp-1" not in acl
    conf = made.conf.read_text("utf-8")
    assert "listener 8883\nallow_anonymous false\n" in conf
    assert "password_file /etc/mosquitto/loa-phuong/passwd\n" in conf
    assert f"\nmax_queued_messages {MAX_QUEUED_MESSAGES}\n" in conf  # a day's backlog
    if os.name != "nt":
        assert {mode(p) for p in (made.passwd, made.acl, made.conf)} == {0o600}


@pytest.fixture
def ward_broker(mosquitto_broker: MosquittoBroker, files: ClusterFiles, registry):
    """The broker running on the files the station made, for clusters "cho" and "tdp-1"."""
    passwords = {cluster: new_password() for cluster in ("cho", "tdp-1")}
    for cluster, password in passwords.items():
        registry.add(
            cluster, name=cluster, zone="khu-cho", password_hash=hash_password(password), now=NOW
        )
    made = write_broker_files(files, registry, WARD)
    mosquitto_broker.install(made.passwd, made.acl)
    return mosquitto_broker, passwords


@pytest.fixture
def station_and_cho(ward_broker, files):
    """The station and cluster "cho" logged in with their own credentials."""
    broker, passwords = ward_broker
    station = connect(broker, STATION_USER, station_password(files))
    cluster = connect(broker, "cho", passwords["cho"])
    yield station, cluster
    station.close()
    cluster.close()


def test_a_cluster_gets_its_own_plan_and_never_another_clusters(station_and_cho):
    station, cluster = station_and_cho
    # The broker grants the subscription to another cluster's plan and then drops every
    # message on it: the cluster must not be able to tell what the others are sent.
    cluster.subscribe(topics.topic(WARD, "tdp-1", PLAN))
    cluster.subscribe(topics.topic(WARD, "cho", PLAN))
    station.publish(topics.topic(WARD, "tdp-1", PLAN), b"plan for tdp-1", retain=True)
    station.publish(topics.topic(WARD, "cho", PLAN), b"plan for cho", retain=True)
    got = cluster.next_message()
    assert (got.topic, got.payload) == (topics.topic(WARD, "cho", PLAN), b"plan for cho")
    assert cluster.quiet_for(0.3)


def test_a_cluster_cannot_write_down_topics_and_the_station_hears_its_status(
    ward_broker, station_and_cho
):
    broker, passwords = ward_broker
    station, cluster = station_and_cho
    neighbour = connect(broker, "tdp-1", passwords["tdp-1"])
    try:
        for subscription in topics.station_subscriptions(WARD):
            station.subscribe(subscription)
        cluster.subscribe(topics.topic(WARD, "cho", PLAN))
        neighbour.subscribe(topics.topic(WARD, "tdp-1", PLAN))
        # Forged plans, its own and its neighbour's, and a status in the neighbour's name:
        # each acknowledged by the broker and delivered to no one.
        cluster.publish(topics.topic(WARD, "cho", PLAN), b"forged own plan")
        cluster.publish(topics.topic(WARD, "tdp-1", PLAN), b"forged plan")
        cluster.publish(topics.topic(WARD, "tdp-1", STATUS), b"pretending to be tdp-1")
        cluster.publish(topics.topic(WARD, "cho", STATUS), b"online")
        got = station.next_message()  # published last: whatever got through came before
        assert (got.topic, got.payload) == (topics.topic(WARD, "cho", STATUS), b"online")
        assert station.quiet_for(0.2) and cluster.quiet_for(0.1) and neighbour.quiet_for(0.1)
        station.publish(topics.topic(WARD, "tdp-1", PLAN), b"the station's plan")
        assert neighbour.next_message().payload == b"the station's plan"  # it does listen
    finally:
        neighbour.close()


def test_a_removed_cluster_can_no_longer_connect(ward_broker, files, registry):
    broker, passwords = ward_broker
    connect(broker, "cho", passwords["cho"]).close()
    registry.remove("cho", now=NOW)
    made = write_broker_files(files, registry, WARD)
    broker.install(made.passwd, made.acl)  # and the broker reads them again (SIGHUP)
    with pytest.raises(ConnectRefused):
        connect(broker, "cho", passwords["cho"])
    connect(broker, "tdp-1", passwords["tdp-1"]).close()


@pytest.mark.slow
def test_the_station_away_finds_every_row_its_clusters_sent_with_the_generated_queue_limit(
    tmp_path: Path,
):
    """Mosquitto's default keeps 1,000 messages for a session that is away and drops the rest
    quietly; with the line ``conf_text`` writes, 1,500 rows sent meanwhile all arrive."""
    conf = conf_text(port=1883, passwd=Path("passwd"), acl=Path("acl")).splitlines()
    queue_lines = [line for line in conf if line.startswith("max_queued_messages ")]
    broker = MosquittoBroker(
        tmp_path / "mosquitto", extra_config=queue_lines, max_queued_messages=None
    )
    broker.add_user(STATION_USER, "station-pw", station_acl(WARD))
    broker.add_user("cho", "cho-pw", cluster_acl(WARD, "cho"))
    sent, played = 1_500, topics.topic(WARD, "cho", PLAYED)
    with broker:
        station_id = f"station-{WARD}"
        station = connect(
            broker, STATION_USER, "station-pw", client_id=station_id, clean_session=False
        )
        station.subscribe(played)
        station.close()  # away: the broker keeps its session and what comes for it
        cluster = connect(broker, "cho", "cho-pw")
        for row in range(sent):
            cluster.publish(played, str(row).encode())
        cluster.close()
        station = connect(
            broker, STATION_USER, "station-pw", client_id=station_id, clean_session=False
        )
        arrived: set[bytes] = set()
        with contextlib.suppress(queue.Empty):  # until none came for a second
            while True:
                arrived.add(station.next_message(1.0).payload)  # QoS 1: a repeat counts once
        station.close()
    assert len(arrived) == sent
