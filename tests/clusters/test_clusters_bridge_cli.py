"""``broadcast clusters bridge``: the ward broker's bridge section, printed and saved exactly as
``broadcast.clusters.bridge`` makes it, with the province's copy of the ward's accounts; a real
Mosquitto started with the saved file as the printed steps install it bridges to a real
provincial broker started with those accounts, and a cluster there gets the station's plan."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.clusters.bridge import WardBridge, bridge_user, ward_bridge_conf
from broadcast.clusters.broker_files import STATION_USER, password_matches, station_acl
from broadcast.clusters.credentials import station_password
from broadcast.clusters.messages import PLAN, PLAYED
from broadcast.clusters.topics import topic
from broadcast.receiver.settings import load_settings
from tests.clusters.cli_ward import ClustersCli, ward_paths
from tests.support.mosquitto import MosquittoBroker, connect

WARD = "long-anh"  # SCHEDULES' ward


@pytest.fixture
def clusters(tmp_path: Path, capsys) -> ClustersCli:
    return ClustersCli(ward_paths(tmp_path), capsys)


def test_the_printed_and_saved_section_is_what_bridge_py_makes(clusters):
    clusters("add", "cho-1", "--name", "Cụm loa chợ", "--zone", "khu-cho")

    code, out, err = clusters("bridge", "--remote", "mqtt.tinh.example.vn:8883")

    assert (code, err) == (EXIT_OK, "")
    files = clusters.files
    password = files.bridge_password.read_text("utf-8").strip()
    expected = ward_bridge_conf(WardBridge(WARD, "mqtt.tinh.example.vn", 8883, password))
    assert files.bridge_conf.read_text("utf-8") == expected
    assert f"\n\n{expected}\n" in out
    assert files.bridge_conf.parent == files.mosquitto_conf.parent
    assert "data/clusters/mosquitto/bridge.conf /etc/mosquitto/conf.d/loa-phuong-bridge.conf" in out
    assert "sudo systemctl restart mosquitto" in out
    assert f"tài khoản cầu nối {bridge_user(WARD)} và 1 cụm loa" in out
    assert 'dòng broker: ghi máy chủ của tỉnh: "mqtt.tinh.example.vn:8883"' in out
    if os.name != "nt":
        for made in (files.bridge_conf, files.bridge_password, files.province_dir / "passwd"):
            assert stat.S_IMODE(made.stat().st_mode) == 0o600
    # the province's copy: the bridge's account (its password hashed) and the cluster's, no
    # station; the cluster's hash as the ward's broker has it
    passwd = dict(
        line.split(":", 1)
        for line in (files.province_dir / "passwd").read_text("utf-8").splitlines()
    )
    assert list(passwd) == [bridge_user(WARD), "cho-1"]
    assert password_matches(password, passwd[bridge_user(WARD)])
    assert password not in (files.province_dir / "passwd").read_text("utf-8")
    assert f"cho-1:{passwd['cho-1']}\n" in files.passwd.read_text("utf-8")
    assert "user station" not in (files.province_dir / "acl").read_text("utf-8")

    # run again (a cluster removed): the same password, the province's files without it
    clusters("remove", "cho-1")
    clusters("bridge", "--remote", "mqtt.tinh.example.vn:8883")
    assert files.bridge_password.read_text("utf-8").strip() == password
    assert files.bridge_conf.read_text("utf-8") == expected
    province = (files.province_dir / "passwd").read_text("utf-8")
    assert province.startswith(f"{bridge_user(WARD)}:") and "cho-1" not in province


def test_tls_and_a_password_given_by_the_province(clusters, tmp_path):
    ca = tmp_path / "tinh-ca.crt"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    given = tmp_path / "mat-khau.txt"
    given.write_text("cau-noi-cua-tinh\n", encoding="utf-8")

    code, out, err = clusters(
        "bridge",
        "--remote",
        "mqtt.tinh.example.vn:8883",
        "--tls-ca",
        str(ca),
        "--password-file",
        str(given),
    )

    assert (code, err) == (EXIT_OK, "")
    bridge = WardBridge(WARD, "mqtt.tinh.example.vn", 8883, "cau-noi-cua-tinh", cafile=ca.resolve())
    assert clusters.files.bridge_conf.read_text("utf-8") == ward_bridge_conf(bridge)
    assert f"bridge_cafile {ca.resolve().as_posix()}\n" in out
    assert '"mqtts://mqtt.tinh.example.vn:8883"' in out
    assert "và 0 cụm loa" in out
    # a path on the broker's own host, absent here, is taken as written when absolute
    code, out, _ = clusters(
        "bridge", "--remote", "mqtt.tinh.example.vn:8883", "--cafile", "/etc/mosquitto/ca/tinh.crt"
    )
    assert code == EXIT_OK and "bridge_cafile /etc/mosquitto/ca/tinh.crt\n" in out
    assert "remote_password cau-noi-cua-tinh\n" in out  # the province's password is kept


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("--remote", "mqtt.tinh.example.vn"),
            'Lỗi: --remote "mqtt.tinh.example.vn" không hợp lệ: cần dạng máy:cổng',
        ),
        (("--remote", "tinh:0"), 'Lỗi: --remote "tinh:0" không hợp lệ'),
        (
            ("--remote", "tinh:8883", "--cafile", "ca.crt"),
            'Lỗi: --cafile "ca.crt": không có tệp này ở đây; ghi đường dẫn tuyệt đối',
        ),
        (
            ("--remote", "tinh:8883", "--certfile", "/etc/a.crt", "--keyfile", "/etc/a.key"),
            "Lỗi: Chứng chỉ riêng của phường chỉ dùng được khi bật TLS (cafile)",
        ),
        (
            ("--remote", "tinh:8883", "--cafile", "/etc/ca.crt", "--certfile", "/etc/a.crt"),
            "Lỗi: Chứng chỉ riêng của phường cần cả certfile lẫn keyfile",
        ),
    ],
)
def test_bridge_refuses_and_saves_nothing(clusters, argv, message):
    code, out, err = clusters("bridge", *argv)
    assert (code, out) == (EXIT_INPUT_ERRORS, "")
    assert err.startswith(message)
    assert not clusters.files.bridge_conf.exists()


def test_bridge_refuses_a_password_with_a_space(clusters, tmp_path):
    given = tmp_path / "mat-khau.txt"
    given.write_text("hai tu\n", encoding="utf-8")
    code, _, err = clusters("bridge", "--remote", "tinh:8883", "--password-file", str(given))
    assert code == EXIT_INPUT_ERRORS
    assert err == "Lỗi: Mật khẩu không được trống hay chứa dấu cách, xuống dòng\n"


@pytest.mark.slow
def test_a_real_mosquitto_started_with_the_saved_file_bridges_to_the_province(clusters, tmp_path):
    clusters("add", "cho-1", "--name", "Cụm loa chợ", "--zone", "khu-cho")
    files = clusters.files
    province = MosquittoBroker(tmp_path / "province", extra_config=["log_type subscribe"])
    code, _, err = clusters("bridge", "--remote", f"{province.host}:{province.port}")
    assert (code, err) == (EXIT_OK, "")
    province.install(files.province_dir / "passwd", files.province_dir / "acl")
    province.start()
    # the ward's broker with the saved file where the printed step installs it (conf.d)
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    (conf_d / "loa-phuong-bridge.conf").write_bytes(files.bridge_conf.read_bytes())
    ward = MosquittoBroker(tmp_path / "ward", extra_config=[f"include_dir {conf_d}"])
    ward.add_user(STATION_USER, station_password(files), station_acl(WARD))
    ward.start()
    try:
        bridged = f"{bridge_user(WARD)} 1 loa-phuong/{WARD}/+/event"
        deadline = time.monotonic() + 20
        while bridged not in province.log():
            assert ward.running, ward.log()
            assert time.monotonic() < deadline, province.log()
            time.sleep(0.05)
        box = load_settings(files.receiver_config("cho-1"))
        station = connect(ward, STATION_USER, station_password(files))
        cluster = connect(province, box.username, box.password)
        try:
            assert station.subscribe(topic(WARD, "cho-1", PLAYED)) == 1
            assert cluster.subscribe(topic(WARD, "cho-1", PLAN)) == 1
            station.publish(topic(WARD, "cho-1", PLAN), b"signed plan", retain=True)
            assert cluster.next_message(timeout=20).payload == b"signed plan"
            cluster.publish(topic(WARD, "cho-1", PLAYED), b"rows")
            assert station.next_message(timeout=20).payload == b"rows"
        finally:
            cluster.close()
            station.close()
    finally:
        ward.stop()
        province.stop()
