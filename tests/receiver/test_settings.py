"""``receiver.yaml``: read with file and line for every mistake, in Vietnamese."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from broadcast.cli import main
from broadcast.cli.receiver_yaml import RECEIVER_DATA_DIR, NewCluster, receiver_yaml
from broadcast.clusters.signing import StationKey
from broadcast.config.ip_clusters import IpClusterSettings
from broadcast.diagnostics import InputError
from broadcast.receiver.settings import Broker, load_settings
from tests.support.tls import authority, pem

KEY = StationKey.generate().public.text


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "receiver.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = f"""\
cluster: tdp1-a
ward: phuong-1
zone: tdp-1
broker: mqtts://loa.example.vn:8883
password: "bi-mat"
station_keys: ["{KEY}"]
audio_url: https://loa.example.vn:8090/
heartbeat_seconds: 15
data: du-lieu
output:
  device: USB Audio
  channels: [1, 2]
  volume_db: -3
"""


def test_a_good_file(tmp_path: Path):
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.cluster == "tdp1-a" and settings.username == "tdp1-a"
    assert settings.broker == Broker("loa.example.vn", 8883, tls=True)
    assert settings.audio_url == "https://loa.example.vn:8090"
    assert settings.station_keys[0].text == KEY
    assert settings.data_dir == (tmp_path / "du-lieu").resolve()
    assert settings.output.device == "USB Audio" and settings.output.channels == (1, 2)
    assert settings.output.volume_db == -3 and settings.output.folder is None
    assert settings.heartbeat_seconds == 15 and settings.timezone.key == "Asia/Ho_Chi_Minh"


def test_the_station_file_form_host_port_and_a_file_output(tmp_path: Path):
    text = GOOD.replace("mqtts://loa.example.vn:8883", "192.168.1.10:1883")
    text = text.split("output:")[0] + "output:\n  file: wav\n"
    settings = load_settings(write(tmp_path, text))
    assert settings.broker == Broker("192.168.1.10", 1883, tls=False)
    assert settings.output.folder == (tmp_path / "wav").resolve()


def test_every_mistake_is_named_with_its_line(tmp_path: Path):
    text = (
        GOOD.replace("tdp1-a", "TDP 1")
        .replace(KEY, "khong-phai-khoa")
        .replace("heartbeat_seconds: 15", "heartbeat_seconds: 0")
        .replace("data: du-lieu", "data: du-lieu\ntimezon: Asia/Ho_Chi_Minh")
    )
    with pytest.raises(InputError) as problems:
        load_settings(write(tmp_path, text))
    found = {(d.line, d.code) for d in problems.value.diagnostics}
    assert {(1, "bad_id"), (6, "bad_key"), (8, "bad_value"), (10, "unknown_key")} <= found
    assert 'có phải "timezone"' in str(problems.value)


def test_missing_keys_are_listed(tmp_path: Path):
    with pytest.raises(InputError) as problems:
        load_settings(write(tmp_path, "cluster: tdp1-a\n"))
    missing = [d.message for d in problems.value.diagnostics if d.code == "missing_key"]
    assert 'thiếu khóa "password"' in missing and len(missing) == 6


def test_the_command_refuses_a_bad_file_with_its_line(tmp_path: Path, capsys):
    path = write(tmp_path, GOOD.replace("mqtts://loa.example.vn:8883", "mqtt://:x"))
    assert main(["receiver", "--config", str(path)]) == 1
    assert f"{path}:4:9: broker" in capsys.readouterr().err


def test_the_file_broadcast_clusters_add_prints_is_read_as_it_is(tmp_path: Path):
    key = StationKey.generate().public
    cluster = NewCluster("tdp1-a", "Cụm chợ", "tdp-1", "Tổ 1", 'p@ss: "x"', datetime(2026, 12, 5))
    station = IpClusterSettings("long-anh", "::1", 1883, "http://192.168.1.10:8090", 20)
    text = receiver_yaml(cluster, station, key, "Asia/Ho_Chi_Minh")
    settings = load_settings(write(tmp_path, text))
    assert settings.warnings == ()
    assert (settings.cluster, settings.ward, settings.zone) == ("tdp1-a", "long-anh", "tdp-1")
    assert settings.broker == Broker("::1", 1883) and settings.password == 'p@ss: "x"'
    assert settings.station_keys == (key,) and settings.heartbeat_seconds == 20
    assert settings.audio_url == "http://192.168.1.10:8090"
    assert settings.data_dir == Path(RECEIVER_DATA_DIR)
    assert settings.output.device == "default" and settings.output.channels == (1,)


def test_a_wards_own_ca_is_read_from_beside_the_file_and_checked_at_start(tmp_path: Path):
    ca_file = pem(tmp_path / "ca-phuong.crt", authority("CA phuong")[1])
    settings = load_settings(write(tmp_path, GOOD + "tls_ca_file: ca-phuong.crt\n"))
    assert settings.tls_ca_file == ca_file.resolve() and settings.warnings == ()
    assert load_settings(write(tmp_path, GOOD)).tls_ca_file is None


@pytest.mark.parametrize(
    ("content", "code", "says"),
    [
        (None, "missing_file", "không có tệp chứng chỉ"),
        ("không phải chứng chỉ\n", "bad_certificate", "không đọc được thành chứng chỉ CA"),
    ],
)
def test_a_ca_file_missing_or_not_a_certificate_is_named_with_its_line(
    tmp_path: Path, content: str | None, code: str, says: str
):
    if content is not None:
        (tmp_path / "ca.crt").write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as problems:
        load_settings(write(tmp_path, GOOD + "tls_ca_file: ca.crt\n"))
    (problem,) = problems.value.diagnostics
    assert (problem.line, problem.code) == (14, code) and says in problem.message


def test_a_ca_file_with_no_tls_connection_is_a_warning(tmp_path: Path):
    pem(tmp_path / "ca.crt", authority("CA phuong")[1])
    text = GOOD.replace("mqtts://", "mqtt://").replace("https://", "http://")
    settings = load_settings(write(tmp_path, text + "tls_ca_file: ca.crt\n"))
    (warning,) = settings.warnings
    assert warning.code == "unused_ca" and warning.line == 14
