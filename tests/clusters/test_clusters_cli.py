"""``broadcast clusters add/list/remove``: what the technician types and reads, and a box
installed from what ``add`` printed logs in to a real broker."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.clusters import topics
from broadcast.clusters.credentials import station_password
from broadcast.clusters.messages import PLAN
from broadcast.clusters.registry import ClusterRegistry
from broadcast.clusters.signing import StationKey
from broadcast.paths import ProjectPaths
from tests.clusters.cli_ward import ClustersCli, files_of, ward_paths
from tests.support.mosquitto import ConnectRefused, connect


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ward_paths(tmp_path)


@pytest.fixture
def clusters(paths, capsys):
    return ClustersCli(paths, capsys)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_add_prints_and_keeps_a_complete_receiver_yaml(paths, clusters):
    code, out, err = clusters("add", "cho-1", "--name", "Cụm loa chợ", "--zone", "Khu chợ")
    assert (code, err) == (EXIT_OK, "")
    files = files_of(paths)
    saved = files.receiver_config("cho-1")
    text = saved.read_text("utf-8")
    assert text in out and 'Đã thêm cụm loa "cho-1" (Cụm loa chợ)' in out
    assert "broadcast receiver --config /etc/loa-phuong/receiver.yaml" in out
    assert "sudo systemctl reload mosquitto" in out
    assert "data/clusters/mosquitto/passwd" in out

    # The receiver's own reader takes the file as it is: no key missing, no value misread.
    from broadcast.receiver.settings import load_settings

    settings = load_settings(saved)
    assert (settings.cluster, settings.ward, settings.zone) == ("cho-1", "long-anh", "khu-cho")
    assert (settings.broker.host, settings.broker.port) == ("127.0.0.1", 1883)
    assert settings.username == "cho-1" and settings.heartbeat_seconds == 20
    assert settings.audio_url == "http://127.0.0.1:8090"
    key = StationKey.load(files.station_key)
    assert settings.station_keys == (key.public,)
    assert settings.warnings == ()

    # Shown once, kept hashed: the password is in the box's file, nowhere in the station's.
    (cluster,) = ClusterRegistry(files.registry).clusters()
    assert settings.password not in cluster.password_hash
    assert settings.password not in files.passwd.read_text("utf-8")
    assert "user cho-1\n" in files.acl.read_text("utf-8")
    if os.name != "nt":
        assert mode(saved) == mode(files.station_key) == mode(files.passwd) == 0o600


def test_add_keeps_the_station_key_it_made_first(paths, clusters):
    clusters("add", "cho-1", "--name", "Chợ 1", "--zone", "khu-cho")
    first = files_of(paths).station_key.read_bytes()
    clusters("add", "xe-1", "--name", "Bến xe 1", "--zone", "ben-xe")
    assert files_of(paths).station_key.read_bytes() == first


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("Cho 1", "--zone", "khu-cho"),
            'Lỗi: mã cụm loa "Cho 1" không hợp lệ: chỉ dùng chữ thường không dấu, số, "-" và "_"',
        ),
        (("station", "--zone", "khu-cho"), 'Lỗi: mã "station" là tài khoản MQTT của đài'),
        (
            ("cho-1", "--zone", "khu-ch"),
            'Lỗi: khu vực "khu-ch" không có trong schedules.yaml (có phải "khu-cho"?)',
        ),
        (
            ("cho-1", "--zone", "trung-tam"),
            'Lỗi: khu vực "trung-tam" phát qua card âm thanh của đài, không phải output: ip; '
            "các khu vực output: ip: khu-cho, ben-xe",
        ),
        (
            ("cho-1", "--zone", "cac-cum"),
            'Lỗi: "cac-cum" là nhóm khu vực; chọn một khu vực: khu-cho, ben-xe',
        ),
    ],
)
def test_add_refuses_a_bad_id_or_zone_and_writes_nothing(paths, clusters, argv, message):
    code, out, err = clusters("add", argv[0], "--name", "Cụm", *argv[1:])
    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err.startswith(message)
    assert not (paths.data_dir / "clusters").exists()


def test_add_refuses_a_taken_id(paths, clusters):
    clusters("add", "cho-1", "--name", "Chợ 1", "--zone", "khu-cho")
    before = files_of(paths).receiver_config("cho-1").read_text("utf-8")
    code, out, err = clusters("add", "cho-1", "--name", "Lần hai", "--zone", "ben-xe")
    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err == (
        'Lỗi: đã có cụm loa "cho-1"; chọn mã khác, hoặc xóa cụm cũ trước: '
        "broadcast clusters remove cho-1\n"
    )
    assert files_of(paths).receiver_config("cho-1").read_text("utf-8") == before


def test_add_needs_the_ip_clusters_section(paths, clusters):
    paths.schedules_file.write_text(
        "zones:\n  - {id: z, name: Z, output: {device: 1, channels: [1]}}\n", encoding="utf-8"
    )
    code, _, err = clusters("add", "cho-1", "--name", "Chợ", "--zone", "z")
    assert code == EXIT_INPUT_ERRORS
    assert err.startswith("Lỗi: schedules.yaml chưa có mục ip_clusters (ward, broker, audio_url)")


def test_list_shows_id_name_zone_and_when_added(paths, clusters):
    assert clusters("list") == (
        EXIT_OK,
        'Chưa có cụm loa IP nào; thêm bằng: broadcast clusters add MÃ --name "Tên cụm loa" '
        "--zone KHU-VỰC\n",
        "",
    )
    assert clusters("list", "--json")[1] == "[]\n"
    assert not (paths.data_dir / "clusters").exists()  # listing creates nothing
    clusters("add", "cho-1", "--name", "Cụm loa chợ", "--zone", "khu-cho")
    clusters("add", "xe-1", "--name", "Bến xe 1", "--zone", "ben-xe")
    code, out, _ = clusters("list")
    lines = out.splitlines()
    assert code == EXIT_OK and lines[0].split() == ["Mã", "Tên", "Khu", "vực", "Thêm", "lúc"]
    assert lines[2].startswith("cho-1  Cụm loa chợ  khu-cho")
    assert lines[3].startswith("xe-1   Bến xe 1     ben-xe")
    rows = json.loads(clusters("list", "--json")[1])
    assert [(r["id"], r["name"], r["zone"]) for r in rows] == [
        ("cho-1", "Cụm loa chợ", "khu-cho"),
        ("xe-1", "Bến xe 1", "ben-xe"),
    ]
    assert rows[0]["created_at"].endswith("+07:00")


def test_remove_revokes_and_forgets_the_boxs_file(paths, clusters):
    clusters("add", "cho-1", "--name", "Chợ 1", "--zone", "khu-cho")
    clusters("add", "cho-2", "--name", "Chợ 2", "--zone", "khu-cho")
    code, out, err = clusters("remove", "cho-1")
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith('Đã xóa cụm loa "cho-1": tài khoản MQTT của nó bị thu hồi.')
    assert "sudo systemctl reload mosquitto" in out
    files = files_of(paths)
    assert not files.receiver_config("cho-1").exists()
    assert "cho-1" not in files.passwd.read_text("utf-8")
    assert "cho-1" not in files.acl.read_text("utf-8")
    assert [row["id"] for row in json.loads(clusters("list", "--json")[1])] == ["cho-2"]
    code, out, err = clusters("remove", "cho-1")
    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err.startswith('Lỗi: cụm loa "cho-1" đã bị xóa lúc ')
    assert clusters("remove", "cho-3") == (
        EXIT_INPUT_ERRORS,
        "",
        'Lỗi: không có cụm loa "cho-3" (có phải "cho-2"?)\n',
    )


def test_a_box_installed_from_add_logs_in_until_removed(paths, clusters, mosquitto_broker):
    from broadcast.receiver.settings import load_settings

    clusters("add", "cho-1", "--name", "Chợ 1", "--zone", "khu-cho")
    files = files_of(paths)
    mosquitto_broker.install(files.passwd, files.acl)
    box = load_settings(files.receiver_config("cho-1"))
    station = connect(mosquitto_broker, "station", station_password(files))
    receiver = connect(mosquitto_broker, box.username, box.password)
    try:
        receiver.subscribe(topics.topic(box.ward, box.cluster, PLAN))
        station.publish(topics.topic(box.ward, box.cluster, PLAN), b"signed plan", retain=True)
        assert receiver.next_message().payload == b"signed plan"
    finally:
        receiver.close()
        station.close()
    clusters("remove", "cho-1")
    mosquitto_broker.install(files.passwd, files.acl)
    with pytest.raises(ConnectRefused):
        connect(mosquitto_broker, box.username, box.password)
